//! ketnoi's chatbot engine. No I/O: it is given a knowledge base and answers questions.
//!
//! [`Bot::build`] indexes a knowledge base for retrieval (see [`engine`] for how text is
//! analysed and scored) and, for knowledge bases up to a couple of hundred intents, trains a
//! linear model on it (`model`: which words tell one intent from the others, learnt from the
//! phrasings, the same without marks, and the answers' sentences). An intent's score mixes
//! the two.
//!
//! It then calibrates its hand-off thresholds on that same knowledge base: each example
//! phrasing is asked with itself left out (of the index, and of a model trained on the other
//! folds), which shows how sure the bot is when it is right on a question it has never seen;
//! the project's shipped out-of-scope questions show how sure it is about questions it cannot
//! answer. The threshold is the score that best separates the two. Messages that tell a story
//! before asking get their own, lower threshold, found the same way on phrasings and
//! out-of-scope questions told after two unrelated sentences. Both are recomputed whenever the
//! knowledge base changes, so no number tuned on one knowledge base is carried to another.
//!
//! [`Bot::answer`] gives either an intent with its confidence, or a hand-off with the best
//! guesses to offer as buttons (tapping one asks the intent's own question, which is answered
//! without doubt). A bot that answers the wrong procedure confidently is worse than none, so
//! when the score is below the threshold it hands off.
#![deny(missing_docs)]

mod calibrate;
pub mod engine;
pub mod eval;
mod groups;
mod kb;
mod lexicon;
mod model;

use std::collections::HashMap;

use ketnoi_core::Intent;

pub use calibrate::Calibration;
pub use engine::MAX_QUESTION_CHARS;
pub use groups::{Group, group_similar};
pub use kb::{LineError, clash, degenerate, export_kb, find, parse_kb};
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

/// A sentence of a longer message counts as one when it has at least this many words.
const SENTENCE_MIN_WORDS: usize = 3;
/// How much the question-bearing sentence alone counts against the whole message.
const QUESTION_SENTENCE_WEIGHT: f32 = 0.5;
/// Folded words that make a sentence a question even without a question mark.
const ASKING_WORDS: &[&str] = &[
    "khong", "ko", "k", "hok", "hong", "chua", "sao", "nao", "gi", "dau", "bao", "may", "hoi",
    "giup", "can",
];

/// The sentence of a message of several that asks the question: the last one ending with a
/// question mark or using an asking word, else the last one. `None` for a message of one
/// sentence.
fn question_sentence(text: &str) -> Option<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!' | ';' | '\n') {
            sentences.push((&text[start..i], c == '?'));
            start = i + c.len_utf8();
        }
    }
    sentences.push((&text[start..], false));
    let sentences: Vec<(&str, Vec<String>, bool)> = sentences
        .into_iter()
        .map(|(s, mark)| (s.trim(), ketnoi_text::search_terms(s), mark))
        .filter(|(_, words, _)| words.len() >= SENTENCE_MIN_WORDS)
        .collect();
    if sentences.len() < 2 {
        return None;
    }
    let asks = |(_, words, mark): &&(&str, Vec<String>, bool)| {
        *mark || words.iter().any(|w| ASKING_WORDS.contains(&w.as_str()))
    };
    sentences.iter().rev().find(asks).or(sentences.last()).map(|s| s.0)
}

/// A text's scores, whether it has a known word, and whether it was read as a story with a
/// question.
struct Scored {
    scores: Vec<f32>,
    known: bool,
    long: bool,
}

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
    model: Option<model::Model>,
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
        let training = model::Training::fits(&index).then(|| {
            let texts = phrasing_texts(&intents);
            let answers: Vec<Vec<(String, Vec<String>)>> =
                intents.iter().map(|i| answer_sentences(&index, &i.answer)).collect();
            model::Training::new(&index, &texts, &answers)
        });
        let model = training.as_ref().map(|t| model::Model::train(t, &|_| false));
        let mut bot = Self {
            intents,
            index,
            model,
            calibration: calibrate::calibrate(&calibrate::Evidence::default()),
        };
        bot.calibration = calibrate::calibrate(&bot.evidence(training.as_ref(), out_of_scope));
        bot
    }

    /// How sure the bot is, and whether it is right, on phrasings it was built without, and
    /// how sure it is on out-of-scope questions: what the threshold is chosen on.
    ///
    /// Each held-out phrasing is left out of the index (leave-one-out) and, when there is a
    /// model, out of one of [`FOLDS`] models trained on the rest. It is asked alone, and some
    /// are asked again after two sentences that have nothing to do with them (out-of-scope
    /// questions), as a citizen's story comes first, for the threshold of long messages: a
    /// story lowers every score, right or wrong. The out-of-scope questions are asked both
    /// ways too.
    fn evidence(
        &self,
        training: Option<&model::Training>,
        out_of_scope: &[String],
    ) -> calibrate::Evidence {
        let index = &self.index;
        let texts = phrasing_texts(&self.intents);
        let phrasings = index.phrase_intent.len();
        // A phrasing's position among its intent's, which decides its fold.
        let mut seen = vec![0usize; index.intents()];
        let mut fold = Vec::with_capacity(phrasings);
        for &i in &index.phrase_intent {
            fold.push(seen[i as usize] % FOLDS);
            seen[i as usize] += 1;
        }
        // Phrasings whose intent has another can be left out.
        let eligible: Vec<usize> =
            (0..phrasings).filter(|&p| seen[index.phrase_intent[p] as usize] > 1).collect();
        let step = eligible.len().div_ceil(MAX_HELD_OUT).max(1);
        let asked: Vec<usize> = eligible.iter().copied().step_by(step).collect();
        let long_step = asked.len().div_ceil(MAX_HELD_OUT_LONG).max(1);
        let n = out_of_scope.len();
        let story_of = |i: usize, question: &str| {
            story(&story(&out_of_scope[i % n], &out_of_scope[(i + STORY_STRIDE) % n]), question)
        };
        let mut evidence = calibrate::Evidence::default();
        for k in 0..FOLDS {
            let in_fold: Vec<usize> = (0..asked.len()).filter(|&a| fold[asked[a]] == k).collect();
            if in_fold.is_empty() {
                continue;
            }
            let model = training.map(|t| {
                model::Model::train(t, &|p| {
                    fold[p] == k && seen[index.phrase_intent[p] as usize] > 1
                })
            });
            for a in in_fold {
                let p = asked[a];
                let terms = &index.phrase_terms[p];
                let query = index.query_left_out(terms, true);
                let mut scores = index.scores(&query, Some(p as u32));
                if let Some(model) = &model {
                    mix_in(&mut scores, model, &query, texts[p]);
                }
                let intent = index.phrase_intent[p] as usize;
                let judged = |scores: &[f32]| {
                    let ranked = top(scores, 2);
                    (confidence(&ranked), ranked.first().is_some_and(|b| b.intent == intent))
                };
                evidence.held.push(judged(&scores));
                if n > 0 && a % long_step == 0 {
                    let text = story_of(p, texts[p]);
                    let scored = self.score_text(&text, Some(p as u32), model.as_ref());
                    evidence.held_long.push(judged(&scored.scores));
                }
            }
        }
        let sure = |q: &str| confidence(&top(&self.scores(q).0, 2));
        evidence.outside = out_of_scope.iter().map(|q| sure(q)).collect();
        evidence.outside_long =
            out_of_scope.iter().enumerate().map(|(i, q)| sure(&story_of(i + 1, q))).collect();
        evidence
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
    fn scores(&self, question: &str) -> (Vec<f32>, bool) {
        let scored = self.score_text(question, None, self.model.as_ref());
        (scored.scores, scored.known)
    }

    /// Scores a text, optionally with one phrasing left out of the index (and a model trained
    /// without it), as calibration asks.
    ///
    /// Citizens often tell what happened before they ask ("Tối qua để xe trước cửa, sáng ra
    /// mất rồi. Báo ở đâu?"): the question-bearing sentence is then also scored alone, and
    /// each intent's score is the mean of the two, so the question counts without losing the
    /// story that gives it sense.
    fn score_text(&self, text: &str, exclude: Option<u32>, model: Option<&model::Model>) -> Scored {
        let score = |text: &str| {
            let terms = self.index.analyzer.terms(text, true);
            let query = self.index.query_left_out(&terms, exclude.is_some());
            let mut scores = self.index.scores(&query, exclude);
            if let Some(model) = model {
                mix_in(&mut scores, model, &query, text);
            }
            (scores, query.known)
        };
        let (mut scores, known) = score(text);
        let asked = question_sentence(text);
        if let Some(asked) = asked {
            let (alone, _) = score(asked);
            for (s, t) in scores.iter_mut().zip(alone) {
                *s = (1.0 - QUESTION_SENTENCE_WEIGHT) * *s + QUESTION_SENTENCE_WEIGHT * t;
            }
        }
        Scored { scores, known, long: asked.is_some() }
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
        let Scored { scores, known, long } = self.score_text(&question, None, self.model.as_ref());
        if !known {
            return Reply { reason: Reason::Unknown, ..empty };
        }
        let suggestions = top(&scores, SUGGESTIONS);
        let confidence = confidence(&suggestions);
        let threshold =
            if long { self.calibration.long_threshold } else { self.calibration.threshold };
        let sure = confidence >= threshold;
        Reply {
            answer: if sure { suggestions.first().map(|r| r.intent) } else { None },
            reason: if sure { Reason::Confident } else { Reason::Unsure },
            confidence,
            suggestions,
            truncated,
        }
    }
}

/// How much the model counts against retrieval (0.3, 0.5 and 0.7 ranked alike on the tuning
/// sets; 0.7 handed off fewest answerable questions).
const MIX: f32 = 0.7;

/// A question told after an unrelated sentence.
fn story(before: &str, question: &str) -> String {
    let before = before.trim_end_matches(['?', '.', '!', ' ']);
    format!("{before}. {question}")
}

/// At most this many held-out phrasings are also asked as the end of a story.
const MAX_HELD_OUT_LONG: usize = 300;

/// How far apart in the out-of-scope set the two sentences of a made-up story are.
const STORY_STRIDE: usize = 7;

/// Folds of the knowledge base's phrasings for calibrating with a model.
const FOLDS: usize = 5;
/// At most this many phrasings are held out; larger knowledge bases are sampled evenly.
const MAX_HELD_OUT: usize = 600;

/// Mixes the model's probabilities into retrieval scores.
fn mix_in(scores: &mut [f32], model: &model::Model, query: &engine::Query, text: &str) {
    // The model reads only the words it knows, so it is as sure of "sổ đỏ lần đầu" as of
    // "căn cước lần đầu"; its probability is scaled by the share of the question it knows
    // (the length of the known part of the normalised query vector).
    let known = query.vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    for (s, p) in scores.iter_mut().zip(model.probabilities(&query.vector, text)) {
        *s = (1.0 - MIX) * *s + MIX * p * known;
    }
}

/// The sentences of an answer with their terms, each with at least three.
fn answer_sentences(index: &engine::Index, answer: &str) -> Vec<(String, Vec<String>)> {
    answer
        .split(['.', '?', '!', ';', '\n'])
        .map(|s| (s.trim().to_owned(), index.analyzer.terms(s, false)))
        .filter(|(_, t)| t.len() >= 3)
        .collect()
}

/// The text of every phrasing, in the index's order: each intent's question, then examples.
fn phrasing_texts(intents: &[Intent]) -> Vec<&str> {
    intents.iter().flat_map(Intent::phrasings).map(String::as_str).collect()
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

/// Scores closer than this are a tie: a model trained by stochastic steps never scores two
/// intents with the same phrasings exactly alike.
const TIE: f32 = 1e-3;

/// The `limit` best-scored intents, best first; ties (within [`TIE`]) go to the earlier intent,
/// so an account's own intents, which come before those it inherits, win them.
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
    // Scores are compared in steps of TIE, which keeps the order total.
    let step = |r: &Ranked| (r.score / TIE).round() as i64;
    let order = |a: &Ranked, b: &Ranked| step(b).cmp(&step(a)).then(a.intent.cmp(&b.intent));
    ranked.select_nth_unstable_by(limit - 1, order);
    ranked.truncate(limit);
    ranked.sort_by(order);
    ranked
}

#[cfg(test)]
mod tests {
    use super::question_sentence;

    #[test]
    fn the_sentence_that_asks_is_found_wherever_it_stands() {
        let story = "Tối qua tôi để xe trước cửa nhà. Sáng ra đã mất rồi. Giờ báo ở đâu?";
        assert_eq!(question_sentence(story), Some("Giờ báo ở đâu"));
        // An asking word is enough without a question mark, and the question may come first.
        let first = "Cho hỏi làm căn cước ở đâu. Con tôi vừa đủ mười bốn tuổi hôm qua.";
        assert_eq!(question_sentence(first), Some("Cho hỏi làm căn cước ở đâu"));
        // No asking sentence: the last one.
        assert_eq!(
            question_sentence("Tôi mất ví ở chợ. Trong đó có căn cước."),
            Some("Trong đó có căn cước")
        );
        // One sentence, or sentences too short to count, is not a story.
        assert_eq!(question_sentence("Làm căn cước ở đâu?"), None);
        assert_eq!(question_sentence("Dạ. Làm căn cước ở đâu? Ạ."), None);
    }
}
