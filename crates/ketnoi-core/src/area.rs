use crate::{
    InvalidInput,
    error::{string_newtype, wire_enum},
};

/// The code of an administrative area: `VN`, a province's two digits (`02` Hà Giang before 2025),
/// a commune's five. Codes come from the national statistics office's numbering; anything of
/// 1–16 ASCII letters or digits is accepted so other numberings can be loaded too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode(String);

impl AreaCode {
    /// Parses a code; surrounding spaces are ignored, case is kept.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let raw = raw.trim();
        if (1..=16).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidInput::AreaCode)
        }
    }
}

string_newtype!(AreaCode);

wire_enum!(
    /// An area's place in the hierarchy. Only a label: the tree's depth is not fixed, and since
    /// the 2025 reform most provinces have no district level at all.
    AreaLevel, "level" {
        /// The nation.
        Country => "country",
        /// A province or centrally-run city.
        Province => "province",
        /// A district, town or provincial city (before 2025).
        District => "district",
        /// A commune, ward or special zone.
        Commune => "commune",
    }
);

/// An administrative area.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Area {
    /// Its code.
    pub code: AreaCode,
    /// Its full name, NFC: "Xã Đạo Đức".
    pub name: String,
    /// Its level.
    pub level: AreaLevel,
    /// Its kind as written in law: "xã", "phường", "thành phố trung ương"…
    pub division_type: String,
    /// The area it lies in; `None` only for the root.
    pub parent: Option<AreaCode>,
}

impl Area {
    /// Builds an area from raw fields (as read from a CSV line), checking each.
    pub fn parse(
        code: &str,
        name: &str,
        level: &str,
        division_type: &str,
        parent: &str,
    ) -> Result<Self, InvalidInput> {
        let parent = parent.trim();
        Ok(Self {
            code: AreaCode::parse(code)?,
            name: crate::bounded_text(name, "name", 1, 200)?,
            level: level.parse()?,
            division_type: crate::bounded_text(division_type, "division_type", 0, 100)?,
            parent: if parent.is_empty() { None } else { Some(AreaCode::parse(parent)?) },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_line_from_the_national_list_parses() {
        let a = Area::parse("00004", "Phường Ba Đình", "commune", "phường", "01");
        let a = a.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.parent.as_ref().map(AreaCode::as_str), Some("01"));
        assert_eq!(a.level, AreaLevel::Commune);
    }

    #[test]
    fn bad_codes_and_levels_are_refused() {
        assert_eq!(AreaCode::parse("01;--"), Err(InvalidInput::AreaCode));
        assert_eq!(AreaCode::parse(""), Err(InvalidInput::AreaCode));
        assert!(Area::parse("01", "Hà Nội", "planet", "", "VN").is_err());
    }
}
