//! Integrations: an account's vendors' code reaching ketnoi through the compatible API.
//!
//! Stand-in for the lead's model (issue 19): only the names the webhooks use.

use crate::error::wire_enum;

/// An integration's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct IntegrationId(pub i64);

wire_enum!(
    /// What an integration may do.
    Scope, "scope" {
        /// Read and send the account's messages.
        Messages => "messages",
        /// Receive the account's events at a webhook.
        Webhooks => "webhooks",
    }
);
