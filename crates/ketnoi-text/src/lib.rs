//! Vietnamese text handling for ketnoi.
//!
//! Everything that enters ketnoi is stored in Unicode NFC. For matching, a second form is kept
//! beside it: the *folded* form, which is NFC, lowercase, without tone marks or vowel marks, and
//! with `đ` written as `d`. Two strings match "with or without diacritics" when their folded forms
//! match, so a citizen typing `cong an vi xuyen` on a phone without a Vietnamese keyboard finds
//! "Công an huyện Vị Xuyên".
//!
//! Beyond folding, the chatbot needs more of the language: [`canonical`] tone placement ("hoà"
//! and "hòa" are one word), [`syllables`] with both forms, multi-syllable [`Words`],
//! [`Abbreviations`] and teencode ("ko", "dc", "cccd"), and a [`Corrector`] for typing
//! mistakes.
//!
//! This crate does no I/O: it is called from storage (to keep folded columns), from the server
//! (to fold queries) and from the chatbot engine. Its one data file, the abbreviation table, is
//! compiled in.
#![deny(missing_docs)]

mod abbrev;
mod tokens;
mod tones;
mod typo;

pub use abbrev::{Abbreviations, TableError};
pub use tokens::{Syllable, Words, has_diacritics, syllables};
pub use tones::{canonical, toneless};
pub use typo::Corrector;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The text in Unicode Normalisation Form C. Vietnamese typed on different keyboards arrives
/// precomposed (NFC) or decomposed (NFD); stored text is always NFC so that equal words are equal
/// bytes.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// The folded form used for diacritic-insensitive matching: lowercase, marks removed, `đ` → `d`,
/// runs of whitespace collapsed to one space, trimmed.
///
/// Folding is idempotent: `fold(&fold(s)) == fold(s)`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The key a free-text search is matched on: the folded form with punctuation turned into
/// spaces, so that "Công an (huyện) Vị Xuyên," and "cong an huyen vi xuyen" give the same key.
pub fn search_key(s: &str) -> String {
    // Combining marks stay: decomposed text (NFD) carries its tone marks as separate
    // characters, and they belong to the word, not between words.
    let keep = |c: char| c.is_alphanumeric() || c.is_whitespace() || is_combining_mark(c);
    let spaced: String = s.chars().map(|c| if keep(c) { c } else { ' ' }).collect();
    fold(&spaced)
}

/// The words of a search key, for matching each word of a query anywhere in a name.
pub fn search_terms(s: &str) -> Vec<String> {
    search_key(s).split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_tone_and_vowel_marks_and_d_stroke() {
        assert_eq!(fold("Công an huyện Vị Xuyên"), "cong an huyen vi xuyen");
        assert_eq!(fold("ĐOÀN THANH NIÊN"), "doan thanh nien");
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
    }

    #[test]
    fn nfc_and_nfd_inputs_fold_and_normalise_alike() {
        let composed = "Hà Giang";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(nfc(&decomposed), composed);
        assert_eq!(fold(&decomposed), fold(composed));
    }

    #[test]
    fn folding_is_idempotent_and_collapses_space() {
        let once = fold("  Sở   Giáo dục\tvà Đào tạo ");
        assert_eq!(once, "so giao duc va dao tao");
        assert_eq!(fold(&once), once);
    }

    #[test]
    fn search_key_ignores_punctuation() {
        assert_eq!(search_key("Công an (huyện) Vị Xuyên,"), "cong an huyen vi xuyen");
        assert_eq!(search_terms("  UBND xã Đạo-Đức "), vec!["ubnd", "xa", "dao", "duc"]);
        assert!(search_terms(" ,.; ").is_empty());
    }

    #[test]
    fn decomposed_text_gives_the_same_search_terms() {
        // Regression: combining marks used to be treated as punctuation, splitting words.
        let decomposed: String = "Nguyễn Văn Đức".nfd().collect();
        assert_eq!(search_terms(&decomposed), vec!["nguyen", "van", "duc"]);
        assert_eq!(search_key(&decomposed), search_key("Nguyễn Văn Đức"));
    }
}
