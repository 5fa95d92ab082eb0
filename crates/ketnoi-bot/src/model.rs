//! A linear model trained on the knowledge base when it is built.
//!
//! Retrieval ([`crate::engine`]) asks "which phrasing is this question most like?"; the model
//! asks "which words tell this intent from the others?". It is a softmax regression over the
//! index's features (folded syllables and pairs, weighted by IDF) and a few of its own (see
//! [`Extras`]), trained on every phrasing, on the same without its marks, on copies with words
//! dropped (a citizen rarely says all of it), and on each sentence of the intent's answer —
//! the answer is where the words no example uses live ("camera", "phạt nguội"). Nothing is
//! fetched: the model is learnt from the knowledge base alone, in tens of milliseconds for
//! the usual few dozen intents.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::engine::{Index, Sparse};

/// Passes over the training rows.
const EPOCHS: usize = 12;
/// The first step size; it shrinks as 1 / (1 + epoch / 4).
const LEARNING_RATE: f32 = 0.5;
/// L2 penalty per epoch. Weaker, the model grows sure of one telling word alone ("vang" is
/// "tạm vắng" in "giá vàng hôm nay" typed without marks); stronger, it ranks worse.
const DECAY: f32 = 3e-4;
/// The most weights trained (4 bytes each while training).
const MAX_WEIGHTS: usize = 8_000_000;
/// The most intents a model is trained for: training time grows with intents × training rows
/// (and calibration trains [`crate::FOLDS`] more), about a second at this size on one core.
const MAX_CLASSES: usize = 200;
/// Weights smaller than this are dropped after training.
const PRUNE: f32 = 1e-3;
/// How much an answer's sentence counts against a phrasing: as much (tried 0.3, 1 and 2 on
/// the tuning sets; 1 and 2 ranked alike, 0.3 two points lower).
const ANSWER_WEIGHT: f32 = 1.0;
/// Copies of each phrasing with words dropped.
const DROPPED_COPIES: usize = 3;
/// The chance each word is dropped in such a copy.
const DROP: f32 = 0.25;
/// How much the extra features weigh against the index's.
const EXTRA_WEIGHT: f32 = 0.5;

/// One training text: its vector, its intent, how much it counts, and the phrasing it comes
/// from (none for an answer's sentence), so calibration can train without it.
struct Row {
    x: Sparse,
    class: u32,
    weight: f32,
    phrasing: Option<u32>,
}

/// Features only the model reads, beyond the index's folded ones: the syllables as typed with
/// their marks ("mất" and "mật" are different words, which folding merges). A question typed
/// without marks has none, and the model is trained on every phrasing both ways, so it does
/// not lean on them. (Letter triples of each word were tried too: no better on the tuning
/// sets, and twice the training time.)
#[derive(Debug)]
struct Extras {
    ids: HashMap<String, u32>,
    /// The first id: the index's features come before.
    base: u32,
}

impl Extras {
    fn names(text: &str) -> Vec<String> {
        ketnoi_text::syllables(text)
            .into_iter()
            .filter(|s| !s.is_plain())
            .map(|s| s.accented)
            .collect()
    }

    /// The extra features of a training text, normalised and weighed, new ones given ids.
    fn learn(&mut self, text: &str) -> Sparse {
        let mut counts: HashMap<u32, f32> = HashMap::default();
        for name in Self::names(text) {
            let next = self.base + self.ids.len() as u32;
            let id = *self.ids.entry(name).or_insert(next);
            *counts.entry(id).or_insert(0.0) += 1.0;
        }
        weighed(counts)
    }

    /// The extra features of a question that the model knows.
    fn known(&self, text: &str) -> Sparse {
        let mut counts: HashMap<u32, f32> = HashMap::default();
        for name in Self::names(text) {
            if let Some(&id) = self.ids.get(&name) {
                *counts.entry(id).or_insert(0.0) += 1.0;
            }
        }
        weighed(counts)
    }

    fn features(&self) -> usize {
        self.base as usize + self.ids.len()
    }
}

/// Counts as (1 + ln n), normalised to [`EXTRA_WEIGHT`].
fn weighed(counts: HashMap<u32, f32>) -> Sparse {
    let mut v: Sparse = counts.into_iter().map(|(f, n)| (f, 1.0 + n.ln())).collect();
    v.sort_by_key(|e| e.0);
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|(_, w)| *w *= EXTRA_WEIGHT / norm);
    }
    v
}

/// The index's vector of a text, then its extra features.
fn joined(mut indexed: Sparse, extra: Sparse) -> Sparse {
    indexed.extend(extra);
    indexed
}

/// Everything a model is trained on, built once: calibration trains several models on it,
/// each without some phrasings.
pub(crate) struct Training {
    extras: Arc<Extras>,
    rows: Vec<Row>,
    classes: usize,
}

impl Training {
    /// Whether a model is trained for a knowledge base this size: beyond it (many hundreds of
    /// intents) the bot answers by retrieval alone.
    pub(crate) fn fits(index: &Index) -> bool {
        let classes = index.intents();
        classes <= MAX_CLASSES && index.features().saturating_mul(classes) <= MAX_WEIGHTS
    }

    /// The rows of a knowledge base: every phrasing (`texts[p]` is phrasing `p`'s text), the
    /// same without its marks (as many citizens type), copies of that with words dropped, and
    /// each sentence of each intent's answer (its text and terms).
    pub(crate) fn new(
        index: &Index,
        texts: &[&str],
        answers: &[Vec<(String, Vec<String>)>],
    ) -> Self {
        let mut extras = Extras { ids: HashMap::default(), base: index.features() as u32 };
        let mut rows = Vec::new();
        let mut rng = Rng::new(index.phrase_terms.len() as u64);
        for (p, terms) in index.phrase_terms.iter().enumerate() {
            let (class, phrasing) = (index.phrase_intent[p], Some(p as u32));
            let indexed = index.query(terms).vector;
            let typed = extras.learn(texts.get(p).copied().unwrap_or_default());
            rows.push(Row { x: joined(indexed.clone(), typed), class, weight: 1.0, phrasing });
            rows.push(Row { x: indexed, class, weight: 1.0, phrasing });
            for _ in 0..DROPPED_COPIES {
                let kept: Vec<String> =
                    terms.iter().filter(|_| rng.unit() >= DROP).cloned().collect();
                if !kept.is_empty() {
                    rows.push(Row { x: index.query(&kept).vector, class, weight: 1.0, phrasing });
                }
            }
        }
        for (class, sentences) in answers.iter().enumerate() {
            for (text, terms) in sentences {
                let x = joined(index.query(terms).vector, extras.learn(text));
                rows.push(Row { x, class: class as u32, weight: ANSWER_WEIGHT, phrasing: None });
            }
        }
        Self { extras: Arc::new(extras), rows, classes: index.intents() }
    }
}

/// Weights of a trained model, by feature.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    extras: Arc<Extras>,
    /// Feature → (intent, weight), weights near zero left out.
    postings: Vec<Vec<(u32, f32)>>,
    bias: Vec<f32>,
}

/// A small deterministic generator: the same knowledge base always trains the same model.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn softmax(logits: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let mut sum = 0.0;
    for l in logits.iter_mut() {
        *l = (*l - max).exp();
        sum += *l;
    }
    if sum > 0.0 {
        logits.iter_mut().for_each(|l| *l /= sum);
    }
}

impl Model {
    /// Trains on every row but those of the phrasings `left_out` names, by stochastic gradient
    /// descent on the cross-entropy, rows in a shuffled order that depends only on the data.
    pub(crate) fn train(data: &Training, left_out: &dyn Fn(usize) -> bool) -> Self {
        let rows: Vec<&Row> = data
            .rows
            .iter()
            .filter(|r| !r.phrasing.is_some_and(|p| left_out(p as usize)))
            .collect();
        let (features, classes) = (data.extras.features(), data.classes);
        let mut w = vec![0.0f32; features * classes];
        let mut bias = vec![0.0f32; classes];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = Rng::new(rows.len() as u64);
        let mut p = vec![0.0f32; classes];
        for epoch in 0..EPOCHS {
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let lr = LEARNING_RATE / (1.0 + epoch as f32 / 4.0);
            for &r in &order {
                let row = rows[r];
                p.copy_from_slice(&bias);
                for &(f, x) in &row.x {
                    let wf = &w[f as usize * classes..(f as usize + 1) * classes];
                    p.iter_mut().zip(wf).for_each(|(p, w)| *p += x * w);
                }
                softmax(&mut p);
                p[row.class as usize] -= 1.0;
                let step = lr * row.weight;
                for &(f, x) in &row.x {
                    let wf = &mut w[f as usize * classes..(f as usize + 1) * classes];
                    wf.iter_mut().zip(&p).for_each(|(w, g)| *w -= step * x * g);
                }
                bias.iter_mut().zip(&p).for_each(|(b, g)| *b -= step * 0.1 * g);
            }
            let keep = (1.0 - lr * DECAY * rows.len() as f32).max(0.0);
            w.iter_mut().for_each(|w| *w *= keep);
        }
        let postings = (0..features)
            .map(|f| {
                w[f * classes..(f + 1) * classes]
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.abs() >= PRUNE)
                    .map(|(c, &w)| (c as u32, w))
                    .collect()
            })
            .collect();
        Self { extras: data.extras.clone(), postings, bias }
    }

    /// Every intent's probability for a question: its index vector and its text.
    pub(crate) fn probabilities(&self, indexed: &Sparse, text: &str) -> Vec<f32> {
        let extra = self.extras.known(text);
        let mut p = self.bias.clone();
        for &(f, v) in indexed.iter().chain(&extra) {
            for &(c, w) in &self.postings[f as usize] {
                p[c as usize] += v * w;
            }
        }
        softmax(&mut p);
        p
    }
}
