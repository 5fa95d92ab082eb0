//! The account's automatic assistant in conversations.
//!
//! The chat publisher hands every committed citizen message to [`Bots::run`]'s queue. For an
//! account whose bot is on, and a conversation no officer has taken (see
//! [`ketnoi_core::BotState`]), the bot then, in order:
//! 1. takes "was this helpful?" answers and requests for a person;
//! 2. answers keyword rules (exact or contained, accent-insensitive);
//! 3. asks the engine: a confident answer is sent with feedback buttons; otherwise it apologises,
//!    offers its best guesses as quick replies, records the hand-off for the console, and moves
//!    the conversation to the officers' inbox (state `waiting`), adding the away message outside
//!    office hours.
//!
//! Every reply's client id is derived from the message it answers, so a message processed twice
//! (a retry, a second node) is answered once. The built engine is kept per account and rebuilt,
//! off the async threads, when the knowledge base's version changes.
//!
//! An account answers from its own knowledge base and from those offered to its agency's
//! subtree by accounts of the agencies above (its own intents win on a shared id, then the
//! nearest agency's): the engine is rebuilt when any of their versions moves. An answer that
//! comes from a procedure guide links to the guide as the account shows it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ketnoi_bot::Bot;
use ketnoi_core::{
    AccountId, Author, BotState, Button, ClientMsgId, Content, Conversation, KeywordRule, Message,
    MessageKind, RuleMatch, Timestamp,
};
use ketnoi_store::{BotCounter, ChatWrite, NewHandoff, Recipient, Store};
use tokio::sync::mpsc;

use crate::{
    features::{
        chat::service::{Chat, Responder},
        directory::service::Followed,
        lookups::commands::ChatCommands,
    },
    kernel::{
        error::ApiError,
        state::{Kernel, feature_state},
        text::shorten,
        time::vietnam_day,
    },
};

/// What the "helpful" quick reply sends.
pub const HELPFUL: &str = "Câu trả lời này hữu ích";
/// What the "not helpful" quick reply sends.
pub const UNHELPFUL: &str = "Câu trả lời chưa đúng ý tôi";
/// What the "talk to a person" quick reply sends.
pub const ASK_PERSON: &str = "Tôi muốn gặp cán bộ";
/// Other ways citizens ask for a person (folded, matched as the whole message or inside it).
const PERSON_PHRASES: &[&str] = &[
    "gap can bo",
    "gap nguoi",
    "noi chuyen voi can bo",
    "noi chuyen voi nguoi",
    "can bo tra loi",
    "nguoi that",
    "gap nhan vien",
];

const THANKS: &str = "Cảm ơn bạn đã cho biết. Chúc bạn một ngày tốt lành!";
const SORRY_WRONG: &str =
    "Xin lỗi vì câu trả lời chưa đúng ý bạn. Cán bộ đã được báo và sẽ trả lời bạn sớm nhất có thể.";
const PASSED_ON: &str = "Cán bộ đã được báo và sẽ trả lời bạn sớm nhất có thể. Bạn có thể nhắn thêm thông tin trong lúc chờ.";
const UNSURE: &str = "Xin lỗi, tôi chưa chắc đã hiểu đúng câu hỏi của bạn nên đã chuyển cho cán bộ. Trong lúc chờ, có phải bạn muốn hỏi một trong những câu dưới đây?";
const NOT_UNDERSTOOD: &str = "Xin lỗi, tôi chưa hiểu tin nhắn này nên đã chuyển cho cán bộ. Bạn có thể nhắn câu hỏi bằng chữ để tôi thử trả lời.";
const TOO_LONG: &str = "(Tin nhắn rất dài nên tôi chỉ đọc phần đầu.)";
/// The away message when the account wrote none: its office hours and when officers are back.
fn default_away(hours: &ketnoi_core::OfficeHours, now: Timestamp) -> String {
    format!(
        "Hiện đang ngoài giờ làm việc ({}). Cán bộ sẽ trả lời bạn từ {}.",
        hours.to_text(),
        hours.next_open(now).display_vn()
    )
}

/// How many queued citizen messages the bot takes at once.
const BATCH: usize = 64;

/// The built engines, by account, with the knowledge-base version each was built from.
pub struct Bots {
    store: Arc<dyn Store>,
    chat: Arc<Chat>,
    commands: Arc<dyn ChatCommands>,
    engines: Mutex<HashMap<AccountId, (Sources, Arc<Bot>)>>,
}

/// The knowledge bases an engine was built from: each account and its version, own first.
type Sources = Vec<(AccountId, i64)>;

/// A citizen message for the bot to consider.
pub type Incoming = (Conversation, Message);

/// Where the chat publisher leaves committed citizen messages for the bot: the sending half of
/// the queue [`Bots::run`] reads.
pub struct BotQueue(mpsc::UnboundedSender<Incoming>);

/// The bot's queue: its sending half for the chat feature, its reading half for [`Bots::run`].
pub fn queue() -> (BotQueue, mpsc::UnboundedReceiver<Incoming>) {
    let (to_bot, inbox) = mpsc::unbounded_channel();
    (BotQueue(to_bot), inbox)
}

impl Responder for BotQueue {
    fn consider(&self, conversation: Conversation, message: Message) {
        // Closed only when the bot's task has ended with the server.
        let _ = self.0.send((conversation, message));
    }
}

/// What the bot's console pages hold: the kernel and the bots.
#[derive(Clone)]
pub struct BotsState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The accounts' bots.
    pub bots: Arc<Bots>,
}
feature_state!(BotsState);

impl Bots {
    /// An empty cache.
    pub fn new(
        store: Arc<dyn Store>,
        chat: Arc<Chat>,
        commands: Arc<dyn ChatCommands>,
    ) -> Arc<Self> {
        Arc::new(Self { store, chat, commands, engines: Mutex::new(HashMap::new()) })
    }

    /// The account's engine, built from its knowledge base as it is now; `None` when it has
    /// no intents.
    pub async fn engine(&self, account: AccountId) -> Result<Option<Arc<Bot>>, ApiError> {
        let version = self.store.bot_settings(account).await?.kb_version;
        self.engine_at(account, version).await
    }

    /// The knowledge bases an account answers from, each with its version: its own (at
    /// `version`), then those offered by accounts of the agencies above, nearest first.
    async fn sources(&self, account: AccountId, version: i64) -> Result<Sources, ApiError> {
        let mut sources = vec![(account, version)];
        let Some(a) = self.store.account(account).await? else { return Ok(sources) };
        let line = self.store.agency_ancestry(a.agency).await?;
        if line.len() > 1 {
            let mut offered = self.store.shared_knowledge(&line[1..]).await?;
            offered.retain(|(id, _, _)| *id != account);
            offered.sort_by_key(|(id, agency, _)| (line.iter().position(|g| g == agency), id.0));
            sources.extend(offered.into_iter().map(|(id, _, v)| (id, v)));
        }
        Ok(sources)
    }

    /// The engine for the knowledge base at `version` (read by the caller with the settings)
    /// and those the account inherits.
    async fn engine_at(
        &self,
        account: AccountId,
        version: i64,
    ) -> Result<Option<Arc<Bot>>, ApiError> {
        let sources = self.sources(account, version).await?;
        let cached = self.engines.lock().ok().and_then(|m| m.get(&account).cloned());
        if let Some((_, bot)) = cached.filter(|(v, _)| *v == sources) {
            return Ok(Some(bot));
        }
        let mut intents = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (source, _) in &sources {
            for intent in self.store.bot_intents(*source).await? {
                if seen.insert(intent.id.clone()) {
                    intents.push(intent);
                }
            }
        }
        if intents.is_empty() {
            return Ok(None);
        }
        let bot = tokio::task::spawn_blocking(move || Bot::build(intents))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("building the bot failed: {e}")))?;
        let bot = Arc::new(bot);
        let threshold = f64::from(bot.calibration().threshold);
        self.store.set_bot_threshold(account, version, threshold).await?;
        if let Ok(mut map) = self.engines.lock() {
            map.insert(account, (sources, bot.clone()));
        }
        Ok(Some(bot))
    }

    /// Answers queued citizen messages until the queue closes.
    pub async fn run(self: Arc<Self>, mut queue: mpsc::UnboundedReceiver<Incoming>) {
        let mut batch = Vec::with_capacity(BATCH);
        while queue.recv_many(&mut batch, BATCH).await > 0 {
            // Decide for every message first, then write every reply at once so they share a
            // commit; replies to one conversation keep their order.
            let mut writes = Vec::with_capacity(batch.len());
            for (conversation, message) in batch.drain(..) {
                match self.respond(&conversation, &message).await {
                    Ok(reply) => writes.extend(reply),
                    Err(e) => {
                        tracing::warn!(error = ?e, conversation = conversation.id.0, "the bot could not answer")
                    }
                }
            }
            let results =
                futures_util::future::join_all(writes.into_iter().map(|w| self.chat.write(w)))
                    .await;
            for result in results {
                if let Err(e) = result {
                    tracing::warn!(error = ?e, "the bot's reply was not stored");
                }
            }
        }
    }

    /// The bot's reply to one citizen message, if any, and what it records.
    async fn respond(
        &self,
        conversation: &Conversation,
        message: &Message,
    ) -> Result<Option<ChatWrite>, ApiError> {
        let account = conversation.account;
        // A lookup command is answered whatever the bot's state: the citizen asked for a
        // record, not for a conversation.
        if message.content.kind() == MessageKind::Text
            && let Some(answer) = self.commands.answer(
                conversation.account,
                conversation.citizen,
                message.content.body(),
            )
        {
            let reply_id =
                ClientMsgId::parse(&format!("bot-{}-{}", conversation.id.0, message.seq))?;
            return Ok(Some(ChatWrite::Send {
                to: Recipient::Conversation(conversation.id),
                author: Author::Bot,
                author_name: String::new(),
                client_msg_id: reply_id,
                content: Content::text(&answer)?,
                at: Timestamp::now(),
                bot: None,
            }));
        }
        let settings = self.store.bot_settings(account).await?;
        if !settings.enabled || conversation.bot == BotState::Paused {
            return Ok(None);
        }
        let now = Timestamp::now();
        let day = vietnam_day(now);
        let reply_id = ClientMsgId::parse(&format!("bot-{}-{}", conversation.id.0, message.seq))?;
        let send = |content: Content, state: Option<BotState>| ChatWrite::Send {
            to: Recipient::Conversation(conversation.id),
            author: Author::Bot,
            author_name: String::new(),
            client_msg_id: reply_id.clone(),
            content,
            at: now,
            bot: state,
        };
        // Officers answer in the office hours of the inbox that holds the conversation.
        let hours =
            self.store.inbox_settings(conversation.handler).await?.unwrap_or_default().office_hours;
        let away = |text: &str| -> String {
            if hours.is_open(now) {
                text.to_owned()
            } else {
                let away = settings.away_message.trim();
                let away =
                    if away.is_empty() { default_away(&hours, now) } else { away.to_owned() };
                format!("{text}\n\n{away}")
            }
        };
        if message.content.kind() != MessageKind::Text {
            // A picture or a document: only a person can look at it.
            if conversation.bot != BotState::Active {
                return Ok(None);
            }
            return Ok(Some(send(Content::text(&away(PASSED_ON))?, Some(BotState::Waiting))));
        }
        let text = message.content.body();
        let key = ketnoi_text::search_key(text);

        if key == ketnoi_text::search_key(HELPFUL) {
            self.store.count_bot(account, day, BotCounter::Helpful).await?;
            return Ok(Some(send(Content::text(THANKS)?, None)));
        }
        if key == ketnoi_text::search_key(UNHELPFUL) {
            self.store.count_bot(account, day, BotCounter::Unhelpful).await?;
            return Ok(Some(send(Content::text(&away(SORRY_WRONG))?, Some(BotState::Waiting))));
        }
        let padded = format!(" {key} ");
        if key == ketnoi_text::search_key(ASK_PERSON)
            || PERSON_PHRASES.iter().any(|p| padded.contains(&format!(" {p} ")))
        {
            return Ok(Some(send(Content::text(&away(PASSED_ON))?, Some(BotState::Waiting))));
        }

        for rule in self.store.bot_rules(account).await? {
            let rule_key = ketnoi_text::search_key(&rule.keyword);
            let hit = match rule.matching {
                RuleMatch::Exact => key == rule_key,
                RuleMatch::Contains => padded.contains(&format!(" {rule_key} ")),
            };
            if hit {
                self.store.count_bot(account, day, BotCounter::Answered).await?;
                return Ok(Some(send(
                    Content::structured(&rule.answer, feedback_buttons())?,
                    None,
                )));
            }
        }

        let Some(engine) = self.engine_at(account, settings.kb_version).await? else {
            return Ok(None);
        };
        let reply = engine.answer(text);
        if let Some(i) = reply.answer {
            self.store.count_bot(account, day, BotCounter::Answered).await?;
            let intent = engine.intent(i);
            let answer = &intent.answer;
            let answer =
                if reply.truncated { format!("{TOO_LONG}\n\n{answer}") } else { answer.clone() };
            let mut buttons = feedback_buttons();
            // The account is read once, and only for an answer that needs it.
            let tips = about_tips(&intent.question);
            let owner = if intent.procedure.is_some() || tips {
                self.store.account(account).await?
            } else {
                None
            };
            if let (Some(code), Some(a)) = (&intent.procedure, &owner) {
                let links =
                    crate::features::desk::service::answer_links(self.store.as_ref(), a, code);
                buttons.splice(0..0, links.await?);
            }
            if tips
                && let Some(a) = &owner
                && a.kind == ketnoi_core::AccountKind::Police
            {
                // A police account's answer about reporting a crime opens the sealed form: the
                // chat itself is not sealed.
                buttons.insert(
                    0,
                    Button::Link {
                        label: TIP_BUTTON.to_owned(),
                        url: format!("/a/{}/tin-bao", a.slug),
                    },
                );
            }
            return Ok(Some(send(Content::structured(&answer, buttons)?, None)));
        }

        self.store.count_bot(account, day, BotCounter::HandedOff).await?;
        let suggestions: Vec<_> =
            reply.suggestions.iter().map(|r| engine.intent(r.intent)).collect();
        self.store
            .record_handoff(&NewHandoff {
                account,
                conversation: conversation.id,
                question: text.chars().take(1000).collect(),
                suggestions: suggestions.iter().map(|i| i.id.clone()).collect(),
                at: now,
            })
            .await?;
        let content = if suggestions.is_empty() {
            Content::text(&away(NOT_UNDERSTOOD))?
        } else {
            let buttons = suggestions
                .iter()
                .map(|i| Button::Reply {
                    label: shorten(&i.question, 80),
                    text: shorten(&i.question, 500),
                })
                .collect();
            let intro =
                if reply.truncated { format!("{TOO_LONG} {UNSURE}") } else { UNSURE.to_owned() };
            Content::structured(&away(&intro), buttons)?
        };
        Ok(Some(send(content, Some(BotState::Waiting))))
    }
}

/// The first keyword rule a message matches: the whole message (exact) or a run of its words
/// (contains), both folded, so case, diacritics and punctuation do not matter.
pub fn matching_rule<'a>(rules: &'a [KeywordRule], text: &str) -> Option<&'a KeywordRule> {
    let key = ketnoi_text::search_key(text);
    let padded = format!(" {key} ");
    rules.iter().find(|rule| {
        let rule_key = ketnoi_text::search_key(&rule.keyword);
        match rule.matching {
            RuleMatch::Exact => key == rule_key,
            RuleMatch::Contains => padded.contains(&format!(" {rule_key} ")),
        }
    })
}

/// Following an account whose bot is on and has a welcome opens the citizen's conversation with
/// it.
#[async_trait::async_trait]
impl Followed for Bots {
    async fn followed(
        &self,
        account: AccountId,
        citizen: &ketnoi_core::Citizen,
    ) -> Result<(), ApiError> {
        let settings = self.store.bot_settings(account).await?;
        if !settings.enabled || settings.welcome.trim().is_empty() {
            return Ok(());
        }
        let write = ChatWrite::Send {
            to: Recipient::Open {
                account,
                citizen: citizen.id,
                citizen_label: citizen.phone.masked(),
            },
            author: Author::Bot,
            author_name: String::new(),
            client_msg_id: ClientMsgId::parse(&format!(
                "bot-welcome-{}",
                Timestamp::now().millis()
            ))?,
            content: Content::text(&settings.welcome)?,
            at: Timestamp::now(),
            bot: None,
        };
        if let Err(refusal) = self.chat.write(write).await? {
            tracing::warn!(?refusal, "the welcome message was refused");
        }
        Ok(())
    }
}

/// The quick replies under every answer.
/// The button on a police account's answers about reporting a crime.
const TIP_BUTTON: &str = "Gửi tin báo bí mật (có thể ẩn danh)";

/// Whether an intent is about reporting a crime ("báo tin", "tố giác"), judged by its question.
fn about_tips(question: &str) -> bool {
    let key = format!(" {} ", ketnoi_text::search_key(question));
    [" to giac ", " bao tin "].iter().any(|w| key.contains(w))
}

fn feedback_buttons() -> Vec<Button> {
    vec![
        Button::Reply { label: "👍 Hữu ích".to_owned(), text: HELPFUL.to_owned() },
        Button::Reply { label: "👎 Chưa đúng".to_owned(), text: UNHELPFUL.to_owned() },
        Button::Reply { label: "Gặp cán bộ".to_owned(), text: ASK_PERSON.to_owned() },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_away_message_names_the_hours_and_when_officers_are_back() {
        // Saturday 2026-12-05, 09:00 in Vietnam: back on Monday at 07:30.
        let saturday = Timestamp(1_795_996_800_000 + 5 * 86_400_000 + 2 * 3_600_000);
        let text = default_away(&ketnoi_core::OfficeHours::default(), saturday);
        assert!(text.contains("T2-T6 07:30-11:30, 13:30-17:00"), "{text}");
        let monday = Timestamp(1_795_996_800_000 + 7 * 86_400_000 + 30 * 60_000);
        assert!(text.contains(&monday.display_vn()), "{text}");
        // 2026-11-30 is a Monday; 02:00 UTC is 09:00 in Vietnam.
        assert_eq!(vietnam_day(Timestamp(1_795_996_800_000 + 2 * 3_600_000)), 20_787);
    }

    #[test]
    fn keyword_rules_match_without_case_or_diacritics() {
        let rule = |id, keyword: &str, matching| KeywordRule {
            id: ketnoi_core::RuleId(id),
            keyword: keyword.to_owned(),
            matching,
            answer: format!("answer {id}"),
        };
        let rules =
            [rule(1, "giờ làm việc", RuleMatch::Contains), rule(2, "Alo", RuleMatch::Exact)];
        assert_eq!(matching_rule(&rules, "Cho hỏi GIO LAM VIEC thế nào?").map(|r| r.id.0), Some(1));
        assert_eq!(matching_rule(&rules, "alo!").map(|r| r.id.0), Some(2));
        assert!(matching_rule(&rules, "alo, cho hỏi").is_none());
        // Contains works on whole words: "việc" inside "làm việc" only.
        assert!(matching_rule(&rules, "giờ làm việcx").is_none());
    }
}
