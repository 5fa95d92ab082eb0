//! The index and the scorer.
//!
//! Every text (a canonical question, an example, a topic, an answer, a citizen's question) is
//! analysed the same way: syllables with canonical tones → abbreviations expanded → (questions
//! only) typing mistakes corrected against the knowledge base's own words → folded, with `y`
//! after a consonant spelled `i` ("ký"/"kí") → synonym phrases rewritten to their canonical
//! form. Its features are the folded syllables and adjacent pairs of them, weighted by TF-IDF
//! over intents and normalised.
//!
//! An intent is scored from three cosines against the question: the best single phrasing
//! (canonical question or example), the intent as a whole (all phrasings and the topic
//! together), and its answer text. Phrasings say how people ask; the whole intent pools their
//! words; the answer catches words nobody thought to put in an example.

use std::collections::HashMap;

use ketnoi_core::Intent;
use ketnoi_text::{Abbreviations, Corrector};

use crate::lexicon::Lexicon;

/// The longest question read, in characters; the rest is ignored (and the reply says so).
pub const MAX_QUESTION_CHARS: usize = 1000;

/// Weight of the best phrasing in an intent's score.
const W_PHRASE: f32 = 0.25;
/// Weight of the whole intent.
const W_INTENT: f32 = 0.6;
/// Weight of the answer text.
const W_ANSWER: f32 = 0.15;
/// Weight of a pair of syllables relative to one syllable.
const W_PAIR: f32 = 0.7;
/// Weight of the topic among an intent's phrasings.
const W_TOPIC: f32 = 0.5;

/// A feature's id.
type Feature = u32;
/// A sparse vector: features with weights.
type Sparse = Vec<(Feature, f32)>;

/// Turns text into matching terms.
#[derive(Debug, Clone)]
pub(crate) struct Analyzer {
    lexicon: Lexicon,
    corrector: Corrector,
}

/// `y` as the only vowel after a consonant is written `i` by many ("kí", "lí"): one spelling.
fn unify_y(folded: &mut String) {
    let bytes = folded.as_bytes();
    let n = bytes.len();
    let only_vowel = n >= 2
        && bytes.is_ascii()
        && bytes[n - 1] == b'y'
        && !bytes[..n - 1].iter().any(|b| b"aeiouy".contains(b));
    if only_vowel {
        folded.pop();
        folded.push('i');
    }
}

impl Analyzer {
    pub(crate) fn new(lexicon: Lexicon) -> Self {
        Self { lexicon, corrector: Corrector::new() }
    }

    /// The folded syllables after abbreviations, before anything else.
    pub(crate) fn raw(&self, text: &str) -> Vec<String> {
        let syllables = Abbreviations::builtin().expand(&ketnoi_text::syllables(text));
        syllables.into_iter().map(|s| s.folded).collect()
    }

    /// Learns the words of a knowledge-base text (given by [`Self::raw`]), so questions can be
    /// corrected toward them.
    pub(crate) fn learn(&mut self, raw: &[String]) {
        for word in raw {
            self.corrector.add(word);
        }
    }

    pub(crate) fn learn_lexicon(&mut self) {
        let words: Vec<String> = self.lexicon.syllables().map(str::to_owned).collect();
        for word in words {
            self.corrector.add(&word);
        }
    }

    /// The matching terms of a text; `correct` fixes typing mistakes (for questions).
    pub(crate) fn terms(&self, text: &str, correct: bool) -> Vec<String> {
        self.terms_of(self.raw(text), correct)
    }

    /// The matching terms of a text's raw syllables.
    fn terms_of(&self, mut words: Vec<String>, correct: bool) -> Vec<String> {
        if correct {
            for word in &mut words {
                if let Some(fixed) = self.corrector.correct(word).filter(|f| f != word) {
                    *word = fixed.to_owned();
                }
            }
        }
        for word in &mut words {
            unify_y(word);
        }
        self.lexicon.rewrite(&words)
    }
}

/// Syllables and adjacent pairs, with their raw weights (before IDF).
fn features_of(terms: &[String]) -> Vec<(String, f32)> {
    let mut out: Vec<(String, f32)> = terms.iter().map(|t| (t.clone(), 1.0)).collect();
    out.extend(terms.windows(2).map(|w| (format!("{}_{}", w[0], w[1]), W_PAIR)));
    out
}

/// Term counts folded into one weight per distinct feature: (1 + ln tf) × kind weight.
fn counted(features: Vec<(String, f32)>) -> Vec<(String, f32)> {
    let mut counts: HashMap<String, (u32, f32)> = HashMap::new();
    for (f, w) in features {
        counts.entry(f).or_insert((0, w)).0 += 1;
    }
    let mut out: Vec<(String, f32)> =
        counts.into_iter().map(|(f, (n, w))| (f, w * (1.0 + (n as f32).ln()))).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn normalise(v: &mut Sparse) {
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
}

/// An intent's texts split into syllables: its phrasings, its topic, its answer.
type RawIntent = (Vec<Vec<String>>, Vec<String>, Vec<String>);

/// The built index of one knowledge base.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub(crate) analyzer: Analyzer,
    features: HashMap<String, Feature>,
    idf: Vec<f32>,
    /// The weight a feature the knowledge base never uses gets.
    unknown_idf: f32,
    /// How many texts (phrasings, topics, answers) use each feature: a feature only the
    /// left-out phrasing uses is unknown to the rest of the knowledge base.
    feature_texts: Vec<u32>,
    /// Feature → (phrasing, weight) of normalised phrasing vectors.
    phrase_postings: Vec<Vec<(u32, f32)>>,
    /// Feature → (intent, weight) of unnormalised intent vectors (sum of phrasings and topic).
    intent_postings: Vec<Vec<(u32, f32)>>,
    /// Feature → (intent, weight) of normalised answer vectors.
    answer_postings: Vec<Vec<(u32, f32)>>,
    /// Squared norm of each unnormalised intent vector.
    intent_norm2: Vec<f32>,
    /// Each phrasing's dot product with its intent's unnormalised vector.
    phrase_in_intent: Vec<f32>,
    /// The intent of each phrasing.
    pub(crate) phrase_intent: Vec<u32>,
    /// The terms of each phrasing, kept for calibration.
    pub(crate) phrase_terms: Vec<Vec<String>>,
    /// Folded search key of each phrasing → its intent: a question typed exactly (or tapped
    /// on a suggestion button) is answered without doubt.
    pub(crate) exact: HashMap<String, u32>,
}

/// A question turned into a vector.
pub(crate) struct Query {
    vector: Sparse,
    /// Whether any of its terms is known.
    pub(crate) known: bool,
}

impl Index {
    pub(crate) fn build(intents: &[Intent], lexicon: Lexicon) -> Self {
        let mut analyzer = Analyzer::new(lexicon);
        analyzer.learn_lexicon();
        // Each text is split once; its syllables teach the corrector and then become terms.
        let raws: Vec<RawIntent> = intents
            .iter()
            .map(|intent| {
                let phrasings = std::iter::once(&intent.question)
                    .chain(&intent.examples)
                    .map(|t| analyzer.raw(t))
                    .collect();
                (phrasings, analyzer.raw(&intent.topic), analyzer.raw(&intent.answer))
            })
            .collect();
        for (phrasings, topic, answer) in &raws {
            phrasings.iter().for_each(|p| analyzer.learn(p));
            analyzer.learn(topic);
            analyzer.learn(answer);
        }
        let mut phrase_intent = Vec::new();
        let mut phrase_terms = Vec::new();
        let mut exact = HashMap::new();
        let mut topic_terms = Vec::with_capacity(intents.len());
        let mut answer_terms = Vec::with_capacity(intents.len());
        for (i, (intent, (phrasings, topic, answer))) in intents.iter().zip(raws).enumerate() {
            let texts = std::iter::once(&intent.question).chain(&intent.examples);
            for (text, raw) in texts.zip(phrasings) {
                phrase_intent.push(i as u32);
                phrase_terms.push(analyzer.terms_of(raw, false));
                exact.entry(ketnoi_text::search_key(text)).or_insert(i as u32);
            }
            topic_terms.push(analyzer.terms_of(topic, false));
            answer_terms.push(analyzer.terms_of(answer, false));
        }

        // Feature ids and document frequency over intents (phrasings and topic).
        let mut features: HashMap<String, Feature> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        let mut last_seen: Vec<u32> = Vec::new();
        let id_of = |f: &str, features: &mut HashMap<String, Feature>| -> Feature {
            if let Some(&id) = features.get(f) {
                return id;
            }
            let id = features.len() as Feature;
            features.insert(f.to_owned(), id);
            id
        };
        let mut phrase_vectors: Vec<Vec<(Feature, f32)>> = Vec::with_capacity(phrase_terms.len());
        for terms in &phrase_terms {
            let v = counted(features_of(terms))
                .into_iter()
                .map(|(f, w)| (id_of(&f, &mut features), w))
                .collect();
            phrase_vectors.push(v);
        }
        let mut vectorise = |texts: &[Vec<String>]| -> Vec<Sparse> {
            texts
                .iter()
                .map(|t| {
                    counted(features_of(t))
                        .into_iter()
                        .map(|(f, w)| (id_of(&f, &mut features), w))
                        .collect()
                })
                .collect()
        };
        let topic_vectors = vectorise(&topic_terms);
        let answer_vectors = vectorise(&answer_terms);
        let mut feature_texts = vec![0u32; features.len()];
        for v in phrase_vectors.iter().chain(&topic_vectors).chain(&answer_vectors) {
            for &(f, _) in v {
                feature_texts[f as usize] += 1;
            }
        }
        df.resize(features.len(), 0);
        last_seen.resize(features.len(), u32::MAX);
        let mut mark = |intent: u32, v: &Sparse, df: &mut Vec<u32>| {
            for &(f, _) in v {
                if last_seen[f as usize] != intent {
                    last_seen[f as usize] = intent;
                    df[f as usize] += 1;
                }
            }
        };
        for (p, v) in phrase_vectors.iter().enumerate() {
            mark(phrase_intent[p], v, &mut df);
        }
        for (i, v) in topic_vectors.iter().enumerate() {
            mark(i as u32, v, &mut df);
        }
        let n = intents.len().max(1) as f32;
        let idf: Vec<f32> = df.iter().map(|&d| ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0).collect();
        let unknown_idf = ((n + 1.0) / 1.0).ln() + 1.0;
        let weigh = |v: &mut Sparse| {
            for (f, w) in v.iter_mut() {
                // A feature only answers use has df 0: weigh it as rare but not unknown.
                *w *= idf[*f as usize];
            }
        };

        let mut phrase_postings = vec![Vec::new(); features.len()];
        let mut intent_raw: Vec<HashMap<Feature, f32>> = vec![HashMap::new(); intents.len()];
        let mut weighed_phrases = Vec::with_capacity(phrase_vectors.len());
        for (p, mut v) in phrase_vectors.into_iter().enumerate() {
            weigh(&mut v);
            normalise(&mut v);
            let intent = phrase_intent[p];
            weighed_phrases.push(v);
            for &(f, w) in &weighed_phrases[p] {
                phrase_postings[f as usize].push((p as u32, w));
                *intent_raw[intent as usize].entry(f).or_insert(0.0) += w;
            }
        }
        for (i, mut v) in topic_vectors.into_iter().enumerate() {
            weigh(&mut v);
            normalise(&mut v);
            for (f, w) in v {
                *intent_raw[i].entry(f).or_insert(0.0) += W_TOPIC * w;
            }
        }
        // Each phrasing's dot product with its own intent's sum, to take it back out.
        let phrase_in_intent: Vec<f32> = weighed_phrases
            .iter()
            .enumerate()
            .map(|(p, v)| {
                let sum = &intent_raw[phrase_intent[p] as usize];
                v.iter().map(|(f, w)| w * sum.get(f).copied().unwrap_or(0.0)).sum()
            })
            .collect();
        let mut intent_postings = vec![Vec::new(); features.len()];
        let mut intent_norm2 = vec![0.0; intents.len()];
        for (i, raw) in intent_raw.into_iter().enumerate() {
            let mut entries: Vec<(Feature, f32)> = raw.into_iter().collect();
            entries.sort_by_key(|e| e.0);
            for (f, w) in entries {
                intent_norm2[i] += w * w;
                intent_postings[f as usize].push((i as u32, w));
            }
        }
        let mut answer_postings = vec![Vec::new(); features.len()];
        for (i, mut v) in answer_vectors.into_iter().enumerate() {
            weigh(&mut v);
            normalise(&mut v);
            for (f, w) in v {
                answer_postings[f as usize].push((i as u32, w));
            }
        }
        Self {
            analyzer,
            features,
            idf,
            unknown_idf,
            feature_texts,
            phrase_postings,
            intent_postings,
            answer_postings,
            intent_norm2,
            phrase_in_intent,
            phrase_intent,
            phrase_terms,
            exact,
        }
    }

    pub(crate) fn intents(&self) -> usize {
        self.intent_norm2.len()
    }

    /// The normalised vector of a question's terms; features the index does not know weigh in
    /// its norm (they are what the knowledge base cannot answer) but match nothing.
    pub(crate) fn query(&self, terms: &[String]) -> Query {
        self.query_left_out(terms, false)
    }

    /// The query of a phrasing asked with itself left out: the features only it uses are
    /// unknown, as they would be to a knowledge base built without it.
    pub(crate) fn query_left_out(&self, terms: &[String], left_out: bool) -> Query {
        let mut vector = Vec::new();
        let mut unknown = Vec::new();
        for (f, w) in counted(features_of(terms)) {
            match self.features.get(&f) {
                Some(&id) if !(left_out && self.feature_texts[id as usize] <= 1) => {
                    vector.push((id, w * self.idf[id as usize]))
                }
                _ => unknown.push(w * self.unknown_idf),
            }
        }
        let known = !vector.is_empty();
        let norm2: f32 = vector.iter().map(|(_, w)| w * w).sum::<f32>()
            + unknown.iter().map(|w| w * w).sum::<f32>();
        let norm = norm2.sqrt();
        if norm > 0.0 {
            vector.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        Query { vector, known }
    }

    /// Every intent's score for a query; `exclude` leaves one phrasing out of the index (for
    /// leave-one-out calibration), as if the knowledge base had been built without it.
    pub(crate) fn scores(&self, query: &Query, exclude: Option<u32>) -> Vec<f32> {
        let n = self.intents();
        // Dense accumulators, with the phrasings touched listed so only they are read back.
        let mut phrase_dot = vec![0.0f32; self.phrase_intent.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut intent_dot = vec![0.0f32; n];
        let mut answer_dot = vec![0.0f32; n];
        for &(f, qw) in &query.vector {
            for &(p, w) in &self.phrase_postings[f as usize] {
                let slot = &mut phrase_dot[p as usize];
                if *slot == 0.0 {
                    touched.push(p);
                }
                *slot += qw * w;
            }
            for &(i, w) in &self.intent_postings[f as usize] {
                intent_dot[i as usize] += qw * w;
            }
            for &(i, w) in &self.answer_postings[f as usize] {
                answer_dot[i as usize] += qw * w;
            }
        }
        let mut best_phrase = vec![0.0f32; n];
        for &p in &touched {
            let dot = phrase_dot[p as usize];
            if Some(p) == exclude {
                continue;
            }
            let i = self.phrase_intent[p as usize] as usize;
            best_phrase[i] = best_phrase[i].max(dot);
        }
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let mut dot = intent_dot[i];
            let mut norm2 = self.intent_norm2[i];
            if let Some(p) = exclude.filter(|&p| self.phrase_intent[p as usize] as usize == i) {
                // Remove the phrasing's own (normalised) vector from the intent's sum.
                let own = phrase_dot[p as usize];
                norm2 = (norm2 - 2.0 * self.phrase_in_intent[p as usize] + 1.0).max(0.0);
                dot -= own;
            }
            let intent_cos = if norm2 > 0.0 { dot / norm2.sqrt() } else { 0.0 };
            out.push(W_PHRASE * best_phrase[i] + W_INTENT * intent_cos + W_ANSWER * answer_dot[i]);
        }
        out
    }
}
