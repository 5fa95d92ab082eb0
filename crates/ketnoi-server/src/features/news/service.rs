//! Sending broadcasts: checking them, counting them against the week's allowance, storing them
//! once whatever the audience, handing them to the followers connected right now, and queueing
//! the scheduled ones and the push notifications.
//!
//! A broadcast is stored as one row with its targets. Live delivery asks the hub which citizens
//! hold a connection to this node and storage which of those are in the audience, then sends one
//! encoded frame to each; everyone else reads it from their feed and their conversation with the
//! account, where the audience is matched as they read.

use std::sync::Arc;

use async_trait::async_trait;
use ketnoi_core::{
    Account, AccountId, AreaCode, ArticleId, ArticleState, Audience, BroadcastId, BroadcastState,
    Button, CitizenId, Tag, Timestamp, policy::Action,
};
use ketnoi_store::{
    AlertInfo, Article, Broadcast, BroadcastBody, BroadcastRefusal, FeedItem, Job, NewBroadcast,
    NewJob, Quota,
};

use crate::features::news::cap;
use crate::kernel::{
    auth::Caller,
    error::ApiError,
    hub::Hub,
    jobs::{JobError, JobHandler},
    push::Notification,
    state::{Kernel, feature_state},
    time::VIETNAM_MS,
};

/// The longest broadcast text.
pub const MAX_BROADCAST_CHARS: usize = 2000;
/// How far ahead a broadcast may be scheduled.
const MAX_SCHEDULE_AHEAD_MS: i64 = 366 * 86_400_000;
/// A schedule this little in the past is taken as "now" (a form filled in slowly).
const SCHEDULE_GRACE_MS: i64 = 60_000;
/// The queue of broadcasts waiting for their time.
pub const FIRE_QUEUE: &str = "news.fire";
/// The queue of push notifications for a broadcast's audience, a page of subscriptions a job.
pub const PUSH_QUEUE: &str = "news.push";
/// Subscriptions notified per push job.
const PUSH_PAGE: i64 = 500;

/// What the news routes and pages hold.
#[derive(Clone)]
pub struct NewsState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The news service.
    pub news: Arc<News>,
}
feature_state!(NewsState);

/// A broadcast as an officer asks for it, before any check.
#[derive(Debug, Clone, Default)]
pub struct BroadcastRequest {
    /// The text.
    pub text: String,
    /// An article of the account to show as a card.
    pub article: Option<ArticleId>,
    /// Buttons under the text.
    pub buttons: Vec<Button>,
    /// Target areas, by code, at any level.
    pub areas: Vec<String>,
    /// Target tags.
    pub tags: Vec<String>,
    /// When to send; `None` for now.
    pub send_at: Option<Timestamp>,
    /// Emergency details, for an alert.
    pub emergency: Option<AlertInfo>,
}

/// How long a node serves an article page it rendered for anonymous readers before rendering
/// it again. An edit on this node takes effect at once; on another node, within this time.
const PAGE_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// The news service.
pub struct News {
    kernel: Kernel,
    hub: Arc<dyn Hub>,
    /// Article pages as anonymous readers get them, by language and address: a shared link
    /// read by thousands at once renders once.
    pub(crate) pages: crate::kernel::cache::TtlCache<String, Arc<str>>,
}

impl News {
    /// The service over the kernel and the hub that reaches live connections.
    pub fn new(kernel: Kernel, hub: Arc<dyn Hub>) -> Arc<Self> {
        let pages = crate::kernel::cache::TtlCache::new(PAGE_CACHE_TTL, 10_000);
        Arc::new(Self { kernel, hub, pages })
    }

    /// The key of an article page in the page cache.
    pub(crate) fn page_key(lang: &str, account: &str, article: &str) -> String {
        format!("{lang}/{account}/{article}")
    }

    /// Forgets the cached pages of an article, after it changed.
    pub(crate) fn forget_article(&self, account: &Account, article: &Article) {
        for lang in ["vi", "en"] {
            self.pages.forget(&Self::page_key(lang, account.slug.as_str(), &article.slug));
        }
    }

    /// Checks, stores and sends (or schedules) a broadcast by `caller` for `account`.
    pub async fn send(
        self: &Arc<Self>,
        caller: &Caller,
        account: &Account,
        request: BroadcastRequest,
    ) -> Result<Broadcast, ApiError> {
        let store = &self.kernel.store;
        let ancestry = store.agency_ancestry(account.agency).await?;
        caller.require_broadcast(account, &ancestry)?;
        let now = Timestamp::now();
        let body = self.body(account, &request, now).await?;
        let audience = audience(&request.areas, &request.tags)?;
        let send_at = match request.send_at {
            None => now,
            Some(t) if t.millis() < now.millis() - SCHEDULE_GRACE_MS => {
                return Err(ApiError::BadField { code: "schedule-in-past", field: "send_at" });
            }
            Some(t) if t.millis() > now.millis() + MAX_SCHEDULE_AHEAD_MS => {
                return Err(ApiError::BadField { code: "schedule-too-far", field: "send_at" });
            }
            Some(t) => t.max(now),
        };
        let alert = match request.emergency {
            Some(alert) => {
                if !caller.may(Action::SendEmergency, Some(&ancestry)) {
                    return Err(ApiError::NotAllowed("emergency-forbidden"));
                }
                Some(check_alert(alert, send_at)?)
            }
            None => None,
        };
        // Alerts are never held back by the allowance, nor counted in it.
        let quota = match alert {
            Some(_) => None,
            None => {
                let limit = match store.broadcast_quota(account.id).await? {
                    Some(n) => n,
                    None => self.kernel.config.broadcasts_per_week,
                };
                Some(Quota { limit, window: week_of(send_at) })
            }
        };
        let author = match caller {
            Caller::Staff { staff, .. } => Some(staff.id),
            _ => None,
        };
        let new = NewBroadcast {
            account: account.id,
            body,
            audience,
            alert,
            send_at,
            author,
            created_at: now,
        };
        let broadcast = match store.create_broadcast(&new, quota).await? {
            Ok(b) => b,
            Err(BroadcastRefusal::OverQuota { .. }) => {
                let (limit, resets_at) = match quota {
                    Some(q) => (q.limit, q.window.1),
                    None => (0, now),
                };
                let wait = (resets_at.millis() - now.millis()).max(0) as u64;
                return Err(ApiError::QuotaExceeded {
                    limit,
                    resets_at,
                    retry_after: wait.div_ceil(1000),
                });
            }
        };
        if broadcast.state == BroadcastState::Sent {
            let news = self.clone();
            let sent = broadcast.clone();
            // The answer does not wait for the fan-out: a province's followers may be online
            // by the hundred thousand.
            tokio::spawn(async move { news.deliver(&sent).await });
        } else {
            let job = NewJob {
                queue: FIRE_QUEUE.to_owned(),
                payload: serde_json::json!({ "broadcast": broadcast.id.0 }),
                run_at: broadcast.send_at,
                max_attempts: 20,
            };
            self.kernel.enqueue(job).await?;
        }
        Ok(broadcast)
    }

    /// What the broadcast says, checked: text within bounds, buttons valid, the article card
    /// one of the account's own published articles.
    async fn body(
        &self,
        account: &Account,
        request: &BroadcastRequest,
        now: Timestamp,
    ) -> Result<BroadcastBody, ApiError> {
        let text = ketnoi_text::nfc(request.text.trim());
        let len = text.chars().count();
        if len == 0 || len > MAX_BROADCAST_CHARS {
            return Err(ketnoi_core::InvalidInput::Length {
                field: "text",
                min: 1,
                max: MAX_BROADCAST_CHARS,
            }
            .into());
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ketnoi_core::InvalidInput::ControlCharacter { field: "text" }.into());
        }
        if let Some(id) = request.article {
            let article = self.kernel.store.article(id).await?;
            let published = article.as_ref().is_some_and(|a| {
                a.account == account.id && a.state_at(now) == ArticleState::Published
            });
            if !published {
                return Err(ApiError::BadField { code: "article-not-published", field: "article" });
            }
            let buttons = checked_buttons(&text, &request.buttons)?;
            return Ok(BroadcastBody::Article { text, article: id, buttons });
        }
        if request.buttons.is_empty() {
            return Ok(BroadcastBody::Text { text });
        }
        let buttons = checked_buttons(&text, &request.buttons)?;
        Ok(BroadcastBody::Structured { text, buttons })
    }

    /// Cancels a scheduled broadcast of the account.
    pub async fn cancel(
        &self,
        caller: &Caller,
        account: &Account,
        id: BroadcastId,
    ) -> Result<(), ApiError> {
        let ancestry = self.kernel.store.agency_ancestry(account.agency).await?;
        caller.require(Action::PublishNews, Some(&ancestry))?;
        let found = self.kernel.store.broadcast(id).await?;
        if found.is_none_or(|b| b.account != account.id) {
            return Err(ApiError::NotFound("broadcast"));
        }
        if !self.kernel.store.cancel_broadcast(id).await? {
            return Err(ApiError::BadField { code: "broadcast-not-scheduled", field: "broadcast" });
        }
        Ok(())
    }

    /// Hands a sent broadcast to the followers connected to this node who are in its
    /// audience, counts them, and queues its push notifications.
    pub async fn deliver(&self, broadcast: &Broadcast) {
        if let Err(e) = self.deliver_live(broadcast).await {
            tracing::warn!(error = ?e, broadcast = broadcast.id.0, "live delivery of a broadcast failed");
        }
        let job = NewJob {
            queue: PUSH_QUEUE.to_owned(),
            payload: serde_json::json!({ "broadcast": broadcast.id.0, "after": 0 }),
            run_at: Timestamp::now(),
            max_attempts: 10,
        };
        if let Err(e) = self.kernel.enqueue(job).await {
            tracing::warn!(error = ?e, broadcast = broadcast.id.0, "could not queue a broadcast's notifications");
        }
    }

    async fn deliver_live(&self, broadcast: &Broadcast) -> Result<(), ApiError> {
        let connected = self.hub.connected_citizens();
        if connected.is_empty() {
            return Ok(());
        }
        let store = &self.kernel.store;
        let Some(account) = store.account(broadcast.account).await? else { return Ok(()) };
        let members = store.audience_members(account.id, &broadcast.audience, &connected).await?;
        let article = match &broadcast.body {
            BroadcastBody::Article { article, .. } => store.article(*article).await?,
            _ => None,
        };
        let frame: Arc<str> = Arc::from(frame(&account, broadcast, article.as_ref()));
        let delivered = members.iter().filter(|c| self.hub.notify(**c, &frame)).count();
        if delivered > 0 {
            store.add_delivered(broadcast.id, delivered as i64).await?;
        }
        Ok(())
    }

    /// Sends one page of a broadcast's push notifications; the next page is a job of its own,
    /// so a crash repeats at most one page.
    async fn push_page(&self, broadcast: BroadcastId, after: i64) -> Result<(), JobError> {
        let store = &self.kernel.store;
        let Some(b) =
            store.broadcast(broadcast).await.map_err(|e| JobError::Retry(e.to_string()))?
        else {
            return Ok(());
        };
        let Some(account) =
            store.account(b.account).await.map_err(|e| JobError::Retry(e.to_string()))?
        else {
            return Ok(());
        };
        let page = store
            .audience_subscriptions(b.account, &b.audience, after, PUSH_PAGE)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let Some(last) = page.last().map(|s| s.id) else { return Ok(()) };
        let notification = notification(&account, &b);
        self.kernel.push.send_all(&page, &notification).await;
        if page.len() as i64 == PUSH_PAGE {
            let next = NewJob {
                queue: PUSH_QUEUE.to_owned(),
                payload: serde_json::json!({ "broadcast": broadcast.0, "after": last }),
                run_at: Timestamp::now(),
                max_attempts: 10,
            };
            self.kernel.enqueue(next).await.map_err(|e| JobError::Retry(format!("{e:?}")))?;
        }
        Ok(())
    }
}

/// Buttons checked as a structured message's are (labels, https or local links, how many).
fn checked_buttons(text: &str, buttons: &[Button]) -> Result<Vec<Button>, ApiError> {
    if buttons.is_empty() {
        return Ok(Vec::new());
    }
    let checked = ketnoi_core::Content::structured(text, buttons.to_vec())?;
    Ok(checked.buttons().to_vec())
}

/// The audience named by area codes and tags, parsed and bounded.
pub fn audience(areas: &[String], tags: &[String]) -> Result<Audience, ApiError> {
    let areas = areas
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .map(AreaCode::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let tags = tags
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(Tag::parse)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Audience { areas, tags }.checked()?)
}

/// The broadcast, if it was sent by a followed account and its audience includes the citizen
/// as they are now; otherwise not found, whether or not it exists.
pub async fn addressed_to(
    state: &NewsState,
    id: BroadcastId,
    citizen: CitizenId,
) -> Result<(Account, Broadcast), ApiError> {
    let store = &state.store;
    let b = store.broadcast(id).await?.ok_or(ApiError::NotFound("broadcast"))?;
    if b.state != BroadcastState::Sent || !store.is_following(citizen, b.account).await? {
        return Err(ApiError::NotFound("broadcast"));
    }
    let ancestry = match store.citizen_area(citizen).await? {
        Some(area) => store.area_ancestry(&area).await?.into_iter().map(|a| a.code).collect(),
        None => Vec::new(),
    };
    let tags = store.follower_tags(b.account, citizen).await?;
    if !b.audience.includes(&ancestry, &tags) {
        return Err(ApiError::NotFound("broadcast"));
    }
    let account = store.account(b.account).await?.ok_or(ApiError::NotFound("broadcast"))?;
    Ok((account, b))
}

/// The accounts a page of feed items belongs to.
pub async fn accounts_of(state: &NewsState, items: &[FeedItem]) -> Result<Vec<Account>, ApiError> {
    let mut ids: Vec<AccountId> = items.iter().map(FeedItem::account).collect();
    ids.sort();
    ids.dedup();
    let mut accounts = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(a) = state.store.account(id).await? {
            accounts.push(a);
        }
    }
    Ok(accounts)
}

/// Checks an alert's CAP values and length, and that it expires after it is sent.
fn check_alert(alert: AlertInfo, send_at: Timestamp) -> Result<AlertInfo, ApiError> {
    let pick = |value: &str, allowed: &'static [&'static str], field: &'static str, choices| {
        let value = value.trim();
        if value.is_empty() {
            return Ok(allowed[0].to_owned());
        }
        allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(value))
            .map(|a| (*a).to_owned())
            .ok_or(ketnoi_core::InvalidInput::Choice { field, choices })
    };
    let event = ketnoi_text::nfc(alert.event.trim());
    let len = event.chars().count();
    if len == 0 || len > 100 || event.chars().any(char::is_control) {
        return Err(ketnoi_core::InvalidInput::Length { field: "event", min: 1, max: 100 }.into());
    }
    if alert.expires_at.is_some_and(|e| e <= send_at) {
        return Err(ApiError::BadField { code: "alert-expires-before-sent", field: "expires_at" });
    }
    Ok(AlertInfo {
        category: pick(
            &alert.category,
            cap::CATEGORIES,
            "category",
            "Safety, Geo, Met, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other",
        )?,
        event,
        severity: pick(
            &alert.severity,
            cap::SEVERITIES,
            "severity",
            "Severe, Extreme, Moderate, Minor, Unknown",
        )?,
        urgency: pick(
            &alert.urgency,
            cap::URGENCIES,
            "urgency",
            "Immediate, Expected, Future, Past, Unknown",
        )?,
        certainty: pick(
            &alert.certainty,
            cap::CERTAINTIES,
            "certainty",
            "Observed, Likely, Possible, Unlikely, Unknown",
        )?,
        expires_at: alert.expires_at,
    })
}

/// The week (Monday 00:00 to the next Monday, Vietnam time) an instant falls in.
pub fn week_of(t: Timestamp) -> (Timestamp, Timestamp) {
    const DAY: i64 = 86_400_000;
    let local_day = (t.millis() + VIETNAM_MS).div_euclid(DAY);
    // 1970-01-01 was a Thursday: three days after a Monday.
    let monday = local_day - (local_day + 3).rem_euclid(7);
    let start = monday * DAY - VIETNAM_MS;
    (Timestamp(start), Timestamp(start + 7 * DAY))
}

/// The address of a broadcast's own page.
pub fn broadcast_path(account: &Account, id: BroadcastId) -> String {
    format!("/a/{}/thong-bao/{}", account.slug, id.0)
}

/// The address of an article's page.
pub fn article_path(account: &Account, article: &Article) -> String {
    format!("/a/{}/tin/{}", account.slug, article.slug)
}

/// The WebSocket frame a connected follower receives.
pub fn frame(account: &Account, b: &Broadcast, article: Option<&Article>) -> String {
    let buttons = b.body.buttons().to_vec();
    let card = match &b.body {
        BroadcastBody::Article { .. } => article.map(|a| {
            serde_json::json!({ "title": a.title, "summary": a.summary, "url": article_path(account, a) })
        }),
        _ => None,
    };
    serde_json::json!({
        "type": "broadcast",
        "id": b.id.0,
        "account": { "id": account.id.0, "slug": account.slug.as_str(), "name": account.display_name },
        "text": b.body.text(),
        "buttons": buttons,
        "article": card,
        "emergency": b.alert.as_ref().map(|a| serde_json::json!({
            "event": a.event, "severity": a.severity, "urgency": a.urgency,
        })),
        "sent_at": b.sent_at.unwrap_or(b.send_at).rfc3339(),
        "url": broadcast_path(account, b.id),
    })
    .to_string()
}

/// The push notification of a broadcast: the account's name, the start of the text, and where
/// pressing it leads.
pub fn notification(account: &Account, b: &Broadcast) -> Notification {
    let text = crate::kernel::text::shorten(b.body.text(), 180);
    let body = match &b.alert {
        Some(alert) => format!("⚠ {}: {text}", alert.event),
        None => text,
    };
    Notification {
        title: account.display_name.clone(),
        body,
        url: broadcast_path(account, b.id),
        tag: format!("broadcast-{}", b.id.0),
        urgent: b.alert.is_some(),
    }
}

fn broadcast_of(job: &Job) -> Result<BroadcastId, JobError> {
    job.payload
        .get("broadcast")
        .and_then(serde_json::Value::as_i64)
        .map(BroadcastId)
        .ok_or_else(|| JobError::Fatal("payload names no broadcast".to_owned()))
}

/// Fires scheduled broadcasts at their time, once: the state change in storage decides, so a
/// repeated job (after a crash or on a second node) finds it already sent and does nothing.
pub struct FireJob(pub Arc<News>);

#[async_trait]
impl JobHandler for FireJob {
    fn queue(&self) -> &'static str {
        FIRE_QUEUE
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let id = broadcast_of(job)?;
        let fired = self.0.kernel.store.fire_broadcast(id, Timestamp::now()).await;
        match fired.map_err(|e| JobError::Retry(e.to_string()))? {
            Some(broadcast) => {
                tracing::info!(
                    broadcast = id.0,
                    audience = broadcast.audience_size,
                    "scheduled broadcast sent"
                );
                self.0.deliver(&broadcast).await;
            }
            None => tracing::debug!(
                broadcast = id.0,
                "scheduled broadcast was cancelled or already sent"
            ),
        }
        Ok(())
    }
}

/// Sends a broadcast's push notifications, a page of subscriptions at a time.
pub struct PushJob(pub Arc<News>);

#[async_trait]
impl JobHandler for PushJob {
    fn queue(&self) -> &'static str {
        PUSH_QUEUE
    }

    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let id = broadcast_of(job)?;
        let after = job.payload.get("after").and_then(serde_json::Value::as_i64).unwrap_or(0);
        self.0.push_page(id, after).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_from_monday_midnight_in_vietnam() {
        // Wednesday 2026-12-09 10:00 +07:00.
        let wednesday =
            Timestamp::parse_moment("2026-12-09T10:00:00+07:00").unwrap_or(Timestamp(0));
        let monday = Timestamp::parse_moment("2026-12-07T00:00:00+07:00").unwrap_or(Timestamp(1));
        let next = Timestamp::parse_moment("2026-12-14T00:00:00+07:00").unwrap_or(Timestamp(2));
        assert_eq!(week_of(wednesday), (monday, next));
        assert_eq!(week_of(monday), (monday, next), "Monday midnight opens the week");
        let sunday_night = Timestamp(next.millis() - 1);
        assert_eq!(week_of(sunday_night), (monday, next));
        // Sunday 20:00 UTC is already Monday 03:00 in Vietnam.
        let utc_sunday =
            Timestamp::parse_moment("2026-12-13T20:00:00+00:00").unwrap_or(Timestamp(3));
        assert_eq!(week_of(utc_sunday).0, next);
    }

    #[test]
    fn alerts_take_cap_words_in_any_case_and_refuse_others() {
        let alert = |severity: &str| AlertInfo {
            category: String::new(),
            event: "Lũ quét".to_owned(),
            severity: severity.to_owned(),
            urgency: "immediate".to_owned(),
            certainty: String::new(),
            expires_at: None,
        };
        let checked = check_alert(alert("extreme"), Timestamp(0));
        let checked = checked.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (checked.category.as_str(), checked.severity.as_str(), checked.urgency.as_str()),
            ("Safety", "Extreme", "Immediate")
        );
        assert!(check_alert(alert("apocalyptic"), Timestamp(0)).is_err());
        let late = AlertInfo { expires_at: Some(Timestamp(5)), ..alert("") };
        assert!(check_alert(late, Timestamp(10)).is_err());
    }

    #[test]
    fn an_audience_refuses_bad_codes_and_too_many_tags() {
        assert!(
            audience(&["00001".to_owned(), " ".to_owned()], &[]).is_ok_and(|a| a.areas.len() == 1)
        );
        assert!(audience(&["không hợp lệ".to_owned()], &[]).is_err());
        let many: Vec<String> = (0..30).map(|i| format!("t{i}")).collect();
        assert!(audience(&[], &many).is_err());
    }
}
