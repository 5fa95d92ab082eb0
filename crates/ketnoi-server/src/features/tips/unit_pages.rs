//! The unit's tip pages in the console: the inbox by status, a tip opened in the officer's
//! browser with its sealed attachments and messages, status changes, and the keys page where
//! officers make, grant, revoke and rotate the unit's key.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Agency, AuditAction, Timestamp};

use crate::kernel::state::{HasKernel, Kernel};
use crate::{
    features::tips::{
        case_pages, keys_api,
        pages::{category_label, inbox_path, no_store},
        service::TipsState,
        unit_api,
    },
    kernel::{
        audit::record,
        auth::Caller,
        error::ApiError,
        pages::{Layout, PageForm, Viewer, Who, assets},
    },
};

pub(crate) fn router() -> Router<TipsState> {
    Router::new()
        .route("/console/don-vi/{code}/tin-bao", get(inbox))
        .route("/console/don-vi/{code}/tin-bao/{id}", get(tip_page))
        .route("/console/don-vi/{code}/khoa-tin-bao", get(keys_page))
        .route("/console/don-vi/{code}/khoa-tin-bao/cai-dat", post(save_settings))
}

/// The unit at `code` for a console page: sign-in for nobody, 403 for anyone who does not
/// handle its tips.
async fn unit_page(viewer: &Viewer<TipsState>, code: &str) -> Result<Agency, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(viewer.to_sign_in(true));
    }
    unit_api::unit_for(&viewer.state, &viewer.caller, code).await.map_err(|e| viewer.fail(e))
}

struct Tab {
    href: String,
    label: String,
    current: bool,
}

struct InboxRow {
    id: i64,
    href: String,
    category: String,
    area: String,
    occurred: String,
    received: String,
    status: String,
    deadline: String,
    overdue: bool,
    anonymous: bool,
}

/// The inbox's tabs, by the list they show: open cases first.
const INBOX_TABS: [&str; 8] =
    ["open", "received", "verifying", "handling", "overdue", "mine", "closed", "all"];

#[derive(Template)]
#[template(path = "tips_inbox.html")]
struct InboxPage {
    l: Layout,
    unit_name: String,
    keys_href: String,
    has_key: bool,
    tabs: Vec<Tab>,
    overdue: String,
    rows: Vec<InboxRow>,
    more_href: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct InboxParams {
    status: Option<String>,
    before: Option<i64>,
}

/// How many tips a page of the inbox lists.
const PAGE: i64 = 50;

/// `GET /console/don-vi/{code}/tin-bao?status=&before=`.
async fn inbox(
    viewer: Viewer<TipsState>,
    Path(code): Path<String>,
    Query(q): Query<InboxParams>,
) -> Response {
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = viewer.t();
    let filter_word =
        q.status.as_deref().map(str::trim).filter(|w| !w.is_empty()).unwrap_or("open");
    let filter = match unit_api::list_filter(Some(filter_word), &viewer.caller) {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    let store = &viewer.state.store;
    let now = Timestamp::now();
    let found = store.tips_for_unit(unit.id, filter, q.before.map(ketnoi_store::TipId), PAGE).await;
    let has_key = store.current_unit_key(unit.id).await;
    let overdue = store.count_overdue_tips(unit.id, now).await;
    let (found, has_key, overdue) = match (found, has_key, overdue) {
        (Ok(f), Ok(k), Ok(o)) => (f, k.is_some(), o),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return viewer.fail(e.into()),
    };
    let base = inbox_path(unit.code.as_str());
    let tabs = INBOX_TABS
        .iter()
        .map(|value| Tab {
            href: format!("{base}?status={value}"),
            label: t.get(&format!("tips-tab-{value}")),
            current: *value == filter_word,
        })
        .collect();
    let more_href = (found.len() as i64 == PAGE)
        .then(|| found.last().map(|s| format!("{base}?status={filter_word}&before={}", s.id.0)))
        .flatten();
    let mut rows = Vec::with_capacity(found.len());
    let mut names = std::collections::HashMap::new();
    for s in &found {
        if !names.contains_key(&s.area) {
            names.insert(s.area.clone(), area_name(&viewer.state, &s.area).await);
        }
        rows.push(InboxRow {
            id: s.id.0,
            href: format!("{base}/{}", s.id.0),
            category: category_label(&t, &s.category),
            area: names.get(&s.area).cloned().unwrap_or_default(),
            occurred: s.occurred.replace('T', " "),
            received: s.created_at.display_vn(),
            status: t.get(&format!("tip-status-{}", s.status)),
            deadline: s.deadline_at.display_vn(),
            overdue: s.overdue(now),
            anonymous: s.anonymous,
        });
    }
    let page = InboxPage {
        l: viewer.layout(false),
        unit_name: unit.name.clone(),
        keys_href: format!("/console/don-vi/{}/khoa-tin-bao", unit.code),
        has_key,
        tabs,
        overdue: if overdue > 0 {
            t.with("tips-overdue-count", "count", &overdue.to_string())
        } else {
            String::new()
        },
        rows,
        more_href,
    };
    no_store(viewer.render(StatusCode::OK, &page))
}

async fn area_name(state: &Kernel, code: &ketnoi_core::AreaCode) -> String {
    match state.store.area(code).await {
        Ok(Some(a)) => a.name,
        _ => code.to_string(),
    }
}

#[derive(Template)]
#[template(path = "tip_view.html")]
struct TipPage {
    l: Layout,
    seal_js: String,
    tips_js: String,
    id: i64,
    unit_name: String,
    unit_code: String,
    me: i64,
    inbox_href: String,
    category: String,
    area: String,
    occurred: String,
    received: String,
    reporter: String,
    case: case_pages::CasePanel,
    export_href: String,
}

/// `GET /console/don-vi/{code}/tin-bao/{id}`: the clear fields; the rest opens in the browser.
async fn tip_page(viewer: Viewer<TipsState>, Path((code, id)): Path<(String, i64)>) -> Response {
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let tip = match unit_api::unit_tip(&viewer.state, &unit, id).await {
        Ok(t) => t,
        Err(e) => return viewer.fail(e),
    };
    // The page names the reporter of an identified tip: recorded before it is drawn.
    let object = format!("tip:{id}");
    if let Err(e) = record(
        &viewer.state,
        &viewer.caller,
        &viewer.request,
        AuditAction::TipOpened,
        &object,
        Some(unit.id),
    )
    .await
    {
        return viewer.fail(e);
    }
    let t = viewer.t();
    let s = &tip.summary;
    let reporter = match tip.citizen {
        None => t.get("tip-mode-anonymous"),
        Some(c) => match viewer.state.store.citizen(c).await {
            Ok(Some(c)) => t.with(
                "tip-reporter",
                "who",
                &match &c.display_name {
                    Some(n) => format!("{n} · {}", c.phone.national()),
                    None => c.phone.national(),
                },
            ),
            _ => t.get("tip-mode-identified"),
        },
    };
    let panel = match case_pages::panel(&viewer, &unit, &tip).await {
        Ok(p) => p,
        Err(e) => return viewer.fail(e),
    };
    let base = inbox_path(unit.code.as_str());
    let me = match &viewer.caller {
        Caller::Staff { staff, .. } => staff.id.0,
        _ => 0,
    };
    let page = TipPage {
        l: viewer.layout(false),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        id,
        unit_name: unit.name.clone(),
        unit_code: unit.code.to_string(),
        me,
        inbox_href: base.clone(),
        category: category_label(&t, &s.category),
        area: area_name(&viewer.state, &s.area).await,
        occurred: s.occurred.replace('T', " "),
        received: s.created_at.display_vn(),
        reporter,
        case: panel,
        export_href: format!("/api/v1/units/{}/tips/{id}/export", unit.code),
    };
    no_store(viewer.render(StatusCode::OK, &page))
}

struct KeyRow {
    kid: String,
    state: String,
}

struct OfficerRow {
    staff: i64,
    name: String,
    /// Their personal key's id, to compare in person before giving them the unit key.
    kid: String,
    state: String,
    can_grant: bool,
    can_revoke: bool,
}

#[derive(Template)]
#[template(path = "tip_keys.html")]
struct KeysPage {
    l: Layout,
    seal_js: String,
    tips_js: String,
    unit_name: String,
    unit_code: String,
    me: i64,
    inbox_href: String,
    notice: Option<String>,
    my_key_state: String,
    my_key_action: String,
    keys: Vec<KeyRow>,
    has_key: bool,
    officers: Vec<OfficerRow>,
    settings_action: String,
    copy_parent: bool,
}

#[derive(Debug, serde::Deserialize)]
struct KeysParams {
    saved: Option<String>,
    revoked: Option<String>,
}

/// `GET /console/don-vi/{code}/khoa-tin-bao`: keys, holders and settings. Making, granting,
/// revoking and rotating keys happen in the browser (`tips.js`).
async fn keys_page(
    viewer: Viewer<TipsState>,
    Path(code): Path<String>,
    Query(q): Query<KeysParams>,
) -> Response {
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Caller::Staff { staff, .. } = &viewer.caller else {
        return viewer.fail(ApiError::Forbidden);
    };
    let me = staff.id;
    let view = match keys_api::keys_view(&viewer.state, &unit, me).await {
        Ok(v) => v,
        Err(e) => return viewer.fail(e),
    };
    let t = viewer.t();
    let current = view.current();
    let keys = view
        .keys
        .iter()
        .map(|k| KeyRow {
            kid: k.kid.clone(),
            state: t.get(if k.retired_at.is_none() {
                "tips-key-current"
            } else {
                "tips-key-retired"
            }),
        })
        .collect();
    let i_hold = !view.me.copies.is_empty();
    let officers = view
        .officers
        .iter()
        .map(|o| {
            let holds_current = current.is_some_and(|c| o.holds.iter().any(|k| k == c));
            let state = if o.former {
                t.get("tips-officer-former")
            } else if holds_current {
                t.get("tips-officer-holds")
            } else if o.kid.is_some() {
                t.get("tips-officer-ready")
            } else {
                t.get("tips-officer-no-key")
            };
            OfficerRow {
                staff: o.staff,
                name: o.name.clone(),
                kid: o.kid.clone().unwrap_or_default(),
                state,
                can_grant: i_hold && o.kid.is_some() && !holds_current,
                can_revoke: !o.holds.is_empty() && o.staff != me.0,
            }
        })
        .collect();
    let my_kid = view.me.key.as_ref().and_then(|k| k["kid"].as_str());
    let page = KeysPage {
        l: viewer.layout(false),
        seal_js: assets::seal_js_url(),
        tips_js: assets::tips_js_url(),
        unit_name: unit.name.clone(),
        unit_code: unit.code.to_string(),
        me: me.0,
        inbox_href: inbox_path(unit.code.as_str()),
        notice: match (q.saved, q.revoked) {
            (Some(_), _) => Some(t.get("tips-settings-saved")),
            (_, Some(_)) => Some(t.get("tips-revoked-rotate")),
            _ => None,
        },
        my_key_state: match my_kid {
            Some(kid) => t.with("tips-my-key-yes", "kid", kid),
            None => t.get("tips-my-key-no"),
        },
        my_key_action: t.get(if my_kid.is_some() {
            "tips-my-key-replace"
        } else {
            "tips-my-key-create"
        }),
        has_key: current.is_some(),
        keys,
        officers,
        settings_action: format!("/console/don-vi/{}/khoa-tin-bao/cai-dat", unit.code),
        copy_parent: view.settings.copy_parent,
    };
    no_store(viewer.render(StatusCode::OK, &page))
}

#[derive(Debug, serde::Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    copy_parent: Option<String>,
}

/// `POST …/khoa-tin-bao/cai-dat`: whether the unit above receives a copy.
async fn save_settings(
    viewer: Viewer<TipsState>,
    Path(code): Path<String>,
    PageForm(f): PageForm<SettingsForm>,
) -> Response {
    if let Err(e) = viewer.check_form(f.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let unit = match unit_page(&viewer, &code).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let settings =
        ketnoi_store::TipSettings { agency: unit.id, copy_parent: f.copy_parent.is_some() };
    let me = match &viewer.caller {
        Caller::Staff { staff, .. } => staff.id,
        _ => return viewer.fail(ApiError::Forbidden),
    };
    if let Err(e) = keys_api::require_holder(&viewer.state, &unit, me).await {
        return viewer.fail(e);
    }
    if let Err(e) = viewer.state.store.set_tip_settings(&settings).await {
        return viewer.fail(e.into());
    }
    let object = format!("agency:{}", unit.id.0);
    let action = AuditAction::TipSettingsChanged;
    match record(&viewer.state, &viewer.caller, &viewer.request, action, &object, Some(unit.id))
        .await
    {
        Ok(()) => Redirect::to(&format!("/console/don-vi/{}/khoa-tin-bao?saved=1", unit.code))
            .into_response(),
        Err(e) => viewer.fail(e),
    }
}

/// The units whose tips the member handles, each with its count of new tips: the console's
/// notice, which names the unit and never a tip's content.
pub(crate) async fn units_for_console<S: HasKernel>(
    viewer: &Viewer<S>,
) -> Result<Vec<(String, String, i64)>, ApiError> {
    let Caller::Staff { grants, .. } = &viewer.caller else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for g in grants {
        let Some(unit) = viewer.state.kernel().store.agency(g.agency).await? else { continue };
        if unit.kind != ketnoi_core::AgencyKind::Police {
            continue;
        }
        let ancestry = viewer.state.kernel().store.agency_ancestry(unit.id).await?;
        if !viewer.caller.may(ketnoi_core::Action::HandleTips, Some(&ancestry)) {
            continue;
        }
        let new = viewer.state.kernel().store.count_new_tips(unit.id).await?;
        out.push((unit.code.to_string(), unit.name, new));
    }
    Ok(out)
}
