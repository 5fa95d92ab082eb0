//! Integrations (issue 19): vendors' code written against the commercial Official Account API
//! reaching an account through a compatible surface, and the account's events delivered to
//! their webhooks, signed, from a durable log.

pub mod service;
pub mod webhook_api;
pub mod webhook_net;
pub mod webhook_pages;
pub mod webhook_tail;
pub mod webhooks;
