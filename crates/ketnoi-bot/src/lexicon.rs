//! The domain lexicon: groups of phrases that mean the same thing in citizens' questions
//! ("bằng lái" and "giấy phép lái xe", "làm lại" and "cấp lại"). Before matching, every phrase
//! of a group is rewritten to the group's first phrase, in the knowledge base and in questions
//! alike, so a question and an example that say the same thing in different words meet.
//!
//! The lexicon ships as `data/synonyms.txt` and is compiled in; an account can extend it.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

use crate::kb::LineError;

const BUILTIN: &str = include_str!("../data/synonyms.txt");

/// A set of synonym groups, matched on folded syllables.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Folded phrase (syllables joined by a space) → the folded canonical syllables.
    to_canonical: HashMap<String, Vec<String>>,
    /// The most syllables in a phrase.
    longest: usize,
    /// The first syllable of every phrase: most positions of a text start none, and are
    /// passed over with one lookup.
    starts: HashSet<String>,
}

fn folded_syllables(phrase: &str) -> Vec<String> {
    ketnoi_text::syllables(phrase).into_iter().map(|s| s.folded).collect()
}

impl Lexicon {
    /// The lexicon shipped with ketnoi.
    pub fn builtin() -> &'static Self {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Self::parse(BUILTIN).unwrap_or_default())
    }

    /// Reads groups, one per line, phrases separated by `|`, the canonical one first; `#`
    /// starts a comment line. A phrase may belong to one group only.
    pub fn parse(text: &str) -> Result<Self, LineError> {
        let mut lexicon = Self::default();
        lexicon.extend(text)?;
        Ok(lexicon)
    }

    /// Adds the groups of another text in the same format.
    pub fn extend(&mut self, text: &str) -> Result<(), LineError> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut phrases = line.split('|').map(folded_syllables);
            let canonical = phrases.next().unwrap_or_default();
            if canonical.is_empty() {
                return Err(LineError::new(n + 1, "a group starts with its canonical phrase"));
            }
            for phrase in std::iter::once(canonical.clone()).chain(phrases) {
                if phrase.is_empty() {
                    return Err(LineError::new(n + 1, "an empty phrase"));
                }
                let key = phrase.join(" ");
                match self.to_canonical.get(&key) {
                    Some(existing) if *existing != canonical => {
                        let msg = format!("\"{key}\" already belongs to another group");
                        return Err(LineError::new(n + 1, msg));
                    }
                    _ => {}
                }
                self.longest = self.longest.max(phrase.len());
                self.starts.insert(phrase[0].clone());
                self.to_canonical.insert(key, canonical.clone());
            }
        }
        Ok(())
    }

    /// How many phrases it knows.
    pub fn len(&self) -> usize {
        self.to_canonical.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.to_canonical.is_empty()
    }

    /// Every syllable any phrase uses (for the typo corrector's vocabulary).
    pub fn syllables(&self) -> impl Iterator<Item = &str> {
        self.to_canonical.keys().flat_map(|k| k.split(' '))
    }

    /// The folded syllables with every known phrase (longest first, left to right) replaced
    /// by its group's canonical phrase.
    pub fn rewrite(&self, folded: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(folded.len());
        let mut i = 0;
        let mut key = String::new();
        while i < folded.len() {
            if !self.starts.contains(&folded[i]) {
                out.push(folded[i].clone());
                i += 1;
                continue;
            }
            let mut matched = None;
            for n in (1..=self.longest.min(folded.len() - i)).rev() {
                key.clear();
                for (j, s) in folded[i..i + n].iter().enumerate() {
                    if j > 0 {
                        key.push(' ');
                    }
                    key.push_str(s);
                }
                if let Some(canonical) = self.to_canonical.get(&key) {
                    matched = Some((n, canonical));
                    break;
                }
            }
            match matched {
                Some((n, canonical)) => {
                    out.extend(canonical.iter().cloned());
                    i += n;
                }
                None => {
                    out.push(folded[i].clone());
                    i += 1;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn words(s: &str) -> Vec<String> {
        folded_syllables(s)
    }

    #[test]
    fn the_shipped_lexicon_parses_whole() {
        let lexicon = Lexicon::parse(BUILTIN).unwrap();
        assert!(lexicon.len() > 100, "{}", lexicon.len());
        assert_eq!(Lexicon::builtin().len(), lexicon.len());
    }

    #[test]
    fn variants_become_the_canonical_phrase() {
        let lexicon =
            Lexicon::parse("giấy phép lái xe | bằng lái | bằng lái xe\ncấp lại | làm lại").unwrap();
        assert_eq!(
            lexicon.rewrite(&words("lam lai bang lai xe")),
            words("cấp lại giấy phép lái xe")
        );
        assert_eq!(lexicon.rewrite(&words("bằng lái")), words("giấy phép lái xe"));
        assert_eq!(lexicon.rewrite(&words("xe may")), words("xe máy"));
    }

    #[test]
    fn a_phrase_in_two_groups_is_refused_with_its_line() {
        let err = Lexicon::parse("a b | c\n# note\nd | c").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(Lexicon::parse("x | | y").is_err());
    }
}
