//! Tolerance to typing mistakes: a word the vocabulary does not know is replaced by the most
//! frequent known word one edit away (a letter missing, added, changed, or two letters
//! swapped), so "can cuco" still means "căn cước".
//!
//! Candidates are found through deletions only (every word is indexed under the spellings one
//! deletion away), which covers all four kinds of edit with a single hash lookup per deletion
//! of the typed word.

use rustc_hash::FxHashMap as HashMap;

/// A vocabulary of folded words with their frequencies.
#[derive(Debug, Clone, Default)]
pub struct Corrector {
    counts: HashMap<String, u32>,
    deletions: HashMap<String, Vec<String>>,
}

/// Shortest word a correction is tried for: shorter ones are too easily another word.
const MIN_LEN: usize = 4;

fn deletions(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len())
        .map(move |i| chars.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, c)| *c).collect())
}

/// Damerau–Levenshtein distance of at most one, on characters.
fn within_one(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    match (ra.len(), rb.len()) {
        (0, 0) => true,
        (x, y) if x == y => {
            ra[1..] == rb[1..] || (x >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
        }
        (x, y) if x == y + 1 => ra[1..] == *rb,
        (x, y) if y == x + 1 => rb[1..] == *ra,
        _ => false,
    }
}

impl Corrector {
    /// An empty vocabulary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one occurrence of a folded word.
    pub fn add(&mut self, word: &str) {
        // Most words of a knowledge base are seen before: counted without a new key.
        if let Some(count) = self.counts.get_mut(word) {
            *count += 1;
            return;
        }
        self.counts.insert(word.to_owned(), 1);
        if word.chars().count() >= MIN_LEN - 1 {
            for d in deletions(word) {
                self.deletions.entry(d).or_default().push(word.to_owned());
            }
        }
    }

    /// Whether the word is known.
    pub fn knows(&self, word: &str) -> bool {
        self.counts.contains_key(word)
    }

    /// The word if known; else the most frequent known word one edit away (ties broken by
    /// spelling, so the answer never depends on hash order); else `None`. Numbers and short
    /// words are never corrected.
    pub fn correct<'a>(&'a self, word: &'a str) -> Option<&'a str> {
        if let Some((known, _)) = self.counts.get_key_value(word) {
            return Some(known.as_str());
        }
        if word.chars().count() < MIN_LEN || word.chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut best: Option<(&str, u32)> = None;
        let mut consider = |candidate: &'a str| {
            let count = self.counts.get(candidate).copied().unwrap_or(0);
            if count == 0 || !within_one(word, candidate) {
                return;
            }
            let better = match best {
                None => true,
                Some((b, c)) => count > c || (count == c && candidate < b),
            };
            if better {
                best = Some((candidate, count));
            }
        };
        // The typed word with one letter fewer may be a known word (a letter was added) or
        // share a deletion with one (a letter changed, or two swapped).
        for d in deletions(word) {
            if let Some((known, _)) = self.counts.get_key_value(&d) {
                consider(known.as_str());
            }
            if let Some(list) = self.deletions.get(&d) {
                list.iter().for_each(|c| consider(c.as_str()));
            }
        }
        // A letter missing: the typed word is a deletion of a known one.
        if let Some(list) = self.deletions.get(word) {
            list.iter().for_each(|c| consider(c.as_str()));
        }
        best.map(|(w, _)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Corrector {
        let mut c = Corrector::new();
        for w in ["cuoc", "cuoc", "truoc", "dang", "tru", "thuong", "khai", "sinh", "hoan"] {
            c.add(w);
        }
        c
    }

    #[test]
    fn one_edit_is_forgiven() {
        let c = vocabulary();
        assert_eq!(c.correct("cuco"), Some("cuoc")); // swapped
        assert_eq!(c.correct("cuocc"), Some("cuoc")); // added
        assert_eq!(c.correct("thuog"), Some("thuong")); // missing
        assert_eq!(c.correct("khsi"), Some("khai")); // changed
        assert_eq!(c.correct("sinh"), Some("sinh"));
    }

    #[test]
    fn far_short_and_numeric_words_are_not_corrected() {
        let c = vocabulary();
        assert_eq!(c.correct("xyzzy"), None);
        assert_eq!(c.correct("tro"), None);
        assert_eq!(c.correct("1134"), None);
        assert!(within_one("abc", "acb"));
        assert!(!within_one("abcd", "badc"));
        assert!(within_one("", "a"));
    }
}
