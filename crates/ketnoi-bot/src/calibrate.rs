//! Finding a knowledge base's hand-off threshold from the knowledge base itself.

/// The hand-off threshold and the evidence it was chosen on.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Questions scoring below this are handed off.
    pub threshold: f32,
    /// The same for a message of several sentences (a story, then the question), found the
    /// same way on held-out phrasings and out-of-scope questions each told after another
    /// sentence.
    pub long_threshold: f32,
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

/// What a threshold is chosen on: the confidence of held-out phrasings with whether the bot
/// ranked them right, and the confidence of out-of-scope questions; each alone and told after
/// an unrelated story.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    pub(crate) held: Vec<(f32, bool)>,
    pub(crate) held_long: Vec<(f32, bool)>,
    pub(crate) outside: Vec<f32>,
    pub(crate) outside_long: Vec<f32>,
}

/// Chooses the thresholds.
pub(crate) fn calibrate(evidence: &Evidence) -> Calibration {
    let Evidence { held, held_long, outside, outside_long } = evidence;
    let right = held.iter().filter(|(_, ok)| *ok).count();
    let held_out_accuracy = ratio(right, held.len());
    let threshold = separating(held, outside);
    Calibration {
        threshold,
        // A story never makes the bot surer, so its threshold is never higher.
        long_threshold: separating(held_long, outside_long).min(threshold),
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

/// The threshold that best separates right held-out answers from out-of-scope questions,
/// capped so that no more than [`OUTSIDE_ACCEPTED`] of the latter would be answered.
fn separating(held: &[(f32, bool)], outside: &[f32]) -> f32 {
    if held.is_empty() || outside.is_empty() {
        return FALLBACK;
    }
    best_threshold(held, outside).min(quantile(outside, OUTSIDE_ACCEPTED))
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
