//! An account's working week, and time counted in working hours.
//!
//! Response targets are kept in working time: "answer within 4 working hours" means a question
//! asked on Friday at 16:00 is due on Monday morning, not on Friday night. A week is a list of
//! working intervals per day, in Vietnam time (UTC+7, no daylight saving), written as officers
//! write it: `T2-T6 07:30-11:30, 13:30-17:00; T7 07:30-11:30` (or with `Mon`…`Sun`).
//! Public holidays are not modelled: a holiday counts as a working day.

use crate::{InvalidInput, Timestamp};

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;
/// Vietnam's offset from UTC.
const VIETNAM: i64 = 7 * 3_600_000;
/// How far back or forward a count looks before giving up (ten years of days).
const HORIZON_DAYS: i64 = 3_660;
/// Day names as written in Vietnamese (Thứ Hai … Chủ nhật) and in English, Monday first.
const DAY_NAMES: [[&str; 2]; 7] = [
    ["t2", "mon"],
    ["t3", "tue"],
    ["t4", "wed"],
    ["t5", "thu"],
    ["t6", "fri"],
    ["t7", "sat"],
    ["cn", "sun"],
];

/// The working intervals of each day of the week, Monday first, as minutes after midnight
/// (start inclusive, end exclusive), sorted and not overlapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    days: [Vec<(u16, u16)>; 7],
}

impl Default for OfficeHours {
    /// The civil service's hours: Monday to Friday, 07:30–11:30 and 13:30–17:00.
    fn default() -> Self {
        let day = vec![(7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)];
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        for d in days.iter_mut().take(5) {
            *d = day.clone();
        }
        Self { days }
    }
}

impl OfficeHours {
    /// Parses a week: groups separated by `;`, each days then intervals, e.g.
    /// `T2-T6 07:30-11:30, 13:30-17:00; T7 07:30-11:30`. Days are `T2`…`T7`, `CN` or
    /// `Mon`…`Sun`, alone, as a range (`T2-T6`) or a list (`T2,T4`); case does not matter. An
    /// empty text is [`OfficeHours::default`]. At least one interval, none overlapping.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let bad = || InvalidInput::OfficeHours;
        let text = crate::bounded_text(raw, "office_hours", 0, 300)?.to_lowercase();
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        for group in text.split(';').map(str::trim).filter(|g| !g.is_empty()) {
            // Days first, then a space, then the intervals.
            let (names, times) = group.split_once(char::is_whitespace).ok_or_else(bad)?;
            let which = day_set(names.trim()).ok_or_else(bad)?;
            let intervals = times
                .split(',')
                .map(|t| interval(t.trim()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(bad)?;
            for d in which {
                days[d].extend(intervals.iter().copied());
            }
        }
        for day in &mut days {
            day.sort_unstable();
            if day.windows(2).any(|w| w[0].1 > w[1].0) {
                return Err(bad());
            }
        }
        if days.iter().all(Vec::is_empty) {
            return Err(bad());
        }
        Ok(Self { days })
    }

    /// The week written back in the form [`OfficeHours::parse`] reads, Vietnamese day names,
    /// runs of days with the same hours grouped.
    pub fn to_text(&self) -> String {
        let mut groups: Vec<String> = Vec::new();
        let mut d = 0;
        while d < 7 {
            if self.days[d].is_empty() {
                d += 1;
                continue;
            }
            let mut end = d;
            while end + 1 < 7 && self.days[end + 1] == self.days[d] {
                end += 1;
            }
            let name = |i: usize| DAY_NAMES[i][0].to_uppercase();
            let names = if end == d { name(d) } else { format!("{}-{}", name(d), name(end)) };
            let times: Vec<String> = self.days[d]
                .iter()
                .map(|(a, b)| format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60))
                .collect();
            groups.push(format!("{names} {}", times.join(", ")));
            d = end + 1;
        }
        groups.join("; ")
    }

    /// Whether `at` falls in working hours.
    pub fn is_open(&self, at: Timestamp) -> bool {
        let (day, minute) = local(at);
        self.days[weekday(day)].iter().any(|&(a, b)| (a as i64..b as i64).contains(&minute))
    }

    /// The working time between two instants, in milliseconds (0 if `to` is not after `from`).
    pub fn working_millis(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to.millis() <= from.millis() {
            return 0;
        }
        let first = local_day(from);
        let last = local_day(to).min(first + HORIZON_DAYS);
        let mut total = 0;
        for day in first..=last {
            for (start, end) in self.intervals(day) {
                total += (end.min(to.millis()) - start.max(from.millis())).max(0);
            }
        }
        total
    }

    /// The instant `working` milliseconds of working time before `at`: a conversation waiting
    /// since before it has waited longer than `working` in working time.
    pub fn back(&self, at: Timestamp, working: i64) -> Timestamp {
        let mut left = working.max(0);
        let today = local_day(at);
        for day in (today - HORIZON_DAYS..=today).rev() {
            for (start, end) in self.intervals(day).into_iter().rev() {
                let end = end.min(at.millis());
                if end <= start {
                    continue;
                }
                if end - start >= left {
                    return Timestamp(end - left);
                }
                left -= end - start;
            }
        }
        Timestamp(i64::MIN / 2)
    }

    /// The instant `working` milliseconds of working time after `at` (a deadline).
    pub fn forward(&self, at: Timestamp, working: i64) -> Timestamp {
        let mut left = working.max(0);
        let today = local_day(at);
        for day in today..=today + HORIZON_DAYS {
            for (start, end) in self.intervals(day) {
                let start = start.max(at.millis());
                if end <= start {
                    continue;
                }
                if end - start >= left {
                    return Timestamp(start + left);
                }
                left -= end - start;
            }
        }
        Timestamp(i64::MAX / 2)
    }

    /// When work next starts at or after `at` (`at` itself in working hours).
    pub fn next_open(&self, at: Timestamp) -> Timestamp {
        self.forward(at, 0)
    }

    /// A day's intervals as instants, the day counted in Vietnam days since 1970-01-01.
    fn intervals(&self, day: i64) -> Vec<(i64, i64)> {
        let midnight = day * DAY - VIETNAM;
        self.days[weekday(day)]
            .iter()
            .map(|&(a, b)| (midnight + a as i64 * MINUTE, midnight + b as i64 * MINUTE))
            .collect()
    }
}

/// The Vietnam day of an instant, and the minute of that day.
fn local(at: Timestamp) -> (i64, i64) {
    let local = at.millis() + VIETNAM;
    (local.div_euclid(DAY), local.rem_euclid(DAY) / MINUTE)
}

fn local_day(at: Timestamp) -> i64 {
    local(at).0
}

/// Monday is 0; 1970-01-01 was a Thursday.
fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

fn day_index(name: &str) -> Option<usize> {
    DAY_NAMES.iter().position(|names| names.contains(&name.trim()))
}

/// `t2`, `t2-t6`, `t2,t4,t6` → the days, Monday as 0.
fn day_set(raw: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a)?, day_index(b)?);
                if a > b {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(day_index(part)?),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `07:30-11:30` → minutes after midnight, start before end.
fn interval(raw: &str) -> Option<(u16, u16)> {
    let (a, b) = raw.split_once('-')?;
    let minute = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
    };
    let (a, b) = (minute(a)?, minute(b)?);
    (a < b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-30 00:00 in Vietnam (a Monday), plus days, hours and minutes.
    fn vn(day: i64, hour: i64, minute: i64) -> Timestamp {
        Timestamp(1_795_996_800_000 - VIETNAM + day * DAY + hour * 3_600_000 + minute * MINUTE)
    }

    const H: i64 = 3_600_000;

    #[test]
    fn the_default_week_is_the_civil_services() {
        let week = OfficeHours::default();
        assert!(week.is_open(vn(0, 9, 0)));
        assert!(!week.is_open(vn(0, 12, 0)), "lunch");
        assert!(!week.is_open(vn(0, 17, 0)), "the end is not included");
        assert!(week.is_open(vn(4, 16, 59)));
        assert!(!week.is_open(vn(5, 9, 0)), "Saturday");
        assert_eq!(week.to_text(), "T2-T6 07:30-11:30, 13:30-17:00");
        assert_eq!(OfficeHours::parse(""), Ok(week));
    }

    #[test]
    fn weeks_parse_in_vietnamese_or_english_and_read_back() {
        let week = OfficeHours::parse("T2-T6 07:30-11:30, 13:30-17:00; t7 7:30-11:30").ok();
        let text = week.as_ref().map(OfficeHours::to_text);
        assert_eq!(text.as_deref(), Some("T2-T6 07:30-11:30, 13:30-17:00; T7 07:30-11:30"));
        let english = OfficeHours::parse("Mon-Fri 07:30-11:30, 13:30-17:00; Sat 07:30-11:30").ok();
        assert_eq!(english, week);
        let odd = OfficeHours::parse("T2,T4 08:00-12:00; CN 08:00-10:00").ok();
        assert_eq!(
            odd.map(|w| w.to_text()).as_deref(),
            Some("T2 08:00-12:00; T4 08:00-12:00; CN 08:00-10:00")
        );
        for bad in [
            "T2-T6",
            "T8 08:00-12:00",
            "T6-T2 08:00-12:00",
            "T2 12:00-08:00",
            "T2 08:00-12:00, 11:00-13:00",
            "T2 25:00-26:00",
            "T2 08:60-09:00",
            "08:00-12:00",
        ] {
            assert!(OfficeHours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn working_time_skips_nights_lunches_and_weekends() {
        let week = OfficeHours::default();
        // Within one morning.
        assert_eq!(week.working_millis(vn(0, 8, 0), vn(0, 9, 30)), 90 * MINUTE);
        // Across lunch: 11:00–11:30 and 13:30–14:00.
        assert_eq!(week.working_millis(vn(0, 11, 0), vn(0, 14, 0)), H);
        // Friday 16:30 to Monday 08:00: half an hour on Friday, half an hour on Monday.
        assert_eq!(week.working_millis(vn(4, 16, 30), vn(7, 8, 0)), H);
        // Asked on Saturday, answered on Monday at 07:40: ten minutes.
        assert_eq!(week.working_millis(vn(5, 10, 0), vn(7, 7, 40)), 10 * MINUTE);
        // A whole week is 5 × 7.5 hours.
        assert_eq!(week.working_millis(vn(0, 0, 0), vn(7, 0, 0)), 75 * H / 2);
        assert_eq!(week.working_millis(vn(1, 0, 0), vn(0, 0, 0)), 0);
    }

    #[test]
    fn back_and_forward_are_the_inverse_of_working_time() {
        let week = OfficeHours::default();
        // Four working hours before Monday 10:00: two and a half on Monday, then Friday 15:30.
        assert_eq!(week.back(vn(7, 10, 0), 4 * H), vn(4, 15, 30));
        // Four working hours after Friday 16:00 is Monday 10:30.
        assert_eq!(week.forward(vn(4, 16, 0), 4 * H), vn(7, 10, 30));
        // Asked on Saturday: the clock starts on Monday at 07:30.
        assert_eq!(week.next_open(vn(5, 9, 0)), vn(7, 7, 30));
        assert_eq!(week.next_open(vn(0, 9, 0)), vn(0, 9, 0));
        for (from, span) in [(vn(0, 9, 0), 3 * H), (vn(2, 12, 0), 20 * H), (vn(4, 16, 55), H)] {
            let due = week.forward(from, span);
            assert_eq!(week.working_millis(from, due), span, "{from:?}");
            assert_eq!(week.back(due, span), from.max(week.next_open(from)), "{from:?}");
        }
    }
}
