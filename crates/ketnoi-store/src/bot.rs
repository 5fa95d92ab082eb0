//! What storage keeps for an account's bot: its settings, its knowledge base (intents), its
//! keyword rules, the questions it handed to officers, and daily counts of what it did.
//!
//! The knowledge base carries a version, `kb_version`, that moves on every change to the
//! account's intents: the server builds the answering engine once per (account, version) and
//! rebuilds when the version it reads differs from the one it built.

use async_trait::async_trait;
use ketnoi_core::{
    AccountId, AgencyId, ConversationId, Intent, IntentId, KeywordRule, NewKeywordRule, RuleId,
    Timestamp,
};

use crate::Result;

/// An account's bot settings. An account that never touched its bot has the default: off, no
/// welcome, no away message, an empty knowledge base at version 0, never calibrated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BotSettings {
    /// Whether the bot answers citizens.
    pub enabled: bool,
    /// What the bot says to a new follower, or empty for nothing.
    pub welcome: String,
    /// What the bot says when it hands a question over outside office hours, or empty.
    pub away_message: String,
    /// The knowledge base's version: 0 before any intent was written, then one more for every
    /// change.
    pub kb_version: i64,
    /// The hand-off threshold last calibrated on the knowledge base, if any.
    pub threshold: Option<f64>,
    /// Whether the knowledge base is offered to the accounts of the agency's subtree.
    pub shared: bool,
}

/// The settings an officer edits; the knowledge base's version and threshold are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotSettingsUpdate {
    /// Whether the bot answers citizens.
    pub enabled: bool,
    /// What the bot says to a new follower, or empty.
    pub welcome: String,
    /// What the bot says when it hands a question over outside office hours, or empty.
    pub away_message: String,
}

/// The most hand-offs [`BotStore::open_handoffs`] lists at once.
pub const MAX_OPEN_HANDOFFS: i64 = 5_000;

/// A hand-off's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct HandoffId(pub i64);

/// A question the bot passes to officers, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHandoff {
    /// The account.
    pub account: AccountId,
    /// The conversation it came from, which must be the account's.
    pub conversation: ConversationId,
    /// The citizen's question.
    pub question: String,
    /// The intents the bot thought closest, best first.
    pub suggestions: Vec<IntentId>,
    /// When.
    pub at: Timestamp,
}

/// A question the bot passed to officers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    /// Its id.
    pub id: HandoffId,
    /// The account.
    pub account: AccountId,
    /// The conversation it came from.
    pub conversation: ConversationId,
    /// The citizen's question.
    pub question: String,
    /// The intents the bot thought closest, best first.
    pub suggestions: Vec<IntentId>,
    /// When.
    pub at: Timestamp,
    /// Whether an officer has dealt with it.
    pub resolved: bool,
}

/// An unresolved hand-off and how an officer answered it, if one did: the material an officer
/// turns into an example, or into a new intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenHandoff {
    /// The hand-off.
    pub handoff: Handoff,
    /// The first message with text an officer sent in its conversation at or after the
    /// hand-off's time, or `None` if no officer has answered yet.
    pub reply: Option<String>,
}

/// One of the bot's daily counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BotCounter {
    /// The bot answered a question.
    Answered,
    /// The bot handed a question to officers.
    HandedOff,
    /// A citizen said an answer helped.
    Helpful,
    /// A citizen said an answer did not help.
    Unhelpful,
}

impl BotCounter {
    /// The column that holds the counter.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::HandedOff => "handed_off",
            Self::Helpful => "helpful",
            Self::Unhelpful => "unhelpful",
        }
    }
}

/// What an account's bot did on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BotDayStats {
    /// Days since the Unix epoch, in Vietnam time.
    pub day: i64,
    /// Questions answered.
    pub answered: i64,
    /// Questions handed to officers.
    pub handed_off: i64,
    /// Answers citizens said helped.
    pub helpful: i64,
    /// Answers citizens said did not help.
    pub unhelpful: i64,
}

/// Each account's bot.
///
/// Intents reach storage checked by [`Intent::new`]; storage keeps them as they are and hands
/// them back in the order they were written.
#[async_trait]
pub trait BotStore {
    /// The account's settings, or the defaults if it never touched its bot.
    async fn bot_settings(&self, account: AccountId) -> Result<BotSettings>;
    /// Saves what an officer edits, keeping the knowledge base's version and threshold.
    /// `MissingReference` if the account does not exist.
    async fn save_bot_settings(
        &self,
        account: AccountId,
        update: &BotSettingsUpdate,
        at: Timestamp,
    ) -> Result<()>;
    /// Records the hand-off threshold calibrated on version `kb_version` of the knowledge base,
    /// unless the knowledge base has changed since (then nothing is written).
    async fn set_bot_threshold(
        &self,
        account: AccountId,
        kb_version: i64,
        threshold: f64,
    ) -> Result<()>;
    /// Offers the account's knowledge base to the accounts of its agency's subtree, or stops.
    async fn set_bot_shared(&self, account: AccountId, shared: bool, at: Timestamp) -> Result<()>;
    /// The knowledge bases offered by accounts of these agencies (and not empty): each
    /// account, its agency and its knowledge base's version, in no particular order.
    async fn shared_knowledge(
        &self,
        agencies: &[AgencyId],
    ) -> Result<Vec<(AccountId, AgencyId, i64)>>;
    /// The knowledge base, in order.
    async fn bot_intents(&self, account: AccountId) -> Result<Vec<Intent>>;
    /// One intent.
    async fn bot_intent(&self, account: AccountId, id: &IntentId) -> Result<Option<Intent>>;
    /// How many intents the knowledge base holds.
    async fn bot_intent_count(&self, account: AccountId) -> Result<i64>;
    /// Replaces the whole knowledge base with `intents`, in that order, all or nothing (an
    /// import). Returns the new version. `Conflict` if two intents share an id, and then
    /// nothing changes; `MissingReference` if the account does not exist.
    async fn replace_bot_intents(
        &self,
        account: AccountId,
        intents: &[Intent],
        at: Timestamp,
    ) -> Result<i64>;
    /// Adds an intent at the end, or updates the one with its id where it stands. Returns the
    /// new version.
    async fn save_bot_intent(
        &self,
        account: AccountId,
        intent: &Intent,
        at: Timestamp,
    ) -> Result<i64>;
    /// Removes an intent. Returns the new version, or `None` if there was no such intent (the
    /// version does not move).
    async fn delete_bot_intent(
        &self,
        account: AccountId,
        id: &IntentId,
        at: Timestamp,
    ) -> Result<Option<i64>>;
    /// Teaches an intent another phrasing (trimmed and NFC-normalised; the caller checks its
    /// length as [`Intent::new`] does). Returns the version afterwards, or `None` if there is
    /// no such intent. The version moves only if the example was added: it is not when blank,
    /// when the intent already has it, or when the intent already holds
    /// [`ketnoi_core::bot::MAX_EXAMPLES`].
    async fn add_bot_example(
        &self,
        account: AccountId,
        id: &IntentId,
        example: &str,
        at: Timestamp,
    ) -> Result<Option<i64>>;
    /// The keyword rules, oldest first.
    async fn bot_rules(&self, account: AccountId) -> Result<Vec<KeywordRule>>;
    /// Adds a keyword rule. `MissingReference` if the account does not exist.
    async fn add_bot_rule(
        &self,
        account: AccountId,
        rule: &NewKeywordRule,
        at: Timestamp,
    ) -> Result<KeywordRule>;
    /// Removes one of the account's rules. `Ok(false)` if it has no such rule.
    async fn delete_bot_rule(&self, account: AccountId, id: RuleId) -> Result<bool>;
    /// Records a hand-off, unresolved. `MissingReference` if the conversation is not the
    /// account's.
    async fn record_handoff(&self, handoff: &NewHandoff) -> Result<HandoffId>;
    /// The account's hand-offs, newest first, up to `limit`; only the unresolved ones if asked.
    async fn bot_handoffs(
        &self,
        account: AccountId,
        unresolved_only: bool,
        limit: i64,
    ) -> Result<Vec<Handoff>>;
    /// One of the account's hand-offs, resolved or not.
    async fn bot_handoff(&self, account: AccountId, id: HandoffId) -> Result<Option<Handoff>>;
    /// The account's unresolved hand-offs made at or after `since`, newest first, up to
    /// `limit` (at most [`MAX_OPEN_HANDOFFS`]), each with its officer's answer if there is one.
    async fn open_handoffs(
        &self,
        account: AccountId,
        since: Timestamp,
        limit: i64,
    ) -> Result<Vec<OpenHandoff>>;
    /// Marks one of the account's hand-offs resolved. `Ok(false)` if it has no such hand-off or
    /// it was resolved already.
    async fn resolve_handoff(&self, account: AccountId, id: HandoffId) -> Result<bool>;
    /// Adds one to a counter of the account's day.
    async fn count_bot(&self, account: AccountId, day: i64, counter: BotCounter) -> Result<()>;
    /// The account's daily counts from `from_day` on, oldest first; days without any are left
    /// out.
    async fn bot_stats(&self, account: AccountId, from_day: i64) -> Result<Vec<BotDayStats>>;
}
