//! Finding a knowledge base's hand-off threshold from the knowledge base itself.

use crate::engine::Index;

/// At most this many phrasings are left out one at a time; larger knowledge bases are sampled
/// evenly, which keeps building a 5,000-intent index within a second or two.
const MAX_HELD_OUT: usize = 600;

/// The hand-off threshold and the evidence it was chosen on.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Questions scoring below this are handed off.
    pub threshold: f32,
    /// How many phrasings were asked with themselves left out.
    pub held_out: usize,
    /// Of those, the share the bot got right with the rest of the knowledge base.
    pub held_out_accuracy: f32,
    /// Of those, the share right and at or above the threshold (would be answered, rightly).
    pub held_out_answered: f32,
    /// How many out-of-scope questions were asked.
    pub out_of_scope: usize,
    /// Of those, the share below the threshold (would be handed off, rightly).
    pub out_of_scope_rejected: f32,
}

/// The fallback when a knowledge base is too small to calibrate on (fewer than two phrasings
/// per intent, or no out-of-scope questions): cautious, since a wrong answer costs more than a
/// hand-off.
const FALLBACK: f32 = 0.5;

pub(crate) fn calibrate(index: &Index, out_of_scope: &[String]) -> Calibration {
    // Phrasings whose intent has at least one other phrasing can be left out.
    let mut per_intent = vec![0usize; index.intents()];
    for &i in &index.phrase_intent {
        per_intent[i as usize] += 1;
    }
    let eligible: Vec<u32> = (0..index.phrase_intent.len() as u32)
        .filter(|&p| per_intent[index.phrase_intent[p as usize] as usize] > 1)
        .collect();
    let step = eligible.len().div_ceil(MAX_HELD_OUT).max(1);
    // (score, right) for held-out phrasings; scores for out-of-scope questions.
    let mut held: Vec<(f32, bool)> = Vec::new();
    for &p in eligible.iter().step_by(step) {
        let query = index.query_left_out(&index.phrase_terms[p as usize], true);
        let scores = index.scores(&query, Some(p));
        let ranked = crate::top(&scores, 2);
        let right =
            ranked.first().is_some_and(|b| b.intent as u32 == index.phrase_intent[p as usize]);
        held.push((crate::confidence(&ranked), right));
    }
    let outside: Vec<f32> = out_of_scope
        .iter()
        .map(|q| {
            let query = index.query(&index.analyzer.terms(q, true));
            crate::confidence(&crate::top(&index.scores(&query, None), 2))
        })
        .collect();

    let right = held.iter().filter(|(_, ok)| *ok).count();
    let held_out_accuracy = ratio(right, held.len());
    let threshold = if held.is_empty() || outside.is_empty() {
        FALLBACK
    } else {
        best_threshold(&held, &outside).min(quantile(&outside, OUTSIDE_ACCEPTED))
    };
    Calibration {
        threshold,
        held_out: held.len(),
        held_out_accuracy,
        held_out_answered: ratio(
            held.iter().filter(|(s, ok)| *ok && *s >= threshold).count(),
            held.len(),
        ),
        out_of_scope: outside.len(),
        out_of_scope_rejected: ratio(
            outside.iter().filter(|&&s| s < threshold).count(),
            outside.len(),
        ),
    }
}

/// The share of shipped out-of-scope questions the threshold may let through. Phrasings left
/// out of their own knowledge base are easier than citizens' real questions (their authors
/// wrote the other examples too), so the balance point found on them alone sits too high; the
/// threshold is capped where this share of off-topic questions would still be answered.
const OUTSIDE_ACCEPTED: f32 = 0.1;

/// The score below which all but `share` of the scores fall.
fn quantile(scores: &[f32], share: f32) -> f32 {
    let mut sorted = scores.to_vec();
    sorted.sort_by(f32::total_cmp);
    let k = ((1.0 - share) * sorted.len() as f32) as usize;
    sorted.get(k.min(sorted.len().saturating_sub(1))).copied().unwrap_or(FALLBACK)
}

fn ratio(n: usize, of: usize) -> f32 {
    if of == 0 { 0.0 } else { n as f32 / of as f32 }
}

/// The threshold maximising (share of held-out phrasings answered rightly) + (share of
/// out-of-scope questions handed off): both kinds of mistake count the same. Among equally
/// good thresholds, the middle of the best gap.
fn best_threshold(held: &[(f32, bool)], outside: &[f32]) -> f32 {
    // Candidate thresholds: every score, plus one above all.
    let mut candidates: Vec<f32> =
        held.iter().map(|h| h.0).chain(outside.iter().copied()).collect();
    candidates.sort_by(f32::total_cmp);
    candidates.dedup();
    candidates.push(candidates.last().copied().unwrap_or(1.0) + 1e-3);
    let objective = |t: f32| {
        ratio(held.iter().filter(|(s, ok)| *ok && *s >= t).count(), held.len())
            + ratio(outside.iter().filter(|&&s| s < t).count(), outside.len())
    };
    let mut best = (f32::MIN, 0usize, 0usize);
    for (k, &t) in candidates.iter().enumerate() {
        let value = objective(t);
        if value > best.0 + 1e-6 {
            best = (value, k, k);
        } else if (value - best.0).abs() <= 1e-6 && best.2 + 1 == k {
            best.2 = k;
        }
    }
    // The chosen threshold sits between the score just below the best run and its first
    // member, so it does not cling to one example.
    let low = best.1;
    let below = if low == 0 { candidates[0] - 1e-3 } else { candidates[low - 1] };
    (below + candidates[low]) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_separates_right_answers_from_outside_questions() {
        let held = [(0.8, true), (0.7, true), (0.6, true), (0.5, false), (0.3, true)];
        let outside = [0.2, 0.35, 0.4, 0.45];
        let t = best_threshold(&held, &outside);
        assert!(t > 0.45 && t <= 0.6, "{t}");
    }

    #[test]
    fn with_no_overlap_every_right_answer_is_kept() {
        let t = best_threshold(&[(0.9, true), (0.8, true)], &[0.1, 0.2]);
        assert!(t > 0.2 && t <= 0.8, "{t}");
    }
}
