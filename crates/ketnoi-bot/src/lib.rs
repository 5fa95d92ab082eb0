//! ketnoi's chatbot engine. No I/O: it is given a knowledge base and answers questions.
//!
//! [`Bot::build`] indexes a knowledge base (see [`engine`] for how text is analysed and
//! scored) and calibrates its hand-off threshold on that same knowledge base: each example
//! phrasing is asked with itself left out of the index (leave-one-out), which shows how sure
//! the bot is when it is right on a question it has never seen; the project's shipped
//! out-of-scope questions show how sure it is about questions it cannot answer. The threshold
//! is the score that best separates the two. It is recomputed whenever the knowledge base
//! changes, so no number tuned on one knowledge base is carried to another.
//!
//! [`Bot::answer`] gives either an intent with its confidence, or a hand-off with the best
//! guesses to offer as buttons. A bot that answers the wrong procedure confidently is worse
//! than none, so when the score is below the threshold it hands off.
#![deny(missing_docs)]

mod calibrate;
pub mod engine;
pub mod eval;
mod kb;
mod lexicon;

use std::collections::HashMap;

use ketnoi_core::Intent;

pub use calibrate::Calibration;
pub use engine::MAX_QUESTION_CHARS;
pub use kb::{LineError, export_kb, find, parse_kb};
pub use lexicon::Lexicon;

/// The out-of-scope questions the project ships for calibration, one `{"q": …}` per line.
const OUT_OF_SCOPE: &str = include_str!("../data/out_of_scope.jsonl");

/// The knowledge base ketnoi ships for new police and commune accounts to start from.
const DEFAULT_KB: &str = include_str!("../data/default_kb.jsonl");

/// The default knowledge base: common questions to police and commune offices, written for
/// ketnoi, for an account to adapt.
pub fn default_kb() -> Vec<Intent> {
    parse_kb(DEFAULT_KB).unwrap_or_default()
}

/// A last sentence is scored alone when it has at least this many words.
const LAST_SENTENCE_MIN_WORDS: usize = 3;
/// How much the last sentence alone counts against the whole question.
const LAST_SENTENCE_WEIGHT: f32 = 0.5;

/// How many suggestions a reply carries.
pub const SUGGESTIONS: usize = 3;

/// An intent and its score for a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// Its position in the knowledge base.
    pub intent: usize,
    /// Its score, 0–1.
    pub score: f32,
}

/// Why the bot answered or handed off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The best intent scored at or above the threshold.
    Confident,
    /// The question is one of the knowledge base's own phrasings, word for word (a
    /// suggestion button was tapped).
    Exact,
    /// The best intent scored below the threshold.
    Unsure,
    /// The question has no word the knowledge base knows (emoji, another script, noise).
    Unknown,
    /// The question is empty.
    Empty,
}

/// What the bot makes of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The intent to answer with, or `None` to hand off to a person.
    pub answer: Option<usize>,
    /// Why.
    pub reason: Reason,
    /// The best score (0 when nothing matched).
    pub confidence: f32,
    /// The best intents, best first (at most [`SUGGESTIONS`]), to offer as buttons.
    pub suggestions: Vec<Ranked>,
    /// The question was longer than [`MAX_QUESTION_CHARS`] and only its start was read.
    pub truncated: bool,
}

/// A knowledge base, indexed and calibrated.
#[derive(Debug, Clone)]
pub struct Bot {
    intents: Vec<Intent>,
    index: engine::Index,
    calibration: Calibration,
}

/// The out-of-scope questions shipped with ketnoi.
pub fn shipped_out_of_scope() -> Vec<String> {
    kb::lines(OUT_OF_SCOPE)
        .filter_map(|(_, l)| serde_json::from_str::<HashMap<String, serde_json::Value>>(l).ok())
        .filter_map(|m| m.get("q").and_then(|q| q.as_str()).map(str::to_owned))
        .collect()
}

impl Bot {
    /// Indexes and calibrates a knowledge base with the shipped lexicon and out-of-scope set.
    pub fn build(intents: Vec<Intent>) -> Self {
        Self::build_with(intents, Lexicon::builtin().clone(), &shipped_out_of_scope())
    }

    /// Indexes and calibrates with a given lexicon and out-of-scope questions.
    pub fn build_with(intents: Vec<Intent>, lexicon: Lexicon, out_of_scope: &[String]) -> Self {
        let index = engine::Index::build(&intents, lexicon);
        let calibration = calibrate::calibrate(&index, out_of_scope);
        Self { intents, index, calibration }
    }

    /// The knowledge base.
    pub fn intents(&self) -> &[Intent] {
        &self.intents
    }

    /// One intent.
    pub fn intent(&self, i: usize) -> &Intent {
        &self.intents[i]
    }

    /// The hand-off threshold and how it was found.
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// Ranks every intent for a question, best first (at most `limit`), without deciding.
    pub fn rank(&self, question: &str, limit: usize) -> Vec<Ranked> {
        top(&self.scores(question).0, limit)
    }

    /// Every intent's score for a question, and whether any of its words is known.
    ///
    /// Citizens often tell what happened before they ask ("Tối qua để xe trước cửa, sáng ra
    /// mất rồi. Báo ở đâu?"): the question is then also scored on its last sentence alone, and
    /// each intent's score is the mean of the two, so the question counts without losing the
    /// story that gives it sense.
    fn scores(&self, question: &str) -> (Vec<f32>, bool) {
        let terms = self.index.analyzer.terms(question, true);
        let query = self.index.query(&terms);
        let mut scores = self.index.scores(&query, None);
        let known = query.known;
        let last = question
            .split(['.', '?', '!', ';', '\n'])
            .map(str::trim)
            .filter(|s| ketnoi_text::search_terms(s).len() >= LAST_SENTENCE_MIN_WORDS)
            .collect::<Vec<_>>();
        if let (true, Some(tail)) = (last.len() > 1, last.last()) {
            let tail = self.index.query(&self.index.analyzer.terms(tail, true));
            for (s, t) in scores.iter_mut().zip(self.index.scores(&tail, None)) {
                *s = (1.0 - LAST_SENTENCE_WEIGHT) * *s + LAST_SENTENCE_WEIGHT * t;
            }
        }
        (scores, known)
    }

    /// Answers a question, or hands off.
    pub fn answer(&self, question: &str) -> Reply {
        let truncated = question.chars().count() > MAX_QUESTION_CHARS;
        let question: String = if truncated {
            question.chars().take(MAX_QUESTION_CHARS).collect()
        } else {
            question.to_owned()
        };
        let key = ketnoi_text::search_key(&question);
        let empty = Reply {
            answer: None,
            reason: Reason::Empty,
            confidence: 0.0,
            suggestions: Vec::new(),
            truncated,
        };
        if key.is_empty() {
            return empty;
        }
        if let Some(&i) = self.index.exact.get(&key) {
            let mut suggestions = self.rank(&question, SUGGESTIONS);
            suggestions.retain(|r| r.intent != i as usize);
            suggestions.insert(0, Ranked { intent: i as usize, score: 1.0 });
            suggestions.truncate(SUGGESTIONS);
            return Reply {
                answer: Some(i as usize),
                reason: Reason::Exact,
                confidence: 1.0,
                suggestions,
                truncated,
            };
        }
        let (scores, known) = self.scores(&question);
        if !known {
            return Reply { reason: Reason::Unknown, ..empty };
        }
        let suggestions = top(&scores, SUGGESTIONS);
        let confidence = confidence(&suggestions);
        let sure = confidence >= self.calibration.threshold;
        Reply {
            answer: if sure { suggestions.first().map(|r| r.intent) } else { None },
            reason: if sure { Reason::Confident } else { Reason::Unsure },
            confidence,
            suggestions,
            truncated,
        }
    }
}

/// How sure the bot is of its best guess: the best score, raised by its lead over the
/// second. A question that matches one intent clearly is safer to answer than one that
/// matches several about as well.
pub(crate) fn confidence(ranked: &[Ranked]) -> f32 {
    let first = ranked.first().map_or(0.0, |r| r.score);
    let second = ranked.get(1).map_or(0.0, |r| r.score);
    first + LEAD_WEIGHT * (first - second)
}

/// How much the lead over the second guess counts in [`confidence`].
const LEAD_WEIGHT: f32 = 0.5;

/// The `limit` best-scored intents, best first; ties go to the earlier intent.
pub(crate) fn top(scores: &[f32], limit: usize) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > 0.0)
        .map(|(intent, &score)| Ranked { intent, score })
        .collect();
    let limit = limit.min(ranked.len());
    if limit == 0 {
        return Vec::new();
    }
    let order = |a: &Ranked, b: &Ranked| b.score.total_cmp(&a.score).then(a.intent.cmp(&b.intent));
    ranked.select_nth_unstable_by(limit - 1, order);
    ranked.truncate(limit);
    ranked.sort_by(order);
    ranked
}
