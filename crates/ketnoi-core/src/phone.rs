use crate::InvalidInput;

/// A Vietnamese mobile phone number, held in E.164 form (`+84` and nine digits).
///
/// Citizens type numbers every which way: `0912 345 678`, `+84 912.345.678`, `84912345678`,
/// `(091) 234-5678`. All of them parse to the same `Phone`. Only the mobile ranges that carriers
/// use since the 2018 renumbering are accepted (03x, 05x, 07x, 08x, 09x ranges listed below);
/// landlines and short codes are refused, since a one-time code must reach a phone that reads SMS.
///
/// `Debug` and [`Phone::masked`] hide the middle digits: a phone number is personal data and never
/// belongs in a log line.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// The three-digit prefixes (after the leading 0) assigned to mobile networks.
const MOBILE_PREFIXES: &[&str] = &[
    "32", "33", "34", "35", "36", "37", "38", "39", // Viettel
    "52", "55", "56", "58", "59", // Vietnamobile, Reddi, Gmobile
    "70", "76", "77", "78", "79", // MobiFone
    "81", "82", "83", "84", "85", "86", "87", "88",
    "89", // VinaPhone, Viettel, iTel, MobiFone
    "90", "91", "92", "93", "94", "96", "97", "98", "99",
];

impl Phone {
    /// Parses a number as a citizen might type it.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let raw = raw.trim();
        if raw.len() > 32 {
            return Err(InvalidInput::Phone);
        }
        let mut digits = String::with_capacity(12);
        for (i, c) in raw.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(InvalidInput::Phone),
            }
        }
        let national = if let Some(rest) = digits.strip_prefix("84").filter(|r| r.len() == 9) {
            rest
        } else if let Some(rest) = digits.strip_prefix('0').filter(|r| r.len() == 9) {
            rest
        } else {
            return Err(InvalidInput::Phone);
        };
        if !MOBILE_PREFIXES.contains(&&national[..2]) {
            return Err(InvalidInput::Phone);
        }
        Ok(Self(format!("+84{national}")))
    }

    /// The number in E.164 form, `+84xxxxxxxxx`.
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// The number as Vietnamese people write it at home: `0912345678`.
    pub fn national(&self) -> String {
        format!("0{}", &self.0[3..])
    }

    /// The number with its middle hidden, `091****678`, for screens and logs.
    pub fn masked(&self) -> String {
        let national = self.national();
        format!("{}****{}", &national[..3], &national[7..])
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl std::str::FromStr for Phone {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Phone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Phone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ways_people_write_one_number_all_parse_alike() {
        for raw in [
            "0912345678",
            "091 234 5678",
            "+84912345678",
            "+84 912.345.678",
            "84912345678",
            "(091) 234-5678",
        ] {
            assert_eq!(Phone::parse(raw).map(|p| p.0), Ok("+84912345678".to_owned()), "{raw}");
        }
    }

    #[test]
    fn landlines_short_numbers_and_junk_are_refused() {
        for raw in [
            "",
            "0241234567",   // Hà Nội landline (10 digits, 02x)
            "02438123456",  // landline, 11 digits
            "091234567",    // one digit short
            "09123456789",  // one digit long
            "0112345678",   // no such range
            "0952345678",   // 095 is not assigned
            "+1 912345678", // foreign
            "09123abc78",
            "0912345678; DROP TABLE",
            "0912+345678",
        ] {
            assert_eq!(Phone::parse(raw), Err(InvalidInput::Phone), "{raw}");
        }
    }

    #[test]
    fn debug_and_masked_never_show_the_whole_number() {
        let p = Phone::parse("0987654321").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.masked(), "098****321");
        assert_eq!(p.national(), "0987654321");
        assert!(!format!("{p:?}").contains("7654"));
    }
}
