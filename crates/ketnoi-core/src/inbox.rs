//! The officers' inbox tools that are not messages: labels on conversations.

use crate::InvalidInput;

/// The most characters a label may hold.
pub const MAX_LABEL_CHARS: usize = 40;
/// The most labels one conversation may carry.
pub const MAX_LABELS: usize = 10;

/// A label officers put on a conversation ("CCCD", "cư trú", "khiếu nại"): NFC, trimmed, inner
/// runs of white space made one space, 1–[`MAX_LABEL_CHARS`] characters, no control
/// characters. Its [`key`](Label::key) (lowercase, no diacritics) is what makes two labels the
/// same: "Cư trú" and "cu tru" are one label on a conversation, and either finds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label(String);

impl Label {
    /// Checks a label.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let text = ketnoi_text::nfc(raw.trim());
        if text.chars().any(char::is_control) {
            return Err(InvalidInput::Label);
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !(1..=MAX_LABEL_CHARS).contains(&text.chars().count()) {
            return Err(InvalidInput::Label);
        }
        Ok(Self(text))
    }

    /// The form labels are matched on: lowercase, without diacritics.
    pub fn key(&self) -> String {
        ketnoi_text::fold(&self.0)
    }

    /// Parses a set of labels, keeping the first of any that share a key, in order; more than
    /// [`MAX_LABELS`] different ones is `Ok(Err(TooManyLabels))`. Every label is checked first,
    /// so a bad one is reported whatever the count.
    pub fn parse_set<S: AsRef<str>>(
        raw: &[S],
    ) -> Result<Result<Vec<Self>, TooManyLabels>, InvalidInput> {
        let parsed = raw.iter().map(|r| Self::parse(r.as_ref())).collect::<Result<Vec<_>, _>>()?;
        let mut keys: Vec<String> = Vec::with_capacity(MAX_LABELS);
        let mut out = Vec::with_capacity(MAX_LABELS);
        for label in parsed {
            let key = label.key();
            if keys.contains(&key) {
                continue;
            }
            if out.len() == MAX_LABELS {
                return Ok(Err(TooManyLabels));
            }
            keys.push(key);
            out.push(label);
        }
        Ok(Ok(out))
    }
}

/// More than [`MAX_LABELS`] different labels for one conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyLabels;

crate::error::string_newtype!(Label);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_nfc_trimmed_one_spaced_and_one_to_forty_characters() {
        let nfd = "  Cu\u{31b} tru\u{301}  \t ";
        let label = Label::parse(nfd).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(label.as_str(), "Cư trú");
        assert_eq!(label.key(), "cu tru");
        assert_eq!(
            Label::parse("Khiếu   nại").map(|l| l.to_string()).ok().as_deref(),
            Some("Khiếu nại")
        );
        assert!(Label::parse(&"ư".repeat(MAX_LABEL_CHARS)).is_ok());
        for bad in ["", "   ", "a\u{7}b", "hai\ndòng", &"ư".repeat(MAX_LABEL_CHARS + 1)] {
            assert_eq!(Label::parse(bad), Err(InvalidInput::Label), "{bad:?}");
        }
    }

    #[test]
    fn a_set_keeps_the_first_of_labels_differing_only_by_case_or_marks() {
        let set = Label::parse_set(&["CCCD", "cccd", "Cư trú", "cu tru", "khiếu nại"]);
        let set = set.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|n| panic!("{n:?}"));
        assert_eq!(
            set.iter().map(Label::as_str).collect::<Vec<_>>(),
            vec!["CCCD", "Cư trú", "khiếu nại"]
        );
        let ten: Vec<String> = (0..10).map(|i| format!("nhãn {i}")).collect();
        assert!(matches!(Label::parse_set(&ten), Ok(Ok(v)) if v.len() == 10));
        let mut eleven = ten.clone();
        eleven.push("Nhãn 0".to_owned());
        assert!(matches!(Label::parse_set(&eleven), Ok(Ok(v)) if v.len() == 10));
        eleven.push("nhãn 10".to_owned());
        assert_eq!(Label::parse_set(&eleven), Ok(Err(TooManyLabels)));
        assert_eq!(Label::parse_set(&["tốt", ""]), Err(InvalidInput::Label));
    }
}
