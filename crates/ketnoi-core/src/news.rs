//! The words of an account's news: articles, broadcasts, who a broadcast is for, and the tags
//! officers put on followers.
//!
//! A broadcast names its audience, never its recipients: "followers whose ward lies in these
//! areas, carrying any of these tags". Whoever matches reads it; storage never writes a row per
//! follower (see the news feature in the server).

use crate::{AreaCode, InvalidInput, error::wire_enum};

/// An article's database identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ArticleId(pub i64);

/// A broadcast's database identifier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct BroadcastId(pub i64);

/// The longest article title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest article summary.
pub const MAX_SUMMARY_CHARS: usize = 500;
/// The longest article body, in characters of Markdown.
pub const MAX_BODY_CHARS: usize = 100_000;
/// The most areas one broadcast may target.
pub const MAX_TARGET_AREAS: usize = 50;
/// The most tags one broadcast may target, or one follower may carry on one account.
pub const MAX_TAGS: usize = 20;

wire_enum!(
    /// Where an article stands. A scheduled article becomes readable by itself when its time
    /// comes: readers ask for [`ArticleState::effective`], never the stored word alone.
    ArticleState, "state" {
        /// Being written; only staff see it.
        Draft => "draft",
        /// To be published at its time.
        Scheduled => "scheduled",
        /// Public.
        Published => "published",
        /// Taken down: its URL answers 410 Gone.
        Withdrawn => "withdrawn",
    }
);

impl ArticleState {
    /// The state a reader sees at `now` for an article stored in this state with this time.
    pub fn effective(self, publish_at: Option<crate::Timestamp>, now: crate::Timestamp) -> Self {
        match (self, publish_at) {
            (Self::Scheduled, Some(at)) if at <= now => Self::Published,
            (state, _) => state,
        }
    }
}

wire_enum!(
    /// Where a broadcast stands.
    BroadcastState, "state" {
        /// Waiting for its time; it may still be cancelled.
        Scheduled => "scheduled",
        /// Sent: its audience reads it.
        Sent => "sent",
        /// Cancelled before it fired.
        Cancelled => "cancelled",
    }
);

/// A tag an officer puts on followers ("hộ kinh doanh", "CCCD"): 1–40 characters, NFC, kept
/// lowercase so that "CCCD" and "cccd" are one tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    /// Parses a tag.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let text = crate::bounded_text(raw, "tag", 1, 40)?;
        if text.contains(['\n', ',']) {
            return Err(InvalidInput::Tag);
        }
        Ok(Self(text.to_lowercase()))
    }

    /// Parses a comma-separated list of tags, dropping empty items and repeats.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, InvalidInput> {
        let mut tags: Vec<Self> = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let tag = Self::parse(item)?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(InvalidInput::Length { field: "tags", min: 0, max: MAX_TAGS });
        }
        Ok(tags)
    }
}

crate::error::string_newtype!(Tag);

/// Who a broadcast is for: every follower when both lists are empty; otherwise followers whose
/// ward lies in (or is) one of `areas`, if any are named, and who carry one of `tags`, if any
/// are named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// Areas at any level of the tree.
    pub areas: Vec<AreaCode>,
    /// Tags.
    pub tags: Vec<Tag>,
}

impl Audience {
    /// Every follower.
    pub fn everyone() -> Self {
        Self::default()
    }

    /// Whether it names no one in particular.
    pub fn is_everyone(&self) -> bool {
        self.areas.is_empty() && self.tags.is_empty()
    }

    /// Checks the sizes, and drops repeats.
    pub fn checked(mut self) -> Result<Self, InvalidInput> {
        self.areas.sort();
        self.areas.dedup();
        self.tags.sort();
        self.tags.dedup();
        if self.areas.len() > MAX_TARGET_AREAS {
            return Err(InvalidInput::Length { field: "areas", min: 0, max: MAX_TARGET_AREAS });
        }
        if self.tags.len() > MAX_TAGS {
            return Err(InvalidInput::Length { field: "tags", min: 0, max: MAX_TAGS });
        }
        Ok(self)
    }

    /// Whether a follower whose ward has this ancestry (the ward first, then every area above
    /// it) and who carries these tags is in the audience.
    pub fn includes(&self, ancestry: &[AreaCode], tags: &[Tag]) -> bool {
        let area_ok = self.areas.is_empty() || ancestry.iter().any(|a| self.areas.contains(a));
        let tag_ok = self.tags.is_empty() || tags.iter().any(|t| self.tags.contains(t));
        area_ok && tag_ok
    }
}

/// Turns an article's title into the last part of its address: "Cảnh báo lừa đảo" →
/// `canh-bao-lua-dao`. Never empty: a title with no letters gives `tin`.
pub fn article_slug(title: &str) -> String {
    crate::Slug::suggest(title).map_or_else(
        || "tin".to_owned(),
        |s| {
            let s = s.as_str();
            // Long titles make long addresses: keep the first 60 characters, at a hyphen.
            if s.len() <= 60 {
                return s.to_owned();
            }
            let cut = s[..60].rfind('-').unwrap_or(60);
            s[..cut].to_owned()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> AreaCode {
        AreaCode::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_audience_with_areas_and_tags_needs_both() {
        let ward = [code("W1"), code("P1")];
        let other = [code("W2"), code("P1")];
        let trader = Tag::parse("Hộ kinh doanh").unwrap_or_else(|e| panic!("{e}"));
        let by_area = Audience { areas: vec![code("W1")], tags: vec![] };
        assert!(by_area.includes(&ward, &[]));
        assert!(!by_area.includes(&other, &[]));
        assert!(!by_area.includes(&[], &[]), "no ward chosen: not in an area audience");
        let province = Audience { areas: vec![code("P1")], tags: vec![] };
        assert!(province.includes(&ward, &[]) && province.includes(&other, &[]));
        let both = Audience { areas: vec![code("W1")], tags: vec![trader.clone()] };
        assert!(both.includes(&ward, std::slice::from_ref(&trader)));
        assert!(!both.includes(&ward, &[]));
        assert!(!both.includes(&other, &[trader]));
        assert!(Audience::everyone().includes(&[], &[]));
    }

    #[test]
    fn tags_are_lowercase_nfc_and_lists_drop_repeats() {
        let tags = Tag::parse_list(" CCCD, cccd ,,Cư trú").unwrap_or_else(|e| panic!("{e}"));
        let words: Vec<&str> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(words, ["cccd", "cư trú"]);
        assert!(Tag::parse("").is_err());
        assert!(Tag::parse(&"x".repeat(41)).is_err());
        let many = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect::<Vec<_>>().join(",");
        assert!(Tag::parse_list(&many).is_err());
    }

    #[test]
    fn a_scheduled_article_is_published_once_its_time_comes() {
        let t = crate::Timestamp(1_000);
        let s = ArticleState::Scheduled;
        assert_eq!(s.effective(Some(crate::Timestamp(2_000)), t), ArticleState::Scheduled);
        assert_eq!(s.effective(Some(crate::Timestamp(1_000)), t), ArticleState::Published);
        assert_eq!(ArticleState::Withdrawn.effective(Some(t), t), ArticleState::Withdrawn);
    }

    #[test]
    fn article_slugs_are_readable_and_bounded() {
        assert_eq!(
            article_slug("Cảnh báo lừa đảo qua điện thoại"),
            "canh-bao-lua-dao-qua-dien-thoai"
        );
        assert_eq!(article_slug("!!!"), "tin");
        let long = article_slug(&"thông báo lịch tiếp công dân ".repeat(10));
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }
}
