//! Tips to police units, sealed in the browser: the form, follow-up by receipt code, the unit's
//! inbox and its keys.

pub(crate) mod api;
pub(crate) mod case;
pub(crate) mod case_api;
pub(crate) mod case_pages;
pub(crate) mod keys_api;
pub(crate) mod pages;
pub mod service;
pub(crate) mod unit_api;
pub(crate) mod unit_pages;
pub mod wire;
