//! The front desk of an account: its menu, the procedure guides and forms it offers (inherited
//! down the agency tree, overridden where local), and the legal documents they rest on, with
//! guides flagged for review when a document is replaced or lapses.

pub(crate) mod api;
pub(crate) mod console;
pub(crate) mod import;
pub(crate) mod pages;
pub mod service;
