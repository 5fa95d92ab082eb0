//! Integrations: programs that drive an official account from outside, through a surface shaped
//! like the commercial platform's Official Account API (`oa*.rs`) and ketnoi's own `/api/v1`
//! form (`api.rs`), managed in the console (`console.rs`).

pub mod api;
pub mod console;
pub mod oa;
pub mod oa_messages;
pub mod oa_routes;
pub mod oa_users;
pub mod service;
