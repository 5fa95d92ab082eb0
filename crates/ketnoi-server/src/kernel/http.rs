//! Small pieces of HTTP that the rest of the kernel shares: cookies, cross-site requests, hex.

use axum::http::{HeaderMap, Method, header};

/// A cookie's value.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Whether a state-changing request could have been forged by another site. Browsers send
/// `Sec-Fetch-Site` and `Origin` on such requests; programs using bearer tokens are not at risk,
/// since no browser attaches those by itself.
pub fn cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// The site's address as people outside reach it, for links that leave the site: the
/// configured public URL, or else the host the request named (plain http: a server that is
/// reached over https is configured with its public URL).
pub fn public_base(configured: Option<&str>, headers: &HeaderMap) -> String {
    if let Some(base) = configured {
        return base.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_site_changes_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "ketnoi.example".parse().unwrap_or_else(|_| unreachable!()));
        assert!(!cross_site(&Method::POST, &h), "no browser headers: a program");
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap_or_else(|_| unreachable!()));
        assert!(cross_site(&Method::POST, &h));
        assert!(!cross_site(&Method::GET, &h));
        h.insert(
            header::ORIGIN,
            "https://ketnoi.example".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert!(!cross_site(&Method::POST, &h));
        h.insert("sec-fetch-site", "cross-site".parse().unwrap_or_else(|_| unreachable!()));
        assert!(cross_site(&Method::DELETE, &h));
    }
}
