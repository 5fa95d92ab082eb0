//! Measuring a bot on labelled questions: what `ketnoi bot eval` prints.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::Bot;
use crate::kb::{LineError, lines};

/// A labelled question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// What the citizen asks.
    pub q: String,
    /// The intent that answers it, or `None` if the bot should hand off.
    pub intent: Option<String>,
    /// Every field of its line, for `--by`.
    pub fields: Map<String, Value>,
}

/// Reads questions, one JSON object per line with `q` and `intent` (a string or null); other
/// fields are kept for breakdowns.
pub fn parse_questions(text: &str) -> Result<Vec<Question>, LineError> {
    let mut out = Vec::new();
    for (n, line) in lines(text) {
        let fields: Map<String, Value> =
            serde_json::from_str(line).map_err(|e| LineError::new(n, e.to_string()))?;
        let q = match fields.get("q") {
            Some(Value::String(q)) => q.clone(),
            _ => return Err(LineError::new(n, "\"q\" must be a string")),
        };
        let intent = match fields.get("intent") {
            Some(Value::String(id)) => Some(id.clone()),
            Some(Value::Null) => None,
            _ => return Err(LineError::new(n, "\"intent\" must be an intent id or null")),
        };
        out.push(Question { q, intent, fields });
    }
    Ok(out)
}

/// Counts for one group of questions.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    questions: usize,
    in_scope: usize,
    in_scope_right: usize,
    top3: usize,
    /// Answered right, or handed off with the right intent among the suggestions (one tap).
    one_tap: usize,
    out_of_scope: usize,
    rejected: usize,
}

impl Tally {
    fn add(&mut self, label: Option<usize>, answer: Option<usize>, top3: bool) {
        self.questions += 1;
        match label {
            Some(l) => {
                self.in_scope += 1;
                self.in_scope_right += usize::from(answer == Some(l));
                self.top3 += usize::from(top3);
                self.one_tap += usize::from(answer == Some(l) || (answer.is_none() && top3));
            }
            None => {
                self.out_of_scope += 1;
                self.rejected += usize::from(answer.is_none());
            }
        }
    }

    fn share(n: usize, of: usize) -> Value {
        if of == 0 { Value::Null } else { json!(round(n as f64 / of as f64)) }
    }

    fn json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("in_scope_accuracy".into(), Self::share(self.in_scope_right, self.in_scope));
        m.insert("oos_rejection".into(), Self::share(self.rejected, self.out_of_scope));
        m.insert(
            "overall_accuracy".into(),
            Self::share(self.in_scope_right + self.rejected, self.questions),
        );
        m.insert("top3_accuracy".into(), Self::share(self.top3, self.in_scope));
        m.insert("one_tap_accuracy".into(), Self::share(self.one_tap, self.in_scope));
        m.insert("questions".into(), json!(self.questions));
        m
    }
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The outcome of an evaluation.
#[derive(Debug, Clone)]
pub struct Report {
    /// Lines for people.
    pub summary: Vec<String>,
    /// The figures, as one JSON object.
    pub json: Value,
}

/// The percentile (0–100) of sorted microsecond figures.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Asks the bot every question and measures it; `by` breaks accuracy down by a field.
/// Questions labelled with an intent the knowledge base lacks are an error (a mislabelled set
/// would silently lower the score).
pub fn evaluate(
    bot: &Bot,
    questions: &[Question],
    by: Option<&str>,
    build_ms: f64,
    show_mistakes: bool,
) -> Result<Report, String> {
    let position: BTreeMap<&str, usize> =
        bot.intents().iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
    let mut all = Tally::default();
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    let mut micros = Vec::with_capacity(questions.len());
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut mistakes = Vec::new();
    for (n, question) in questions.iter().enumerate() {
        let label = match &question.intent {
            Some(id) => Some(*position.get(id.as_str()).ok_or_else(|| {
                format!("question {}: intent {id} is not in the knowledge base", n + 1)
            })?),
            None => None,
        };
        let started = Instant::now();
        let reply = bot.answer(&question.q);
        micros.push(started.elapsed().as_micros() as u64);
        let top3 = label.is_some_and(|l| reply.suggestions.iter().any(|r| r.intent == l));
        all.add(label, reply.answer, top3);
        if let Some(field) = by {
            let key = match question.fields.get(field) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => "(none)".to_owned(),
                Some(other) => other.to_string(),
            };
            groups.entry(key).or_default().add(label, reply.answer, top3);
        }
        if label != reply.answer {
            let name = |x: Option<usize>| {
                x.map_or("(hand-off)".to_owned(), |i| bot.intent(i).id.to_string())
            };
            *confusions.entry((name(label), name(reply.answer))).or_default() += 1;
            if show_mistakes {
                let ranked: Vec<String> = reply
                    .suggestions
                    .iter()
                    .map(|r| format!("{} {:.3}", bot.intent(r.intent).id, r.score))
                    .collect();
                mistakes.push(format!(
                    "  \"{}\": expected {}, gave {} [{}]",
                    question.q,
                    name(label),
                    name(reply.answer),
                    ranked.join(", ")
                ));
            }
        }
    }
    micros.sort_unstable();
    let mut figures = all.json();
    let (p50, p99) = (percentile(&micros, 50.0), percentile(&micros, 99.0));
    figures.insert("p50_us".into(), json!(p50));
    figures.insert("p99_us".into(), json!(p99));
    figures.insert("intents".into(), json!(bot.intents().len()));
    figures.insert("build_ms".into(), json!(round(build_ms)));
    figures.insert("threshold".into(), json!(round(f64::from(bot.calibration().threshold))));
    figures
        .insert("long_threshold".into(), json!(round(f64::from(bot.calibration().long_threshold))));
    if let Some(field) = by {
        let breakdown: Map<String, Value> =
            groups.iter().map(|(k, t)| (k.clone(), Value::Object(t.json()))).collect();
        figures.insert(format!("by_{field}"), Value::Object(breakdown));
    }

    let pct = |v: &Value| v.as_f64().map_or("—".to_owned(), |x| format!("{:.1}%", x * 100.0));
    let mut summary = Vec::new();
    let c = bot.calibration();
    summary.push(format!(
        "{} intents, index built in {build_ms:.0} ms; hand-off threshold {:.3}, {:.3} after a story (held-out phrasings right {:.1}%, out-of-scope rejected {:.1}%)",
        bot.intents().len(),
        c.threshold,
        c.long_threshold,
        c.held_out_accuracy * 100.0,
        c.out_of_scope_rejected * 100.0
    ));
    summary.push(format!(
        "{} questions ({} in scope, {} out of scope): overall {}, in scope {}, out-of-scope rejected {}, top-3 {}, right or among the suggestions {}",
        all.questions,
        all.in_scope,
        all.out_of_scope,
        pct(&figures["overall_accuracy"]),
        pct(&figures["in_scope_accuracy"]),
        pct(&figures["oos_rejection"]),
        pct(&figures["top3_accuracy"]),
        pct(&figures["one_tap_accuracy"]),
    ));
    summary.push(format!("answer latency: p50 {p50} µs, p99 {p99} µs"));
    for (key, tally) in &groups {
        let t = tally.json();
        summary.push(format!(
            "  {key}: {} questions, overall {}, in scope {}, out-of-scope rejected {}, top-3 {}",
            tally.questions,
            pct(&t["overall_accuracy"]),
            pct(&t["in_scope_accuracy"]),
            pct(&t["oos_rejection"]),
            pct(&t["top3_accuracy"])
        ));
    }
    if !mistakes.is_empty() {
        summary.push("mistakes (question: expected, given [suggestions with scores]):".to_owned());
        summary.extend(mistakes);
    }
    let mut worst: Vec<_> = confusions.into_iter().collect();
    worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !worst.is_empty() {
        summary.push("most frequent mistakes (expected → given):".to_owned());
        for ((expected, given), n) in worst.into_iter().take(10) {
            summary.push(format!("  {n} × {expected} → {given}"));
        }
    }
    Ok(Report { summary, json: Value::Object(figures) })
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn one_tap_counts_right_answers_and_hand_offs_that_offer_the_right_intent() {
        let mut t = Tally::default();
        t.add(Some(1), Some(1), true); // answered right
        t.add(Some(1), None, true); // handed off, right intent among the suggestions
        t.add(Some(1), None, false); // handed off without it
        t.add(Some(1), Some(2), true); // answered wrong: the suggestions are not shown
        t.add(None, None, false); // out of scope, handed off: not counted here
        let m = t.json();
        assert_eq!(m["one_tap_accuracy"], serde_json::json!(0.5));
        assert_eq!(m["in_scope_accuracy"], serde_json::json!(0.25));
        assert_eq!(m["top3_accuracy"], serde_json::json!(0.75));
    }
}
