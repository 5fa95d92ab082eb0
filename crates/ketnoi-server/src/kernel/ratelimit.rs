//! An in-memory rate limiter of token buckets, shared by every capability.
//!
//! Buckets are keyed by an HMAC of the scope and the raw key (a client address, a phone number,
//! a username) under a key made at start-up, so the limiter's memory never holds a phone number
//! or an address in clear, and its keys cannot be reversed or precomputed.
//!
//! The limiter lives in one process. With several nodes behind a load balancer each node limits
//! on its own, which multiplies the allowance by the node count; the one-time-code limits that
//! must hold across nodes (five tries per code) are kept in the database instead.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use sha2::Sha256;

/// How many requests a bucket holds and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// The burst: requests allowed at once.
    pub burst: u32,
    /// Time to earn back one request.
    pub per: Duration,
}

impl Limit {
    /// `burst` requests at once, then one every `per`.
    pub const fn new(burst: u32, per: Duration) -> Self {
        Self { burst, per }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets keyed by HMAC.
#[derive(Debug)]
pub struct RateLimiter {
    key: [u8; 32],
    buckets: Mutex<HashMap<[u8; 16], Bucket>>,
    /// Past this many buckets, full ones are swept away on the next check.
    sweep_above: usize,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl RateLimiter {
    /// A limiter with a fresh random key.
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self { key, buckets: Mutex::new(HashMap::new()), sweep_above: 100_000 }
    }

    fn bucket_key(&self, scope: &str, raw: &str) -> [u8; 16] {
        let mut out = [0u8; 16];
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) {
            mac.update(scope.as_bytes());
            mac.update(&[0]);
            mac.update(raw.as_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        }
        out
    }

    /// Takes one request from the bucket for `(scope, raw)`; on refusal, says how many seconds
    /// until one is available.
    pub fn check(&self, scope: &str, raw: &str, limit: Limit) -> Result<(), u64> {
        self.check_at(scope, raw, limit, Instant::now())
    }

    fn check_at(&self, scope: &str, raw: &str, limit: Limit, now: Instant) -> Result<(), u64> {
        let key = self.bucket_key(scope, raw);
        let per = limit.per.as_secs_f64().max(f64::EPSILON);
        let burst = f64::from(limit.burst.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > self.sweep_above {
            // A bucket that has refilled completely is the same as no bucket.
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() / per < burst
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: burst, at: now });
        let earned = now.saturating_duration_since(bucket.at).as_secs_f64() / per;
        bucket.tokens = (bucket.tokens + earned).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) * per).ceil().max(1.0) as u64)
        }
    }

    /// Gives back one request taken from the bucket for `(scope, raw)`, up to its burst: for
    /// limits that count only failures but must take the try before knowing, so that tries
    /// made at the same moment cannot all slip through.
    pub fn refund(&self, scope: &str, raw: &str, limit: Limit) {
        let key = self.bucket_key(scope, raw);
        let burst = f64::from(limit.burst.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = buckets.get_mut(&key) {
            bucket.tokens = (bucket.tokens + 1.0).min(burst);
        }
    }

    /// How many buckets are held, for tests and metrics.
    pub fn len(&self) -> usize {
        self.buckets.lock().map_or(0, |b| b.len())
    }

    /// Whether no bucket is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let rl = RateLimiter::new();
        let limit = Limit::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(rl.check_at("otp", "0912345678", limit, t0), Ok(()));
        }
        assert_eq!(rl.check_at("otp", "0912345678", limit, t0), Err(10));
        rl.refund("otp", "0912345678", limit);
        assert_eq!(rl.check_at("otp", "0912345678", limit, t0), Ok(()), "a refunded request");
        assert_eq!(rl.check_at("otp", "0912345678", limit, t0), Err(10));
        assert_eq!(rl.check_at("otp", "0987654321", limit, t0), Ok(()), "another key");
        assert_eq!(rl.check_at("login", "0912345678", limit, t0), Ok(()), "another scope");
        let later = t0 + Duration::from_secs(10);
        assert_eq!(rl.check_at("otp", "0912345678", limit, later), Ok(()));
        assert!(rl.check_at("otp", "0912345678", limit, later).is_err());
    }

    #[test]
    fn keys_are_kept_only_as_macs() {
        let rl = RateLimiter::new();
        let limit = Limit::new(1, Duration::from_secs(1));
        let _ = rl.check("otp", "0912345678", limit);
        let buckets = rl.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let key = buckets.keys().next().copied().unwrap_or_default();
        assert!(!key.windows(4).any(|w| w == b"0912"));
        assert_eq!(buckets.len(), 1);
    }

    #[test]
    fn full_buckets_are_swept_when_the_map_grows() {
        let mut rl = RateLimiter::new();
        rl.sweep_above = 10;
        let limit = Limit::new(2, Duration::from_millis(10));
        let t0 = Instant::now();
        for i in 0..20 {
            let _ = rl.check_at("s", &i.to_string(), limit, t0);
        }
        assert_eq!(rl.len(), 20);
        let _ = rl.check_at("s", "new", limit, t0 + Duration::from_secs(1));
        assert_eq!(rl.len(), 1);
    }
}
