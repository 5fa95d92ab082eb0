//! The public news pages: an account's articles and its Atom feed, an article with the tags
//! that make a shared link preview, a broadcast's own page, the citizen's feed and the ward they
//! live in, and the emergency alerts with their CAP documents.

use std::sync::Arc;

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use ketnoi_core::{Account, ArticleState, BroadcastId, BroadcastState, Button, Timestamp};
use ketnoi_store::{Article, Broadcast, BroadcastBody, FeedCursor, FeedItem, FeedQuery};
use serde::Deserialize;

use crate::features::news::{
    cap,
    service::{NewsState, article_path, broadcast_path},
    views::cover_path,
};
use crate::kernel::{
    auth::Caller,
    error::ApiError,
    http::public_base,
    pages::{FormError, Layout, PageForm, Viewer, Who, encode},
};

pub(crate) fn router() -> Router<NewsState> {
    Router::new()
        .route("/a/{slug}/tin", get(article_list))
        .route("/a/{slug}/tin.atom", get(article_feed))
        .route("/a/{slug}/tin/{article}", get(article_page))
        .route("/a/{slug}/tin/{article}/anh-bia", get(cover))
        .route("/a/{slug}/thong-bao/{id}", get(broadcast_page))
        .route("/me/bang-tin", get(feed_page))
        .route("/me/dia-ban", get(area_page).post(area_submit))
        .route("/canh-bao", get(alerts_page))
        .route("/alerts.atom", get(alerts_feed))
        .route("/alerts/{id}", get(alert_document))
}

/// An entry in a list of news: an article card or a broadcast.
pub(crate) struct NewsCard {
    pub(crate) account_name: String,
    pub(crate) account_href: String,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) href: String,
    pub(crate) when: String,
    pub(crate) cover: Option<String>,
    pub(crate) emergency: Option<String>,
    /// Link buttons: label, address.
    pub(crate) links: Vec<(String, String)>,
    pub(crate) broadcast: bool,
}

impl NewsCard {
    pub(crate) fn article(account: &Account, a: &Article) -> Self {
        Self {
            account_name: account.display_name.clone(),
            account_href: format!("/a/{}", account.slug),
            title: a.title.clone(),
            text: a.summary.clone(),
            href: article_path(account, a),
            when: a.publish_at.unwrap_or(a.created_at).display_vn(),
            cover: a.cover.as_ref().map(|_| cover_path(account, a)),
            emergency: None,
            links: Vec::new(),
            broadcast: false,
        }
    }

    pub(crate) fn broadcast(account: &Account, b: &Broadcast, article: Option<&Article>) -> Self {
        let mut links: Vec<(String, String)> =
            article.map(|a| vec![(a.title.clone(), article_path(account, a))]).unwrap_or_default();
        links.extend(b.body.buttons().iter().map(|button| match button {
            Button::Link { label, url } => (label.clone(), url.clone()),
            Button::Reply { label, text } => {
                (label.clone(), format!("/a/{}/chat?text={}", account.slug, encode(text)))
            }
        }));
        Self {
            account_name: account.display_name.clone(),
            account_href: format!("/a/{}", account.slug),
            title: String::new(),
            text: b.body.text().to_owned(),
            href: broadcast_path(account, b.id),
            when: b.sent_at.unwrap_or(b.send_at).display_vn(),
            cover: None,
            emergency: b.alert.as_ref().map(|a| a.event.clone()),
            links,
            broadcast: true,
        }
    }
}

/// Cards for feed items, looking up each account and article card once.
pub(crate) async fn cards(
    state: &NewsState,
    items: &[FeedItem],
) -> Result<Vec<NewsCard>, ApiError> {
    let accounts = crate::features::news::service::accounts_of(state, items).await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(account) = accounts.iter().find(|a| a.id == item.account()) else { continue };
        out.push(match item {
            FeedItem::Article(a) => NewsCard::article(account, a),
            FeedItem::Broadcast(b) => {
                let article = match &b.body {
                    BroadcastBody::Article { article, .. } => state.store.article(*article).await?,
                    _ => None,
                };
                NewsCard::broadcast(account, b, article.as_ref())
            }
        });
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
struct PageParams {
    before: Option<String>,
}

const PAGE_SIZE: i64 = 20;

#[derive(Template)]
#[template(path = "news_list.html")]
struct ListPage {
    l: Layout,
    title: String,
    account_href: String,
    atom: String,
    cards: Vec<NewsCard>,
    next: Option<String>,
}

async fn article_list(
    viewer: Viewer<NewsState>,
    Path(slug): Path<String>,
    params: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let account = match viewer.state.account(&slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let before = params.ok().and_then(|Query(p)| p.before).as_deref().and_then(FeedCursor::decode);
    let query = FeedQuery::public_articles(account.id, before, Timestamp::now(), PAGE_SIZE);
    let items = match viewer.state.store.feed(&query).await {
        Ok(items) => items,
        Err(e) => return viewer.fail(e.into()),
    };
    let next = (items.len() as i64 == PAGE_SIZE)
        .then(|| {
            items.last().map(|i| format!("/a/{}/tin?before={}", account.slug, i.cursor().encode()))
        })
        .flatten();
    let t = viewer.t();
    let page = ListPage {
        l: viewer.layout(false),
        title: t.with("news-list-title", "account", &account.display_name),
        account_href: format!("/a/{}", account.slug),
        atom: format!("/a/{}/tin.atom", account.slug),
        cards: items
            .iter()
            .filter_map(|i| match i {
                FeedItem::Article(a) => Some(NewsCard::article(&account, a)),
                FeedItem::Broadcast(_) => None,
            })
            .collect(),
        next,
    };
    viewer.render(StatusCode::OK, &page)
}

/// Whether the viewer is staff who may publish the account's news (and so sees drafts).
async fn may_publish(viewer: &Viewer<NewsState>, account: &Account) -> bool {
    if !matches!(viewer.caller, Caller::Staff { .. }) {
        return false;
    }
    match viewer.state.store.agency_ancestry(account.agency).await {
        Ok(ancestry) => viewer.caller.may(ketnoi_core::Action::PublishNews, Some(&ancestry)),
        Err(_) => false,
    }
}

/// The article at `/a/{slug}/tin/{article}` if the viewer may read it: published for anyone,
/// any state for its publishers; a withdrawn one is 410 for the others.
async fn readable_article(
    viewer: &Viewer<NewsState>,
    slug: &str,
    article: &str,
) -> Result<(Account, Article, bool), ApiError> {
    let account = viewer.state.account(slug).await?;
    let found = viewer.state.store.article_by_slug(account.id, article).await?;
    let found = found.ok_or(ApiError::NotFound("article"))?;
    let staff = may_publish(viewer, &account).await;
    match found.state_at(Timestamp::now()) {
        ArticleState::Published => {}
        _ if staff => {}
        ArticleState::Withdrawn => {
            return Err(ApiError::BadField { code: "article-withdrawn", field: "article" });
        }
        _ => return Err(ApiError::NotFound("article")),
    }
    Ok((account, found, staff))
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    l: Layout,
    title: String,
    summary: String,
    body_html: String,
    account_name: String,
    account_href: String,
    when: String,
    cover: Option<String>,
    /// Open Graph: the page's absolute address and picture.
    og_url: String,
    og_image: Option<String>,
    /// For staff: the article's state when it is not public, and its editor.
    draft_note: Option<String>,
    edit_href: Option<String>,
}

async fn article_page(
    viewer: Viewer<NewsState>,
    Path((slug, article)): Path<(String, String)>,
) -> Response {
    // Anonymous readers of a public article all get the same page: serve it from memory.
    let anonymous = matches!(viewer.caller, Caller::Anonymous);
    let key = crate::features::news::service::News::page_key(viewer.lang.tag(), &slug, &article);
    if anonymous && let Some(html) = viewer.state.news.pages.get(&key) {
        return public_page(html.to_string());
    }
    let (account, a, staff) = match readable_article(&viewer, &slug, &article).await {
        Ok(found) => found,
        Err(ApiError::BadField { code: "article-withdrawn", .. }) => {
            let t = viewer.t();
            let page = crate::kernel::pages::MessagePage {
                l: viewer.layout(false),
                title: t.get("article-withdrawn-title"),
                lead: t.get("article-withdrawn-lead"),
                link: None,
            };
            return viewer.render(StatusCode::GONE, &page);
        }
        Err(e) => return viewer.fail(e),
    };
    let base = public_base(viewer.state.config.public_url.as_deref(), &viewer.headers);
    let t = viewer.t();
    let state = a.state_at(Timestamp::now());
    let page = ArticlePage {
        l: viewer.layout(false),
        title: a.title.clone(),
        summary: a.summary.clone(),
        body_html: a.body_html.clone(),
        account_name: account.display_name.clone(),
        account_href: format!("/a/{}", account.slug),
        when: a
            .publish_at
            .map(|p| t.with("article-published", "when", &p.display_vn()))
            .unwrap_or_default(),
        cover: a.cover.as_ref().map(|_| cover_path(&account, &a)),
        og_url: format!("{base}{}", article_path(&account, &a)),
        og_image: a.cover.as_ref().map(|_| format!("{base}{}", cover_path(&account, &a))),
        draft_note: (state != ArticleState::Published)
            .then(|| t.get(&format!("article-state-{state}"))),
        edit_href: staff.then(|| format!("/console/a/{}/tin/{}", account.slug, a.id.0)),
    };
    if state == ArticleState::Published && anonymous {
        return match askama::Template::render(&page) {
            Ok(html) => {
                viewer.state.news.pages.put(key, Arc::from(html.as_str()), None);
                public_page(html)
            }
            Err(e) => viewer.fail(ApiError::Internal(anyhow::anyhow!("template: {e}"))),
        };
    }
    viewer.render(StatusCode::OK, &page)
}

/// A public article page: shared caches may keep it for a minute, so an edit shows soon after.
fn public_page(html: String) -> Response {
    let mut response = axum::response::Html(html).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

async fn cover(
    viewer: Viewer<NewsState>,
    Path((slug, article)): Path<(String, String)>,
) -> Response {
    let (_, a, _) = match readable_article(&viewer, &slug, &article).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let Some((key, media_type)) = a.cover else {
        return viewer.fail(ApiError::NotFound("article"));
    };
    match viewer.state.blobs.get(&key).await {
        Ok(Some(bytes)) => {
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&media_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            response
        }
        Ok(None) => viewer.fail(ApiError::NotFound("article")),
        Err(e) => viewer.fail(e.into()),
    }
}

fn xml_response(content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    response
}

async fn article_feed(viewer: Viewer<NewsState>, Path(slug): Path<String>) -> Response {
    let account = match viewer.state.account(&slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let query = FeedQuery::public_articles(account.id, None, Timestamp::now(), 50);
    let items = match viewer.state.store.feed(&query).await {
        Ok(items) => items,
        Err(e) => return viewer.fail(e.into()),
    };
    let base = public_base(viewer.state.config.public_url.as_deref(), &viewer.headers);
    let entries: Vec<cap::Entry> = items
        .iter()
        .filter_map(|i| match i {
            FeedItem::Article(a) => Some(cap::article_entry(&base, &account, a)),
            FeedItem::Broadcast(_) => None,
        })
        .collect();
    let xml = cap::atom(
        &format!("{base}/a/{}/tin.atom", account.slug),
        &account.display_name,
        &format!("{base}/a/{}/tin.atom", account.slug),
        &format!("{base}/a/{}/tin", account.slug),
        &account.display_name,
        &entries,
    );
    xml_response("application/atom+xml; charset=utf-8", xml)
}

#[derive(Template)]
#[template(path = "broadcast.html")]
struct BroadcastPage {
    l: Layout,
    card: NewsCard,
    cap_href: Option<String>,
}

async fn broadcast_page(
    viewer: Viewer<NewsState>,
    Path((slug, id)): Path<(String, i64)>,
) -> Response {
    let id = BroadcastId(id);
    let found = match &viewer.caller {
        Caller::Citizen { citizen, .. } => {
            crate::features::news::service::addressed_to(&viewer.state, id, citizen.id).await.map(
                |(a, b)| {
                    // Opening it counts once per reader; a failure to count does not stop the page.
                    let (store, reader) = (viewer.state.store.clone(), citizen.id);
                    tokio::spawn(async move {
                        if let Err(e) = store.record_open(id, reader, Timestamp::now()).await {
                            tracing::warn!(error = ?e, "could not record a broadcast opened");
                        }
                    });
                    (a, b)
                },
            )
        }
        Caller::Staff { .. } => staff_broadcast(&viewer, id).await,
        Caller::Anonymous => return viewer.to_sign_in(false),
        Caller::Account { .. } => Err(ApiError::Forbidden),
    };
    let (account, b) = match found {
        Ok(found) if account_slug_matches(&found.0, &slug) => found,
        Ok(_) => return viewer.fail(ApiError::NotFound("broadcast")),
        Err(e) => return viewer.fail(e),
    };
    let article = match &b.body {
        BroadcastBody::Article { article, .. } => {
            viewer.state.store.article(*article).await.ok().flatten()
        }
        _ => None,
    };
    let page = BroadcastPage {
        l: viewer.layout(false),
        cap_href: b.alert.as_ref().map(|_| format!("/alerts/{}.xml", b.id.0)),
        card: NewsCard::broadcast(&account, &b, article.as_ref()),
    };
    viewer.render(StatusCode::OK, &page)
}

fn account_slug_matches(account: &Account, slug: &str) -> bool {
    account.slug.as_str() == slug
}

async fn staff_broadcast(
    viewer: &Viewer<NewsState>,
    id: BroadcastId,
) -> Result<(Account, Broadcast), ApiError> {
    let b = viewer.state.store.broadcast(id).await?.ok_or(ApiError::NotFound("broadcast"))?;
    let account =
        viewer.state.store.account(b.account).await?.ok_or(ApiError::NotFound("broadcast"))?;
    if !may_publish(viewer, &account).await {
        return Err(ApiError::NotFound("broadcast"));
    }
    Ok((account, b))
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPageView {
    l: Layout,
    cards: Vec<NewsCard>,
    next: Option<String>,
    area_note: String,
    alert: Option<NewsCard>,
}

async fn feed_page(
    viewer: Viewer<NewsState>,
    params: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Caller::Citizen { citizen, .. } = &viewer.caller else {
        return viewer.to_sign_in(false);
    };
    let before = params.ok().and_then(|Query(p)| p.before).as_deref().and_then(FeedCursor::decode);
    let query = FeedQuery::for_citizen(citizen.id, None, before, Timestamp::now(), PAGE_SIZE);
    let result = async {
        let items = viewer.state.store.feed(&query).await?;
        let cards = cards(&viewer.state, &items).await?;
        let area = viewer.state.store.citizen_area(citizen.id).await?;
        let area_name = match area {
            Some(code) => viewer.state.store.area(&code).await?.map(|a| a.name),
            None => None,
        };
        Ok::<_, ApiError>((items, cards, area_name))
    }
    .await;
    let (items, cards, area_name) = match result {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let t = viewer.t();
    let next = (items.len() as i64 == PAGE_SIZE)
        .then(|| items.last().map(|i| format!("/me/bang-tin?before={}", i.cursor().encode())))
        .flatten();
    let alert = if before.is_none() { current_alert(&cards) } else { None };
    let page = FeedPageView {
        l: viewer.layout(false),
        area_note: match area_name {
            Some(name) => t.with("feed-area", "area", &name),
            None => t.get("feed-no-area"),
        },
        cards,
        next,
        alert,
    };
    viewer.render(StatusCode::OK, &page)
}

/// The newest emergency among the first cards, for the banner at the top.
fn current_alert(cards: &[NewsCard]) -> Option<NewsCard> {
    cards.iter().find(|c| c.emergency.is_some()).map(|c| NewsCard {
        account_name: c.account_name.clone(),
        account_href: c.account_href.clone(),
        title: c.title.clone(),
        text: c.text.clone(),
        href: c.href.clone(),
        when: c.when.clone(),
        cover: None,
        emergency: c.emergency.clone(),
        links: Vec::new(),
        broadcast: true,
    })
}

/// An option in a select.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "my_area.html")]
struct AreaPage {
    l: Layout,
    errors: Vec<FormError>,
    current: String,
    provinces: Vec<Choice>,
    wards: Vec<Choice>,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
struct AreaParams {
    #[serde(default)]
    province: String,
    #[serde(default)]
    saved: Option<String>,
}

/// The provinces, and the wards of the chosen one, as choices.
async fn area_choices(
    state: &NewsState,
    province: &str,
    ward: &str,
) -> Result<(Vec<Choice>, Vec<Choice>, bool), ApiError> {
    let store = &state.store;
    let roots = store.area_children(None).await?;
    let provinces = match roots.as_slice() {
        [root] => store.area_children(Some(&root.code)).await?,
        _ => roots,
    };
    let chosen = provinces.iter().find(|p| p.code.as_str() == province);
    let wards = match chosen {
        Some(p) => store.area_children(Some(&p.code)).await?,
        None => Vec::new(),
    };
    let choice = |a: &ketnoi_core::Area, selected: &str| Choice {
        value: a.code.to_string(),
        label: a.name.clone(),
        selected: a.code.as_str() == selected,
    };
    Ok((
        provinces.iter().map(|p| choice(p, province)).collect(),
        wards.iter().map(|w| choice(w, ward)).collect(),
        chosen.is_some(),
    ))
}

async fn area_page(
    viewer: Viewer<NewsState>,
    params: Result<Query<AreaParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Caller::Citizen { citizen, .. } = &viewer.caller else {
        return viewer.to_sign_in(false);
    };
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let result = async {
        let current = viewer.state.store.citizen_area(citizen.id).await?;
        let ancestry = match &current {
            Some(code) => viewer.state.store.area_ancestry(code).await?,
            None => Vec::new(),
        };
        // Without a province asked for, show the one the current ward is in.
        let province = if p.province.is_empty() {
            ancestry.iter().rev().nth(1).map(|a| a.code.to_string()).unwrap_or_default()
        } else {
            p.province.clone()
        };
        let ward = current.as_ref().map(|c| c.to_string()).unwrap_or_default();
        let (provinces, wards, _) = area_choices(&viewer.state, &province, &ward).await?;
        let names: Vec<String> = ancestry.iter().take(2).map(|a| a.name.clone()).collect();
        Ok::<_, ApiError>((names.join(", "), provinces, wards))
    }
    .await;
    let (current, provinces, wards) = match result {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let page = AreaPage {
        l: viewer.layout(false),
        errors: Vec::new(),
        current,
        provinces,
        wards,
        saved: p.saved.is_some(),
    };
    viewer.render(StatusCode::OK, &page)
}

#[derive(Debug, Deserialize)]
struct AreaForm {
    csrf: Option<String>,
    #[serde(default)]
    province: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    action: String,
}

async fn area_submit(viewer: Viewer<NewsState>, PageForm(form): PageForm<AreaForm>) -> Response {
    let Caller::Citizen { citizen, .. } = &viewer.caller else {
        return viewer.to_sign_in(false);
    };
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    // "Choose the province" without JavaScript: show that province's wards.
    if form.action == "province" {
        return Redirect::to(&format!("/me/dia-ban?province={}", encode(&form.province)))
            .into_response();
    }
    let area = match form.area.trim() {
        "" if form.action == "clear" => None,
        "" => {
            return area_error(&viewer, &form, viewer.t().get("area-choose-ward")).await;
        }
        code => match ketnoi_core::AreaCode::parse(code) {
            Ok(c) => Some(c),
            Err(e) => return area_error(&viewer, &form, viewer.message(&e.into())).await,
        },
    };
    match viewer.state.store.set_citizen_area(citizen.id, area.as_ref()).await {
        Ok(()) => Redirect::to("/me/dia-ban?saved=1").into_response(),
        Err(e) => {
            let e: ApiError = e.into();
            if matches!(e, ApiError::MissingReference(_)) {
                area_error(&viewer, &form, viewer.message(&e)).await
            } else {
                viewer.fail(e)
            }
        }
    }
}

async fn area_error(viewer: &Viewer<NewsState>, form: &AreaForm, message: String) -> Response {
    let (provinces, wards, _) = match area_choices(&viewer.state, &form.province, &form.area).await
    {
        Ok(c) => c,
        Err(e) => return viewer.fail(e),
    };
    let page = AreaPage {
        l: viewer.layout(true),
        errors: vec![FormError { field: "area", message }],
        current: String::new(),
        provinces,
        wards,
        saved: false,
    };
    viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// How far back the public list of alerts goes.
const ALERT_WINDOW_MS: i64 = 30 * 86_400_000;

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    l: Layout,
    alerts: Vec<(NewsCard, String)>,
}

/// Recent alerts with their accounts.
async fn recent_alerts(state: &NewsState) -> Result<Vec<(Account, Broadcast)>, ApiError> {
    let since = Timestamp::now().plus_millis(-ALERT_WINDOW_MS);
    let alerts = state.store.emergency_alerts(since, 100).await?;
    let mut out = Vec::with_capacity(alerts.len());
    for b in alerts {
        if let Some(account) = state.store.account(b.account).await? {
            out.push((account, b));
        }
    }
    Ok(out)
}

async fn alerts_page(viewer: Viewer<NewsState>) -> Response {
    let alerts = match recent_alerts(&viewer.state).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let page = AlertsPage {
        l: viewer.layout(false),
        alerts: alerts
            .iter()
            .map(|(a, b)| (NewsCard::broadcast(a, b, None), format!("/alerts/{}.xml", b.id.0)))
            .collect(),
    };
    viewer.render(StatusCode::OK, &page)
}

/// The areas an alert applies to: its targets, or the account's own area.
async fn alert_area(
    state: &NewsState,
    account: &Account,
    b: &Broadcast,
) -> Result<cap::AlertArea, ApiError> {
    let codes = if b.audience.areas.is_empty() {
        vec![account.area.clone()]
    } else {
        b.audience.areas.clone()
    };
    let mut areas = Vec::with_capacity(codes.len());
    for code in &codes {
        if let Some(area) = state.store.area(code).await? {
            areas.push(area);
        }
    }
    Ok(cap::AlertArea::of(&areas))
}

async fn alerts_feed(viewer: Viewer<NewsState>) -> Response {
    let alerts = match recent_alerts(&viewer.state).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let base = public_base(viewer.state.config.public_url.as_deref(), &viewer.headers);
    let t = viewer.t();
    let entries: Vec<cap::Entry> = alerts
        .iter()
        .filter_map(|(account, b)| {
            let alert = b.alert.as_ref()?;
            let sent = b.sent_at.unwrap_or(b.send_at);
            Some(cap::Entry {
                id: format!("{base}/alerts/{}.xml", b.id.0),
                title: format!("{}: {}", account.display_name, alert.event),
                link: format!("{base}/canh-bao"),
                alternate: Some((format!("{base}/alerts/{}.xml", b.id.0), "application/cap+xml")),
                summary: crate::kernel::text::shorten(b.body.text(), 300),
                updated: sent,
                published: Some(sent),
            })
        })
        .collect();
    let title = t.get("alerts-title");
    let xml = cap::atom(
        &format!("{base}/alerts.atom"),
        &title,
        &format!("{base}/alerts.atom"),
        &format!("{base}/canh-bao"),
        &t.get("site-name"),
        &entries,
    );
    xml_response("application/atom+xml; charset=utf-8", xml)
}

async fn alert_document(viewer: Viewer<NewsState>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".xml").and_then(|n| n.parse::<i64>().ok()) else {
        return viewer.fail(ApiError::NotFound("broadcast"));
    };
    let result = async {
        let b = viewer.state.store.broadcast(BroadcastId(id)).await?;
        let b = b.filter(|b| b.state == BroadcastState::Sent && b.alert.is_some());
        let b = b.ok_or(ApiError::NotFound("broadcast"))?;
        let account =
            viewer.state.store.account(b.account).await?.ok_or(ApiError::NotFound("broadcast"))?;
        let area = alert_area(&viewer.state, &account, &b).await?;
        Ok::<_, ApiError>((account, b, area))
    }
    .await;
    let (account, b, area) = match result {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let base = public_base(viewer.state.config.public_url.as_deref(), &viewer.headers);
    let Some(alert) = &b.alert else { return viewer.fail(ApiError::NotFound("broadcast")) };
    xml_response(
        "application/cap+xml; charset=utf-8",
        cap::alert_xml(&base, &account, &b, alert, &area),
    )
}
