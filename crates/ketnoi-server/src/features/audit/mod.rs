//! The audit log as a unit sees it: its entries, filtered and paged, in the console and the API,
//! and exported as CSV or JSON (each export recorded itself).

pub mod api;
pub mod pages;
pub mod service;
