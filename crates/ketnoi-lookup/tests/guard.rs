//! Tests of the anti-scraping guards: token buckets, keyed client identities and lockouts.
//! Time is simulated: one `Instant` is read at the start and every later moment is an offset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;
use std::time::{Duration, Instant};

use ketnoi_lookup::guard::{
    ClientLimiter, Keyer, Limits, LockoutPolicy, Lockouts, RetryAfter, scraping_cost,
};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

fn keyer() -> Keyer {
    Keyer::new([7u8; 32])
}

// ---------------------------------------------------------------------------------------------
// Token bucket
// ---------------------------------------------------------------------------------------------

#[test]
fn bucket_allows_burst_then_refuses_with_exact_retry_after() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::new(Limits { per_minute: 60, burst: 30 });
    for i in 0..30 {
        assert_eq!(limiter.check(1, t0), Ok(()), "request {i} of the burst");
    }
    // One token a second: the next one is exactly a second away.
    assert_eq!(limiter.check(1, t0), Err(RetryAfter(secs(1))));
    // Half a second later, half a second to go; a refusal takes nothing.
    let half = t0 + Duration::from_millis(500);
    assert_eq!(limiter.check(1, half), Err(RetryAfter(Duration::from_millis(500))));
    assert_eq!(limiter.check(1, half), Err(RetryAfter(Duration::from_millis(500))));
    // Another client is untouched.
    assert_eq!(limiter.check(2, t0), Ok(()));
}

#[test]
fn bucket_retry_after_with_uneven_rate() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::new(Limits { per_minute: 50, burst: 1 });
    assert_eq!(limiter.check(9, t0), Ok(()));
    assert_eq!(limiter.check(9, t0), Err(RetryAfter(Duration::from_millis(1_200))));
    assert_eq!(
        limiter.check(9, t0 + Duration::from_millis(1_199)),
        Err(RetryAfter(Duration::from_millis(1)))
    );
    assert_eq!(limiter.check(9, t0 + Duration::from_millis(1_200)), Ok(()));
}

#[test]
fn bucket_refills_over_time() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::new(Limits { per_minute: 60, burst: 30 });
    for _ in 0..30 {
        limiter.check(1, t0).unwrap();
    }
    assert!(limiter.check(1, t0).is_err());
    // After 1 s exactly one token is back.
    let t1 = t0 + secs(1);
    assert_eq!(limiter.check(1, t1), Ok(()));
    assert!(limiter.check(1, t1).is_err());
    // After 10 s more, ten tokens are back, and no more.
    let t2 = t1 + secs(10);
    for i in 0..10 {
        assert_eq!(limiter.check(1, t2), Ok(()), "token {i}");
    }
    assert!(limiter.check(1, t2).is_err());
    // After a long quiet spell the bucket holds a full burst, not more.
    let t3 = t2 + mins(60);
    for i in 0..30 {
        assert_eq!(limiter.check(1, t3), Ok(()), "token {i}");
    }
    assert_eq!(limiter.check(1, t3), Err(RetryAfter(secs(1))));
}

#[test]
fn bucket_sustained_rate_is_per_minute() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::new(Limits { per_minute: 60, burst: 30 });
    // Hammer every 100 ms for ten minutes: burst + 600 refills are allowed.
    let mut allowed = 0;
    for tick in 0..=6_000u64 {
        if limiter.check(5, t0 + Duration::from_millis(tick * 100)).is_ok() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 30 + 600);
}

#[test]
fn limits_off_never_refuses() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::new(Limits::off());
    for _ in 0..100_000 {
        assert_eq!(limiter.check(1, t0), Ok(()));
    }
    assert!(limiter.is_empty(), "unlimited needs no state");
}

#[test]
fn default_limits_allow_cgnat() {
    let limits = Limits::default();
    assert_eq!(limits, Limits { per_minute: 60, burst: 30 });
    assert!(!limits.is_off());
    assert!(Limits::off().is_off());
}

#[test]
fn limiter_memory_is_bounded_under_a_million_clients() {
    let t0 = Instant::now();
    let cap = 64 * 256;
    let limiter = ClientLimiter::with_capacity(Limits::default(), cap);
    let k = keyer().for_day(1);
    for i in 0..1_000_000u64 {
        // All active at once: nothing has refilled, so eviction must drop live buckets.
        let client = k.client_key(&i.to_string());
        assert!(limiter.check(client, t0 + Duration::from_micros(i)).is_ok());
        if i % 100_000 == 0 {
            assert!(limiter.len() <= cap, "len {} at {i}", limiter.len());
        }
    }
    assert!(limiter.len() <= cap, "len {}", limiter.len());
    assert!(limiter.len() > cap / 2, "eviction should not empty the map");
    // Once everything has refilled, a sweep forgets every client.
    limiter.sweep(t0 + mins(60));
    assert!(limiter.is_empty());
}

#[test]
fn guards_are_shared_between_threads() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::new(Limits { per_minute: 60, burst: 10 });
    let l = lockouts();
    let allowed = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10 {
                    if limiter.check(42, t0).is_ok() {
                        allowed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    l.record_failure(DS, "k", 42, t0);
                }
            });
        }
    });
    // Four threads, one client: exactly one burst got through, and the key counted every failure.
    assert_eq!(allowed.into_inner(), 10);
    assert!(l.check(DS, "k", 42, t0).is_err());
}

#[test]
fn limiter_evicts_refilled_buckets_before_live_ones() {
    let t0 = Instant::now();
    let limiter = ClientLimiter::with_capacity(Limits { per_minute: 60, burst: 2 }, 64);
    let k = keyer().for_day(1);
    // Find two clients in the same shard (one slot per shard).
    let a = k.client_key("a");
    let same =
        (0..10_000).map(|i| k.client_key(&format!("b{i}"))).find(|c| c >> 58 == a >> 58).unwrap();
    limiter.check(a, t0).unwrap();
    limiter.check(a, t0).unwrap();
    assert!(limiter.check(a, t0).is_err());
    // `a` refills after 2 s; a newcomer then replaces it and `a` starts afresh.
    limiter.check(same, t0 + secs(3)).unwrap();
    assert_eq!(limiter.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Keyed identities
// ---------------------------------------------------------------------------------------------

#[test]
fn keyer_is_stable_within_a_day() {
    let k = keyer();
    assert_eq!(k.client_key("203.0.113.7", 20_000), k.client_key("203.0.113.7", 20_000));
    assert_eq!(k.client_key("203.0.113.7", 20_000), k.for_day(20_000).client_key("203.0.113.7"));
}

#[test]
fn keyer_rotates_daily() {
    let k = keyer();
    assert_ne!(k.client_key("203.0.113.7", 20_000), k.client_key("203.0.113.7", 20_001));
}

#[test]
fn keyer_separates_addresses_and_seeds() {
    let k = keyer();
    assert_ne!(k.client_key("203.0.113.7", 20_000), k.client_key("203.0.113.8", 20_000));
    let other = Keyer::new([8u8; 32]);
    assert_ne!(k.client_key("203.0.113.7", 20_000), other.client_key("203.0.113.7", 20_000));
}

#[test]
fn keyer_is_the_documented_hmac() {
    use hmac::{Hmac, Mac};
    use sha2::Sha256;
    let seed = [42u8; 32];
    let mut day = Hmac::<Sha256>::new_from_slice(&seed).unwrap();
    day.update(b"ketnoi client day");
    day.update(&19_999u64.to_be_bytes());
    let day_key = day.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&day_key).unwrap();
    mac.update(b"198.51.100.1");
    let out = mac.finalize().into_bytes();
    let expected = u64::from_be_bytes(out[..8].try_into().unwrap());
    assert_eq!(Keyer::new(seed).client_key("198.51.100.1", 19_999), expected);
}

#[test]
fn keyer_groups_ipv6_by_slash_64() {
    let k = keyer();
    let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
    let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
    let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    assert_eq!(k.client_key_addr(a, 1), k.client_key_addr(b, 1));
    assert_ne!(k.client_key_addr(a, 1), k.client_key_addr(c, 1));
    let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
    let v4: IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(k.client_key_addr(mapped, 1), k.client_key_addr(v4, 1));
    assert_eq!(k.client_key_addr(v4, 1), k.client_key("203.0.113.7", 1));
}

#[test]
fn keyer_debug_hides_the_seed() {
    let shown = format!("{:?} {:?}", keyer(), keyer().for_day(3));
    assert!(!shown.contains('7'), "{shown}");
}

// ---------------------------------------------------------------------------------------------
// Lockouts
// ---------------------------------------------------------------------------------------------

const DS: &str = "thi-thpt-2026";

fn lockouts() -> Lockouts {
    Lockouts::new(&keyer(), LockoutPolicy::default())
}

/// Records `n` failures by `client` on `key` at `at`, each after checking.
fn fail(l: &Lockouts, key: &str, client: u64, n: u32, at: Instant) -> Option<RetryAfter> {
    let mut last = None;
    for _ in 0..n {
        assert!(l.check(DS, key, client, at).is_ok(), "checked while locked");
        last = l.record_failure(DS, key, client, at);
    }
    last
}

#[test]
fn five_failures_lock_the_client_out_of_the_key() {
    let t0 = Instant::now();
    let l = lockouts();
    assert_eq!(fail(&l, "01000001", 1, 4, t0), None);
    assert!(l.check(DS, "01000001", 1, t0).is_ok());
    assert_eq!(l.record_failure(DS, "01000001", 1, t0), Some(RetryAfter(mins(5))));
    assert_eq!(l.check(DS, "01000001", 1, t0 + mins(1)), Err(RetryAfter(mins(4))));
    // Only that client, only that key, only that dataset.
    assert!(l.check(DS, "01000001", 2, t0).is_ok());
    assert!(l.check(DS, "01000002", 1, t0).is_ok());
    assert!(l.check("other", "01000001", 1, t0).is_ok());
    assert!(l.check("thi-thpt-2027", "01000001", 1, t0).is_ok());
    assert!(l.check(DS, "0100000", 1, t0).is_ok());
}

#[test]
fn failures_outside_the_window_do_not_count() {
    let t0 = Instant::now();
    let l = lockouts();
    fail(&l, "k", 1, 4, t0);
    // The sliding window is 15 minutes: the first four have left it.
    assert_eq!(fail(&l, "k", 1, 1, t0 + mins(15)), None);
    assert!(l.check(DS, "k", 1, t0 + mins(15)).is_ok());
    assert_eq!(fail(&l, "k", 1, 3, t0 + mins(16)), None);
    assert_eq!(fail(&l, "k", 1, 1, t0 + mins(17)), Some(RetryAfter(mins(5))));
}

#[test]
fn lock_expires() {
    let t0 = Instant::now();
    let l = lockouts();
    fail(&l, "k", 1, 5, t0);
    assert!(l.check(DS, "k", 1, t0 + mins(5) - Duration::from_millis(1)).is_err());
    assert!(l.check(DS, "k", 1, t0 + mins(5)).is_ok());
    // Failures made before the lock do not count again: one more is not a new lock.
    assert_eq!(fail(&l, "k", 1, 1, t0 + mins(5)), None);
}

#[test]
fn success_clears_failures_and_history() {
    let t0 = Instant::now();
    let l = lockouts();
    fail(&l, "k", 1, 4, t0);
    l.record_success(DS, "k", 1);
    assert_eq!(fail(&l, "k", 1, 4, t0), None, "the count restarted");
    assert_eq!(fail(&l, "k", 1, 1, t0), Some(RetryAfter(mins(5))));
    // After the lock, a success also forgets the escalation level.
    let t1 = t0 + mins(5);
    l.record_success(DS, "k", 1);
    assert_eq!(fail(&l, "k", 1, 5, t1), Some(RetryAfter(mins(5))));
    assert!(l.is_empty() || l.len() == 1);
}

#[test]
fn success_clears_only_that_client() {
    let t0 = Instant::now();
    let l = lockouts();
    fail(&l, "k", 2, 5, t0);
    l.record_success(DS, "k", 1);
    assert!(l.check(DS, "k", 2, t0).is_err());
}

#[test]
fn each_further_lock_doubles_up_to_a_day() {
    let t0 = Instant::now();
    let l = lockouts();
    let mut at = t0;
    let expected_mins = [5u64, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440];
    for (i, m) in expected_mins.iter().enumerate() {
        assert_eq!(fail(&l, "k", 1, 4, at), None, "lock {i}");
        assert_eq!(l.record_failure(DS, "k", 1, at), Some(RetryAfter(mins(*m))), "lock {i}");
        at += mins(*m);
    }
}

#[test]
fn escalation_is_forgotten_after_a_day() {
    let t0 = Instant::now();
    let l = lockouts();
    fail(&l, "k", 1, 5, t0);
    let t1 = t0 + mins(5) + mins(60);
    assert_eq!(fail(&l, "k", 1, 5, t1), Some(RetryAfter(mins(10))));
    // More than 24 h after that lock ended: back to 5 minutes.
    let t2 = t1 + mins(10) + Duration::from_secs(24 * 3600);
    assert_eq!(fail(&l, "k", 1, 5, t2), Some(RetryAfter(mins(5))));
}

#[test]
fn unknown_and_known_keys_behave_the_same() {
    // The API has no notion of existence; any two keys give identical answers to the same
    // sequence of events.
    let t0 = Instant::now();
    let l = lockouts();
    let script = |key: &str| {
        let mut out = Vec::new();
        for step in 0..40u64 {
            let at = t0 + mins(step);
            let checked = l.check(DS, key, 1, at);
            let recorded = checked.is_ok().then(|| l.record_failure(DS, key, 1, at));
            out.push((checked, recorded));
        }
        out
    };
    let real = script("01000001");
    let invented = script("99999999");
    assert_eq!(real, invented);
    assert!(real.iter().any(|(checked, _)| checked.is_err()));
}

#[test]
fn one_client_cannot_lock_a_key_for_others() {
    let t0 = Instant::now();
    let l = lockouts();
    // An attacker fails every key many times: only the attacker is locked out.
    for key in 0..200 {
        let key = format!("{key:08}");
        fail(&l, &key, 666, 5, t0);
        assert!(l.check(DS, &key, 666, t0).is_err());
        assert!(l.check(DS, &key, 1, t0).is_ok(), "real candidate locked out of {key}");
    }
}

#[test]
fn two_clients_do_not_lock_a_key_for_others() {
    let t0 = Instant::now();
    let l = lockouts();
    fail(&l, "k", 1, 5, t0);
    fail(&l, "k", 2, 5, t0);
    assert!(l.check(DS, "k", 3, t0).is_ok());
}

#[test]
fn three_distinct_clients_lock_the_key_for_everyone() {
    let t0 = Instant::now();
    let l = lockouts();
    // A botnet spreading guesses under the per-client threshold: 4 + 4 + 2 = 10 from 3 clients.
    assert_eq!(fail(&l, "k", 1, 4, t0), None);
    assert_eq!(fail(&l, "k", 2, 4, t0), None);
    assert_eq!(fail(&l, "k", 3, 1, t0), None);
    assert!(l.check(DS, "k", 99, t0).is_ok());
    assert_eq!(fail(&l, "k", 3, 1, t0), Some(RetryAfter(mins(5))));
    assert_eq!(l.check(DS, "k", 99, t0), Err(RetryAfter(mins(5))));
    assert!(l.check(DS, "k", 99, t0 + mins(5)).is_ok());
    // Ten failures from two clients are not enough, however many.
    let l = lockouts();
    fail(&l, "k", 1, 4, t0);
    fail(&l, "k", 2, 4, t0);
    fail(&l, "k", 2, 1, t0);
    assert!(l.check(DS, "k", 99, t0).is_ok());
}

#[test]
fn key_wide_lock_escalates() {
    let t0 = Instant::now();
    let l = lockouts();
    let mut at = t0;
    // Fresh clients each round (old ones would hit their own per-client lock first).
    for (round, m) in [5u64, 10, 20].into_iter().enumerate() {
        let c = 10 * (round as u64 + 1);
        fail(&l, "k", c, 4, at);
        fail(&l, "k", c + 1, 4, at);
        assert_eq!(fail(&l, "k", c + 2, 2, at), Some(RetryAfter(mins(m))));
        assert_eq!(l.check(DS, "k", 99, at), Err(RetryAfter(mins(m))));
        at += mins(m);
    }
}

#[test]
fn lockout_memory_is_bounded() {
    let t0 = Instant::now();
    let cap = 64 * 64;
    let l = Lockouts::with_capacity(&keyer(), LockoutPolicy::default(), cap);
    for i in 0..200_000u64 {
        l.record_failure(DS, &i.to_string(), 1, t0 + Duration::from_millis(i));
    }
    assert!(l.len() <= cap, "len {}", l.len());
    // A key locked recently survives a flood of one-off failures on other keys.
    let locked = "target";
    let at = t0 + secs(1_000);
    fail(&l, locked, 5, 5, at);
    for i in 0..50_000u64 {
        l.record_failure(DS, &format!("x{i}"), 1, at + Duration::from_millis(1));
    }
    assert!(l.len() <= cap);
    assert!(l.check(DS, locked, 5, at + mins(1)).is_err());
    // Once everything is past its window and escalation memory, a sweep empties the map.
    l.sweep(at + Duration::from_secs(3 * 24 * 3600));
    assert!(l.is_empty());
}

#[test]
fn many_clients_on_one_key_stay_bounded() {
    let t0 = Instant::now();
    let l = Lockouts::new(
        &keyer(),
        LockoutPolicy { key_distinct_clients: 1_000, ..Default::default() },
    );
    for c in 0..10_000u64 {
        l.record_failure(DS, "k", c, t0);
    }
    assert_eq!(l.len(), 1);
    // The most recent clients are still remembered.
    fail(&l, "k", 9_999, 4, t0);
    assert!(l.check(DS, "k", 9_999, t0).is_err());
}

// ---------------------------------------------------------------------------------------------
// Scraping cost
// ---------------------------------------------------------------------------------------------

#[test]
fn scraping_cost_scales_with_clients() {
    let d = Limits::default();
    let one = scraping_cost(1_000_000, 366, &d, 1);
    assert_eq!(one, secs(183_499_970));
    assert_eq!(scraping_cost(1_000_000, 366, &d, 100), secs(1_834_970));
    assert_eq!(scraping_cost(1_000_000, 366, &d, 1_000), secs(183_470));
    // A burst covers small walks entirely.
    assert_eq!(scraping_cost(10, 5, &d, 1), Duration::ZERO);
    // A stricter limit costs proportionally more.
    let strict = Limits { per_minute: 6, burst: 1 };
    assert_eq!(scraping_cost(100, 1, &strict, 1), secs(99 * 10));
}
