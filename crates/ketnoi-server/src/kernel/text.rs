//! Text as shown in small places: button labels, drop-down options, preview cells.

/// At most `max` characters, with an ellipsis when cut (button labels, drop-down options).
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_questions_are_shortened_for_buttons() {
        assert_eq!(shorten("ngắn", 80), "ngắn");
        let long = "á".repeat(100);
        assert_eq!(shorten(&long, 80).chars().count(), 80);
    }
}
