//! Where webhooks may be sent: no server-side request forgery.
//!
//! A webhook URL is typed by an account's staff and fetched by the server, from inside the
//! operator's network. So it must be https (plain http only to hosts the operator allowed), carry
//! no credentials, and lead to a public address: loopback, private, shared (CGNAT), link-local
//! (cloud metadata at 169.254.169.254 among them), unspecified, multicast and broadcast
//! addresses are refused, in every IPv6 spelling of them too. The check runs when the URL is
//! saved and again when each delivery connects: the client resolves names through
//! [`GuardedResolver`], which drops refused addresses, so a name that resolved to a public
//! address at save time and to 10.0.0.5 later (DNS rebinding) is not followed; redirects are
//! never followed. Hosts in the operator's allow list (as written in the URL, name or address)
//! skip the address rule.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::{Url, dns::Resolve};

use crate::kernel::{config::WebhookConfig, error::ApiError};

/// The longest webhook URL accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// Whether a delivery may never connect to `ip` (unless its host is allowed by the operator).
pub fn forbidden_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback()
        || ip.is_private()
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), 100.64/10
        || ip.is_link_local() // 169.254/16, cloud metadata among them
        || ip.is_multicast()
        || ip.is_broadcast()
        || a >= 240 // reserved
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    // Addresses that carry an IPv4 address are judged by it.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible form (::a.b.c.d).
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || (segments[..6] == [0; 6] && segments[6] != 0)
    {
        let [hi, lo] = [segments[6], segments[7]];
        return forbidden_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (segments[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || segments[0] == 0x2001 && segments[1] == 0x0db8 // documentation
}

/// A URL's host as the allow list names it: lowercase, IPv6 without brackets.
fn host_key(url: &Url) -> Option<String> {
    url.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase())
}

/// Whether the operator allowed this host.
fn allowed(config: &WebhookConfig, host: &str) -> bool {
    config.allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
}

fn refused(code: &'static str) -> ApiError {
    ApiError::InvalidField { code, field: "url" }
}

/// Checks a URL's form: length, scheme, credentials, host. Addresses are checked by
/// [`check_destination`].
pub fn parse_url(raw: &str, config: &WebhookConfig) -> Result<Url, ApiError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().count() > MAX_URL_CHARS {
        return Err(refused("webhook-url-invalid"));
    }
    let url = Url::parse(raw).map_err(|_| refused("webhook-url-invalid"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused("webhook-url-invalid"));
    }
    let host = host_key(&url).filter(|h| !h.is_empty()).ok_or(refused("webhook-url-invalid"))?;
    match url.scheme() {
        "https" => {}
        "http" if allowed(config, &host) => {}
        "http" => return Err(refused("webhook-url-insecure")),
        _ => return Err(refused("webhook-url-invalid")),
    }
    Ok(url)
}

/// Checks where a URL leads: every address its host has must be public, unless the operator
/// allowed the host. Run when a URL is saved; deliveries are checked again as they connect.
pub async fn check_destination(url: &Url, config: &WebhookConfig) -> Result<(), ApiError> {
    let host = host_key(url).ok_or(refused("webhook-url-invalid"))?;
    if allowed(config, &host) {
        return Ok(());
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if forbidden_address(ip) { Err(refused("webhook-url-private")) } else { Ok(()) };
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| refused("webhook-url-unresolved"))?
        .collect();
    if found.is_empty() {
        return Err(refused("webhook-url-unresolved"));
    }
    if found.iter().any(|a| forbidden_address(a.ip())) {
        return Err(refused("webhook-url-private"));
    }
    Ok(())
}

/// Checks a delivery's URL just before it is sent: its form, and an address written in it (names
/// are checked by [`GuardedResolver`] as the client connects). `Err` says why, for the log.
pub fn check_before_sending(raw: &str, config: &WebhookConfig) -> Result<Url, String> {
    let url = parse_url(raw, config).map_err(|e| format!("refused URL: {e}"))?;
    let host = host_key(&url).unwrap_or_default();
    if !allowed(config, &host)
        && let Ok(ip) = host.parse::<IpAddr>()
        && forbidden_address(ip)
    {
        return Err(format!("refused address {ip}"));
    }
    Ok(url)
}

/// Resolves names for deliveries, dropping every address a delivery may not reach.
pub struct GuardedResolver {
    allow_hosts: Vec<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allowed || !forbidden_address(a.ip()))
                .collect();
            if found.is_empty() {
                let why = format!("{host} has no address a webhook may be sent to");
                return Err(why.into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client deliveries use: the guarded resolver, no redirects, no proxy from the
/// environment (it would connect for us, past the resolver), the configured timeout.
pub fn client(config: &WebhookConfig) -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { allow_hosts: config.allow_hosts.clone() }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .user_agent("ketnoi-webhooks")
        .build()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("webhook client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_address_classifier_refuses_every_internal_range_in_every_spelling() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "169.254.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:192.168.0.1",
            "64:ff9b::a9fe:a9fe",
            "::10.0.0.1",
        ] {
            assert!(forbidden_address(ip(bad)), "{bad} must be refused");
        }
        for good in [
            "8.8.8.8",
            "1.1.1.1",
            "14.225.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.253.255.255",
            "192.169.0.1",
            "2606:4700:4700::1111",
            "2402:800::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(!forbidden_address(ip(good)), "{good} is public");
        }
    }

    #[test]
    fn urls_must_be_https_without_credentials_unless_the_host_is_allowed() {
        let config = WebhookConfig { allow_hosts: vec!["127.0.0.1".into()], ..Default::default() };
        assert!(parse_url("https://hooks.example.vn/zalo", &config).is_ok());
        assert!(parse_url("http://127.0.0.1:9000/hook", &config).is_ok());
        let code = |raw: &str| match parse_url(raw, &config) {
            Err(ApiError::InvalidField { code, field }) => {
                assert_eq!(field, "url");
                code
            }
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(code("http://example.com/hook"), "webhook-url-insecure");
        assert_eq!(code("http://[::1]/hook"), "webhook-url-insecure");
        assert_eq!(code("https://user:pw@example.com/"), "webhook-url-invalid");
        assert_eq!(code("ftp://example.com/"), "webhook-url-invalid");
        assert_eq!(code("javascript:alert(1)"), "webhook-url-invalid");
        assert_eq!(code("not a url"), "webhook-url-invalid");
        assert_eq!(code(""), "webhook-url-invalid");
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(code(&long), "webhook-url-invalid");
        assert!(check_before_sending("https://10.0.0.1/x", &config).is_err());
        assert!(check_before_sending("https://[::ffff:a9fe:a9fe]/x", &config).is_err());
        assert!(check_before_sending("http://127.0.0.1:1/x", &config).is_ok());
    }
}
