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

/// Broadcasts an account may send in a week when the operator set nothing else.
pub const DEFAULT_BROADCASTS_PER_WEEK: i64 = 10;
/// The VAPID contact when none is configured.
pub const DEFAULT_PUSH_CONTACT: &str = "mailto:operator@ketnoi.invalid";

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
    /// Trust `X-Forwarded-For` from any peer, taking its first address as the client's (only
    /// when nothing but the proxy can reach the server).
    pub trust_forwarded_for: bool,
    /// The proxies whose `X-Forwarded-For` is believed: a request from one of them is taken to
    /// come from the last address in the header that is not itself a trusted proxy.
    pub trusted_proxies: Vec<ProxyNet>,
    /// Per-client limits on lookups, for datasets that set none of their own.
    pub lookup_limits: ketnoi_lookup::guard::Limits,
    /// How often a node checks storage for new lookup versions and schedules.
    pub lookup_poll: Duration,
    /// Mark cookies `Secure` (on whenever the site is served over HTTPS).
    pub secure_cookies: bool,
    /// How long a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// The largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Where attachments are kept.
    pub blobs: BlobLocation,
    /// The address the site is reached at from outside (`https://ketnoi.example.gov.vn`), for
    /// links that leave the site: shared articles, feeds, alerts. Without it, the request's own
    /// host is used.
    pub public_url: Option<String>,
    /// Where an audit anchor (the log's head, `SEQ HASH TIME`) is appended at start and every
    /// hour; `None` for nowhere.
    pub audit_anchors: Option<std::path::PathBuf>,
    /// How many broadcasts an account may send in a week (Monday to Sunday, Vietnam time)
    /// unless the operator set its own allowance. Emergency alerts are never counted.
    pub broadcasts_per_week: i64,
    /// Who push services may contact about this server's notifications (the VAPID `sub`
    /// claim): a `mailto:` or `https:` address.
    pub push_contact: String,
    /// Accept push endpoints over plain http (a push service on the same machine, in tests);
    /// real push services are https only.
    pub push_allow_http: bool,
    /// How large an account's menu may be: top-level buttons and buttons under each.
    pub menu_limits: ketnoi_core::desk::MenuLimits,
    /// How integrations' webhooks are delivered.
    pub webhooks: WebhookConfig,
    /// The periods units have to deal with a tip, and the extensions they may be given.
    pub tip_deadlines: ketnoi_core::TipDeadlines,
}

/// How integrations' webhooks are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The delays before each retry of an event; an event is tried once more than there are
    /// delays. The default is the commercial platform's: 30 s, 5 min, 15 min, 30 min, 1 h.
    pub retry_schedule: Vec<Duration>,
    /// How long one attempt may take, connection included.
    pub timeout: Duration,
    /// After how many failed attempts in a row (across events) the endpoint is disabled.
    pub disable_after: i64,
    /// Hosts (names or addresses, as written in the URL) that may be reached over plain http
    /// and at private, loopback or link-local addresses: the operator's own receivers.
    pub allow_hosts: Vec<String>,
    /// How many deliveries run at once on a node.
    pub workers: usize,
    /// How often a node looks for inbox events written by other nodes.
    pub sweep: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            retry_schedule: [30, 300, 900, 1800, 3600].map(Duration::from_secs).to_vec(),
            timeout: Duration::from_secs(10),
            disable_after: 20,
            allow_hosts: Vec::new(),
            workers: 8,
            sweep: Duration::from_secs(2),
        }
    }
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
            trusted_proxies: Vec::new(),
            lookup_limits: ketnoi_lookup::guard::Limits::default(),
            lookup_poll: Duration::from_secs(2),
            secure_cookies: false,
            request_timeout: Duration::from_secs(30),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            blobs: BlobLocation::Dir(std::env::temp_dir().join("ketnoi-blobs")),
            public_url: None,
            audit_anchors: None,
            broadcasts_per_week: DEFAULT_BROADCASTS_PER_WEEK,
            push_contact: DEFAULT_PUSH_CONTACT.to_owned(),
            push_allow_http: false,
            menu_limits: ketnoi_core::desk::MenuLimits::default(),
            webhooks: WebhookConfig::default(),
            tip_deadlines: ketnoi_core::TipDeadlines::default(),
        }
    }
}

/// An address or network, `10.0.0.0/8`, `192.0.2.7` or `2001:db8::/32`: where trusted proxies
/// are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Whether `ip` is inside the network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        let ip = match ip {
            V6(v6) => v6.to_ipv4_mapped().map_or(V6(v6), V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (V4(net), V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (V6(net), V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for ProxyNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not an address or a network such as 10.0.0.0/8");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: std::net::IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

#[cfg(test)]
mod tests {
    use super::ProxyNet;

    fn net(s: &str) -> ProxyNet {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn proxy_networks_contain_their_addresses_only() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap_or_else(|e| panic!("{e}"));
        assert!(net("10.0.0.0/8").contains(ip("10.200.3.4")));
        assert!(!net("10.0.0.0/8").contains(ip("11.0.0.1")));
        assert!(net("192.0.2.7").contains(ip("192.0.2.7")));
        assert!(!net("192.0.2.7").contains(ip("192.0.2.8")));
        assert!(net("192.0.2.0/24").contains(ip("::ffff:192.0.2.9")));
        assert!(net("2001:db8::/32").contains(ip("2001:db8:1::1")));
        assert!(!net("2001:db8::/32").contains(ip("2001:db9::1")));
        assert!(net("0.0.0.0/0").contains(ip("8.8.8.8")));
        assert!(!net("0.0.0.0/0").contains(ip("::1")));
        for bad in ["", "10.0.0.0/33", "::/129", "proxy", "10.0.0.0/x"] {
            assert!(bad.parse::<ProxyNet>().is_err(), "{bad}");
        }
    }
}
