//! Integrations: programs that drive an official account from outside, through a surface shaped
//! like the commercial platform's Official Account API (`oa*.rs`) and ketnoi's own `/api/v1`
//! form (`api.rs`), managed in the console (`console.rs`); and the account's events delivered to the
//! integration's webhook, signed, from a durable log (`webhook*.rs`).

pub mod api;
pub mod console;
pub mod oa;
pub mod oa_messages;
pub mod oa_routes;
pub mod oa_users;
pub mod service;
pub mod webhook_api;
pub mod webhook_net;
pub mod webhook_pages;
pub mod webhook_tail;
pub mod webhooks;
