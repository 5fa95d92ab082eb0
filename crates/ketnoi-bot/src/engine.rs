//! The index and the scorer.
//!
//! Every text (a canonical question, an example, a topic, an answer, a citizen's question) is
//! analysed the same way: syllables with canonical tones → abbreviations expanded → (questions
//! only) typing mistakes corrected against the knowledge base's own words, and a syllable
//! typed with other letter marks than the knowledge base ever gives it ("vàng" where it
//! writes "vắng") made a term nothing matches → folded, with `y`
//! after a consonant spelled `i` ("ký"/"kí") → synonym phrases rewritten to their canonical
//! form. Its features are the folded syllables and adjacent pairs of them, weighted by TF-IDF
//! over intents and normalised.
//!
//! An intent is scored from three cosines against the question: the best single phrasing
//! (canonical question or example), the intent as a whole (all phrasings and the topic
//! together), and its answer text. Phrasings say how people ask; the whole intent pools their
//! words; the answer catches words nobody thought to put in an example.

use rustc_hash::FxHashMap as HashMap;

use ketnoi_core::Intent;
use ketnoi_text::{Abbreviations, Corrector, Syllable};

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
pub(crate) type Sparse = Vec<(Feature, f32)>;

/// Turns text into matching terms.
#[derive(Debug, Clone)]
pub(crate) struct Analyzer {
    lexicon: Lexicon,
    corrector: Corrector,
    /// Folded syllable → the forms with marks the knowledge base writes it in ("vang" →
    /// "vắng"), to tell a question's "vàng" from them.
    marked: HashMap<String, Vec<String>>,
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
        Self { lexicon, corrector: Corrector::new(), marked: HashMap::default() }
    }

    /// The syllables after abbreviations, before anything else.
    pub(crate) fn raw(&self, text: &str) -> Vec<Syllable> {
        Abbreviations::builtin().expand(&ketnoi_text::syllables(text))
    }

    /// Learns the words of a knowledge-base text (given by [`Self::raw`]), so questions can be
    /// corrected toward them and their marks compared.
    pub(crate) fn learn(&mut self, raw: &[Syllable]) {
        for s in raw {
            self.corrector.add(&s.folded);
            if !s.is_plain() {
                let forms = self.marked.entry(s.folded.clone()).or_default();
                if !forms.contains(&s.accented) {
                    forms.push(s.accented.clone());
                }
            }
        }
    }

    /// Whether a syllable typed with marks is a different word from every way the knowledge
    /// base writes its folded form: "vàng" (gold) is not "vắng" (absent), though both fold to
    /// "vang". Only the letters' marks count (â, ă, ê, ô, ơ, ư, đ), not the tone, which a
    /// slip of the finger changes ("cưu hỏa"). A syllable the knowledge base never writes
    /// with marks is not judged.
    fn other_word(&self, s: &Syllable) -> bool {
        if s.is_plain() {
            return false;
        }
        let Some(forms) = self.marked.get(&s.folded) else { return false };
        let typed = ketnoi_text::toneless(&s.accented);
        forms.iter().all(|f| ketnoi_text::toneless(f) != typed)
    }

    pub(crate) fn learn_lexicon(&mut self) {
        let words: Vec<String> = self.lexicon.syllables().map(str::to_owned).collect();
        for word in words {
            self.corrector.add(&word);
        }
    }

    /// The matching terms of a text; `correct` fixes typing mistakes (for questions).
    pub(crate) fn terms(&self, text: &str, correct: bool) -> Vec<String> {
        self.terms_of(&self.raw(text), correct)
    }

    /// The matching terms of a text's raw syllables. A question's syllable that is another
    /// word than the knowledge base's with the same letters (see [`Self::other_word`]) becomes
    /// a term nothing matches, so "giá vàng" does not meet "tạm vắng".
    fn terms_of(&self, raw: &[Syllable], correct: bool) -> Vec<String> {
        let mut words: Vec<String> = raw.iter().map(|s| s.folded.clone()).collect();
        if correct {
            for (word, s) in words.iter_mut().zip(raw) {
                if self.other_word(s) {
                    word.push('~');
                } else if let Some(fixed) = self.corrector.correct(word).filter(|f| f != word) {
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

/// `f` over every item, on as many threads as the machine offers when there are enough items
/// to be worth it (building a knowledge base of thousands of intents is mostly text analysis).
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const WORTH_IT: usize = 512;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || items.len() < WORTH_IT {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        // A worker only panics if `f` does; then so does the caller, as it would without threads.
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// A feature before it has an id: one term (its id, then all ones) or two adjacent terms
/// (their ids).
type Key = u64;

/// The low half of a single term's key.
const ONE_TERM: u64 = u32::MAX as u64;

/// Term ids, and adjacent pairs of them, with their raw weights (before IDF).
fn features_of(ids: &[u32]) -> Vec<(Key, f32)> {
    let mut out: Vec<(Key, f32)> =
        ids.iter().map(|&t| ((u64::from(t) << 32) | ONE_TERM, 1.0)).collect();
    out.extend(ids.windows(2).map(|w| ((u64::from(w[0]) << 32) | u64::from(w[1]), W_PAIR)));
    out
}

/// Term counts folded into one weight per distinct feature: (1 + ln tf) × kind weight, in
/// key order.
fn counted(mut features: Vec<(Key, f32)>) -> Vec<(Key, f32)> {
    features.sort_unstable_by_key(|f| f.0);
    let mut out: Vec<(Key, f32)> = Vec::with_capacity(features.len());
    let mut run = 0u32;
    for (i, &(key, w)) in features.iter().enumerate() {
        run += 1;
        if features.get(i + 1).is_none_or(|next| next.0 != key) {
            out.push((key, w * (1.0 + (run as f32).ln())));
            run = 0;
        }
    }
    out
}

/// Term → id, for the terms of a knowledge base.
#[derive(Debug, Clone, Default)]
struct Vocabulary(HashMap<String, u32>);

impl Vocabulary {
    /// The ids of terms, new terms added.
    fn learn(&mut self, terms: &[String]) -> Vec<u32> {
        terms
            .iter()
            .map(|t| match self.0.get(t) {
                Some(&id) => id,
                None => {
                    let id = self.0.len() as u32;
                    self.0.insert(t.clone(), id);
                    id
                }
            })
            .collect()
    }

    /// The ids of a question's terms; a term the knowledge base never uses gets an id of its
    /// own above all known ones (the same for each use of it), so it counts but matches nothing.
    fn ids(&self, terms: &[String]) -> Vec<u32> {
        let mut unknown: Vec<&str> = Vec::new();
        terms
            .iter()
            .map(|t| match self.0.get(t) {
                Some(&id) => id,
                None => {
                    let at = unknown.iter().position(|u| u == t).unwrap_or_else(|| {
                        unknown.push(t);
                        unknown.len() - 1
                    });
                    (self.0.len() + at) as u32
                }
            })
            .collect()
    }
}

fn normalise(v: &mut Sparse) {
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w /= norm);
    }
}

/// An intent's texts as terms: its phrasings, its topic, its answer.
type RawIntent = (Vec<Vec<String>>, Vec<String>, Vec<String>);
/// The same as syllables.
type RawTexts = (Vec<Vec<Syllable>>, Vec<Syllable>, Vec<Syllable>);

/// The built index of one knowledge base.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub(crate) analyzer: Analyzer,
    vocabulary: Vocabulary,
    features: HashMap<Key, Feature>,
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
    pub(crate) vector: Sparse,
    /// Whether any of its terms is known.
    pub(crate) known: bool,
}

impl Index {
    pub(crate) fn build(intents: &[Intent], lexicon: Lexicon) -> Self {
        let mut analyzer = Analyzer::new(lexicon);
        analyzer.learn_lexicon();
        // Each text is split and analysed once (in parallel for large knowledge bases); its
        // raw syllables then teach the corrector, which only questions use.
        let analysed: Vec<(RawTexts, RawIntent)> = par_map(intents, |intent| {
            let phrasings: Vec<Vec<Syllable>> =
                intent.phrasings().map(|t| analyzer.raw(t)).collect();
            let (topic, answer) = (analyzer.raw(&intent.topic), analyzer.raw(&intent.answer));
            let terms = (
                phrasings.iter().map(|p| analyzer.terms_of(p, false)).collect(),
                analyzer.terms_of(&topic, false),
                analyzer.terms_of(&answer, false),
            );
            ((phrasings, topic, answer), terms)
        });
        let mut raws = Vec::with_capacity(analysed.len());
        let mut analysed_terms = Vec::with_capacity(analysed.len());
        for (raw, terms) in analysed {
            raws.push(raw);
            analysed_terms.push(terms);
        }
        for (phrasings, topic, answer) in &raws {
            phrasings.iter().for_each(|p| analyzer.learn(p));
            analyzer.learn(topic);
            analyzer.learn(answer);
        }
        drop(raws);
        let analysed = analysed_terms;
        let mut phrase_intent = Vec::new();
        let mut phrase_terms = Vec::new();
        let mut exact = HashMap::default();
        let mut topic_terms = Vec::with_capacity(intents.len());
        let mut answer_terms = Vec::with_capacity(intents.len());
        for (i, (intent, (phrasings, topic, answer))) in intents.iter().zip(analysed).enumerate() {
            let texts = intent.phrasings();
            for (text, terms) in texts.zip(phrasings) {
                phrase_intent.push(i as u32);
                phrase_terms.push(terms);
                exact.entry(ketnoi_text::search_key(text)).or_insert(i as u32);
            }
            topic_terms.push(topic);
            answer_terms.push(answer);
        }

        // Feature ids and document frequency over intents (phrasings and topic).
        let mut features: HashMap<Key, Feature> = HashMap::default();
        let mut df: Vec<u32> = Vec::new();
        let mut last_seen: Vec<u32> = Vec::new();
        // Terms get ids in order (phrasings, topics, answers), then each text's features are
        // counted apart (in parallel for large knowledge bases) and given ids in order, so no
        // id depends on the threads.
        let mut vocabulary = Vocabulary::default();
        let mut learn = |texts: &[Vec<String>]| -> Vec<Vec<u32>> {
            texts.iter().map(|t| vocabulary.learn(t)).collect()
        };
        let (phrase_ids, topic_ids, answer_ids) =
            (learn(&phrase_terms), learn(&topic_terms), learn(&answer_terms));
        let counted_all = |texts: &[Vec<u32>]| par_map(texts, |t| counted(features_of(t)));
        let mut vectorise = |texts: &[Vec<u32>]| -> Vec<Sparse> {
            counted_all(texts)
                .into_iter()
                .map(|c| {
                    c.into_iter()
                        .map(|(key, w)| {
                            let next = features.len() as Feature;
                            (*features.entry(key).or_insert(next), w)
                        })
                        .collect()
                })
                .collect()
        };
        let phrase_vectors = vectorise(&phrase_ids);
        let topic_vectors = vectorise(&topic_ids);
        let answer_vectors = vectorise(&answer_ids);
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
        let mut intent_raw: Vec<HashMap<Feature, f32>> = vec![HashMap::default(); intents.len()];
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
            vocabulary,
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

    /// How many features the index knows.
    pub(crate) fn features(&self) -> usize {
        self.idf.len()
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
        for (key, w) in counted(features_of(&self.vocabulary.ids(terms))) {
            match self.features.get(&key) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer(kb_texts: &[&str]) -> Analyzer {
        let mut analyzer = Analyzer::new(Lexicon::default());
        for text in kb_texts {
            let raw = analyzer.raw(text);
            analyzer.learn(&raw);
        }
        analyzer
    }

    #[test]
    fn a_word_typed_with_other_letter_marks_is_another_word() {
        let a = analyzer(&["Khai báo tạm vắng ở đâu?", "Gọi cứu hỏa số mấy?"]);
        // "vàng" (gold) is not "vắng" (absent): it matches nothing.
        assert_eq!(a.terms("giá vàng", true), ["gia", "vang~"]);
        assert_eq!(a.terms("tạm vắng", true), ["tam", "vang"]);
        // Without marks nothing tells them apart; a tone alone is a slip of the finger.
        assert_eq!(a.terms("gia vang", true), ["gia", "vang"]);
        assert_eq!(a.terms("cưu hỏa", true), ["cuu", "hoa"]);
        // Knowledge-base texts themselves are never judged.
        assert_eq!(a.terms("giá vàng", false), ["gia", "vang"]);
    }
}
