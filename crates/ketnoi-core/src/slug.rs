use crate::{InvalidInput, error::string_newtype};

/// The URL-safe name of an official account: `/a/ca-vi-xuyen`.
///
/// 3–64 characters of `a-z`, `0-9` and hyphens, never at either end and never two together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug exactly as given (no silent lowercasing: a URL the user typed either is a
    /// slug or is not).
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let ok = (3..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        if ok { Ok(Self(raw.to_owned())) } else { Err(InvalidInput::Slug) }
    }

    /// Suggests a slug for a display name: "Công an xã Đạo Đức" → `cong-an-xa-dao-duc`.
    /// Returns `None` when the name has too few letters or digits to make one.
    pub fn suggest(name: &str) -> Option<Self> {
        let words = ketnoi_text::search_terms(name);
        let mut slug = String::new();
        for word in words {
            let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
            if word.is_empty() {
                continue;
            }
            if slug.len() + word.len() + 1 > 64 {
                break;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(&word);
        }
        Self::parse(&slug).ok()
    }
}

string_newtype!(Slug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_with_single_inner_hyphens() {
        assert!(Slug::parse("ca-vi-xuyen").is_ok());
        assert!(Slug::parse("ubnd2").is_ok());
        for bad in ["ab", "-abc", "abc-", "a--b", "CA-VI", "công-an", "a b c", &"x".repeat(65)] {
            assert_eq!(Slug::parse(bad), Err(InvalidInput::Slug), "{bad}");
        }
    }

    #[test]
    fn a_vietnamese_name_suggests_a_readable_slug() {
        let s = Slug::suggest("Công an xã Đạo Đức").map(|s| s.0);
        assert_eq!(s.as_deref(), Some("cong-an-xa-dao-duc"));
        assert_eq!(Slug::suggest("!!"), None);
    }
}
