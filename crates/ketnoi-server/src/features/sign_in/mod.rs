//! Signing in: citizens by one-time code, staff by password and, where they have one, a second
//! factor; the flows are shared by the pages and the API.

pub(crate) mod api;
pub mod otp;
pub(crate) mod pages;
pub mod second_factor;
pub(crate) mod security_api;
pub(crate) mod security_pages;
pub mod service;
