//! Messaging: the group-commit writer, the fan-out hub, the WebSocket endpoint, the API and the
//! pages of conversations between citizens and accounts, officers' internal notes on
//! them, their assignment to officers, their labels, canned replies, their handover between
//! accounts, response times, and citizens' ratings.

pub(crate) mod api;
pub(crate) mod assign;
pub(crate) mod canned;
pub(crate) mod canned_pages;
pub(crate) mod label_pages;
pub(crate) mod labels;
pub(crate) mod notes;
pub(crate) mod pages;
pub(crate) mod rating;
pub(crate) mod response;
pub(crate) mod scope;
pub mod service;
pub(crate) mod staff_pages;
pub(crate) mod transfer;
pub mod upload;
pub mod views;
pub(crate) mod ws;
