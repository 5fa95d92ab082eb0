//! Properties that must hold for any input, checked on generated text: Vietnamese letters in
//! both normal forms and both tone styles, mixed with anything else Unicode has.

use ketnoi_text::{Abbreviations, canonical, fold, nfc, search_key, syllables};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Text that looks like Vietnamese: syllables from Vietnamese letters and marks, spaces and
/// punctuation, sometimes decomposed.
fn vietnamese() -> impl Strategy<Value = String> {
    let letter = prop::sample::select(vec![
        'a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y', 'b', 'c', 'd', 'đ', 'g', 'h',
        'k', 'l', 'm', 'n', 'p', 'q', 'r', 's', 't', 'v', 'x', 'A', 'Đ', 'Ư', ' ', ',', '?', '1',
    ]);
    let mark = prop::sample::select(vec![
        None,
        Some('\u{300}'),
        Some('\u{301}'),
        Some('\u{303}'),
        Some('\u{309}'),
        Some('\u{323}'),
    ]);
    prop::collection::vec((letter, mark), 0..40).prop_map(|pairs| {
        let mut s = String::new();
        for (c, m) in pairs {
            s.push(c);
            if c.is_alphabetic() {
                s.extend(m);
            }
        }
        s
    })
}

proptest! {
    #[test]
    fn folding_is_idempotent(s in any::<String>()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once.clone());
        prop_assert_eq!(search_key(&search_key(&s)), search_key(&s));
    }

    #[test]
    fn folding_vietnamese_is_idempotent(s in vietnamese()) {
        let once = fold(&s);
        prop_assert_eq!(fold(&once), once.clone());
    }

    #[test]
    fn nfc_and_nfd_give_the_same_syllables(s in vietnamese()) {
        let composed: String = s.nfc().collect();
        let decomposed: String = s.nfd().collect();
        prop_assert_eq!(syllables(&composed), syllables(&decomposed));
        prop_assert_eq!(fold(&composed), fold(&decomposed));
        prop_assert_eq!(search_key(&composed), search_key(&decomposed));
    }

    #[test]
    fn canonical_is_idempotent_nfc_and_folds_alike(s in vietnamese()) {
        let once = canonical(&s);
        prop_assert_eq!(canonical(&once), once.clone());
        prop_assert_eq!(nfc(&once), once.clone());
        prop_assert_eq!(fold(&once), fold(&s));
    }

    #[test]
    fn syllables_are_never_empty_and_folded_is_folded(s in any::<String>()) {
        for syllable in syllables(&s) {
            prop_assert!(!syllable.accented.is_empty());
            prop_assert_eq!(fold(&syllable.folded), syllable.folded.clone());
        }
    }

    #[test]
    fn expansion_never_panics_and_keeps_text(s in vietnamese()) {
        let words = syllables(&s);
        let expanded = Abbreviations::builtin().expand(&words);
        prop_assert!(expanded.len() >= words.len());
    }
}
