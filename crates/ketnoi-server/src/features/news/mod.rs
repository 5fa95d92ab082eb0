//! An account's news: articles, broadcasts targeted down to the ward, emergency alerts in the
//! Common Alerting Protocol, the citizen's feed, and notifications pushed to closed pages.

pub(crate) mod api;
pub(crate) mod broadcast_console;
pub(crate) mod cap;
pub(crate) mod console;
pub(crate) mod pages;
pub mod render;
pub mod service;
pub(crate) mod views;
