//! Vietnam's local time, for what is counted or scheduled by the local day.

use ketnoi_core::Timestamp;

/// Vietnam's offset from UTC, in milliseconds.
pub const VIETNAM_MS: i64 = ketnoi_core::VIETNAM_OFFSET.whole_seconds() as i64 * 1000;

/// Days since 1970-01-01 in Vietnam time: statistics and daily keys are kept per local day.
pub fn vietnam_day(at: Timestamp) -> i64 {
    (at.millis() + VIETNAM_MS).div_euclid(86_400_000)
}
