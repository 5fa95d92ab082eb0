use crate::{InvalidInput, Phone, Timestamp, error::string_newtype};

/// A citizen's database identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CitizenId(pub i64);

/// A staff member's database identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct StaffId(pub i64);

/// A citizen, known by a phone number proven by a one-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    /// Its id.
    pub id: CitizenId,
    /// The proven phone number.
    pub phone: Phone,
    /// A name the citizen chose to show, if any.
    pub display_name: Option<String>,
    /// First sign-in.
    pub created_at: Timestamp,
}

/// A staff sign-in name: 3–32 characters of lowercase ASCII letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    /// Parses a username; surrounding spaces are ignored and letters lowercased, since people
    /// type their own names with a capital at sign-in.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let name = raw.trim().to_ascii_lowercase();
        let ok = (3..=32).contains(&name.len())
            && name.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-'
            });
        if ok { Ok(Self(name)) } else { Err(InvalidInput::Username) }
    }
}

string_newtype!(Username);

/// A person's name as they want it shown: 1–100 characters, NFC.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a name.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        crate::bounded_text(raw, "display_name", 1, 100).map(Self)
    }
}

string_newtype!(DisplayName);

/// A staff member: someone who works for one or more agencies, or runs the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Its id.
    pub id: StaffId,
    /// Sign-in name.
    pub username: Username,
    /// Shown name.
    pub display_name: DisplayName,
    /// Runs the whole platform: may verify accounts and do anything an agency administrator can,
    /// everywhere.
    pub platform_admin: bool,
    /// When the member was created.
    pub created_at: Timestamp,
}

/// What it takes to create a staff member. The password arrives already hashed: hashing is the
/// server's business, and storage never sees a password.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Sign-in name.
    pub username: Username,
    /// Shown name.
    pub display_name: DisplayName,
    /// An Argon2id PHC string.
    pub password_hash: String,
    /// Platform administrator?
    pub platform_admin: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_checked() {
        assert_eq!(Username::parse(" Can.Bo_01 ").map(|u| u.0), Ok("can.bo_01".to_owned()));
        for bad in ["ab", "cán.bộ", "a b c", "x;drop", &"a".repeat(33)] {
            assert_eq!(Username::parse(bad), Err(InvalidInput::Username), "{bad}");
        }
    }

    #[test]
    fn display_names_are_nfc_and_bounded() {
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(DisplayName::parse(decomposed).map(|d| d.0), Ok("Nguyễn".to_owned()));
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("a\u{0}b").is_err());
    }
}
