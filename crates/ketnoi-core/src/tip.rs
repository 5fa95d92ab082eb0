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
    /// Where a tip stands in the receiving unit's inbox. The case workflow adds states later.
    TipStatus, "status" {
        /// Not yet handled.
        New => "new",
        /// Handled by the unit.
        Handled => "handled",
    }
);
