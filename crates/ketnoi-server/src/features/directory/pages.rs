//! The citizen's pages: home, the directory, an account's page, following, "my accounts".

use askama::Template;
use axum::{
    Json, Router,
    extract::{Path, Query},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{AccountKind, AreaCode, Slug, Timestamp};
use ketnoi_store::DirectoryQuery;
use serde::{Deserialize, Serialize};

use crate::{
    features::directory::service::DirectoryState,
    kernel::{
        auth::Caller,
        error::ApiError,
        pages::{FormError, Layout, PageForm, Viewer, Who, encode, forms::CsrfForm},
    },
};

pub(crate) fn router() -> Router<DirectoryState> {
    Router::new()
        .route("/", get(home))
        .route("/accounts", get(directory))
        .route("/a/{slug}", get(account_page))
        .route("/a/{slug}/follow", post(follow))
        .route("/a/{slug}/unfollow", post(unfollow))
        .route("/me/accounts", get(my_accounts))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    accounts: Vec<AccountCard>,
    signed_in_phone: Option<String>,
}

async fn home(viewer: Viewer<DirectoryState>) -> Response {
    let page = viewer
        .state
        .store
        .search_accounts(&DirectoryQuery { verified_only: true, limit: 8, ..Default::default() })
        .await;
    let accounts = match page {
        Ok(p) => p.accounts,
        Err(e) => return viewer.fail(e.into()),
    };
    let accounts = match cards(&viewer, &accounts).await {
        Ok(c) => c,
        Err(e) => return viewer.fail(e),
    };
    let signed_in_phone = match &viewer.caller {
        Caller::Citizen { citizen, .. } => Some(citizen.phone.masked()),
        _ => None,
    };
    viewer.render(StatusCode::OK, &HomePage { l: viewer.layout(false), accounts, signed_in_phone })
}

/// An option in a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "directory.html")]
struct DirectoryPage {
    l: Layout,
    errors: Vec<FormError>,
    q: String,
    provinces: Vec<Choice>,
    communes: Vec<Choice>,
    kinds: Vec<Choice>,
    accounts: Vec<AccountCard>,
    results_label: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct DirectoryParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    page: Option<String>,
}

const PAGE_SIZE: i64 = 20;

async fn directory(
    viewer: Viewer<DirectoryState>,
    params: Result<Query<DirectoryParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let p = params.map(|Query(p)| p).unwrap_or_default();
    match directory_page(&viewer, p).await {
        Ok(page) => viewer.render(
            if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY },
            &page,
        ),
        Err(e) => viewer.fail(e),
    }
}

async fn directory_page(
    viewer: &Viewer<DirectoryState>,
    p: DirectoryParams,
) -> Result<DirectoryPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let mut errors = Vec::new();
    let q: String = ketnoi_text::nfc(p.q.trim()).chars().take(200).collect();
    let page_no = p.page.as_deref().and_then(|n| n.parse::<i64>().ok()).unwrap_or(1).clamp(1, 500);

    // Provinces are the level below the root ("Việt Nam"); communes, the level below the chosen
    // province. Without JavaScript, choosing a province and pressing Search fills the communes.
    let roots = store.area_children(None).await?;
    let provinces = match roots.as_slice() {
        [root] => store.area_children(Some(&root.code)).await?,
        _ => roots,
    };
    let province = provinces.iter().find(|a| a.code.as_str() == p.province).map(|a| a.code.clone());
    let communes = match &province {
        Some(code) => store.area_children(Some(code)).await?,
        None => Vec::new(),
    };
    let commune = communes.iter().find(|a| a.code.as_str() == p.area).map(|a| a.code.clone());
    if (!p.province.is_empty() && province.is_none())
        || (!p.area.is_empty() && commune.is_none() && province.is_some())
    {
        errors.push(FormError {
            field: if province.is_none() { "province" } else { "area" },
            message: viewer.message(&ApiError::NotFound("area")),
        });
    }
    // A commune code given without its province (an old link) still filters.
    let area = match (commune, province) {
        (Some(c), _) => Some(c),
        (None, Some(p)) => Some(p),
        (None, None) => AreaCode::parse(&p.area).ok().filter(|_| !p.area.is_empty()),
    };
    let kind = if p.kind.is_empty() {
        None
    } else {
        match p.kind.parse::<AccountKind>() {
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(FormError { field: "kind", message: viewer.message(&e.into()) });
                None
            }
        }
    };

    let found = store
        .search_accounts(&DirectoryQuery {
            text: Some(q.clone()).filter(|q| !q.is_empty()),
            area: area.clone(),
            kind,
            verified_only: false,
            limit: PAGE_SIZE,
            offset: (page_no - 1) * PAGE_SIZE,
        })
        .await?;
    let link = |n: i64| {
        format!(
            "/accounts?q={}&province={}&area={}&kind={}&page={n}",
            encode(&q),
            encode(&p.province),
            encode(&p.area),
            encode(&p.kind)
        )
    };
    let choices = |areas: &[ketnoi_core::Area], selected: &str| {
        areas
            .iter()
            .map(|a| Choice {
                value: a.code.to_string(),
                label: a.name.clone(),
                selected: a.code.as_str() == selected,
            })
            .collect::<Vec<_>>()
    };
    Ok(DirectoryPage {
        l: viewer.layout(!errors.is_empty()),
        errors,
        provinces: choices(&provinces, &p.province),
        communes: choices(&communes, &p.area),
        kinds: AccountKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.to_string(),
                label: t.kind(*k),
                selected: k.as_str() == p.kind,
            })
            .collect(),
        results_label: t.count("directory-results", found.accounts.len() as i64),
        accounts: cards(viewer, &found.accounts).await?,
        previous: (page_no > 1).then(|| link(page_no - 1)),
        next: found.has_more.then(|| link(page_no + 1)),
        q,
    })
}

/// What the follow control shows.
enum FollowButton {
    /// Nobody signed in: a link to sign in and come back.
    SignIn(String),
    /// A citizen: the form that follows or unfollows.
    Form { following: bool, action: String },
    /// Staff and programs do not follow.
    None,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    /// The account's menu, as drawn by the front desk.
    menu: String,
    a: AccountCard,
    /// The latest articles: address, title, date.
    news: Vec<(String, String, String)>,
    flash: Option<String>,
    followers_label: String,
    follow: FollowButton,
    message_href: Option<String>,
    message_label: String,
    description: String,
    agency_name: String,
    phone: String,
    phone_href: String,
    address: String,
    hours: String,
    since: String,
    /// The account's lookups (exam results, martyrs' graves…) as (address, title).
    lookups: Vec<(String, String)>,
    /// The tip form, for a police account.
    tip_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct AccountParams {
    done: Option<String>,
}

async fn load_account(
    viewer: &Viewer<DirectoryState>,
    slug: &str,
) -> Result<ketnoi_core::Account, ApiError> {
    let slug = Slug::parse(slug).map_err(|_| ApiError::NotFound("account"))?;
    viewer.state.store.account_by_slug(&slug).await?.ok_or(ApiError::NotFound("account"))
}

async fn account_page(
    viewer: Viewer<DirectoryState>,
    Path(slug): Path<String>,
    params: Result<Query<AccountParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    match account_page_for(&viewer, &slug, params.done.as_deref()).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn account_page_for(
    viewer: &Viewer<DirectoryState>,
    slug: &str,
    done: Option<&str>,
) -> Result<AccountPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let account = load_account(viewer, slug).await?;
    let agency_name = store.agency(account.agency).await?.map(|a| a.name).unwrap_or_default();
    let follow = match &viewer.caller {
        Caller::Citizen { citizen, .. } => {
            let following = store.is_following(citizen.id, account.id).await?;
            let verb = if following { "unfollow" } else { "follow" };
            FollowButton::Form { following, action: format!("/a/{}/{verb}", account.slug) }
        }
        Caller::Anonymous => FollowButton::SignIn(format!(
            "/sign-in?next={}",
            encode(&format!("/a/{}", account.slug))
        )),
        _ => FollowButton::None,
    };
    let flash = match done {
        Some("followed") => Some(t.with("account-followed", "name", &account.display_name)),
        Some("unfollowed") => Some(t.with("account-unfollowed", "name", &account.display_name)),
        _ => None,
    };
    let (message_href, message_label) = match &viewer.caller {
        Caller::Citizen { .. } => {
            (Some(format!("/a/{}/chat", account.slug)), t.get("account-message"))
        }
        Caller::Anonymous => (
            Some(format!("/sign-in?next={}", encode(&format!("/a/{}/chat", account.slug)))),
            t.get("account-sign-in-to-message"),
        ),
        _ => (None, String::new()),
    };
    let card = cards(viewer, std::slice::from_ref(&account)).await?.into_iter().next();
    let date = account.created_at.display_vn();
    let news = viewer
        .state
        .store
        .feed(&ketnoi_store::FeedQuery::public_articles(account.id, None, Timestamp::now(), 3))
        .await?
        .iter()
        .filter_map(|item| match item {
            ketnoi_store::FeedItem::Article(a) => Some((
                crate::features::news::service::article_path(&account, a),
                a.title.clone(),
                a.publish_at.unwrap_or(a.created_at).display_vn(),
            )),
            ketnoi_store::FeedItem::Broadcast(_) => None,
        })
        .collect();
    let lookups = viewer
        .state
        .lookups
        .of_account(account.id)
        .iter()
        .map(|s| {
            (
                crate::features::lookups::pages::page_path(account.slug.as_str(), &s.slug),
                s.title.clone(),
            )
        })
        .collect();
    let menu =
        crate::features::desk::service::menu_block(&viewer.state, &t, &account, "menu").await;
    Ok(AccountPage {
        menu,
        news,
        l: viewer.layout(false),
        a: card.ok_or(ApiError::NotFound("account"))?,
        flash,
        followers_label: t.count("account-followers", account.follower_count),
        follow,
        message_href,
        message_label,
        description: account.description.clone(),
        agency_name,
        phone_href: account
            .contact_phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect(),
        phone: account.contact_phone,
        address: account.address,
        hours: account.office_hours,
        since: t.with("account-since", "date", date.split(' ').next().unwrap_or_default()),
        lookups,
        tip_href: (account.kind == ketnoi_core::AccountKind::Police)
            .then(|| format!("/a/{}/tin-bao", account.slug)),
    })
}

/// What the script needs to update the page after following in place.
#[derive(Debug, Serialize)]
struct FollowAnswer {
    following: bool,
    next_action: String,
    button_label: String,
    message: String,
    follower_label: String,
}

async fn follow(
    viewer: Viewer<DirectoryState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    PageForm(f): PageForm<CsrfForm>,
) -> Response {
    set_following(viewer, slug, headers, f, true).await
}

async fn unfollow(
    viewer: Viewer<DirectoryState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    PageForm(f): PageForm<CsrfForm>,
) -> Response {
    set_following(viewer, slug, headers, f, false).await
}

async fn set_following(
    viewer: Viewer<DirectoryState>,
    slug: String,
    headers: HeaderMap,
    form: CsrfForm,
    follow: bool,
) -> Response {
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let Caller::Citizen { citizen, .. } = &viewer.caller else {
        return match viewer.caller {
            Caller::Anonymous => viewer.to_sign_in(false),
            _ => viewer.fail(ApiError::Forbidden),
        };
    };
    let store = &viewer.state.store;
    let account = match load_account(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let changed = if follow {
        store.follow(citizen.id, account.id, Timestamp::now()).await
    } else {
        store.unfollow(citizen.id, account.id).await
    };
    match changed {
        Err(e) => return viewer.fail(e.into()),
        Ok(true) if follow => {
            if let Err(e) = viewer.state.followed.followed(account.id, citizen).await {
                tracing::warn!(error = ?e, "the welcome message was not sent");
            }
        }
        Ok(true) => {
            if let Err(e) = viewer.state.followed.unfollowed(account.id, citizen).await {
                tracing::warn!(error = ?e, "the unfollow was not passed on");
            }
        }
        Ok(_) => {}
    }
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !wants_json {
        let done = if follow { "followed" } else { "unfollowed" };
        return Redirect::to(&format!("/a/{}?done={done}", account.slug)).into_response();
    }
    let t = viewer.t();
    let count = store.account(account.id).await.ok().flatten().map_or(0, |a| a.follower_count);
    let (verb, label, message) = if follow {
        (
            "unfollow",
            t.get("account-unfollow"),
            t.with("account-followed", "name", &account.display_name),
        )
    } else {
        (
            "follow",
            t.get("account-follow"),
            t.with("account-unfollowed", "name", &account.display_name),
        )
    };
    Json(FollowAnswer {
        following: follow,
        next_action: format!("/a/{}/{verb}", account.slug),
        button_label: label,
        message,
        follower_label: t.count("account-followers", count),
    })
    .into_response()
}

#[derive(Template)]
#[template(path = "my_accounts.html")]
struct MyAccountsPage {
    l: Layout,
    accounts: Vec<AccountCard>,
}

async fn my_accounts(viewer: Viewer<DirectoryState>) -> Response {
    let Caller::Citizen { citizen, .. } = &viewer.caller else {
        return viewer.to_sign_in(false);
    };
    let accounts = match viewer.state.store.followed_accounts(citizen.id).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e.into()),
    };
    match cards(&viewer, &accounts).await {
        Ok(accounts) => {
            viewer.render(StatusCode::OK, &MyAccountsPage { l: viewer.layout(false), accounts })
        }
        Err(e) => viewer.fail(e),
    }
}

/// An account as a list item.
pub(crate) struct AccountCard {
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) verified: bool,
    pub(crate) kind_label: String,
    pub(crate) area_name: String,
}

/// Cards for accounts, with their areas' names looked up once each.
pub(crate) async fn cards(
    viewer: &Viewer<DirectoryState>,
    accounts: &[ketnoi_core::Account],
) -> Result<Vec<AccountCard>, ApiError> {
    let t = viewer.t();
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(accounts.len());
    for a in accounts {
        let code = a.area.to_string();
        if !names.contains_key(&code) {
            let name = viewer.state.store.area(&a.area).await?.map(|x| x.name).unwrap_or_default();
            names.insert(code.clone(), name);
        }
        out.push(AccountCard {
            slug: a.slug.to_string(),
            name: a.display_name.clone(),
            verified: a.verified,
            kind_label: t.kind(a.kind),
            area_name: names.get(&code).cloned().unwrap_or_default(),
        });
    }
    Ok(out)
}
