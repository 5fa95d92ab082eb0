//! ketnoi's HTTP server: the JSON API under `/api/v1`, its OpenAPI document, the pages, health
//! checks.
//!
//! The crate is a small [`kernel`] that every feature uses and that knows no feature (errors and
//! problem+json, who is calling, i18n, CSRF, rate limiting, caches, assets and the page layout,
//! the state they share), and one folder per [`features`] module holding that feature's API
//! routes, pages and service. The root wires them: [`Application::build`] binds the listener
//! (port 0 picks a free port, which is how tests start a real server), starts the features'
//! services, and gathers their routes; [`Application::run_until_stopped`] serves until the given
//! shutdown future completes, then finishes the requests in flight. docs/ARCHITECTURE.md draws
//! the rooms and the arrows allowed between them; `tests/layout.rs` fails when one is broken.
#![deny(missing_docs)]

mod api_doc;
mod app;
pub mod features;
pub mod kernel;

pub use api_doc::openapi_document;
pub use app::{AppState, Application};
pub use kernel::config::{BlobLocation, OtpDelivery, Secret, ServerConfig};
