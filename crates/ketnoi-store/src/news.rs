//! What storage keeps of an account's news: articles, broadcasts and their audiences, the ward
//! each citizen chose and the tags officers put on followers, broadcast statistics, and the
//! browsers that asked for notifications.
//!
//! A broadcast is one row and a few target rows, whatever the size of its audience: who reads
//! it is decided when they read, by matching their ward and tags against its targets. Counting
//! the audience exactly goes through `follows`, which carries each follower's ward (a copy of
//! the citizen's, kept in step), indexed by account and ward.

use async_trait::async_trait;
use ketnoi_core::{
    AccountId, AreaCode, ArticleId, ArticleState, Audience, BroadcastId, BroadcastState, Button,
    CitizenId, StaffId, Tag, Timestamp,
};

use crate::Result;

/// An article as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Its id.
    pub id: ArticleId,
    /// The account that publishes it.
    pub account: AccountId,
    /// The last part of its address, `/a/{account}/tin/{slug}`; never changes.
    pub slug: String,
    /// The title.
    pub title: String,
    /// A sentence or two for cards, feeds and link previews.
    pub summary: String,
    /// The body, in Markdown as written.
    pub body: String,
    /// The body rendered to sanitised HTML when it was saved.
    pub body_html: String,
    /// The cover image's blob key and media type.
    pub cover: Option<(String, String)>,
    /// The stored state; readers use [`ArticleState::effective`].
    pub state: ArticleState,
    /// When it is (or was) published.
    pub publish_at: Option<Timestamp>,
    /// Who wrote it, while that staff member exists.
    pub author: Option<StaffId>,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

impl Article {
    /// Its state as a reader sees it now.
    pub fn state_at(&self, now: Timestamp) -> ArticleState {
        self.state.effective(self.publish_at, now)
    }
}

/// A new article, or the new text of an existing one.
#[derive(Debug, Clone)]
pub struct ArticleDraft {
    /// The title.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// The Markdown body.
    pub body: String,
    /// The rendered, sanitised body.
    pub body_html: String,
    /// A new cover image (blob key, media type); `None` keeps the current one.
    pub cover: Option<(String, String)>,
    /// The state to put it in.
    pub state: ArticleState,
    /// When it is to be published (scheduled), or `None` for now.
    pub publish_at: Option<Timestamp>,
}

/// What a broadcast says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BroadcastBody {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// A card for one of the account's articles, with a line of text and any buttons.
    Article {
        /// The line above the card.
        text: String,
        /// The article.
        article: ArticleId,
        /// Buttons under the card.
        #[serde(default)]
        buttons: Vec<Button>,
    },
    /// Text with buttons.
    Structured {
        /// The text.
        text: String,
        /// The buttons.
        buttons: Vec<Button>,
    },
}

impl BroadcastBody {
    /// The text, whatever the kind.
    pub fn text(&self) -> &str {
        match self {
            Self::Text { text } | Self::Article { text, .. } | Self::Structured { text, .. } => {
                text
            }
        }
    }

    /// The buttons, whatever the kind (none for plain text).
    pub fn buttons(&self) -> &[Button] {
        match self {
            Self::Text { .. } => &[],
            Self::Article { buttons, .. } | Self::Structured { buttons, .. } => buttons,
        }
    }

    /// The kind's word.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Article { .. } => "article",
            Self::Structured { .. } => "structured",
        }
    }
}

/// The details an emergency alert carries into the Common Alerting Protocol.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AlertInfo {
    /// CAP `category`: Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra,
    /// CBRNE or Other.
    pub category: String,
    /// What is happening ("Lũ quét", "Flash flood"): CAP `event`.
    pub event: String,
    /// CAP `severity`: Extreme, Severe, Moderate, Minor, Unknown.
    pub severity: String,
    /// CAP `urgency`: Immediate, Expected, Future, Past, Unknown.
    pub urgency: String,
    /// CAP `certainty`: Observed, Likely, Possible, Unlikely, Unknown.
    pub certainty: String,
    /// When the alert stops applying.
    pub expires_at: Option<Timestamp>,
}

/// A broadcast as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broadcast {
    /// Its id.
    pub id: BroadcastId,
    /// The account that sends it.
    pub account: AccountId,
    /// What it says.
    pub body: BroadcastBody,
    /// Who it is for.
    pub audience: Audience,
    /// The alert details, for an emergency alert.
    pub alert: Option<AlertInfo>,
    /// Where it stands.
    pub state: BroadcastState,
    /// When it is (or was) to be sent.
    pub send_at: Timestamp,
    /// When it was sent.
    pub sent_at: Option<Timestamp>,
    /// How many followers matched when it was sent.
    pub audience_size: i64,
    /// How many of them had a live connection that received it.
    pub delivered: i64,
    /// How many distinct followers opened it.
    pub opened: i64,
    /// Who sent it, while that staff member exists.
    pub author: Option<StaffId>,
    /// When it was created.
    pub created_at: Timestamp,
}

impl Broadcast {
    /// Whether it is an emergency alert.
    pub fn is_emergency(&self) -> bool {
        self.alert.is_some()
    }
}

/// A broadcast to store.
#[derive(Debug, Clone)]
pub struct NewBroadcast {
    /// The account.
    pub account: AccountId,
    /// What it says.
    pub body: BroadcastBody,
    /// Who it is for (already checked).
    pub audience: Audience,
    /// The alert details, for an emergency alert.
    pub alert: Option<AlertInfo>,
    /// When to send it; at or before `created_at` means now.
    pub send_at: Timestamp,
    /// Who sends it.
    pub author: Option<StaffId>,
    /// Now.
    pub created_at: Timestamp,
}

/// A weekly allowance of broadcasts, checked in the same transaction that stores one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// How many broadcasts may be sent in one window.
    pub limit: i64,
    /// The window the new broadcast's send time falls in: `[start, end)`.
    pub window: (Timestamp, Timestamp),
}

/// Why a broadcast was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BroadcastRefusal {
    /// The account has used its quota for the window; it resets at the window's end.
    OverQuota {
        /// How many were already counted.
        used: i64,
    },
}

/// One entry of a feed: newest first, paged by [`FeedCursor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedItem {
    /// A published article.
    Article(Article),
    /// A sent broadcast addressed to the reader.
    Broadcast(Broadcast),
}

impl FeedItem {
    /// The position of the item in the feed.
    pub fn cursor(&self) -> FeedCursor {
        match self {
            Self::Article(a) => {
                FeedCursor { at: a.publish_at.unwrap_or(a.created_at), rank: 0, id: a.id.0 }
            }
            Self::Broadcast(b) => {
                FeedCursor { at: b.sent_at.unwrap_or(b.send_at), rank: 1, id: b.id.0 }
            }
        }
    }

    /// The account it belongs to.
    pub fn account(&self) -> AccountId {
        match self {
            Self::Article(a) => a.account,
            Self::Broadcast(b) => b.account,
        }
    }
}

/// A position in a feed: items strictly older than it come next. Ties in time are broken by
/// kind (broadcasts after articles) and then id, so the order is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedCursor {
    /// The item's time.
    pub at: Timestamp,
    /// 0 for articles, 1 for broadcasts.
    pub rank: i64,
    /// The item's id.
    pub id: i64,
}

impl FeedCursor {
    /// The cursor as a short opaque word for URLs.
    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.at.millis(), self.rank, self.id)
    }

    /// Parses [`Self::encode`]'s word.
    pub fn decode(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let at = parts.next()?.parse().ok()?;
        let rank = parts.next()?.parse().ok().filter(|r| *r == 0 || *r == 1)?;
        let id = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some(Self { at: Timestamp(at), rank, id })
    }
}

/// What to read of a feed.
#[derive(Debug, Clone)]
pub struct FeedQuery {
    /// The reader, or `None` for an anonymous visitor (public articles only).
    pub citizen: Option<CitizenId>,
    /// One account only, or every account the reader follows.
    pub account: Option<AccountId>,
    /// Whether to include articles.
    pub articles: bool,
    /// Whether to include broadcasts.
    pub broadcasts: bool,
    /// Items older than this.
    pub before: Option<FeedCursor>,
    /// Now: scheduled items after it are not shown.
    pub now: Timestamp,
    /// Page size, 1–100.
    pub limit: i64,
}

impl FeedQuery {
    /// An account's public articles, as anyone reads them.
    pub fn public_articles(
        account: AccountId,
        before: Option<FeedCursor>,
        now: Timestamp,
        limit: i64,
    ) -> Self {
        Self {
            citizen: None,
            account: Some(account),
            articles: true,
            broadcasts: false,
            before,
            now,
            limit,
        }
    }

    /// What a citizen reads: articles and the broadcasts addressed to them, from every account
    /// they follow or from one.
    pub fn for_citizen(
        citizen: CitizenId,
        account: Option<AccountId>,
        before: Option<FeedCursor>,
        now: Timestamp,
        limit: i64,
    ) -> Self {
        Self {
            citizen: Some(citizen),
            account,
            articles: true,
            broadcasts: true,
            before,
            now,
            limit,
        }
    }
}

/// A browser's push subscription (RFC 8030 endpoint, RFC 8291 keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// Its id.
    pub id: i64,
    /// The citizen it notifies.
    pub citizen: CitizenId,
    /// The push service's URL for this browser.
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The shared authentication secret, base64url.
    pub auth: String,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// Articles, broadcasts, audiences, and push subscriptions.
#[async_trait]
pub trait NewsStore {
    /// Creates an article; its slug is `slug`, or `slug-2`, `slug-3`… if taken on the account.
    async fn create_article(
        &self,
        account: AccountId,
        slug: &str,
        draft: &ArticleDraft,
        author: Option<StaffId>,
        at: Timestamp,
    ) -> Result<Article>;
    /// Replaces an article's text and state. `NotFound` if it does not exist.
    async fn update_article(
        &self,
        id: ArticleId,
        draft: &ArticleDraft,
        at: Timestamp,
    ) -> Result<Article>;
    /// Changes only an article's state (withdrawing it, say).
    async fn set_article_state(
        &self,
        id: ArticleId,
        state: ArticleState,
        at: Timestamp,
    ) -> Result<bool>;
    /// One article by id.
    async fn article(&self, id: ArticleId) -> Result<Option<Article>>;
    /// One article by its account and slug.
    async fn article_by_slug(&self, account: AccountId, slug: &str) -> Result<Option<Article>>;
    /// Every article of an account in any state, most recently changed first (the console).
    async fn account_articles(&self, account: AccountId, limit: i64) -> Result<Vec<Article>>;

    /// Stores a broadcast and its targets, counting its audience, if the quota allows.
    /// `MissingReference("area")` if a target area does not exist.
    async fn create_broadcast(
        &self,
        broadcast: &NewBroadcast,
        quota: Option<Quota>,
    ) -> Result<Result<Broadcast, BroadcastRefusal>>;
    /// One broadcast.
    async fn broadcast(&self, id: BroadcastId) -> Result<Option<Broadcast>>;
    /// Marks a scheduled broadcast sent, counting its audience as it is now. `Ok(None)` if it
    /// was not scheduled (already sent, or cancelled): the caller must not send it again.
    async fn fire_broadcast(&self, id: BroadcastId, at: Timestamp) -> Result<Option<Broadcast>>;
    /// Cancels a scheduled broadcast. `Ok(false)` if it had already fired or was cancelled.
    async fn cancel_broadcast(&self, id: BroadcastId) -> Result<bool>;
    /// An account's broadcasts in every state, newest first (the console).
    async fn account_broadcasts(&self, account: AccountId, limit: i64) -> Result<Vec<Broadcast>>;
    /// How many of the account's broadcasts count against its allowance in `[start, end)`: what
    /// [`Self::create_broadcast`] counts before storing one.
    async fn counted_broadcasts(
        &self,
        account: AccountId,
        window: (Timestamp, Timestamp),
    ) -> Result<i64>;
    /// How many followers of the account the audience reaches now, exactly.
    async fn audience_size(&self, account: AccountId, audience: &Audience) -> Result<i64>;
    /// Of these citizens, those who follow the account and are in the audience now.
    async fn audience_members(
        &self,
        account: AccountId,
        audience: &Audience,
        among: &[CitizenId],
    ) -> Result<Vec<CitizenId>>;
    /// The push subscriptions of the broadcast's audience after `after_id`, by id, a page at
    /// a time.
    async fn audience_subscriptions(
        &self,
        account: AccountId,
        audience: &Audience,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<PushSubscription>>;
    /// Adds to a broadcast's count of live deliveries.
    async fn add_delivered(&self, id: BroadcastId, count: i64) -> Result<()>;
    /// Records that a citizen opened a broadcast; counted once per citizen.
    async fn record_open(&self, id: BroadcastId, citizen: CitizenId, at: Timestamp)
    -> Result<bool>;
    /// Emergency alerts of any account that were sent after `since`, newest first (CAP index).
    async fn emergency_alerts(&self, since: Timestamp, limit: i64) -> Result<Vec<Broadcast>>;

    /// A feed page: articles and the broadcasts addressed to the reader, newest first.
    async fn feed(&self, query: &FeedQuery) -> Result<Vec<FeedItem>>;

    /// Sets (or clears) the ward a citizen lives in. `MissingReference("area")` if it does not
    /// exist.
    async fn set_citizen_area(&self, citizen: CitizenId, area: Option<&AreaCode>) -> Result<()>;
    /// The ward a citizen chose.
    async fn citizen_area(&self, citizen: CitizenId) -> Result<Option<AreaCode>>;
    /// Replaces the tags an account put on one of its followers. `NotFound("follower")` if the
    /// citizen does not follow the account.
    async fn set_follower_tags(
        &self,
        account: AccountId,
        citizen: CitizenId,
        tags: &[Tag],
    ) -> Result<()>;
    /// The tags an account put on a follower.
    async fn follower_tags(&self, account: AccountId, citizen: CitizenId) -> Result<Vec<Tag>>;
    /// The tags an account uses, each with how many followers carry it.
    async fn account_tags(&self, account: AccountId) -> Result<Vec<(Tag, i64)>>;

    /// The operator's weekly broadcast allowance for one account, if set.
    async fn broadcast_quota(&self, account: AccountId) -> Result<Option<i64>>;
    /// Sets or clears an account's weekly allowance.
    async fn set_broadcast_quota(&self, account: AccountId, per_week: Option<i64>) -> Result<()>;

    /// Registers a browser for notifications (replacing the keys of a known endpoint).
    async fn put_push_subscription(
        &self,
        citizen: CitizenId,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        at: Timestamp,
    ) -> Result<PushSubscription>;
    /// A citizen's subscriptions.
    async fn push_subscriptions(&self, citizen: CitizenId) -> Result<Vec<PushSubscription>>;
    /// Removes a subscription by endpoint (the browser unsubscribed, or the push service said
    /// it is gone). `Ok(false)` if there was none.
    async fn delete_push_subscription(&self, endpoint: &str) -> Result<bool>;
}
