//! Abbreviations and teencode: "ko" → "không", "dc" → "được", "cccd" → "căn cước công dân".
//!
//! The table is data (`data/abbreviations.txt`), parsed once; anyone can add a line. An entry
//! may refuse to expand next to certain words, because a short form without diacritics can be
//! an ordinary word in context ("bị hong" is "bị hỏng", broken).

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use crate::tokens::Syllable;

const BUILTIN: &str = include_str!("../data/abbreviations.txt");

/// One expansion and the words around which it does not apply (folded).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    expansion: Vec<Syllable>,
    not_after: Vec<String>,
    not_before: Vec<String>,
}

/// A table of abbreviations.
#[derive(Debug, Clone, Default)]
pub struct Abbreviations {
    /// Keyed by the short form as it must be typed (lowercase; `đ` written `d` for forms
    /// without other marks).
    entries: HashMap<String, Entry>,
}

/// A line of an abbreviation table that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TableError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The key a typed word is looked up by: lowercase; if it has no marks other than `đ`, that
/// `đ` is written `d`, so "đc" and "dc" meet while "cả" stays away from "ca".
fn lookup_key(word: &str) -> String {
    let lower = crate::tones::canonical(&word.to_lowercase());
    let plain = lower.replace('đ', "d");
    if plain.is_ascii() { plain } else { lower }
}

impl Abbreviations {
    /// The table shipped with ketnoi.
    pub fn builtin() -> &'static Self {
        static TABLE: OnceLock<Abbreviations> = OnceLock::new();
        TABLE.get_or_init(|| Self::parse(BUILTIN).unwrap_or_default())
    }

    /// Reads a table in the format of `data/abbreviations.txt`.
    pub fn parse(text: &str) -> Result<Self, TableError> {
        let mut entries = HashMap::default();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: &str| TableError { line: n + 1, message: message.to_owned() };
            let mut parts = line.split('|');
            let head = parts.next().unwrap_or_default();
            let Some((short, expansion)) = head.split_once('=') else {
                return Err(error("expected `short = expansion`"));
            };
            let short = short.trim();
            let expansion = crate::tokens::syllables(expansion);
            if short.is_empty() || short.contains(char::is_whitespace) || expansion.is_empty() {
                return Err(error("the short form is one word and the expansion is not empty"));
            }
            let mut entry = Entry { expansion, not_after: Vec::new(), not_before: Vec::new() };
            for clause in parts {
                let (name, words) = clause.split_once(':').ok_or_else(|| error("bad clause"))?;
                let words = crate::search_terms(words);
                match name.trim() {
                    "not after" => entry.not_after = words,
                    "not before" => entry.not_before = words,
                    _ => return Err(error("a clause is `not after:` or `not before:`")),
                }
            }
            if entries.insert(lookup_key(short), entry).is_some() {
                return Err(error("this short form is already listed"));
            }
        }
        Ok(Self { entries })
    }

    /// How many short forms the table knows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for a syllable as [`crate::syllables`] gives it (already lowercase with
    /// canonical tones), without allocating for the common plain words.
    fn lookup(&self, accented: &str) -> Option<&Entry> {
        if accented.is_ascii() {
            return self.entries.get(accented);
        }
        if accented.chars().all(|c| c.is_ascii() || c == 'đ') {
            return self.entries.get(&accented.replace('đ', "d"));
        }
        self.entries.get(accented)
    }

    /// The syllables with every abbreviation expanded in place.
    pub fn expand(&self, words: &[Syllable]) -> Vec<Syllable> {
        let mut out = Vec::with_capacity(words.len() + 4);
        for (i, word) in words.iter().enumerate() {
            let entry = self.lookup(&word.accented).filter(|e| {
                let before = i.checked_sub(1).map(|j| words[j].folded.as_str());
                let after = words.get(i + 1).map(|w| w.folded.as_str());
                !before.is_some_and(|b| e.not_after.iter().any(|w| w == b))
                    && !after.is_some_and(|a| e.not_before.iter().any(|w| w == a))
            });
            match entry {
                Some(e) => out.extend(e.expansion.iter().cloned()),
                None => out.push(word.clone()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::tokens::syllables;

    fn expand(s: &str) -> String {
        let words = Abbreviations::builtin().expand(&syllables(s));
        words.iter().map(|w| w.accented.as_str()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_shipped_table_parses_whole() {
        let table = Abbreviations::parse(BUILTIN).expect("data/abbreviations.txt parses");
        assert!(table.len() > 50);
        assert_eq!(Abbreviations::builtin().len(), table.len());
    }

    #[test]
    fn teencode_and_paper_names_expand() {
        assert_eq!(expand("ko dc"), "không được");
        assert_eq!(expand("K đc à"), "không được à");
        assert_eq!(expand("lam j"), "lam gì");
        assert_eq!(expand("mat bn tien"), "mat bao nhiêu tien");
        assert_eq!(expand("CCCD"), "căn cước công dân");
        assert_eq!(expand("doi gplx"), "doi giấy phép lái xe");
        assert_eq!(expand("cmnd cu"), "chứng minh nhân dân cu");
        assert_eq!(expand("tthc"), "thủ tục hành chính");
        assert_eq!(expand("hong biet"), "không biet");
    }

    #[test]
    fn context_keeps_ordinary_words() {
        assert_eq!(expand("the bi hong"), "the bi hong");
        assert_eq!(expand("bn oi"), "bn oi");
        // A short form without marks does not swallow a word typed with them.
        assert_eq!(expand("cả nhà"), "cả nhà");
        assert_eq!(expand("hỏng"), "hỏng");
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let err = Abbreviations::parse("# ok\nko = không\nnonsense").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(Abbreviations::parse("ko = không\nko = có").is_err());
        assert!(Abbreviations::parse("x = y | maybe: z").is_err());
        assert!(Abbreviations::parse("x =   ").is_err());
    }
}
