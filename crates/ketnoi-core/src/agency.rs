use crate::{
    AreaCode, InvalidInput,
    error::{string_newtype, wire_enum},
};

/// An agency's database identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct AgencyId(pub i64);

/// An agency's short, stable code, used on the command line and in URLs: `ca-ha-giang`,
/// `ubnd.dao-duc`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Parses a code: 2–64 characters of lowercase ASCII letters, digits, `-` and `.`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let ok = (2..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if ok { Ok(Self(raw.to_owned())) } else { Err(InvalidInput::AgencyCode) }
    }
}

string_newtype!(AgencyCode);

wire_enum!(
    /// What sort of body an agency is.
    AgencyKind, "kind" {
        /// Ủy ban nhân dân: a people's committee.
        PeoplesCommittee => "peoples-committee",
        /// Công an: a police unit.
        Police => "police",
        /// Đoàn Thanh niên: a youth union.
        YouthUnion => "youth-union",
        /// Sở / Phòng Giáo dục: education.
        Education => "education",
        /// Sở / Trung tâm Y tế: health.
        Health => "health",
        /// Anything else.
        Other => "other",
    }
);

/// An agency: a node in a tree of any depth.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Agency {
    /// Its id.
    pub id: AgencyId,
    /// Its code.
    pub code: AgencyCode,
    /// Its name, NFC.
    pub name: String,
    /// Its kind.
    pub kind: AgencyKind,
    /// The area it serves.
    pub area: AreaCode,
    /// The agency above it; `None` for a root.
    pub parent: Option<AgencyId>,
}

/// What it takes to create an agency.
#[derive(Debug, Clone)]
pub struct NewAgency {
    /// Its code.
    pub code: AgencyCode,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: AgencyKind,
    /// The area it serves.
    pub area: AreaCode,
    /// The agency above it.
    pub parent: Option<AgencyId>,
}

impl NewAgency {
    /// Checks the free-text fields.
    pub fn new(
        code: AgencyCode,
        name: &str,
        kind: AgencyKind,
        area: AreaCode,
        parent: Option<AgencyId>,
    ) -> Result<Self, InvalidInput> {
        Ok(Self { code, name: crate::bounded_text(name, "name", 2, 200)?, kind, area, parent })
    }
}
