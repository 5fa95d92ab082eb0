//! Signing in: citizens by one-time code, staff by password; the flows are shared by the pages
//! and the API.

pub(crate) mod api;
pub mod otp;
pub(crate) mod pages;
pub mod service;
