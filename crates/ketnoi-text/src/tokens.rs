//! Splitting text into syllables and words.
//!
//! Vietnamese writes one syllable per space-separated token; a word ("căn cước", "giấy phép lái
//! xe") is one or more syllables. [`syllables`] gives the syllables, each in its accented form
//! (NFC, lowercase, canonical tone placement) and its folded form; [`Words`] joins syllables
//! into the longest known words of a dictionary the caller supplies.

use std::collections::HashSet;

/// One syllable (or number, or foreign word) of a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Syllable {
    /// NFC, lowercase, tone mark in the canonical place: "hòa".
    pub accented: String,
    /// Without marks, `đ` as `d`: "hoa".
    pub folded: String,
}

impl Syllable {
    /// Whether the syllable was typed without any mark (its folded and accented forms agree).
    pub fn is_plain(&self) -> bool {
        self.accented == self.folded
    }
}

/// The syllables of a text: runs of letters and digits, in order. Punctuation, emoji and
/// spacing separate syllables and are dropped.
pub fn syllables(s: &str) -> Vec<Syllable> {
    let canonical = crate::tones::canonical(&s.to_lowercase());
    canonical
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            // Already lowercase: a plain word is its own folded form.
            let folded = if w.is_ascii() { w.to_owned() } else { crate::fold(w) };
            Syllable { accented: w.to_owned(), folded }
        })
        .collect()
}

/// Whether the text was written with diacritics (at least one syllable carries a mark).
pub fn has_diacritics(syllables: &[Syllable]) -> bool {
    syllables.iter().any(|s| !s.is_plain())
}

/// A dictionary of multi-syllable words, by folded spelling ("can cuoc", "giay phep lai xe").
#[derive(Debug, Clone, Default)]
pub struct Words {
    words: HashSet<String>,
    longest: usize,
}

impl Words {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a word given in any spelling.
    pub fn insert(&mut self, word: &str) {
        let folded: Vec<String> = syllables(word).into_iter().map(|s| s.folded).collect();
        if folded.len() > 1 {
            self.longest = self.longest.max(folded.len());
            self.words.insert(folded.join(" "));
        }
    }

    /// How many words it holds.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The syllables grouped greedily into the longest dictionary words, left to right; a
    /// syllable no word covers stands alone. Each word is given by its folded syllables
    /// joined with a space.
    pub fn segment(&self, syllables: &[Syllable]) -> Vec<String> {
        let mut out = Vec::with_capacity(syllables.len());
        let mut i = 0;
        while i < syllables.len() {
            let mut taken = 1;
            for n in (2..=self.longest.min(syllables.len() - i)).rev() {
                let candidate: Vec<&str> =
                    syllables[i..i + n].iter().map(|s| s.folded.as_str()).collect();
                if self.words.contains(&candidate.join(" ")) {
                    taken = n;
                    break;
                }
            }
            let word: Vec<&str> =
                syllables[i..i + taken].iter().map(|s| s.folded.as_str()).collect();
            out.push(word.join(" "));
            i += taken;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_keep_both_forms() {
        let s = syllables("Làm lại CCCD, mất bao lâu?");
        let accented: Vec<&str> = s.iter().map(|x| x.accented.as_str()).collect();
        let folded: Vec<&str> = s.iter().map(|x| x.folded.as_str()).collect();
        assert_eq!(accented, ["làm", "lại", "cccd", "mất", "bao", "lâu"]);
        assert_eq!(folded, ["lam", "lai", "cccd", "mat", "bao", "lau"]);
        assert!(has_diacritics(&s));
        assert!(!has_diacritics(&syllables("lam lai cccd")));
    }

    #[test]
    fn tone_styles_give_the_same_syllables() {
        assert_eq!(syllables("Hoà Bình"), syllables("hòa bình"));
        assert_eq!(syllables("thuý"), syllables("THÚY"));
    }

    #[test]
    fn words_are_the_longest_dictionary_match() {
        let mut words = Words::new();
        words.insert("căn cước");
        words.insert("giấy phép lái xe");
        words.insert("lái xe");
        assert_eq!(words.len(), 3);
        let seg = words.segment(&syllables("doi giay phep lai xe va can cuoc"));
        assert_eq!(seg, ["doi", "giay phep lai xe", "va", "can cuoc"]);
        assert!(Words::new().segment(&syllables("")).is_empty());
    }
}
