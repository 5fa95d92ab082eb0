//! How news looks on the API: articles, broadcasts with their statistics, feed entries.

use ketnoi_core::{Account, Button};
use ketnoi_store::{Article, Broadcast, BroadcastBody, FeedItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::features::news::service::{article_path, broadcast_path};

/// An article.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArticleView {
    /// Its id.
    pub(crate) id: i64,
    /// The account's slug.
    pub(crate) account: String,
    /// The last part of its address.
    pub(crate) slug: String,
    /// Its page.
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) summary: String,
    /// The Markdown body (for staff), absent from public answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
    /// The rendered, sanitised body.
    pub(crate) body_html: String,
    /// The cover picture's address, if any.
    pub(crate) cover_url: Option<String>,
    /// `draft`, `scheduled`, `published` or `withdrawn`, as readers see it now.
    pub(crate) state: String,
    /// When it is (or was) published, RFC 3339.
    pub(crate) published_at: Option<String>,
    pub(crate) updated_at: String,
}

impl ArticleView {
    pub(crate) fn new(account: &Account, a: &Article, staff: bool) -> Self {
        Self {
            id: a.id.0,
            account: account.slug.to_string(),
            slug: a.slug.clone(),
            url: article_path(account, a),
            title: a.title.clone(),
            summary: a.summary.clone(),
            body: staff.then(|| a.body.clone()),
            body_html: a.body_html.clone(),
            cover_url: a.cover.as_ref().map(|_| cover_path(account, a)),
            state: a.state_at(ketnoi_core::Timestamp::now()).to_string(),
            published_at: a.publish_at.map(|t| t.rfc3339()),
            updated_at: a.updated_at.rfc3339(),
        }
    }
}

/// Where an article's cover picture is served.
pub(crate) fn cover_path(account: &Account, a: &Article) -> String {
    format!("/a/{}/tin/{}/anh-bia", account.slug, a.slug)
}

/// Emergency details of a broadcast.
#[derive(Debug, Serialize, Deserialize, ToSchema, Default, Clone)]
pub(crate) struct AlertView {
    /// What is happening.
    pub(crate) event: String,
    /// CAP category (default `Safety`).
    #[serde(default)]
    pub(crate) category: String,
    /// CAP severity (default `Severe`).
    #[serde(default)]
    pub(crate) severity: String,
    /// CAP urgency (default `Immediate`).
    #[serde(default)]
    pub(crate) urgency: String,
    /// CAP certainty (default `Observed`).
    #[serde(default)]
    pub(crate) certainty: String,
    /// When it stops applying, RFC 3339.
    #[serde(default)]
    pub(crate) expires_at: Option<String>,
}

/// A broadcast, with its statistics for staff.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BroadcastView {
    pub(crate) id: i64,
    /// The account's slug.
    pub(crate) account: String,
    /// Its page.
    pub(crate) url: String,
    /// `text`, `article` or `structured`.
    pub(crate) kind: &'static str,
    pub(crate) text: String,
    /// For an article card, the article's id.
    pub(crate) article: Option<i64>,
    #[schema(value_type = Vec<Object>)]
    pub(crate) buttons: Vec<Button>,
    /// Target areas (codes); empty with no tags means every follower.
    pub(crate) areas: Vec<String>,
    /// Target tags.
    pub(crate) tags: Vec<String>,
    /// Emergency details, for an alert.
    pub(crate) emergency: Option<AlertView>,
    /// `scheduled`, `sent` or `cancelled`.
    pub(crate) state: String,
    pub(crate) send_at: String,
    pub(crate) sent_at: Option<String>,
    /// Statistics, for staff: followers in the audience when it was sent, those a live
    /// connection received it on, and those who opened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stats: Option<StatsView>,
}

/// A broadcast's statistics.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatsView {
    pub(crate) audience: i64,
    pub(crate) delivered_live: i64,
    pub(crate) opened: i64,
}

impl BroadcastView {
    pub(crate) fn new(account: &Account, b: &Broadcast, staff: bool) -> Self {
        let article = match &b.body {
            BroadcastBody::Article { article, .. } => Some(article.0),
            _ => None,
        };
        let buttons = b.body.buttons().to_vec();
        Self {
            id: b.id.0,
            account: account.slug.to_string(),
            url: broadcast_path(account, b.id),
            kind: b.body.kind(),
            text: b.body.text().to_owned(),
            article,
            buttons,
            areas: b.audience.areas.iter().map(|a| a.to_string()).collect(),
            tags: b.audience.tags.iter().map(|t| t.to_string()).collect(),
            emergency: b.alert.as_ref().map(|a| AlertView {
                event: a.event.clone(),
                category: a.category.clone(),
                severity: a.severity.clone(),
                urgency: a.urgency.clone(),
                certainty: a.certainty.clone(),
                expires_at: a.expires_at.map(|t| t.rfc3339()),
            }),
            state: b.state.to_string(),
            send_at: b.send_at.rfc3339(),
            sent_at: b.sent_at.map(|t| t.rfc3339()),
            stats: staff.then_some(StatsView {
                audience: b.audience_size,
                delivered_live: b.delivered,
                opened: b.opened,
            }),
        }
    }
}

/// One entry of a feed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub(crate) enum FeedEntry {
    /// An article.
    Article(ArticleView),
    /// A broadcast.
    Broadcast(BroadcastView),
}

/// A page of a feed.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeedPage {
    pub(crate) items: Vec<FeedEntry>,
    /// Pass as `before` for the next page; absent on the last.
    pub(crate) next: Option<String>,
}

impl FeedPage {
    /// A page from items and the accounts they belong to.
    pub(crate) fn new(items: &[FeedItem], accounts: &[Account], limit: i64) -> Self {
        let next = (items.len() as i64 >= limit)
            .then(|| items.last().map(|i| i.cursor().encode()))
            .flatten();
        let entries = items
            .iter()
            .filter_map(|item| {
                let account = accounts.iter().find(|a| a.id == item.account())?;
                Some(match item {
                    FeedItem::Article(a) => FeedEntry::Article(ArticleView::new(account, a, false)),
                    FeedItem::Broadcast(b) => {
                        FeedEntry::Broadcast(BroadcastView::new(account, b, false))
                    }
                })
            })
            .collect();
        Self { items: entries, next }
    }
}
