use time::{OffsetDateTime, UtcOffset, macros::offset};

/// Vietnam's clocks: Asia/Ho_Chi_Minh has kept UTC+7 without daylight saving since 1975, so a
/// fixed offset is exact for every time ketnoi stores.
pub const VIETNAM_OFFSET: UtcOffset = offset!(+7);

/// An instant, as milliseconds since the Unix epoch in UTC.
///
/// Stored as a 64-bit integer in every backend so that SQLite and PostgreSQL compare and index
/// times the same way; shown to people in Vietnam's time.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Now, from the system clock.
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    /// From a date-time in any offset.
    pub fn from_datetime(t: OffsetDateTime) -> Self {
        Self((t.unix_timestamp_nanos() / 1_000_000) as i64)
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// This instant plus a duration in milliseconds (saturating).
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// The instant as a date-time in Vietnam's offset; `None` only for values no clock produces.
    pub fn in_vietnam(self) -> Option<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000)
            .ok()
            .map(|t| t.to_offset(VIETNAM_OFFSET))
    }

    /// `dd/mm/yyyy HH:MM` in Vietnam's time, the way dates are written there.
    pub fn display_vn(self) -> String {
        match self.in_vietnam() {
            Some(t) => format!(
                "{:02}/{:02}/{:04} {:02}:{:02}",
                t.day(),
                u8::from(t.month()),
                t.year(),
                t.hour(),
                t.minute()
            ),
            None => String::from("—"),
        }
    }

    /// A moment as people write it: RFC 3339 with its offset (`2026-07-16T08:00:00+07:00`), or
    /// a date and time in Vietnam's time as `yyyy-mm-dd HH:MM`, `yyyy-mm-ddTHH:MM` (what a
    /// browser's date-time field sends) or `dd/mm/yyyy HH:MM`, seconds optional. `None` for
    /// anything else, or a date that does not exist.
    pub fn parse_moment(text: &str) -> Option<Self> {
        use time::{Date, Month, PrimitiveDateTime, Time};
        let text = text.trim();
        if let Ok(t) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
            return Some(Self::from_datetime(t));
        }
        let (date, clock) = text.split_once(['T', ' '])?;
        let numbers = |s: &str, sep: char| -> Option<Vec<u32>> {
            s.split(sep).map(|p| p.trim().parse::<u32>().ok()).collect()
        };
        let (year, month, day) = match (numbers(date, '-'), numbers(date, '/')) {
            (Some(p), _) if p.len() == 3 => (p[0], p[1], p[2]),
            (_, Some(p)) if p.len() == 3 => (p[2], p[1], p[0]),
            _ => return None,
        };
        let clock = numbers(clock.trim(), ':').filter(|c| (2..=3).contains(&c.len()))?;
        let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
        let date =
            Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?)
                .ok()?;
        let second = clock.get(2).copied().unwrap_or(0);
        let time = Time::from_hms(
            u8::try_from(clock[0]).ok()?,
            u8::try_from(clock[1]).ok()?,
            u8::try_from(second).ok()?,
        )
        .ok()?;
        Some(Self::from_datetime(PrimitiveDateTime::new(date, time).assume_offset(VIETNAM_OFFSET)))
    }

    /// RFC 3339 in Vietnam's offset, for API answers.
    pub fn rfc3339(self) -> String {
        self.in_vietnam()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_instants_are_shown_in_vietnam_time() {
        // 2025-07-01T17:30:00Z is half past midnight on 2 July in Hà Nội.
        let t = Timestamp(1_751_391_000_000);
        assert_eq!(t.display_vn(), "02/07/2025 00:30");
        assert_eq!(t.rfc3339(), "2025-07-02T00:30:00+07:00");
    }

    #[test]
    fn moments_parse_in_every_written_form_and_nonsense_does_not() {
        let eight = Some(Timestamp(1_751_418_000_000)); // 2025-07-02 08:00 in Hà Nội
        for text in [
            "2025-07-02T08:00:00+07:00",
            "2025-07-02T01:00:00Z",
            "2025-07-02 08:00",
            "2025-07-02T08:00",
            " 02/07/2025 08:00:00 ",
        ] {
            assert_eq!(Timestamp::parse_moment(text), eight, "{text}");
        }
        for text in
            ["", "08:00", "2025-02-30 08:00", "2025-07-02 25:00", "tomorrow 8am", "2025-07-02"]
        {
            assert_eq!(Timestamp::parse_moment(text), None, "{text}");
        }
    }
}
