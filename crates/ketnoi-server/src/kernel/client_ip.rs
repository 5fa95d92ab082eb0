//! The client's address, as a rate-limit key: the peer, or what trusted proxies say it is.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

use crate::kernel::{config::ServerConfig, error::ApiError, state::HasKernel};

/// The client's address, used as a rate-limit key and never logged.
///
/// The peer's address, unless the peer is a trusted proxy (`trusted_proxies`, or any peer with
/// `trust_forwarded_for`): then `X-Forwarded-For` is read from the right, skipping trusted
/// proxies, and the first address that is not one is the client. Addresses a client wrote into
/// the header itself sit to the left of what the proxies appended, so they are never reached
/// while a proxy's entry is there.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: HasKernel> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(Self(client_ip(&state.kernel().config, peer, &parts.headers)))
    }
}

/// See [`ClientIp`].
pub fn client_ip(config: &ServerConfig, peer: IpAddr, headers: &axum::http::HeaderMap) -> IpAddr {
    let trusted = |ip: IpAddr| {
        config.trust_forwarded_for || config.trusted_proxies.iter().any(|n| n.contains(ip))
    };
    if !trusted(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|ip| ip.trim().parse().ok())
        .collect();
    if config.trust_forwarded_for {
        // Every peer is a proxy that overwrote the header: its first address is the client.
        return hops.first().copied().unwrap_or(peer);
    }
    hops.iter().rev().copied().find(|ip| !trusted(*ip)).or(hops.first().copied()).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn headers(xff: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap_or_else(|e| panic!("{e}")));
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let mut config = ServerConfig::local(
            "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
            crate::kernel::config::Secret::new("k"),
        );
        // No proxy configured: the header is the client's own words.
        assert_eq!(client_ip(&config, ip("203.0.113.5"), &headers("1.2.3.4")), ip("203.0.113.5"));
        config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"))];
        // From an untrusted peer, still ignored.
        assert_eq!(client_ip(&config, ip("203.0.113.5"), &headers("1.2.3.4")), ip("203.0.113.5"));
        // From the proxy: the address it appended, not the one the client forged before it.
        let forged = headers("6.6.6.6, 198.51.100.7");
        assert_eq!(client_ip(&config, ip("10.0.0.2"), &forged), ip("198.51.100.7"));
        // Two proxies in a row are both skipped.
        let chain = headers("198.51.100.7, 10.1.1.1");
        assert_eq!(client_ip(&config, ip("10.0.0.2"), &chain), ip("198.51.100.7"));
        // A proxy that sent no header: the proxy itself.
        assert_eq!(
            client_ip(&config, ip("10.0.0.2"), &axum::http::HeaderMap::new()),
            ip("10.0.0.2")
        );
    }
}
