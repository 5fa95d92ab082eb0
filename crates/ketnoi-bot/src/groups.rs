//! Similar questions grouped together: what a knowledge base's author reads to see which
//! questions the bot keeps handing to officers, and how often.
//!
//! Each question becomes a set of features: its syllables, folded (after teencode is expanded,
//! as the engine does), and each pair of adjacent syllables, so "làm căn cước ở đâu" and "lam
//! can cuoc o dau" are the same set and a typo costs one syllable and two pairs, not the match.
//! The words nearly every question is made of ("cho hỏi", "ở đâu", "không") weigh less, so two
//! questions do not meet on them alone. Weights are fixed rather than learnt from the questions
//! (inverse document frequency): the words a big group shares are frequent by definition, and
//! weighing them down would split the very groups the page is for.
//!
//! Then one greedy pass in the given order: a question joins the group whose centroid is
//! closest to it by cosine, if at least [`THRESHOLD`], or starts a group. Only groups sharing a
//! feature with the question are compared, through an index of features to groups, so a pass
//! costs O(questions × groups) at worst and much less in practice. The result depends only on
//! the questions and their order.

use std::collections::HashMap;

use ketnoi_text::{Abbreviations, syllables};

use crate::{Bot, SUGGESTIONS};

/// How close (cosine) a question must be to a group's centroid to join it.
pub const THRESHOLD: f32 = 0.5;

/// How much a common question word, or a pair of them, weighs against other words.
const COMMON_WEIGHT: f32 = 0.3;

/// How many of a group's questions are ranked to find the group's intent.
const RANKED_MEMBERS: usize = 5;

/// Words of almost every question (folded): politeness, pronouns, question words.
const COMMON: &[&str] = &[
    "a", "ah", "ai", "anh", "bao", "bi", "cac", "chi", "cho", "chua", "co", "cua", "da", "dau",
    "duoc", "em", "gi", "hay", "hoi", "khi", "khong", "la", "lam", "ma", "minh", "mot", "muon",
    "nao", "nay", "nha", "nhe", "nhi", "nhieu", "nhu", "nhung", "o", "oi", "phai", "roi", "sao",
    "se", "the", "thi", "toi", "va", "vay", "ve", "voi", "xin",
];

/// Questions that read alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The questions, by their position in the input: the most typical of the group first
    /// (the closest to its centroid), then the others in input order.
    pub members: Vec<usize>,
    /// The intent the bot ranks first over the group's first questions (by position in its
    /// knowledge base), or `None` without a bot or when no intent matches any of them.
    pub intent: Option<usize>,
}

/// Groups similar questions, biggest group first (ties: the group whose first question comes
/// first), and keeps the first `limit` groups. Questions without a single letter or digit
/// join no group. With a bot, each kept group carries the intent it ranks first.
pub fn group_similar(bot: Option<&Bot>, questions: &[&str], limit: usize) -> Vec<Group> {
    let vectors = vectors(questions);
    let mut clusters = cluster(&vectors);
    clusters.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.first.cmp(&b.first)));
    clusters.truncate(limit);
    clusters
        .into_iter()
        .map(|c| {
            let members = c.ordered(&vectors);
            let intent = bot.and_then(|bot| first_intent(bot, questions, &members));
            Group { members, intent }
        })
        .collect()
}

/// A question's features with their weights, unit length, by feature number.
type Vector = Vec<(u32, f32)>;

/// Every question's vector (empty for a question without features).
fn vectors(questions: &[&str]) -> Vec<Vector> {
    let mut numbers: HashMap<String, u32> = HashMap::new();
    questions
        .iter()
        .map(|q| {
            let words: Vec<String> = Abbreviations::builtin()
                .expand(&syllables(q))
                .into_iter()
                .map(|s| s.folded)
                .collect();
            let pairs = words.windows(2).map(|p| (format!("{} {}", p[0], p[1]), p));
            let singles = words.iter().map(|w| (w.clone(), std::slice::from_ref(w)));
            let mut v: Vector = singles
                .chain(pairs)
                .map(|(feature, parts)| {
                    let next = numbers.len() as u32;
                    let common = parts.iter().all(|w| COMMON.contains(&w.as_str()));
                    (
                        *numbers.entry(feature).or_insert(next),
                        if common { COMMON_WEIGHT } else { 1.0 },
                    )
                })
                .collect();
            v.sort_unstable_by_key(|(f, _)| *f);
            v.dedup_by_key(|(f, _)| *f);
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            v.iter_mut().for_each(|(_, w)| *w /= norm);
            v
        })
        .collect()
}

/// A group while it forms.
struct Cluster {
    /// The sum of its members' vectors.
    sum: HashMap<u32, f32>,
    /// The sum's squared length.
    norm2: f32,
    /// Its questions, in input order.
    members: Vec<usize>,
    /// Its first question.
    first: usize,
}

impl Cluster {
    /// Its questions, the one most like the others first.
    fn ordered(&self, vectors: &[Vector]) -> Vec<usize> {
        let closeness = |m: usize| -> f32 {
            vectors[m].iter().map(|(f, w)| w * self.sum.get(f).copied().unwrap_or(0.0)).sum()
        };
        let mut best = self.first;
        let mut best_score = f32::MIN;
        for &m in &self.members {
            let score = closeness(m);
            if score > best_score {
                (best, best_score) = (m, score);
            }
        }
        let mut members = vec![best];
        members.extend(self.members.iter().copied().filter(|&m| m != best));
        members
    }
}

/// The greedy pass over the questions, in order.
fn cluster(vectors: &[Vector]) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> = Vec::new();
    // Feature → the clusters whose sum has it.
    let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut dots: Vec<f32> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        for (f, w) in v {
            for &c in postings.get(f).map(Vec::as_slice).unwrap_or_default() {
                if dots[c] == 0.0 {
                    touched.push(c);
                }
                dots[c] += w * clusters[c].sum.get(f).copied().unwrap_or(0.0);
            }
        }
        touched.sort_unstable();
        let mut best: Option<(usize, f32, f32)> = None;
        for &c in &touched {
            let cosine = dots[c] / clusters[c].norm2.sqrt();
            if cosine >= THRESHOLD && best.is_none_or(|(_, b, _)| cosine > b) {
                best = Some((c, cosine, dots[c]));
            }
        }
        for c in touched.drain(..) {
            dots[c] = 0.0;
        }
        let c = match best {
            Some((c, _, dot)) => {
                // |s + v|² = |s|² + 2 s·v + |v|², and v has unit length.
                clusters[c].norm2 += 2.0 * dot + 1.0;
                clusters[c].members.push(i);
                c
            }
            None => {
                clusters.push(Cluster {
                    sum: HashMap::new(),
                    norm2: 1.0,
                    members: vec![i],
                    first: i,
                });
                dots.push(0.0);
                clusters.len() - 1
            }
        };
        for (f, w) in v {
            let entry = clusters[c].sum.entry(*f).or_insert_with(|| {
                postings.entry(*f).or_default().push(c);
                0.0
            });
            *entry += w;
        }
    }
    clusters
}

/// The intent with the highest summed score over the group's first questions.
fn first_intent(bot: &Bot, questions: &[&str], members: &[usize]) -> Option<usize> {
    let mut totals: HashMap<usize, f32> = HashMap::new();
    for &m in members.iter().take(RANKED_MEMBERS) {
        for r in bot.rank(questions[m], SUGGESTIONS) {
            *totals.entry(r.intent).or_default() += r.score;
        }
    }
    totals
        .into_iter()
        .max_by(|(a, x), (b, y)| x.total_cmp(y).then(b.cmp(a)))
        .map(|(intent, _)| intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(questions: &[&str]) -> Vec<Vec<usize>> {
        group_similar(None, questions, usize::MAX).into_iter().map(|g| g.members).collect()
    }

    #[test]
    fn variants_with_and_without_diacritics_and_typos_group_together() {
        let questions = [
            "Làm căn cước công dân ở đâu?",
            "Đăng ký tạm trú cần giấy tờ gì?",
            "lam can cuoc cong dan o dau",
            "Mất xe máy thì báo ở đâu?",
            "cho hỏi làm căn cươc công dna ở đâu vậy",
            "dang ky tam tru can giay to gi a",
            "lam cccd o dau",
            "Giờ làm việc của công an xã thế nào?",
        ];
        assert_eq!(groups(&questions), vec![vec![0, 2, 4, 6], vec![1, 5], vec![3], vec![7]]);
    }

    #[test]
    fn unrelated_questions_sharing_only_common_words_stay_apart() {
        let questions = [
            "Cho tôi hỏi làm hộ chiếu ở đâu ạ?",
            "Cho tôi hỏi làm căn cước ở đâu ạ?",
            "Cho tôi hỏi đăng ký kết hôn ở đâu ạ?",
            "cho em hỏi với ạ",
        ];
        assert_eq!(groups(&questions), vec![vec![0], vec![1], vec![2], vec![3]]);
    }

    #[test]
    fn nothing_to_group_gives_no_groups() {
        assert!(group_similar(None, &[], 10).is_empty());
        assert!(group_similar(None, &["???", "😀"], 10).is_empty());
        assert_eq!(groups(&["", "Làm hộ chiếu ở đâu?"]), vec![vec![1]]);
    }

    #[test]
    fn groups_come_biggest_first_then_by_first_question_and_are_cut_at_the_limit() {
        let questions = [
            "đổi bằng lái xe",
            "mất ví ở chợ",
            "cấp lại hộ chiếu",
            "doi bang lai xe",
            "cap lai ho chieu",
            "đổi bằng lái xe máy",
        ];
        let all = group_similar(None, &questions, usize::MAX);
        assert_eq!(
            all.iter().map(|g| g.members.clone()).collect::<Vec<_>>(),
            vec![vec![0, 3, 5], vec![2, 4], vec![1]]
        );
        assert_eq!(group_similar(None, &questions, usize::MAX), all, "the same every time");
        assert_eq!(group_similar(None, &questions, 2), all[..2].to_vec());
    }

    #[test]
    fn the_most_typical_question_leads_its_group() {
        let questions = [
            "hộ chiếu",
            "làm hộ chiếu phổ thông ở đâu",
            "lam ho chieu pho thong o dau vay",
            "làm hộ chiếu phổ thông ở đâu ạ",
        ];
        let found = groups(&questions);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_ne!(found[0][0], 0, "{found:?}");
    }

    #[test]
    fn a_group_carries_the_intent_its_questions_rank_first() {
        let intent = |id: &str, question: &str, examples: &[&str]| {
            let examples: Vec<String> = examples.iter().map(|e| (*e).to_owned()).collect();
            ketnoi_core::Intent::new(id, "", question, "Trả lời.", &examples)
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let bot = Bot::build(vec![
            intent("ho_chieu", "Làm hộ chiếu ở đâu?", &["cấp hộ chiếu", "xin hộ chiếu"]),
            intent("tam_tru", "Đăng ký tạm trú thế nào?", &["khai báo tạm trú"]),
        ]);
        let questions = ["hộ chiếu làm mất bao lâu", "ho chieu lam mat bao lau", "📎"];
        let found = group_similar(Some(&bot), &questions, 10);
        assert_eq!(found, vec![Group { members: vec![0, 1], intent: Some(0) }]);
    }
}
