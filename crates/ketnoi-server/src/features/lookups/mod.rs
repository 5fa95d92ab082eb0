//! Lookups: datasets an account publishes (exam results, martyrs' graves), served from memory
//! behind guards, through the API, a page, the console and a chat command.

pub(crate) mod api;
pub mod commands;
pub(crate) mod console;
pub(crate) mod dataset_console;
pub mod import;
pub(crate) mod pages;
pub mod service;
