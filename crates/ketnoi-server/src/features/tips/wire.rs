//! The shapes tips travel in, checked at the door: the clear fields, and an envelope sealed in a
//! browser, which the server can check only for form (sizes, encodings, recipients) since it
//! holds no key that opens it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kernel::error::ApiError;

pub(crate) use ketnoi_seal::{Clear, Mode};

pub(crate) use ketnoi_seal::b64u;

/// The most attachments a tip may carry.
pub(crate) const MAX_ATTACHMENTS: usize = 5;

/// The longest description, in characters.
pub(crate) const MAX_DESCRIPTION: usize = 20_000;

/// Decodes base64url without padding.
pub(crate) fn b64u_decode(text: &str) -> Result<Vec<u8>, ketnoi_seal::SealError> {
    ketnoi_seal::unb64u(text)
}

/// Whether bytes are a P-256 public key: 65 bytes, uncompressed, a point on the curve (wrapping
/// a throwaway secret to it is how the sealing crate checks that).
pub(crate) fn valid_public(public: &[u8]) -> bool {
    public.len() == 65 && ketnoi_seal::wrap(&[0u8; 32], public, ketnoi_seal::Label::Unit).is_ok()
}

fn bad(code: &'static str, field: &'static str) -> ApiError {
    ApiError::BadTip { code, field }
}

/// Checks when the citizen says it happened: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, a real date,
/// not after tomorrow (a phone's clock or time zone may be a day off) and not before 1950.
pub(crate) fn check_occurred(occurred: &str, now: ketnoi_core::Timestamp) -> Result<(), ApiError> {
    let err = || bad("tip-bad-occurred", "occurred");
    let (date, time) = match occurred.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (occurred, None),
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).map_err(|_| err())?;
    if let Some(t) = time {
        let hm = time::macros::format_description!("[hour]:[minute]");
        time::Time::parse(t, &hm).map_err(|_| err())?;
    }
    let today = time::OffsetDateTime::from_unix_timestamp(now.millis() / 1000)
        .map_err(|_| err())?
        .to_offset(ketnoi_core::VIETNAM_OFFSET)
        .date();
    if day.year() < 1950 || day > today.next_day().unwrap_or(today) {
        return Err(err());
    }
    Ok(())
}

/// Decodes a base64url field of a JSON object and checks its length.
fn bytes_of(
    object: &Value,
    name: &str,
    len: std::ops::RangeInclusive<usize>,
    code: &'static str,
) -> Result<Vec<u8>, ApiError> {
    let text = object.get(name).and_then(Value::as_str).ok_or_else(|| bad(code, "envelope"))?;
    let bytes = b64u_decode(text).map_err(|_| bad(code, "envelope"))?;
    if !len.contains(&bytes.len()) {
        return Err(bad(code, "envelope"));
    }
    Ok(bytes)
}

/// A key id: 16 bytes in base64url.
fn check_kid(kid: Option<&str>) -> Result<String, ApiError> {
    match kid {
        Some(k) if b64u_decode(k).is_ok_and(|b| b.len() == 16) => Ok(k.to_owned()),
        _ => Err(bad("tip-bad-envelope", "envelope")),
    }
}

/// Checks a wrapped key (`{kid, epk, nonce, ct}`) for form; returns its key id.
pub(crate) fn check_wrapped(wrapped: &Value) -> Result<String, ApiError> {
    let kid = check_kid(wrapped.get("kid").and_then(Value::as_str))?;
    bytes_of(wrapped, "epk", 65..=65, "tip-bad-envelope")?;
    bytes_of(wrapped, "nonce", 12..=12, "tip-bad-envelope")?;
    bytes_of(wrapped, "ct", 48..=48, "tip-bad-envelope")?;
    Ok(kid)
}

/// Checks a sealed message or body (`{nonce, ct}`) for form, with at most `max` bytes of
/// ciphertext.
pub(crate) fn check_sealed(sealed: &Value, max: usize) -> Result<(), ApiError> {
    bytes_of(sealed, "nonce", 12..=12, "tip-bad-envelope")?;
    bytes_of(sealed, "ct", 16..=max, "tip-bad-envelope")?;
    Ok(())
}

/// The envelope a browser sealed, checked for form: version 1, the clear fields, one wrapped
/// report key per recipient, a body. Returns the clear fields and the recipients' key ids.
pub(crate) fn check_envelope(envelope: &Value) -> Result<(Clear, Vec<String>), ApiError> {
    if envelope.get("v").and_then(Value::as_i64) != Some(1) {
        return Err(bad("tip-bad-envelope", "envelope"));
    }
    let clear: Clear = envelope
        .get("clear")
        .cloned()
        .and_then(|c| serde_json::from_value(c).ok())
        .ok_or_else(|| bad("tip-bad-envelope", "envelope"))?;
    clear.check().map_err(|_| bad("tip-bad-envelope", "envelope"))?;
    let recipients = envelope
        .get("recipients")
        .and_then(Value::as_array)
        .filter(|r| (1..=4).contains(&r.len()))
        .ok_or_else(|| bad("tip-bad-envelope", "envelope"))?;
    let kids = recipients.iter().map(check_wrapped).collect::<Result<Vec<_>, _>>()?;
    let body = envelope.get("body").ok_or_else(|| bad("tip-bad-envelope", "envelope"))?;
    // The description's limit in UTF-8, with room for the details and attachment names.
    check_sealed(body, MAX_DESCRIPTION * 4 + 64 * 1024)?;
    Ok((clear, kids))
}

/// A receipt's two sent values: the lookup id (16 bytes) and the authentication secret (32).
/// No `Debug`: the secret must never reach a log.
#[derive(Deserialize)]
pub(crate) struct ReceiptProof {
    pub(crate) lookup: String,
    pub(crate) auth: String,
}

impl ReceiptProof {
    /// Checks both for form.
    pub(crate) fn check(&self) -> Result<(), ApiError> {
        let ok = b64u_decode(&self.lookup).is_ok_and(|b| b.len() == 16)
            && b64u_decode(&self.auth).is_ok_and(|b| b.len() == 32);
        if ok { Ok(()) } else { Err(bad("tip-bad-receipt", "receipt")) }
    }
}

/// A message on a tip, as the reporter and the unit see it: who wrote it, when, sealed.
#[derive(Debug, Serialize)]
pub(crate) struct MessageView {
    author: &'static str,
    at: String,
    sealed: Value,
}

/// The messages of a tip, oldest first.
pub(crate) fn message_views(messages: &[ketnoi_store::TipMessage]) -> Vec<MessageView> {
    messages
        .iter()
        .map(|m| MessageView {
            author: if m.from_unit { "unit" } else { "reporter" },
            at: m.created_at.rfc3339(),
            sealed: serde_json::from_str(&m.sealed).unwrap_or(Value::Null),
        })
        .collect()
}

/// The most ciphertext one message may carry.
pub(crate) const MAX_MESSAGE: usize = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> ketnoi_core::Timestamp {
        ketnoi_core::Timestamp::parse_moment("2026-11-29T10:00").unwrap_or_else(|| panic!("moment"))
    }

    #[test]
    fn the_moment_of_a_tip_is_a_real_date_not_in_the_future() {
        for ok in ["2026-11-29", "2026-11-28T23:05", "2026-11-30", "1999-01-01"] {
            assert!(check_occurred(ok, now()).is_ok(), "{ok}");
        }
        for wrong in
            ["", "29/11/2026", "2026-02-30", "2026-12-05", "2026-11-29T25:00", "1900-01-01", "x"]
        {
            assert!(check_occurred(wrong, now()).is_err(), "{wrong}");
        }
    }

    #[test]
    fn an_envelope_is_checked_for_form() {
        let w = |n: usize| b64u(&vec![7u8; n]);
        let good = serde_json::json!({
            "v": 1,
            "clear": {"account": "ca-vi-xuyen", "category": "theft", "area": "00913",
                      "occurred": "2026-11-29", "mode": "anonymous"},
            "recipients": [{"kid": w(16), "epk": w(65), "nonce": w(12), "ct": w(48)}],
            "body": {"nonce": w(12), "ct": w(100)},
        });
        let (clear, kids) = check_envelope(&good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(clear.category, "theft");
        assert_eq!(kids, vec![w(16)]);
        let mut short = good.clone();
        short["recipients"][0]["epk"] = w(33).into();
        assert!(check_envelope(&short).is_err());
        let mut v2 = good.clone();
        v2["v"] = 2.into();
        assert!(check_envelope(&v2).is_err());
        let mut none = good.clone();
        none["recipients"] = serde_json::json!([]);
        assert!(check_envelope(&none).is_err());
        let mut padded = good;
        padded["body"]["nonce"] = format!("{}=", w(12)).into();
        assert!(check_envelope(&padded).is_err());
    }
}
