use crate::{AgencyId, AreaCode, InvalidInput, Slug, Timestamp, error::wire_enum};

/// An official account's database identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct AccountId(pub i64);

wire_enum!(
    /// What an official account is for; citizens filter the directory by it.
    AccountKind, "kind" {
        /// A police unit's account.
        Police => "police",
        /// Provincial or commune e-government.
        EGovernment => "e-government",
        /// A youth union's account.
        Youth => "youth",
        /// A public service: schools, hospitals, utilities.
        PublicService => "public-service",
        /// Anything else.
        Other => "other",
    }
);

/// An official account: what citizens find, follow and write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// Its URL name.
    pub slug: Slug,
    /// The agency that owns it.
    pub agency: AgencyId,
    /// The name shown to citizens.
    pub display_name: String,
    /// What it offers, in a paragraph.
    pub description: String,
    /// An avatar image URL or path, if any.
    pub avatar_url: Option<String>,
    /// Its kind.
    pub kind: AccountKind,
    /// Whether a platform administrator has confirmed it belongs to the agency it names.
    pub verified: bool,
    /// The area it serves.
    pub area: AreaCode,
    /// Office hours as the agency writes them: "Thứ Hai–Thứ Sáu, 7:30–11:30, 13:30–17:00".
    pub office_hours: String,
    /// A public contact number (an office line, so not necessarily a mobile).
    pub contact_phone: String,
    /// A street address.
    pub address: String,
    /// How many citizens follow it.
    pub follower_count: i64,
    /// When it was created.
    pub created_at: Timestamp,
}

/// What it takes to create an official account. `verified` is absent on purpose: only a platform
/// administrator sets it, through its own call.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Its URL name.
    pub slug: Slug,
    /// The agency that owns it.
    pub agency: AgencyId,
    /// The name shown to citizens.
    pub display_name: String,
    /// What it offers.
    pub description: String,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// Its kind.
    pub kind: AccountKind,
    /// The area it serves.
    pub area: AreaCode,
    /// Office hours.
    pub office_hours: String,
    /// Contact phone.
    pub contact_phone: String,
    /// Address.
    pub address: String,
}

impl NewAccount {
    /// Builds a new account from raw text fields, checking each. Optional texts may be empty.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        slug: Slug,
        agency: AgencyId,
        display_name: &str,
        description: &str,
        kind: AccountKind,
        area: AreaCode,
        office_hours: &str,
        contact_phone: &str,
        address: &str,
    ) -> Result<Self, InvalidInput> {
        let contact_phone = crate::bounded_text(contact_phone, "contact_phone", 0, 40)?;
        if !contact_phone.chars().all(|c| c.is_ascii_digit() || " +().-".contains(c)) {
            return Err(InvalidInput::Phone);
        }
        Ok(Self {
            slug,
            agency,
            display_name: crate::bounded_text(display_name, "display_name", 2, 120)?,
            description: crate::bounded_text(description, "description", 0, 2000)?,
            avatar_url: None,
            kind,
            area,
            office_hours: crate::bounded_text(office_hours, "office_hours", 0, 300)?,
            contact_phone,
            address: crate::bounded_text(address, "address", 0, 300)?,
        })
    }
}
