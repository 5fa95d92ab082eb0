//! The kernel: what every feature uses, and nothing that names a feature.
//!
//! Request ids and the audit log's writer ([`audit`]).
//! Errors and problem+json ([`error`]), who is calling ([`auth`], [`session`]), the client's
//! address ([`client_ip`]), message catalogues ([`i18n`]), rate limiting ([`ratelimit`]), short
//! memories ([`cache`]), secrets kept wrapped ([`secrets`]), two-factor sign-in for staff ([`second_factor`]), the configuration ([`config`]), the job runner ([`jobs`]), Web Push
//! ([`push`]), live fan-out to open connections ([`hub`]), uploads made safe ([`media`]), the page layout, forms and assets
//! ([`pages`]), the API's shared answer types ([`views`]) and the state features build on
//! ([`state`]). Features reach each other only through the narrow interfaces they declare
//! themselves; the kernel reaches none of them.

pub mod audit;
pub mod auth;
pub mod cache;
pub mod client_ip;
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod hub;
pub mod i18n;
pub mod jobs;
pub mod media;
pub(crate) mod pages;
pub mod push;
pub mod ratelimit;
pub mod second_factor;
pub mod secrets;
pub mod session;
pub mod state;
pub mod text;
pub mod time;
pub(crate) mod views;
