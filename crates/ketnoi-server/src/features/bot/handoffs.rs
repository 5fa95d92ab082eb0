//! The questions the bot handed to officers, as the overview lists them. Those an officer has
//! answered come first, each proposed as an example: with the officer's reply, the intent the
//! bot ranks first for it now (not when it handed off: the knowledge base may have changed
//! since), chosen already, and a new intent ready to make of it. The others wait below, with
//! the bot's guesses from the time. Nothing joins the knowledge base until an officer posts one
//! of the forms, handled in [`super::learn`].

use std::collections::HashSet;

use ketnoi_bot::{Bot, SUGGESTIONS};
use ketnoi_core::{Account, Intent, IntentId, Timestamp};
use ketnoi_store::{HandoffId, OpenHandoff};

use crate::{
    features::bot::service::BotsState,
    kernel::{error::ApiError, pages::Viewer, text::shorten},
};

/// Hand-offs read for the overview, newest first.
const READ: i64 = 200;
/// Hand-offs shown in each of the overview's two lists.
const LISTED: usize = 50;
/// How long an intent's question may be in a drop-down.
const OPTION_CHARS: usize = 70;
/// How many of the question's words a suggested id keeps.
const ID_WORDS: usize = 5;
/// How long a suggested id's stem may be, leaving room for a number that sets it apart.
const ID_STEM_CHARS: usize = 56;

/// An option of a drop-down.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// A new intent's fields as the officer typed them.
#[derive(Debug, Default)]
pub(crate) struct NewIntent {
    pub(crate) id: String,
    pub(crate) topic: String,
    pub(crate) answer: String,
}

/// What the officer posted about one hand-off, kept when the overview comes back with a
/// mistake so that it shows beside that hand-off's fields.
#[derive(Debug)]
pub(crate) struct Acted {
    pub(crate) handoff: HandoffId,
    /// The intent chosen to attach the question to.
    pub(crate) intent: Option<String>,
    /// The new intent's fields, when making one.
    pub(crate) new: Option<NewIntent>,
}

/// A question the bot handed off.
pub(crate) struct HandoffRow {
    pub(crate) id: i64,
    pub(crate) question: String,
    pub(crate) time: String,
    pub(crate) conversation: String,
    /// The officer's answer; only an answered hand-off is offered as a new intent.
    pub(crate) reply: Option<String>,
    /// The intent the bot ranks first now, "id – question", for an answered hand-off.
    pub(crate) ranked: Option<String>,
    /// The account's intents, the bot's guesses first.
    pub(crate) choices: Vec<Choice>,
    /// Whether the officer's post that came back was about this hand-off.
    pub(crate) acted: bool,
    /// The new intent form: open when it came back with a mistake.
    pub(crate) open: bool,
    pub(crate) new_id: String,
    pub(crate) new_topic: String,
    pub(crate) new_answer: String,
}

impl HandoffRow {
    /// The element id of one of the row's fields: the field's own name on the row the officer
    /// acted on (where the error summary links), numbered on the others.
    pub(crate) fn dom(&self, field: &str) -> String {
        if self.acted { field.to_owned() } else { format!("{field}-{}", self.id) }
    }
}

/// The overview's hand-offs: answered, then waiting.
pub(crate) struct Handoffs {
    pub(crate) answered: Vec<HandoffRow>,
    pub(crate) waiting: Vec<HandoffRow>,
}

/// The account's unresolved hand-offs as the overview lists them.
pub(crate) async fn handoffs(
    viewer: &Viewer<BotsState>,
    account: &Account,
    engine: Option<&Bot>,
    acted: Option<&Acted>,
) -> Result<Handoffs, ApiError> {
    let store = &viewer.state.store;
    // Only the account's own intents: an inherited one takes no examples from it.
    let intents = store.bot_intents(account.id).await?;
    let taken: HashSet<&str> = intents.iter().map(|i| i.id.as_str()).collect();
    let mut lists = Handoffs { answered: Vec::new(), waiting: Vec::new() };
    for open in store.open_handoffs(account.id, Timestamp(0), READ).await? {
        let list = if open.reply.is_some() { &mut lists.answered } else { &mut lists.waiting };
        if list.len() < LISTED {
            let acted = acted.filter(|a| a.handoff == open.handoff.id);
            list.push(row(open, engine, &intents, &taken, acted));
        }
    }
    Ok(lists)
}

fn row(
    open: OpenHandoff,
    engine: Option<&Bot>,
    intents: &[Intent],
    taken: &HashSet<&str>,
    acted: Option<&Acted>,
) -> HandoffRow {
    let h = open.handoff;
    // An answered question is ranked again by the engine as it is now.
    let ranked: Vec<&Intent> = match (&open.reply, engine) {
        (Some(_), Some(bot)) => {
            bot.rank(&h.question, SUGGESTIONS).iter().map(|r| bot.intent(r.intent)).collect()
        }
        _ => Vec::new(),
    };
    let guesses: Vec<&IntentId> = if open.reply.is_some() {
        ranked.iter().map(|i| &i.id).collect()
    } else {
        h.suggestions.iter().collect()
    };
    let label = |i: &Intent| format!("{} – {}", i.id, shorten(&i.question, OPTION_CHARS));
    let chosen = match acted.and_then(|a| a.intent.as_deref()) {
        Some(chosen) => Some(chosen.to_owned()),
        None => guesses.iter().find(|id| taken.contains(id.as_str())).map(|id| id.to_string()),
    };
    let choices: Vec<Choice> = guesses
        .iter()
        .filter_map(|id| intents.iter().find(|i| &i.id == *id))
        .chain(intents.iter().filter(|i| !guesses.contains(&&i.id)))
        .map(|i| Choice {
            value: i.id.to_string(),
            label: label(i),
            selected: chosen.as_deref() == Some(i.id.as_str()),
        })
        .collect();
    let first = ranked.first().copied();
    let new = acted.and_then(|a| a.new.as_ref());
    HandoffRow {
        id: h.id.0,
        time: h.at.display_vn(),
        conversation: format!("/console/c/{}", h.conversation.0),
        ranked: first.map(label),
        choices,
        acted: acted.is_some(),
        open: new.is_some(),
        new_id: new
            .map_or_else(|| suggest_id(&h.question, first.map(|i| &i.id), taken), |n| n.id.clone()),
        new_topic: new.map_or_else(
            || first.map(|i| i.topic.clone()).unwrap_or_default(),
            |n| n.topic.clone(),
        ),
        new_answer: new
            .map_or_else(|| open.reply.clone().unwrap_or_default(), |n| n.answer.clone()),
        reply: open.reply,
        question: h.question,
    }
}

/// An id for a new intent made from a question: the group of the nearest intent's id (its part
/// before the first dot) and the question's first words, folded, numbered apart from the ids in
/// use.
fn suggest_id(question: &str, near: Option<&IntentId>, taken: &HashSet<&str>) -> String {
    let words: Vec<String> = ketnoi_text::search_terms(question)
        .into_iter()
        .filter(|w| w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        .take(ID_WORDS)
        .collect();
    let stem = if words.is_empty() { "cau_hoi".to_owned() } else { words.join("_") };
    let group = near.and_then(|id| id.as_str().split_once('.')).map(|(g, _)| g);
    let base: String = match group {
        Some(g) => format!("{g}.{stem}"),
        None => stem,
    }
    .chars()
    .take(ID_STEM_CHARS)
    .collect();
    let mut id = base.clone();
    let mut n = 1;
    while taken.contains(id.as_str()) {
        n += 1;
        id = format!("{base}_{n}");
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> IntentId {
        IntentId::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_suggested_id_is_folded_words_in_the_nearest_intents_group_and_not_taken() {
        let none = HashSet::new();
        let near = id("can_cuoc.cap_moi");
        assert_eq!(
            suggest_id("Con tôi 15 tuổi đã làm thẻ được chưa?", Some(&near), &none),
            "can_cuoc.con_toi_15_tuoi_da"
        );
        assert_eq!(suggest_id("Giờ mở cửa?", Some(&id("gio_lam_viec")), &none), "gio_mo_cua");
        assert_eq!(suggest_id("???", None, &none), "cau_hoi");
        let taken: HashSet<&str> = ["gio_mo_cua", "gio_mo_cua_2"].into_iter().collect();
        assert_eq!(suggest_id("Giờ mở cửa?", None, &taken), "gio_mo_cua_3");
        let long = suggest_id(&"nghiengnghiengnghieng ".repeat(30), None, &none);
        assert!(long.len() <= ID_STEM_CHARS, "{long}");
        for suggested in [long, suggest_id("Đăng ký xe 汽车 ở đâu", None, &none)] {
            assert!(IntentId::parse(&suggested).is_ok(), "{suggested}");
        }
    }
}
