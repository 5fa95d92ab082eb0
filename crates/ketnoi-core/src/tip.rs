//! The words of a tip that stay in clear: its category, and its status in the unit's inbox.
//!
//! Everything else a citizen writes in a tip is sealed in their browser and never reaches this
//! crate (see docs/SECURITY.md).

use crate::error::wire_enum;

wire_enum!(
    /// What a tip is about, as the citizen chose it. It stays in clear so that units can count
    /// and sort what they receive without opening anything.
    TipCategory, "category" {
        /// Trộm cắp: theft.
        Theft => "theft",
        /// Lừa đảo, lừa đảo trực tuyến: fraud, online scams.
        Fraud => "fraud",
        /// Ma túy: drugs.
        Drugs => "drugs",
        /// Cờ bạc: gambling.
        Gambling => "gambling",
        /// Bạo lực, cố ý gây thương tích: violence.
        Violence => "violence",
        /// Giao thông: traffic.
        Traffic => "traffic",
        /// Trật tự công cộng: public order.
        PublicOrder => "public-order",
        /// Việc khác: anything else.
        Other => "other",
    }
);

wire_enum!(
    /// Where a tip stands as a case: the workflow every unit follows, from receipt to closing.
    /// The reporter sees it by receipt code.
    TipStatus, "status" {
        /// Received, nobody has started on it (tiếp nhận).
        Received => "received",
        /// Being checked: is it credible, whose jurisdiction is it (kiểm tra, xác minh).
        Verifying => "verifying",
        /// Being dealt with (đang xử lý).
        Handling => "handling",
        /// Closed, with a [`TipClosing`] reason (đã kết thúc).
        Closed => "closed",
    }
);

impl TipStatus {
    /// Whether the workflow lets a case move from `self` to `next`: one step forward at a time
    /// (received → verifying → handling → closed), and from verifying straight to closed, since
    /// checking may show there is nothing to handle (a false report, a duplicate). Nothing moves
    /// back and nothing leaves closed: a case reopened is a new tip.
    pub fn may_move_to(self, next: TipStatus) -> bool {
        use TipStatus::*;
        matches!(
            (self, next),
            (Received, Verifying)
                | (Verifying, Handling)
                | (Verifying, Closed)
                | (Handling, Closed)
        )
    }

    /// Where the case may go from here, in workflow order.
    pub fn next(self) -> impl Iterator<Item = TipStatus> {
        Self::ALL.iter().copied().filter(move |n| self.may_move_to(*n))
    }

    /// Whether the case is still open, so its deadline still runs.
    pub fn is_open(self) -> bool {
        self != TipStatus::Closed
    }
}

wire_enum!(
    /// Why a case was closed.
    TipClosing, "reason" {
        /// Checked, and acted on (khởi tố, xử phạt, giải quyết theo thẩm quyền).
        ActedOn => "acted-on",
        /// Passed to another body that has jurisdiction (outside the platform's units).
        PassedOn => "passed-on",
        /// Checked, no sign of an offence (không có dấu hiệu vi phạm).
        NoOffence => "no-offence",
        /// Not enough information to act on.
        NotEnoughInformation => "not-enough-information",
        /// A false report.
        FalseReport => "false-report",
        /// The same matter as another tip.
        Duplicate => "duplicate",
    }
);

wire_enum!(
    /// Why a case's deadline is extended: the grounds the Criminal Procedure Code (2015) gives in
    /// Article 147(2), see docs/SECURITY.md.
    ExtensionReason, "reason" {
        /// The matter has many complex circumstances (nhiều tình tiết phức tạp).
        Complex => "complex",
        /// It must be checked at several places (kiểm tra, xác minh tại nhiều địa điểm).
        SeveralPlaces => "several-places",
        /// The procuracy extended it once more (Viện kiểm sát gia hạn).
        Procuracy => "procuracy",
    }
);

/// The periods a unit has to deal with a tip, in days from receipt. They are settings, not
/// law written into the code: the defaults are those of the Criminal Procedure Code (2015),
/// Article 147 — 20 days, extendable to at most two months for a complex matter, then once more
/// by at most two months by the procuracy — and a deployment changes them when the law or its
/// own rules say otherwise.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TipDeadlines {
    /// Days from receipt to the first deadline.
    pub answer_days: u32,
    /// The extensions that may follow one another, each at most this many days; an extension
    /// beyond the list is refused.
    pub extension_days: Vec<u32>,
}

impl Default for TipDeadlines {
    fn default() -> Self {
        Self { answer_days: 20, extension_days: vec![60, 60] }
    }
}

/// One day in milliseconds.
const DAY_MS: i64 = 24 * 3600 * 1000;

impl TipDeadlines {
    /// The first deadline of a tip received at `received`.
    pub fn first(&self, received: crate::Timestamp) -> crate::Timestamp {
        received.plus_millis(i64::from(self.answer_days) * DAY_MS)
    }

    /// The most days the extension after `granted` earlier ones may add, or `None` when no
    /// further extension is allowed.
    pub fn extension_allowed(&self, granted: usize) -> Option<u32> {
        self.extension_days.get(granted).copied()
    }

    /// `deadline` moved by `days`.
    pub fn extend(deadline: crate::Timestamp, days: u32) -> crate::Timestamp {
        deadline.plus_millis(i64::from(days) * DAY_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_moves_one_step_forward_and_never_back() {
        use TipStatus::*;
        let allowed: Vec<(TipStatus, TipStatus)> = TipStatus::ALL
            .iter()
            .flat_map(|a| TipStatus::ALL.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_move_to(*b))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Received, Verifying),
                (Verifying, Handling),
                (Verifying, Closed),
                (Handling, Closed)
            ]
        );
        assert_eq!(Received.next().collect::<Vec<_>>(), vec![Verifying]);
        assert_eq!(Closed.next().count(), 0);
        assert!(!Closed.is_open() && Handling.is_open());
    }

    #[test]
    fn deadlines_count_days_from_receipt_and_extensions_follow_the_list() {
        let d = TipDeadlines::default();
        let t0 = crate::Timestamp(1_700_000_000_000);
        assert_eq!(d.first(t0).millis() - t0.millis(), 20 * DAY_MS);
        assert_eq!(d.extension_allowed(0), Some(60));
        assert_eq!(d.extension_allowed(1), Some(60));
        assert_eq!(d.extension_allowed(2), None);
        let none = TipDeadlines { answer_days: 5, extension_days: vec![] };
        assert_eq!(none.extension_allowed(0), None);
        assert_eq!(TipDeadlines::extend(t0, 2).millis() - t0.millis(), 2 * DAY_MS);
    }
}
