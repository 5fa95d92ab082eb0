//! One-time sign-in codes and the pluggable senders that deliver them.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac as _};
use ketnoi_core::Phone;
use rand::Rng as _;
use sha2::Sha256;

use crate::kernel::config::Secret;

/// How long a code stays valid.
pub const CODE_TTL_MS: i64 = 5 * 60 * 1000;
/// Wrong tries before a code dies.
pub const MAX_ATTEMPTS: i64 = 5;

/// A fresh six-digit code, uniformly drawn.
pub fn new_code() -> String {
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000))
}

/// Whether `raw` has the shape of a code: exactly six ASCII digits.
pub fn is_code(raw: &str) -> bool {
    raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// What storage keeps of a code: an HMAC bound to the phone, under the server's secret, so a
/// copy of the database does not reveal pending codes.
pub fn code_hash(secret: &Secret, phone: &Phone, code: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(b"ketnoi otp v1\0");
    mac.update(phone.e164().as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    crate::kernel::http::hex(&mac.finalize().into_bytes())
}

/// Delivers a code to a phone.
#[async_trait]
pub trait OtpSender: Send + Sync + std::fmt::Debug {
    /// Sends `code` to `phone`.
    async fn send(&self, phone: &Phone, code: &str) -> anyhow::Result<()>;
}

/// Writes codes to the server log: for development and pilots without an SMS gateway. The phone
/// is masked; the code is the point of this sender.
#[derive(Debug, Default)]
pub struct LogSender;

#[async_trait]
impl OtpSender for LogSender {
    async fn send(&self, phone: &Phone, code: &str) -> anyhow::Result<()> {
        tracing::info!(phone = %phone.masked(), code, "one-time code (log sender)");
        Ok(())
    }
}

/// POSTs `{"to", "code", "message"}` as JSON to an SMS gateway, with an optional bearer secret.
#[derive(Debug)]
pub struct WebhookSender {
    client: reqwest::Client,
    url: String,
    bearer: Option<Secret>,
}

impl WebhookSender {
    /// A sender to `url`, with a 10-second timeout.
    pub fn new(url: String, bearer: Option<Secret>) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Self { client, url, bearer })
    }
}

#[async_trait]
impl OtpSender for WebhookSender {
    async fn send(&self, phone: &Phone, code: &str) -> anyhow::Result<()> {
        // Unaccented, so the SMS fits the cheap 7-bit alphabet every handset reads.
        let body = serde_json::json!({
            "to": phone.e164(),
            "code": code,
            "message": format!("Ma xac thuc ketnoi cua ban la {code}. Het han sau 5 phut. Khong chia se ma nay."),
        });
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(secret) = &self.bearer {
            request = request.bearer_auth(secret.expose());
        }
        let response = request.send().await?;
        if !response.status().is_success() {
            anyhow::bail!("SMS gateway answered {}", response.status());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_hashes_bind_the_phone() {
        for _ in 0..100 {
            assert!(is_code(&new_code()));
        }
        assert!(
            !is_code("12345") && !is_code("1234567") && !is_code("12345a") && !is_code("١٢٣٤٥٦")
        );
        let secret = Secret::new("k".repeat(32));
        let a = Phone::parse("0912345678").unwrap_or_else(|e| panic!("{e}"));
        let b = Phone::parse("0987654321").unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(code_hash(&secret, &a, "123456"), code_hash(&secret, &b, "123456"));
        assert_eq!(code_hash(&secret, &a, "123456"), code_hash(&secret, &a, "123456"));
        assert_eq!(code_hash(&secret, &a, "123456").len(), 64);
    }
}
