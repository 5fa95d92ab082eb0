//! What the server needs to know to run; the binary builds it from layered settings.

use std::{net::SocketAddr, time::Duration};

/// A secret value: its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How one-time codes reach citizens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpDelivery {
    /// Written to the server log.
    Log,
    /// POSTed to an SMS gateway.
    Webhook {
        /// The gateway's URL.
        url: String,
        /// A bearer secret for the gateway, if it wants one.
        bearer: Option<Secret>,
    },
}

/// Where attachment bytes are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    /// Files in a folder (the default: `DATA_DIR/blobs`).
    Dir(std::path::PathBuf),
    /// The database's own blob table (PostgreSQL), for nodes that share no disk.
    Database,
}

/// The default largest attachment: 20 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free one (tests).
    pub listen: SocketAddr,
    /// Demo mode: one-time codes are returned in the API answer, marked as a demo.
    pub demo: bool,
    /// The key for HMACs of one-time codes. Nodes sharing a database must share it.
    pub secret_key: Secret,
    /// How codes are delivered.
    pub otp: OtpDelivery,
    /// Trust the first `X-Forwarded-For` address as the client's (only behind a proxy that sets
    /// it).
    pub trust_forwarded_for: bool,
    /// Mark cookies `Secure` (on whenever the site is served over HTTPS).
    pub secure_cookies: bool,
    /// How long a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// The largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Where attachments are kept.
    pub blobs: BlobLocation,
}

impl ServerConfig {
    /// Defaults for a local server on `listen`.
    pub fn local(listen: SocketAddr, secret_key: Secret) -> Self {
        Self {
            listen,
            demo: false,
            secret_key,
            otp: OtpDelivery::Log,
            trust_forwarded_for: false,
            secure_cookies: false,
            request_timeout: Duration::from_secs(30),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            blobs: BlobLocation::Dir(std::env::temp_dir().join("ketnoi-blobs")),
        }
    }
}
