//! Knowledge bases as JSON Lines: one intent per line,
//! `{"id", "topic", "question", "answer", "examples": […]}`.
//!
//! Reading is all-or-nothing: the first bad line is reported with its number and nothing is
//! returned, so an import never half-happens.

use ketnoi_core::{Intent, IntentId};
use serde::{Deserialize, Serialize};

/// A line of a file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// The 1-based line number (0 for the file as a whole).
    pub line: usize,
    /// What is wrong, in English.
    pub message: String,
}

impl LineError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        Self { line, message: message.into() }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct In {
    id: String,
    #[serde(default)]
    topic: String,
    question: String,
    answer: String,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    procedure: Option<String>,
}

#[derive(Serialize)]
struct Out<'a> {
    id: &'a str,
    topic: &'a str,
    question: &'a str,
    answer: &'a str,
    examples: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    procedure: Option<&'a str>,
}

/// The non-blank lines of a JSON Lines text with their 1-based numbers; a byte-order mark and
/// Windows line endings are accepted.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().enumerate().map(|(n, l)| (n + 1, l.trim())).filter(|(_, l)| !l.is_empty())
}

/// Reads a knowledge base. Every line must be a valid intent with an id not used before.
///
/// A knowledge base the engine would learn badly from is refused too, with every such problem
/// and its line (see [`degenerate`]).
pub fn parse_kb(text: &str) -> Result<Vec<Intent>, LineError> {
    let mut intents: Vec<Intent> = Vec::new();
    let mut numbers: Vec<usize> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in lines(text) {
        let raw: In = serde_json::from_str(line).map_err(|e| LineError::new(n, e.to_string()))?;
        let intent = Intent::new(&raw.id, &raw.topic, &raw.question, &raw.answer, &raw.examples)
            .and_then(|i| i.linked(raw.procedure.as_deref()))
            .map_err(|e| LineError::new(n, format!("{}: {e}", raw.id)))?;
        if !seen.insert(intent.id.clone()) {
            return Err(LineError::new(n, format!("intent id {} is used twice", intent.id)));
        }
        intents.push(intent);
        numbers.push(n);
        if intents.len() > ketnoi_core::bot::MAX_INTENTS {
            let max = ketnoi_core::bot::MAX_INTENTS;
            return Err(LineError::new(n, format!("more than {max} intents")));
        }
    }
    if intents.is_empty() {
        return Err(LineError::new(0, "the knowledge base has no intents"));
    }
    let mut problems = degenerate(&intents, &numbers).into_iter();
    if let Some(first) = problems.next() {
        let mut message = first.message;
        for more in problems {
            message.push_str(&format!("; line {}: {}", more.line, more.message));
        }
        return Err(LineError::new(first.line, message));
    }
    Ok(intents)
}

/// The first phrasing of `intent` (its question, then its examples) that another intent of
/// `intents` already has, compared without case, marks or punctuation, with that intent's id:
/// one question taught two answers, which [`parse_kb`] would refuse on the next import. An
/// intent in `intents` with `intent`'s own id is the one being changed, and does not count.
pub fn clash<'a>(intents: &'a [Intent], intent: &'a Intent) -> Option<(&'a str, &'a IntentId)> {
    let keys: Vec<(String, &str)> =
        intent.phrasings().map(|p| (ketnoi_text::search_key(p), p.as_str())).collect();
    for other in intents.iter().filter(|o| o.id != intent.id) {
        for phrasing in other.phrasings() {
            let key = ketnoi_text::search_key(phrasing);
            if let Some((_, mine)) = keys.iter().find(|(k, _)| *k == key) {
                return Some((mine, &other.id));
            }
        }
    }
    None
}

/// An intent may hold this many times the median number of phrasings (and at least
/// [`DOMINANT_MIN`]) before it is said to drown the others.
const DOMINANT_RATIO: usize = 10;
/// Below this many phrasings no intent is said to drown the others.
const DOMINANT_MIN: usize = 50;

/// What in a knowledge base would make the engine learn badly, each with the intent's line
/// (`lines[i]` is intent `i`'s): the same phrasing under two intents (the model is taught two
/// answers to one question), an answer with no word in it, and an intent with so many more
/// phrasings than the rest that the model leans to it for everything.
pub fn degenerate(intents: &[Intent], lines: &[usize]) -> Vec<LineError> {
    let line = |i: usize| lines.get(i).copied().unwrap_or(0);
    let mut problems = Vec::new();
    let mut owner: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut counts = Vec::with_capacity(intents.len());
    for (i, intent) in intents.iter().enumerate() {
        if !intent.answer.chars().any(char::is_alphanumeric) {
            problems
                .push(LineError::new(line(i), format!("{}: the answer has no words", intent.id)));
        }
        let phrasings: Vec<&String> = intent.phrasings().collect();
        counts.push(phrasings.len());
        for phrasing in phrasings {
            let key = ketnoi_text::search_key(phrasing);
            match owner.get(&key) {
                Some(&other) if other != i => problems.push(LineError::new(
                    line(i),
                    format!(
                        "{}: \"{phrasing}\" is also a phrasing of {} (line {})",
                        intent.id,
                        intents[other].id,
                        line(other)
                    ),
                )),
                Some(_) => {}
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    let mut sorted = counts.clone();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
    let most = (median * DOMINANT_RATIO).max(DOMINANT_MIN);
    for (i, &n) in counts.iter().enumerate() {
        if n > most {
            let message = format!(
                "{}: {n} phrasings, more than {DOMINANT_RATIO} times the usual {median}: the bot \
                 would lean to it for every question (split it, or give the others more)",
                intents[i].id
            );
            problems.push(LineError::new(line(i), message));
        }
    }
    problems.sort_by_key(|p| p.line);
    problems
}

/// Writes a knowledge base in the format [`parse_kb`] reads, fields in the usual order, text
/// left readable (not escaped).
pub fn export_kb(intents: &[Intent]) -> String {
    let mut out = String::new();
    for intent in intents {
        let line = Out {
            id: intent.id.as_str(),
            topic: &intent.topic,
            question: &intent.question,
            answer: &intent.answer,
            examples: &intent.examples,
            procedure: intent.procedure.as_deref(),
        };
        // Serialising strings cannot fail.
        out.push_str(&serde_json::to_string(&line).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Finds an intent by id.
pub fn find<'a>(intents: &'a [Intent], id: &IntentId) -> Option<&'a Intent> {
    intents.iter().find(|i| &i.id == id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SAMPLE: &str = "\u{feff}{\"id\":\"a.b\",\"topic\":\"Căn cước\",\"question\":\"Làm căn cước ở đâu?\",\"answer\":\"Ở công an xã.\",\"examples\":[\"lam can cuoc o dau\"]}\r\n\r\n{\"id\":\"c\",\"question\":\"Giờ làm việc?\",\"answer\":\"7 giờ 30.\"}\n";

    #[test]
    fn reads_and_writes_the_same_intents() {
        let intents = parse_kb(SAMPLE).unwrap();
        assert_eq!(intents.len(), 2);
        assert_eq!(intents[0].examples, ["lam can cuoc o dau"]);
        assert_eq!(intents[1].topic, "");
        let again = parse_kb(&export_kb(&intents)).unwrap();
        assert_eq!(again, intents);
        assert!(export_kb(&intents).contains("Căn cước"));
    }

    #[test]
    fn the_shipped_knowledge_bases_parse() {
        let default = crate::default_kb();
        assert!(default.len() >= 30, "{}", default.len());
        assert!(parse_kb(super::super::DEFAULT_KB).is_ok());
        assert!(crate::shipped_out_of_scope().len() >= 200);
    }

    fn intent_line(id: &str, question: &str, answer: &str, examples: &[String]) -> String {
        let examples = serde_json::to_string(examples).unwrap();
        format!(
            "{{\"id\":\"{id}\",\"question\":\"{question}\",\"answer\":\"{answer}\",\"examples\":{examples}}}\n"
        )
    }

    #[test]
    fn a_knowledge_base_the_engine_would_learn_badly_from_is_refused_with_every_line() {
        let two = |a: &str, b: &str| vec![a.to_owned(), b.to_owned()];
        let mut kb =
            intent_line("a", "Làm căn cước ở đâu?", "Ở công an xã.", &two("lam cccd", "x1"));
        kb += &intent_line("b", "Đổi bằng lái?", "...", &two("y1", "y2"));
        kb += &intent_line(
            "c",
            "Cấp hộ chiếu?",
            "Ở phòng xuất nhập cảnh.",
            &two("LAM CAN CUOC O DAU", "z"),
        );
        let err = parse_kb(&kb).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.starts_with("b: the answer has no words"), "{err}");
        assert!(
            err.message
                .contains("line 3: c: \"LAM CAN CUOC O DAU\" is also a phrasing of a (line 1)"),
            "{err}"
        );

        // One intent with hundreds of phrasings among intents with a handful.
        let many: Vec<String> = (0..120).map(|n| format!("hỏi số {n}")).collect();
        let mut kb = intent_line("big", "Câu hỏi lớn?", "Trả lời.", &many);
        for n in 0..5 {
            kb += &intent_line(
                &format!("small{n}"),
                &format!("Câu nhỏ {n}?"),
                "Trả lời.",
                &two(&format!("u{n}"), &format!("v{n}")),
            );
        }
        let err = parse_kb(&kb).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("big: 121 phrasings"), "{err}");
        // The same intent among intents as large is fine.
        assert!(
            degenerate(
                &parse_kb(&intent_line("big", "Câu hỏi lớn?", "Trả lời.", &many)).unwrap(),
                &[1]
            )
            .is_empty()
        );
    }

    #[test]
    fn a_phrasing_another_intent_has_is_found_without_case_or_marks() {
        let intents = parse_kb(SAMPLE).unwrap();
        let mut changed = intents[1].clone();
        changed.examples.push("LÀM CĂN CƯỚC Ở ĐÂU".to_owned());
        assert_eq!(clash(&intents, &changed), Some(("LÀM CĂN CƯỚC Ở ĐÂU", &intents[0].id)));
        // The intent itself, before the change, does not count.
        let mut own = intents[0].clone();
        own.examples.push("lam can cuoc o dau nhi".to_owned());
        assert_eq!(clash(&intents, &own), None);
    }

    #[test]
    fn a_bad_line_is_named_and_nothing_is_read() {
        let bad = format!("{SAMPLE}{{\"id\":\"x\",\"question\":\"?\"}}\n");
        assert_eq!(parse_kb(&bad).unwrap_err().line, 4);
        let twice = format!("{SAMPLE}{}", SAMPLE.trim_start_matches('\u{feff}'));
        let err = parse_kb(&twice).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.message.contains("twice"));
        assert_eq!(parse_kb("not json").unwrap_err().line, 1);
        assert_eq!(
            parse_kb("{\"id\":\"BAD ID\",\"question\":\"Hỏi?\",\"answer\":\"x\"}")
                .unwrap_err()
                .line,
            1
        );
        assert_eq!(parse_kb("\n\n").unwrap_err().line, 0);
        let unknown = "{\"id\":\"a\",\"question\":\"Hỏi?\",\"answer\":\"x\",\"extra\":1}";
        assert!(parse_kb(unknown).is_err());
    }
}
