//! The directory: areas, agencies and official accounts, following them, the signed-in caller's
//! own view, the citizen's home and account pages, and the staff console's front page.

pub(crate) mod accounts;
pub(crate) mod areas;
pub(crate) mod console;
pub(crate) mod me;
pub(crate) mod pages;
pub mod service;
