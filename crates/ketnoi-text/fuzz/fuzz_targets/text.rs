//! Any bytes that are UTF-8 go through every text function; none may panic, and the
//! invariants the property tests check must hold here too.
#![no_main]

use ketnoi_text::{Abbreviations, Corrector, canonical, fold, syllables};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = fold(text);
    assert_eq!(fold(&once), once);
    let canon = canonical(text);
    assert_eq!(canonical(&canon), canon);
    let words = syllables(text);
    let expanded = Abbreviations::builtin().expand(&words);
    let mut corrector = Corrector::new();
    for w in &expanded {
        corrector.add(&w.folded);
    }
    for w in &words {
        let _ = corrector.correct(&w.folded);
    }
});
