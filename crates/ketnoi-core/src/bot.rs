//! The words of an account's automatic assistant: knowledge-base intents, keyword rules and
//! where a conversation stands with the bot.
//!
//! The engine that answers lives in `ketnoi-bot`; storage and the console only need these
//! checked values.

use crate::{InvalidInput, error::string_newtype, error::wire_enum};

/// The most example phrasings one intent keeps.
pub const MAX_EXAMPLES: usize = 200;
/// The most intents one knowledge base holds.
pub const MAX_INTENTS: usize = 20_000;

/// An intent's id inside its knowledge base: 1–64 lowercase ASCII letters, digits, `.`, `_`
/// or `-` (for example `cccd.cap_moi`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntentId(String);

impl IntentId {
    /// Parses an id; surrounding spaces are ignored.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let id = raw.trim();
        let ok = (1..=64).contains(&id.len())
            && id.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_' || b == b'-'
            });
        if ok { Ok(Self(id.to_owned())) } else { Err(InvalidInput::IntentId) }
    }
}

string_newtype!(IntentId);

/// One thing citizens ask, with the account's answer and the ways people phrase it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Its id.
    pub id: IntentId,
    /// The topic it belongs to ("Căn cước"), possibly empty.
    pub topic: String,
    /// The canonical question, as shown on a suggestion button.
    pub question: String,
    /// The answer the bot gives.
    pub answer: String,
    /// Other ways citizens ask it.
    pub examples: Vec<String>,
    /// The code of the procedure guide the answer comes from, if any: the answer links to it
    /// ("Xem hướng dẫn đầy đủ") and is flagged for review with it.
    pub procedure: Option<String>,
}

impl Intent {
    /// Checks and normalises (NFC, trimmed) every field. Empty examples are dropped, repeated
    /// ones kept once.
    pub fn new(
        id: &str,
        topic: &str,
        question: &str,
        answer: &str,
        examples: &[String],
    ) -> Result<Self, InvalidInput> {
        let mut kept: Vec<String> = Vec::with_capacity(examples.len());
        for example in examples {
            if example.trim().is_empty() {
                continue;
            }
            let example = crate::bounded_text(example, "example", 1, 500)?;
            if !kept.contains(&example) {
                kept.push(example);
            }
        }
        if kept.len() > MAX_EXAMPLES {
            return Err(InvalidInput::Length { field: "examples", min: 0, max: MAX_EXAMPLES });
        }
        Ok(Self {
            id: IntentId::parse(id)?,
            topic: crate::bounded_text(topic, "topic", 0, 120)?,
            question: crate::bounded_text(question, "question", 2, 500)?,
            answer: crate::bounded_text(answer, "answer", 1, crate::chat::MAX_TEXT_CHARS)?,
            examples: kept,
            procedure: None,
        })
    }

    /// Every way the intent is asked: its question, then its examples.
    pub fn phrasings(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.question).chain(&self.examples)
    }

    /// The intent linked to the procedure guide with this code (`None` or blank: no link).
    pub fn linked(mut self, procedure: Option<&str>) -> Result<Self, InvalidInput> {
        self.procedure = procedure
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(crate::desk::catalogue_code)
            .transpose()?;
        Ok(self)
    }
}

wire_enum!(
    /// Where a conversation stands with the account's bot.
    BotState, "bot_state" {
        /// The bot answers the citizen; officers need not look.
        Active => "active",
        /// The bot was unsure or the citizen asked for a person: waiting for an officer. The bot
        /// still answers questions it is sure of.
        Waiting => "waiting",
        /// An officer has replied: the bot stays quiet until the conversation is closed.
        Paused => "paused",
    }
);

wire_enum!(
    /// How a keyword rule matches a citizen's message (both sides folded: case and diacritics
    /// are ignored).
    RuleMatch, "match" {
        /// The whole message is the keyword.
        Exact => "exact",
        /// The keyword appears in the message, on word boundaries.
        Contains => "contains",
    }
);

/// A keyword rule's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct RuleId(pub i64);

/// A fixed answer to a keyword, given before the engine is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordRule {
    /// Its id.
    pub id: RuleId,
    /// The keyword or phrase (NFC, as typed).
    pub keyword: String,
    /// How it matches.
    pub matching: RuleMatch,
    /// What the bot answers.
    pub answer: String,
}

/// A keyword rule to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKeywordRule {
    /// The keyword (2–100 characters).
    pub keyword: String,
    /// How it matches.
    pub matching: RuleMatch,
    /// The answer.
    pub answer: String,
}

impl NewKeywordRule {
    /// Checks a rule.
    pub fn new(keyword: &str, matching: RuleMatch, answer: &str) -> Result<Self, InvalidInput> {
        let keyword = crate::bounded_text(keyword, "keyword", 1, 100)?;
        if ketnoi_text::search_key(&keyword).is_empty() {
            return Err(InvalidInput::Length { field: "keyword", min: 1, max: 100 });
        }
        Ok(Self {
            keyword,
            matching,
            answer: crate::bounded_text(answer, "answer", 1, crate::chat::MAX_TEXT_CHARS)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn intent_ids_are_lowercase_dotted_words() {
        assert!(IntentId::parse("cccd.cap_moi").is_ok());
        assert!(IntentId::parse(" xe-2 ").is_ok());
        assert_eq!(IntentId::parse("CCCD"), Err(InvalidInput::IntentId));
        assert_eq!(IntentId::parse(""), Err(InvalidInput::IntentId));
        assert_eq!(IntentId::parse(&"a".repeat(65)), Err(InvalidInput::IntentId));
        assert_eq!(IntentId::parse("căn"), Err(InvalidInput::IntentId));
    }

    #[test]
    fn intents_are_normalised_and_examples_deduplicated() {
        let examples = vec!["  Lần đầu? ".to_owned(), String::new(), "Lần đầu?".to_owned()];
        let intent = Intent::new("a.b", "Căn cước", "Câu hỏi?", "Trả lời.", &examples).unwrap();
        assert_eq!(intent.examples, vec!["Lần đầu?"]);
        assert!(Intent::new("a.b", "", "", "x", &[]).is_err());
        assert!(Intent::new("a.b", "", "Hỏi gì?", "", &[]).is_err());
    }

    #[test]
    fn rules_need_a_word() {
        assert!(NewKeywordRule::new("giờ làm việc", RuleMatch::Contains, "7h30").is_ok());
        assert!(NewKeywordRule::new("?!", RuleMatch::Exact, "x").is_err());
        assert_eq!("contains".parse::<RuleMatch>(), Ok(RuleMatch::Contains));
    }
}
