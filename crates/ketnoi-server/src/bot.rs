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

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ketnoi_bot::Bot;
use ketnoi_core::{
    AccountId, Author, BotState, Button, ClientMsgId, Content, Conversation, KeywordRule, Message,
    MessageKind, RuleMatch, Timestamp,
};
use ketnoi_store::{BotCounter, ChatWrite, NewHandoff, Recipient, Store};
use tokio::sync::mpsc;

use crate::chat::Chat;
use crate::error::ApiError;

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
const DEFAULT_AWAY: &str = "Hiện đang ngoài giờ làm việc (thứ Hai đến thứ Sáu, 7 giờ 30 đến 17 giờ). Cán bộ sẽ trả lời bạn trong giờ làm việc.";

/// How many queued citizen messages the bot takes at once.
const BATCH: usize = 64;

/// The built engines, by account, with the knowledge-base version each was built from.
pub struct Bots {
    store: Arc<dyn Store>,
    lookups: Arc<crate::lookup::Lookups>,
    engines: Mutex<HashMap<AccountId, (i64, Arc<Bot>)>>,
}

/// A citizen message for the bot to consider.
pub type Incoming = (Conversation, Message);

impl Bots {
    /// An empty cache.
    pub fn new(store: Arc<dyn Store>, lookups: Arc<crate::lookup::Lookups>) -> Arc<Self> {
        Arc::new(Self { store, lookups, engines: Mutex::new(HashMap::new()) })
    }

    /// The account's engine, built from its knowledge base as it is now; `None` when it has
    /// no intents.
    pub async fn engine(&self, account: AccountId) -> Result<Option<Arc<Bot>>, ApiError> {
        let version = self.store.bot_settings(account).await?.kb_version;
        self.engine_at(account, version).await
    }

    /// The engine for the knowledge base at `version` (read by the caller with the settings).
    async fn engine_at(
        &self,
        account: AccountId,
        version: i64,
    ) -> Result<Option<Arc<Bot>>, ApiError> {
        let cached = self.engines.lock().ok().and_then(|m| m.get(&account).cloned());
        if let Some((_, bot)) = cached.filter(|(v, _)| *v == version) {
            return Ok(Some(bot));
        }
        let intents = self.store.bot_intents(account).await?;
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
            map.insert(account, (version, bot.clone()));
        }
        Ok(Some(bot))
    }

    /// Answers queued citizen messages until the queue closes.
    pub async fn run(
        self: Arc<Self>,
        chat: Arc<Chat>,
        mut queue: mpsc::UnboundedReceiver<Incoming>,
    ) {
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
                futures_util::future::join_all(writes.into_iter().map(|w| chat.write(w))).await;
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
            && let Some(answer) = self.lookup_command(conversation, message.content.body())
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
        let away = |text: &str| -> String {
            if in_office_hours(now) {
                text.to_owned()
            } else {
                let away = settings.away_message.trim();
                let away = if away.is_empty() { DEFAULT_AWAY } else { away };
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
            if about_tips(&intent.question) {
                // A police account's answer about reporting a crime opens the sealed form: the
                // chat itself is not sealed.
                if let Some(a) = self.store.account(account).await?
                    && a.kind == ketnoi_core::AccountKind::Police
                {
                    buttons.insert(
                        0,
                        Button::Link {
                            label: TIP_BUTTON.to_owned(),
                            url: format!("/a/{}/tin-bao", a.slug),
                        },
                    );
                }
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

impl Bots {
    /// The answer to a lookup command ("diem 36000001 22/11/2006"), if the message starts with
    /// the command of one of the account's datasets.
    fn lookup_command(&self, conversation: &Conversation, text: &str) -> Option<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let served = self.lookups.of_account(conversation.account).into_iter().find(|s| {
            let n = s.command.split_whitespace().count();
            n > 0 && words.len() >= n && ketnoi_text::search_key(&words[..n].join(" ")) == s.command
        })?;
        let args = &words[served.command.split_whitespace().count()..];
        let spec = served.data.spec();
        let usage = {
            let mut parts =
                vec![served.command.clone(), format!("<{}>", label_of(spec, &spec.key))];
            parts.extend(spec.verify.iter().map(|c| format!("<{}>", label_of(spec, c))));
            parts.join(" ")
        };
        let Some((key, rest)) = args.split_first() else {
            return Some(format!("Để tra cứu {}, hãy nhắn: {usage}", served.title));
        };
        // One verification column takes the rest of the message ("22 11 2006" too); several
        // take a word each.
        let values: Vec<String> = match spec.verify.len() {
            0 => vec![],
            1 => vec![rest.join(" ")],
            _ => rest.iter().map(|w| (*w).to_owned()).collect(),
        };
        let params: Vec<(String, String)> = spec.verify.iter().cloned().zip(values).collect();
        let client = || self.lookups.citizen_client(conversation.citizen);
        match self.lookups.find(&served, key, &params, client) {
            Ok(values) => Some(record_text(&served, values)),
            Err(crate::lookup::LookupProblem::NoMatch) => Some(format!(
                "Không tìm thấy kết quả phù hợp. Vui lòng kiểm tra lại và nhắn theo mẫu: {usage}"
            )),
            Err(crate::lookup::LookupProblem::RateLimited(r)) => Some(format!(
                "Bạn tra cứu quá nhanh. Vui lòng thử lại sau {} giây.",
                r.header_secs()
            )),
            Err(crate::lookup::LookupProblem::Locked(r)) => Some(format!(
                "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng {} phút.",
                r.header_secs().div_ceil(60)
            )),
            Err(_) => Some(format!("Tin nhắn chưa đúng mẫu. Hãy nhắn: {usage}")),
        }
    }
}

/// The label a dataset shows a column under (its header when it is not shown).
pub(crate) fn label_of<'a>(spec: &'a ketnoi_lookup::dataset::Spec, column: &'a str) -> &'a str {
    spec.show.iter().find(|(c, _)| c == column).map_or(column, |(_, label)| label.as_str())
}

/// A record as a chat message: the dataset's title, then `label: value` per non-empty value.
pub(crate) fn record_text(served: &crate::lookup::Served, values: &[u8]) -> String {
    let labels: Vec<String> = serde_json::from_slice(served.data.labels_json()).unwrap_or_default();
    // An empty cell is stored as null.
    let values: Vec<Option<String>> = serde_json::from_slice(values).unwrap_or_default();
    let mut text = served.title.clone();
    for (label, value) in labels.iter().zip(&values) {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            text.push_str(&format!("\n{label}: {value}"));
        }
    }
    text
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

/// What a message by `author` does to the conversation's bot: an officer's (or an
/// integration's) reply takes the conversation over, so the bot pauses.
pub fn state_after(author: Author) -> Option<BotState> {
    match author {
        Author::Staff(_) | Author::Account(_) => Some(BotState::Paused),
        Author::Citizen(_) | Author::Bot => None,
    }
}

/// Which conversations an inbox lists: `person` (those waiting for or taken by an officer) or
/// `bot` (those the bot is handling); anything else is refused.
pub fn parse_handler(raw: Option<&str>) -> Result<Option<bool>, ApiError> {
    match raw.map(str::trim).filter(|h| !h.is_empty()) {
        None => Ok(None),
        Some("bot") => Ok(Some(true)),
        Some("person") => Ok(Some(false)),
        Some(_) => {
            Err(ketnoi_core::InvalidInput::Choice { field: "handler", choices: "bot, person" }
                .into())
        }
    }
}

/// Sends the account's welcome message to a citizen who has just followed it, opening their
/// conversation, when the bot is on and a welcome is set.
pub async fn welcome(
    state: &crate::AppState,
    account: AccountId,
    citizen: &ketnoi_core::Citizen,
) -> Result<(), ApiError> {
    let settings = state.store.bot_settings(account).await?;
    if !settings.enabled || settings.welcome.trim().is_empty() {
        return Ok(());
    }
    let write = ChatWrite::Send {
        to: Recipient::Open { account, citizen: citizen.id, citizen_label: citizen.phone.masked() },
        author: Author::Bot,
        author_name: String::new(),
        client_msg_id: ClientMsgId::parse(&format!("bot-welcome-{}", Timestamp::now().millis()))?,
        content: Content::text(&settings.welcome)?,
        at: Timestamp::now(),
        bot: None,
    };
    if let Err(refusal) = state.chat.write(write).await? {
        tracing::warn!(?refusal, "the welcome message was refused");
    }
    Ok(())
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

/// At most `max` characters, with an ellipsis when cut (button labels, drop-down options).
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Vietnam's offset from UTC, in milliseconds.
const VIETNAM_MS: i64 = ketnoi_core::VIETNAM_OFFSET.whole_seconds() as i64 * 1000;

/// Days since 1970-01-01 in Vietnam time: the bot's statistics are kept per local day.
pub fn vietnam_day(at: Timestamp) -> i64 {
    (at.millis() + VIETNAM_MS).div_euclid(86_400_000)
}

/// Whether officers are at work: Monday to Friday, 07:30–17:00 Vietnam time.
fn in_office_hours(at: Timestamp) -> bool {
    let local = at.millis() + VIETNAM_MS;
    let minute = local.rem_euclid(86_400_000) / 60_000;
    // 1970-01-01 was a Thursday: day 0 → 3 with Monday as 0.
    let weekday = (local.div_euclid(86_400_000) + 3).rem_euclid(7);
    weekday < 5 && (7 * 60 + 30..17 * 60).contains(&minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_are_weekdays_in_vietnam_time() {
        // 2026-11-30 is a Monday; 02:00 UTC is 09:00 in Vietnam.
        let monday_9 = Timestamp(1_795_996_800_000 + 2 * 3_600_000);
        assert!(in_office_hours(monday_9));
        // 11:00 UTC is 18:00 in Vietnam.
        assert!(!in_office_hours(Timestamp(1_795_996_800_000 + 11 * 3_600_000)));
        // Saturday 2026-12-05, 09:00 in Vietnam.
        let saturday = Timestamp(1_795_996_800_000 + 5 * 86_400_000 + 2 * 3_600_000);
        assert!(!in_office_hours(saturday));
        assert_eq!(vietnam_day(monday_9), 20_787);
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

    #[test]
    fn a_record_with_empty_cells_reads_as_its_filled_ones() {
        // Regression: an empty cell (stored as null) made the whole record unreadable, and the
        // chat answer held only the title.
        let spec = ketnoi_lookup::dataset::Spec { key: "sbd".into(), ..Default::default() };
        let csv = "sbd,ho_ten,vat_li,toan\n01,Lê Văn A,,8.50\n";
        let data =
            ketnoi_lookup::dataset::import(csv.as_bytes(), &spec).unwrap_or_else(|r| panic!("{r}"));
        let served = crate::lookup::Served::for_tests("Điểm thi", data);
        let values = served.data.get("01", &[]).unwrap_or_else(|| panic!("no record"));
        assert_eq!(record_text(&served, values), "Điểm thi\nsbd: 01\nho_ten: Lê Văn A\ntoan: 8.50");
    }

    #[test]
    fn long_questions_are_shortened_for_buttons() {
        assert_eq!(shorten("ngắn", 80), "ngắn");
        let long = "á".repeat(100);
        assert_eq!(shorten(&long, 80).chars().count(), 80);
    }
}
