//! Canonical tone-mark placement.
//!
//! Vietnamese has two accepted places for the tone mark in the open syllables `oa`, `oe` and
//! `uy`: the classic style writes "hòa", "khỏe", "thúy", the newer style "hoà", "khoẻ", "thuý".
//! Both are correct and both are typed every day, so a name written one way must match the
//! other. [`canonical`] rewrites every syllable to the classic style, which is what most
//! official documents use; it leaves alone anything that is not a Vietnamese syllable.

use unicode_normalization::UnicodeNormalization;

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK: char = '\u{309}';
const DOT: char = '\u{323}';
const CIRCUMFLEX: char = '\u{302}';
const BREVE: char = '\u{306}';
const HORN: char = '\u{31b}';

fn is_tone(c: char) -> bool {
    matches!(c, GRAVE | ACUTE | TILDE | HOOK | DOT)
}

fn is_quality(c: char) -> bool {
    matches!(c, CIRCUMFLEX | BREVE | HORN)
}

/// The text without its tone marks, keeping the marks that make a different letter (â, ă, ê,
/// ô, ơ, ư, đ): "vắng" → "văng", "cứu" → "cưu". Two syllables with the same toneless form
/// differ only in tone, which is what a slip of the finger changes; two with different ones
/// are different words ("vàng" and "vắng").
pub fn toneless(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    s.nfd().filter(|&c| !is_tone(c)).nfc().collect()
}

/// One letter of a decomposed syllable.
struct Letter {
    base: char,
    quality: Option<char>,
    tone: Option<char>,
}

impl Letter {
    fn lower(&self) -> char {
        self.base.to_ascii_lowercase()
    }

    fn is_vowel(&self) -> bool {
        matches!(self.lower(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
    }
}

/// The text in NFC with every Vietnamese syllable's tone mark in the classic place, so that
/// "Thuận Hoà" and "Thuận Hòa" become the same string.
///
/// Idempotent, and the identity on text without tone marks.
pub fn canonical(s: &str) -> String {
    if s.is_ascii() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut word: Vec<char> = Vec::new();
    for c in s.nfd() {
        if c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out.nfc().collect()
}

fn flush(word: &mut Vec<char>, out: &mut String) {
    if !word.is_empty() {
        match place(word) {
            Some(fixed) => out.extend(fixed),
            None => out.extend(word.iter()),
        }
        word.clear();
    }
}

/// The word (decomposed) with its tone mark moved to the canonical vowel, or `None` to keep it
/// as it is (no tone, or not a Vietnamese syllable).
fn place(word: &[char]) -> Option<Vec<char>> {
    let mut letters: Vec<Letter> = Vec::with_capacity(word.len());
    for &c in word {
        if is_tone(c) {
            let last = letters.last_mut()?;
            if last.tone.is_some() {
                return None;
            }
            last.tone = Some(c);
        } else if is_quality(c) {
            let last = letters.last_mut()?;
            if last.quality.is_some() {
                return None;
            }
            last.quality = Some(c);
        } else if c.is_ascii_alphabetic() || c == 'đ' || c == 'Đ' {
            letters.push(Letter { base: c, quality: None, tone: None });
        } else {
            return None;
        }
    }
    let toned: Vec<usize> = (0..letters.len()).filter(|&i| letters[i].tone.is_some()).collect();
    let [from] = toned[..] else { return None };
    let tone = letters[from].tone?;

    let vowels: Vec<usize> = (0..letters.len()).filter(|&i| letters[i].is_vowel()).collect();
    let (&first, &last) = (vowels.first()?, vowels.last()?);
    if last - first + 1 != vowels.len() {
        return None;
    }
    let mut start = first;
    let lower0 = letters[0].lower();
    let lower1 = letters.get(1).map(Letter::lower);
    // In "qu…" the u, and in "gi…" before another vowel the i, belong to the consonant.
    let glide = matches!((lower0, lower1), ('q', Some('u')) | ('g', Some('i')));
    if first == 1 && glide && vowels.len() > 1 {
        start = 2;
    }
    let run = start..=last;
    let has_final = last + 1 < letters.len();
    let marked: Vec<usize> = run.clone().filter(|&i| letters[i].quality.is_some()).collect();
    let to = match (marked.last(), last + 1 - start) {
        (Some(&m), _) => m,
        (None, 1) => start,
        (None, _) if has_final => last,
        (None, 2) => start,
        (None, 3) => start + 1,
        _ => return None,
    };
    letters[from].tone = None;
    letters[to].tone = Some(tone);
    let mut fixed = Vec::with_capacity(word.len());
    for l in &letters {
        fixed.push(l.base);
        fixed.extend(l.quality);
        fixed.extend(l.tone);
    }
    Some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tones_go_and_letters_stay() {
        assert_eq!(toneless("vắng"), "văng");
        assert_eq!(toneless("vàng"), "vang");
        assert_eq!(toneless("cứu"), toneless("cưu"));
        assert_eq!(toneless("đường"), "đương");
        assert_eq!(toneless("can cuoc"), "can cuoc");
    }

    #[test]
    fn new_style_becomes_classic() {
        assert_eq!(canonical("hoà"), "hòa");
        assert_eq!(canonical("Thuận Hoà"), "Thuận Hòa");
        assert_eq!(canonical("thuý"), "thúy");
        assert_eq!(canonical("khoẻ"), "khỏe");
        assert_eq!(canonical("THUỶ"), "THỦY");
        assert_eq!(canonical("Hoà"), canonical("Hòa"));
    }

    #[test]
    fn already_canonical_syllables_are_kept() {
        for word in [
            "người",
            "hoàng",
            "quý",
            "quả",
            "già",
            "giữ",
            "gì",
            "gió",
            "giường",
            "tuyển",
            "quyển",
            "quỳnh",
            "ngoài",
            "khuỷu",
            "xoáy",
            "mùa",
            "cửa",
            "thuở",
            "hòa",
            "thủy",
            "được",
            "khuếch",
            "tiếng",
            "Việt",
            "nghiêng",
            "huýt",
        ] {
            assert_eq!(canonical(word), word, "{word}");
        }
    }

    #[test]
    fn non_vietnamese_text_is_left_alone() {
        assert_eq!(canonical("online 113, VNeID!"), "online 113, VNeID!");
        assert_eq!(canonical("café"), "café");
        assert_eq!(canonical("東京 😀"), "東京 😀");
    }

    #[test]
    fn canonical_is_idempotent_and_nfc() {
        let decomposed: String = "Thanh Thuỷ, Hoà Bình".nfd().collect();
        let once = canonical(&decomposed);
        assert_eq!(once, "Thanh Thủy, Hòa Bình");
        assert_eq!(canonical(&once), once);
    }
}
