//! `/console/don-vi/{code}/nhat-ky`: an agency's audit log in the console, newest first, with
//! filters and paging that work without JavaScript, and its export as CSV or JSON.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use ketnoi_core::{Agency, AuditAction, Timestamp};
use serde::Deserialize;

use crate::{
    features::audit::service::{Filters, page, readable_agency},
    kernel::{
        audit::{all_entries, record, to_csv, to_json},
        auth::Caller,
        pages::{Layout, Viewer, Who, encode},
        state::Kernel,
    },
};

/// The audit pages.
pub fn router() -> Router<Kernel> {
    Router::new()
        .route("/console/don-vi/{code}/nhat-ky", get(log_page))
        .route("/console/don-vi/{code}/nhat-ky/xuat", get(export))
}

/// Where an agency's log is shown.
pub fn log_path(code: &str) -> String {
    format!("/console/don-vi/{}/nhat-ky", encode(code))
}

struct Row {
    seq: i64,
    time: String,
    actor: String,
    action: String,
    object: String,
    request_id: String,
    hash: String,
}

struct Choice {
    value: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "audit_log.html")]
struct LogPage {
    l: Layout,
    agency_name: String,
    action_path: String,
    actions: Vec<Choice>,
    actor: String,
    from: String,
    until: String,
    rows: Vec<Row>,
    more_href: Option<String>,
    csv_href: String,
    json_href: String,
}

/// The query string of the filters (without the cursor).
fn filter_query(f: &Filters) -> String {
    let mut parts = Vec::new();
    for (name, value) in
        [("action", &f.action), ("actor", &f.actor), ("from", &f.from), ("until", &f.until)]
    {
        if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", encode(v)));
        }
    }
    parts.join("&")
}

async fn agency_of(viewer: &Viewer<Kernel>, code: &str) -> Result<Agency, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(viewer.to_sign_in_then(true, &log_path(code)));
    }
    readable_agency(&viewer.state, &viewer.caller, code).await.map_err(|e| viewer.fail(e))
}

async fn log_page(
    viewer: Viewer<Kernel>,
    Path(code): Path<String>,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Response {
    let agency = match agency_of(&viewer, &code).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(Query(filters)) = filters else {
        return viewer.fail(crate::kernel::error::ApiError::Malformed("query".into()));
    };
    let query = match filters.query(&agency) {
        Ok(q) => q,
        Err(e) => return viewer.fail(e),
    };
    let (entries, next) = match page(&viewer.state, &query).await {
        Ok(p) => p,
        Err(e) => return viewer.fail(e),
    };
    let base = log_path(agency.code.as_str());
    let fq = filter_query(&filters);
    let t = viewer.t();
    let rows = entries
        .iter()
        .map(|e| Row {
            seq: e.seq,
            time: Timestamp(e.at).display_vn(),
            actor: e.actor.clone(),
            action: {
                let key = format!("audit-action-{}", e.action);
                let label = t.get(&key);
                if label == key { e.action.clone() } else { label }
            },
            object: e.object.clone(),
            request_id: e.request_id.clone(),
            hash: e.hash.chars().take(12).collect(),
        })
        .collect();
    let joined = |extra: &str| {
        let q = [fq.as_str(), extra].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>();
        if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) }
    };
    let chosen = filters.action.as_deref().unwrap_or_default();
    let page = LogPage {
        l: viewer.layout(false),
        agency_name: agency.name.clone(),
        action_path: base.clone(),
        actions: AuditAction::ALL
            .iter()
            .map(|a| Choice { value: a.as_str(), selected: a.as_str() == chosen })
            .collect(),
        actor: filters.actor.clone().unwrap_or_default(),
        from: filters.from.clone().unwrap_or_default(),
        until: filters.until.clone().unwrap_or_default(),
        rows,
        more_href: next.map(|n| format!("{base}{}", joined(&format!("before={n}")))),
        csv_href: format!("{base}/xuat{}", joined("format=csv")),
        json_href: format!("{base}/xuat{}", joined("format=json")),
    };
    let mut response = viewer.render(StatusCode::OK, &page);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Deserialize)]
struct ExportFormat {
    #[serde(default)]
    format: Option<String>,
}

/// `GET …/nhat-ky/xuat?format=csv|json` (and the page's filters): every matching entry as a
/// file. The export is itself recorded, before the file is served.
async fn export(
    viewer: Viewer<Kernel>,
    Path(code): Path<String>,
    filters: Result<Query<Filters>, QueryRejection>,
    format: Result<Query<ExportFormat>, QueryRejection>,
) -> Response {
    let agency = match agency_of(&viewer, &code).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (Ok(Query(filters)), Ok(Query(format))) = (filters, format) else {
        return viewer.fail(crate::kernel::error::ApiError::Malformed("query".into()));
    };
    let json = match format.format.as_deref().unwrap_or("csv") {
        "csv" => false,
        "json" => true,
        _ => {
            return viewer.fail(crate::kernel::error::ApiError::InvalidField {
                code: "audit-bad-format",
                field: "format",
            });
        }
    };
    let query = match filters.query(&agency) {
        Ok(q) => q,
        Err(e) => return viewer.fail(e),
    };
    let object = format!("agency:{}", agency.id.0);
    let action = AuditAction::AuditExported;
    if let Err(e) =
        record(&viewer.state, &viewer.caller, &viewer.request, action, &object, Some(agency.id))
            .await
    {
        return viewer.fail(e);
    }
    let entries = match all_entries(viewer.state.store.as_ref(), &query).await {
        Ok(e) => e,
        Err(e) => return viewer.fail(e.into()),
    };
    let (body, kind, ext) = if json {
        (to_json(&entries).to_string(), "application/json", "json")
    } else {
        (to_csv(&entries), "text/csv; charset=utf-8", "csv")
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let name = format!("attachment; filename=\"nhat-ky-{}.{ext}\"", agency.code);
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
