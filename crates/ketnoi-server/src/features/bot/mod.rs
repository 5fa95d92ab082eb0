//! The accounts' chatbots: the engines answering citizens' messages in conversations, and the
//! console where officers teach them.

pub(crate) mod handoffs;
pub(crate) mod intents;
pub(crate) mod learn;
pub(crate) mod pages;
pub mod service;
pub(crate) mod unanswered;
