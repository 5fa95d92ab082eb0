//! News (issue 15): articles, broadcasts addressed to areas and tags, feeds, quotas, scheduled
//! sends, statistics and push subscriptions.

use ketnoi_core::{
    AccountId, ArticleState, Audience, BroadcastState, Citizen, CitizenId, Tag, Timestamp,
};
use ketnoi_store::*;

use super::chat::{Fixture, fixture};
use super::{code, phone};

const T0: Timestamp = Timestamp(1_780_000_000_000);

fn tag(s: &str) -> Tag {
    Tag::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn areas(codes: &[&str]) -> Audience {
    Audience { areas: codes.iter().map(|c| code(c)).collect(), tags: vec![] }
}

fn text(account: AccountId, audience: Audience, words: &str, at: Timestamp) -> NewBroadcast {
    NewBroadcast {
        account,
        body: BroadcastBody::Text { text: words.to_owned() },
        audience,
        alert: None,
        send_at: at,
        author: None,
        created_at: at,
    }
}

fn draft(title: &str, state: ArticleState, publish_at: Option<Timestamp>) -> ArticleDraft {
    ArticleDraft {
        title: title.to_owned(),
        summary: format!("Tóm tắt: {title}"),
        body: format!("# {title}"),
        body_html: format!("<h1>{title}</h1>"),
        cover: None,
        state,
        publish_at,
    }
}

async fn send(s: &dyn Store, b: &NewBroadcast, quota: Option<Quota>) -> Broadcast {
    match s.create_broadcast(b, quota).await {
        Ok(Ok(b)) => b,
        other => panic!("broadcast not stored: {other:?}"),
    }
}

async fn citizen(s: &dyn Store, number: &str) -> Citizen {
    s.citizen_for_phone(&phone(number), T0).await.unwrap_or_else(|e| panic!("{e}"))
}

async fn follow(s: &dyn Store, c: CitizenId, a: AccountId) {
    assert_eq!(s.follow(c, a, T0).await.ok(), Some(true));
}

async fn set_ward(s: &dyn Store, c: CitizenId, ward: Option<&str>) {
    let ward = ward.map(code);
    s.set_citizen_area(c, ward.as_ref()).await.unwrap_or_else(|e| panic!("{e}"));
}

/// What a citizen's feed shows, as texts (broadcasts) and titles (articles), newest first.
async fn feed_words(s: &dyn Store, c: CitizenId, now: Timestamp) -> Vec<String> {
    let query = FeedQuery {
        citizen: Some(c),
        account: None,
        articles: true,
        broadcasts: true,
        before: None,
        now,
        limit: 100,
    };
    s.feed(&query)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|item| match item {
            FeedItem::Article(a) => a.title,
            FeedItem::Broadcast(b) => b.body.text().to_owned(),
        })
        .collect()
}

/// Đạo Đức (00001) and Ba Đình (00004) wards; `far` lives in Ba Đình and is tagged a trader;
/// `nowhere` chose no ward; `stranger` lives in Đạo Đức but does not follow.
struct Town {
    f: Fixture,
    near: CitizenId,
    far: CitizenId,
    nowhere: CitizenId,
    stranger: CitizenId,
}

async fn town(s: &dyn Store) -> Town {
    let f = fixture(s).await;
    let (near, far) = (f.citizen.id, f.neighbour.id);
    let nowhere = citizen(s, "0901111111").await.id;
    let stranger = citizen(s, "0902222222").await.id;
    set_ward(s, near, Some("00001")).await;
    set_ward(s, far, Some("00004")).await;
    set_ward(s, stranger, Some("00001")).await;
    for c in [near, far, nowhere] {
        follow(s, c, f.account.id).await;
    }
    s.set_follower_tags(f.account.id, far, &[tag("Hộ kinh doanh")])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    Town { f, near, far, nowhere, stranger }
}

async fn an_audience_counts_exactly_the_followers_in_its_areas_and_tags(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let size = |a: Audience| async move { s.audience_size(account, &a).await.ok() };
    assert_eq!(size(Audience::everyone()).await, Some(3));
    assert_eq!(size(areas(&["00001"])).await, Some(1), "the ward: the stranger does not follow");
    assert_eq!(size(areas(&["02"])).await, Some(1), "the province above the ward");
    assert_eq!(size(areas(&["VN"])).await, Some(2), "the country: everyone who chose a ward");
    assert_eq!(size(areas(&["00001", "00004"])).await, Some(2));
    let traders = Audience { areas: vec![], tags: vec![tag("hộ kinh doanh")] };
    assert_eq!(size(traders.clone()).await, Some(1));
    assert_eq!(size(Audience { areas: vec![code("01")], ..traders.clone() }).await, Some(1));
    assert_eq!(size(Audience { areas: vec![code("02")], ..traders }).await, Some(0));
    let among = [t.near, t.far, t.nowhere, t.stranger];
    let members = s.audience_members(account, &areas(&["02"]), &among).await.ok();
    assert_eq!(members, Some(vec![t.near]));
    let everyone = s.audience_members(account, &Audience::everyone(), &among).await;
    let mut everyone = everyone.unwrap_or_default();
    everyone.sort();
    assert_eq!(everyone, vec![t.near, t.far, t.nowhere]);
}

async fn a_ward_broadcast_reaches_that_ward_and_whoever_moves_there_later(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let sent = send(s, &text(account, areas(&["00001"]), "Lũ quét ở Đạo Đức", T0), None).await;
    assert_eq!((sent.state, sent.audience_size, sent.sent_at), (BroadcastState::Sent, 1, Some(T0)));
    assert_eq!(sent.audience, areas(&["00001"]));
    send(s, &text(account, Audience::everyone(), "Cho mọi người", T0.plus_millis(1)), None).await;
    let later = T0.plus_millis(10);
    assert_eq!(feed_words(s, t.near, later).await, ["Cho mọi người", "Lũ quét ở Đạo Đức"]);
    assert_eq!(feed_words(s, t.far, later).await, ["Cho mọi người"]);
    assert_eq!(feed_words(s, t.nowhere, later).await, ["Cho mọi người"]);
    assert_eq!(feed_words(s, t.stranger, later).await, Vec::<String>::new());
    // The audience is read when the reader reads: choosing the ward afterwards shows it, and
    // leaving the ward hides it. The count taken when it was sent stays.
    set_ward(s, t.nowhere, Some("00001")).await;
    set_ward(s, t.near, Some("00004")).await;
    assert_eq!(feed_words(s, t.nowhere, later).await, ["Cho mọi người", "Lũ quét ở Đạo Đức"]);
    assert_eq!(feed_words(s, t.near, later).await, ["Cho mọi người"]);
    let stored = s.broadcast(sent.id).await.ok().flatten().map(|b| b.audience_size);
    assert_eq!(stored, Some(1));
    // A follow made after a ward was chosen carries the ward.
    follow(s, t.stranger, account).await;
    assert_eq!(s.audience_size(account, &areas(&["00001"])).await.ok(), Some(2));
}

async fn a_tag_broadcast_reaches_only_tagged_followers_of_that_account(s: &dyn Store) {
    let t = town(s).await;
    let (account, other) = (t.f.account.id, t.f.other_account.id);
    follow(s, t.far, other).await;
    let traders = Audience { areas: vec![], tags: vec![tag("hộ kinh doanh")] };
    send(s, &text(account, traders.clone(), "Thuế hộ kinh doanh", T0), None).await;
    // The same tag on another account's broadcast does not carry over: tags are per account.
    send(s, &text(other, traders, "Của tài khoản khác", T0.plus_millis(1)), None).await;
    assert_eq!(feed_words(s, t.far, T0.plus_millis(5)).await, ["Thuế hộ kinh doanh"]);
    assert_eq!(feed_words(s, t.near, T0.plus_millis(5)).await, Vec::<String>::new());
    s.set_follower_tags(account, t.far, &[]).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(feed_words(s, t.far, T0.plus_millis(5)).await, Vec::<String>::new());
    let not_following = s.set_follower_tags(other, t.near, &[tag("x")]).await;
    assert!(matches!(not_following, Err(StoreError::NotFound("follower"))), "{not_following:?}");
    assert_eq!(s.account_tags(account).await.ok(), Some(vec![]));
}

async fn a_target_area_that_does_not_exist_stores_nothing(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let refused =
        s.create_broadcast(&text(account, areas(&["00001", "99999"]), "x", T0), None).await;
    assert!(matches!(refused, Err(StoreError::MissingReference("area"))), "{refused:?}");
    assert_eq!(s.account_broadcasts(account, 10).await.map(|b| b.len()).ok(), Some(0));
    assert_eq!(feed_words(s, t.near, T0.plus_millis(5)).await, Vec::<String>::new());
}

async fn the_weekly_quota_counts_sends_but_not_alerts_or_cancellations(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let quota = Some(Quota { limit: 2, window: (T0, T0.plus_millis(7 * 86_400_000)) });
    send(s, &text(account, Audience::everyone(), "một", T0), quota).await;
    let future = T0.plus_millis(3_600_000);
    let scheduled =
        NewBroadcast { send_at: future, ..text(account, Audience::everyone(), "hai", T0) };
    let scheduled = send(s, &scheduled, quota).await;
    assert_eq!(scheduled.state, BroadcastState::Scheduled);
    let over = s.create_broadcast(&text(account, Audience::everyone(), "ba", T0), quota).await;
    assert!(matches!(over, Ok(Err(BroadcastRefusal::OverQuota { used: 2 }))), "{over:?}");
    // An alert is never held back by the quota, nor counted in it.
    let alert = AlertInfo {
        category: "Met".to_owned(),
        event: "Lũ quét".to_owned(),
        severity: "Severe".to_owned(),
        urgency: "Immediate".to_owned(),
        certainty: "Observed".to_owned(),
        expires_at: None,
    };
    let urgent =
        NewBroadcast { alert: Some(alert), ..text(account, Audience::everyone(), "!", T0) };
    assert!(send(s, &urgent, None).await.is_emergency());
    // Cancelling a scheduled one gives its place back.
    assert_eq!(s.cancel_broadcast(scheduled.id).await.ok(), Some(true));
    send(s, &text(account, Audience::everyone(), "ba", T0), quota).await;
    let window = quota.map(|q| q.window).unwrap_or((T0, T0));
    assert_eq!(s.counted_broadcasts(account, window).await.ok(), Some(2), "what the quota counted");
    // The next window starts afresh; another account has its own.
    let next = Some(Quota {
        limit: 2,
        window: (T0.plus_millis(7 * 86_400_000), T0.plus_millis(14 * 86_400_000)),
    });
    let next_week = NewBroadcast {
        send_at: T0.plus_millis(8 * 86_400_000),
        ..text(account, Audience::everyone(), "tuần sau", T0)
    };
    send(s, &next_week, next).await;
    send(s, &text(t.f.other_account.id, Audience::everyone(), "khác", T0), quota).await;
    let alerts = s.emergency_alerts(T0, 10).await.unwrap_or_default();
    assert_eq!(alerts.iter().map(|b| b.body.text()).collect::<Vec<_>>(), ["!"]);
}

async fn a_scheduled_broadcast_fires_once_and_can_be_cancelled_until_then(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let at = T0.plus_millis(60_000);
    let later = NewBroadcast { send_at: at, ..text(account, areas(&["02"]), "Hẹn giờ", T0) };
    let b = send(s, &later, None).await;
    assert_eq!((b.state, b.sent_at, b.audience_size), (BroadcastState::Scheduled, None, 0));
    assert_eq!(feed_words(s, t.near, at.plus_millis(1)).await, Vec::<String>::new());
    // Someone moves into the province before it fires: the count is taken at firing.
    set_ward(s, t.nowhere, Some("00001")).await;
    let fired = s.fire_broadcast(b.id, at).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        fired.map(|f| (f.state, f.audience_size, f.sent_at)),
        Some((BroadcastState::Sent, 2, Some(at)))
    );
    assert_eq!(s.fire_broadcast(b.id, at.plus_millis(5)).await.ok(), Some(None), "fires once");
    assert_eq!(s.cancel_broadcast(b.id).await.ok(), Some(false), "too late to cancel");
    assert_eq!(feed_words(s, t.near, at.plus_millis(1)).await, ["Hẹn giờ"]);

    let other = send(
        s,
        &NewBroadcast { send_at: at, ..text(account, Audience::everyone(), "Huỷ", T0) },
        None,
    )
    .await;
    assert_eq!(s.cancel_broadcast(other.id).await.ok(), Some(true));
    assert_eq!(s.cancel_broadcast(other.id).await.ok(), Some(false));
    assert_eq!(
        s.fire_broadcast(other.id, at).await.ok(),
        Some(None),
        "a cancelled one never fires"
    );
    let state = s.broadcast(other.id).await.ok().flatten().map(|b| b.state);
    assert_eq!(state, Some(BroadcastState::Cancelled));
}

async fn articles_appear_when_published_and_feeds_page_without_gaps(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let create = |d: ArticleDraft, at: Timestamp| async move {
        s.create_article(account, "thong-bao", &d, None, at).await.unwrap_or_else(|e| panic!("{e}"))
    };
    let a = create(draft("Bài một", ArticleState::Published, None), T0).await;
    let b = create(draft("Bài nháp", ArticleState::Draft, None), T0).await;
    let c = create(draft("Bài hẹn", ArticleState::Scheduled, Some(T0.plus_millis(100))), T0).await;
    assert_eq!(
        (a.slug.as_str(), b.slug.as_str(), c.slug.as_str()),
        ("thong-bao", "thong-bao-2", "thong-bao-3")
    );
    assert_eq!(a.publish_at, Some(T0));
    let found = s.article_by_slug(account, "thong-bao-2").await.ok().flatten().map(|x| x.id);
    assert_eq!(found, Some(b.id));
    // A broadcast at the very same millisecond as an article: both show, broadcast first.
    send(s, &text(account, Audience::everyone(), "Cùng lúc", T0), None).await;
    assert_eq!(feed_words(s, t.near, T0.plus_millis(1)).await, ["Cùng lúc", "Bài một"]);
    assert_eq!(
        feed_words(s, t.near, T0.plus_millis(100)).await,
        ["Bài hẹn", "Cùng lúc", "Bài một"]
    );
    // Publishing the draft gives it the time of publishing; withdrawing hides it.
    assert_eq!(
        s.set_article_state(b.id, ArticleState::Published, T0.plus_millis(200)).await.ok(),
        Some(true)
    );
    s.set_article_state(a.id, ArticleState::Withdrawn, T0.plus_millis(200)).await.ok();
    let now = T0.plus_millis(300);
    assert_eq!(feed_words(s, t.near, now).await, ["Bài nháp", "Bài hẹn", "Cùng lúc"]);
    // An edit keeps the publication time and the address.
    let edited = s
        .update_article(c.id, &draft("Bài hẹn (sửa)", ArticleState::Published, None), now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (edited.slug.as_str(), edited.publish_at),
        ("thong-bao-3", Some(T0.plus_millis(100)))
    );
    // Pages of one, walked by cursor, give every item once in order.
    for i in 0..5 {
        send(s, &text(account, Audience::everyone(), &format!("n{i}"), T0.plus_millis(100)), None)
            .await;
    }
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let query = FeedQuery {
            citizen: Some(t.near),
            account: Some(account),
            articles: true,
            broadcasts: true,
            before,
            now,
            limit: 2,
        };
        let page = s.feed(&query).await.unwrap_or_default();
        let Some(last) = page.last() else { break };
        before = Some(last.cursor());
        seen.extend(page.iter().map(|i| match i {
            FeedItem::Article(a) => a.title.clone(),
            FeedItem::Broadcast(b) => b.body.text().to_owned(),
        }));
    }
    assert_eq!(seen, ["Bài nháp", "n4", "n3", "n2", "n1", "n0", "Bài hẹn (sửa)", "Cùng lúc"]);
    // An anonymous visitor of the account's page sees its public articles only.
    let public = FeedQuery {
        citizen: None,
        account: Some(account),
        articles: true,
        broadcasts: true,
        before: None,
        now,
        limit: 10,
    };
    assert_eq!(s.feed(&public).await.map(|p| p.len()).ok(), Some(2));
    let cursor = FeedCursor { at: T0, rank: 1, id: 7 };
    assert_eq!(FeedCursor::decode(&cursor.encode()), Some(cursor));
    assert_eq!(FeedCursor::decode("1.2.3"), None);
}

async fn opens_count_each_reader_once_and_deliveries_add_up(s: &dyn Store) {
    let t = town(s).await;
    let b = send(s, &text(t.f.account.id, Audience::everyone(), "x", T0), None).await;
    assert_eq!(s.record_open(b.id, t.near, T0).await.ok(), Some(true));
    assert_eq!(s.record_open(b.id, t.near, T0).await.ok(), Some(false));
    assert_eq!(s.record_open(b.id, t.far, T0).await.ok(), Some(true));
    s.add_delivered(b.id, 2).await.ok();
    s.add_delivered(b.id, 1).await.ok();
    let stored = s.broadcast(b.id).await.ok().flatten().map(|b| (b.opened, b.delivered));
    assert_eq!(stored, Some((2, 3)));
}

async fn push_subscriptions_follow_their_endpoint_and_the_audience(s: &dyn Store) {
    let t = town(s).await;
    let account = t.f.account.id;
    let put = |c: CitizenId, endpoint: &'static str, key: &'static str| async move {
        s.put_push_subscription(c, endpoint, key, "auth", T0)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    };
    put(t.near, "https://push.example/1", "k1").await;
    put(t.far, "https://push.example/2", "k2").await;
    put(t.stranger, "https://push.example/3", "k3").await;
    // The same browser registering again replaces its keys, not adds a row.
    let again = put(t.near, "https://push.example/1", "k1b").await;
    assert_eq!(again.p256dh, "k1b");
    assert_eq!(s.push_subscriptions(t.near).await.map(|v| v.len()).ok(), Some(1));
    let ward =
        s.audience_subscriptions(account, &areas(&["00001"]), 0, 100).await.unwrap_or_default();
    assert_eq!(
        ward.iter().map(|p| p.endpoint.as_str()).collect::<Vec<_>>(),
        ["https://push.example/1"]
    );
    let all =
        s.audience_subscriptions(account, &Audience::everyone(), 0, 1).await.unwrap_or_default();
    assert_eq!(all.len(), 1);
    let rest = s.audience_subscriptions(account, &Audience::everyone(), all[0].id, 100).await;
    assert_eq!(rest.map(|v| v.len()).ok(), Some(1), "paged by id; the stranger does not follow");
    assert_eq!(s.delete_push_subscription("https://push.example/1").await.ok(), Some(true));
    assert_eq!(s.delete_push_subscription("https://push.example/1").await.ok(), Some(false));
    assert_eq!(s.push_subscriptions(t.near).await.map(|v| v.len()).ok(), Some(0));
}

async fn quotas_are_set_per_account_and_a_ward_must_exist(s: &dyn Store) {
    let t = town(s).await;
    assert_eq!(s.broadcast_quota(t.f.account.id).await.ok(), Some(None));
    s.set_broadcast_quota(t.f.account.id, Some(7)).await.ok();
    s.set_broadcast_quota(t.f.account.id, Some(9)).await.ok();
    assert_eq!(s.broadcast_quota(t.f.account.id).await.ok(), Some(Some(9)));
    s.set_broadcast_quota(t.f.account.id, None).await.ok();
    assert_eq!(s.broadcast_quota(t.f.account.id).await.ok(), Some(None));
    let bad = s.set_citizen_area(t.near, Some(&code("99999"))).await;
    assert!(matches!(bad, Err(StoreError::MissingReference(_))), "{bad:?}");
    assert_eq!(s.citizen_area(t.near).await.ok(), Some(Some(code("00001"))));
    set_ward(s, t.near, None).await;
    assert_eq!(s.citizen_area(t.near).await.ok(), Some(None));
}

conformance!(
    an_audience_counts_exactly_the_followers_in_its_areas_and_tags,
    a_ward_broadcast_reaches_that_ward_and_whoever_moves_there_later,
    a_tag_broadcast_reaches_only_tagged_followers_of_that_account,
    a_target_area_that_does_not_exist_stores_nothing,
    the_weekly_quota_counts_sends_but_not_alerts_or_cancellations,
    a_scheduled_broadcast_fires_once_and_can_be_cancelled_until_then,
    articles_appear_when_published_and_feeds_page_without_gaps,
    opens_count_each_reader_once_and_deliveries_add_up,
    push_subscriptions_follow_their_endpoint_and_the_audience,
    quotas_are_set_per_account_and_a_ward_must_exist,
);
