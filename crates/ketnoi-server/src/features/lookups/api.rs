//! Lookups: an account's datasets, a record by key (with its second factor), and search by name.
//!
//! Answers come from memory ([`crate::features::lookups::service::Lookups`]); no request here touches the database.
//! Record and search answers are `Cache-Control: no-store`: they can hold a person's scores.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kernel::{client_ip::ClientIp, views::ProblemView};
use crate::{
    features::lookups::service::LookupsState,
    features::lookups::service::Served,
    kernel::error::ApiError,
    kernel::extract::{Path, Query},
};

pub(crate) fn router() -> Router<LookupsState> {
    Router::new()
        .route("/accounts/{slug}/lookups", get(list))
        .route("/accounts/{slug}/lookups/{dataset}", get(describe))
}

/// Record and search, the two routes that carry results day. They answer from memory without
/// waiting on anything, so they skip the layers the rest of the API needs (time limit,
/// compression of bodies that are a few hundred bytes, the request log, which would only
/// record that a lookup happened) and keep only what makes an answer right: problem bodies in
/// the asker's language, the security headers, and turning a panic into a 500.
pub(crate) fn hot_router(state: LookupsState) -> Router {
    Router::new()
        .route("/api/v1/accounts/{slug}/lookups/{dataset}/records/{key}", get(record))
        .route("/api/v1/accounts/{slug}/lookups/{dataset}/search", get(search))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::Internal(anyhow::anyhow!(
                "handler panicked"
            )))
        }))
        .layer(axum::middleware::from_fn_with_state(
            state.messages.clone(),
            crate::kernel::error::localize,
        ))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

/// A dataset as listed and described.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DatasetView {
    /// Its name in URLs.
    slug: String,
    /// What citizens see as its name.
    title: String,
    /// The live version.
    version: i64,
    /// When that version went live, RFC 3339.
    published_at: Option<String>,
    /// Its number of records.
    records: usize,
    /// The key column, in the record URL's last segment.
    key: String,
    /// Columns that must be sent as query parameters beside the key, such as the birth date
    /// (any of `dd/mm/yyyy`, `yyyy-mm-dd`, `ddmmyyyy`; case, spaces and diacritics ignored).
    verify: Vec<String>,
    /// Columns searched by `q`.
    search: Vec<String>,
    /// Columns a search may be narrowed by, as query parameters.
    filters: Vec<String>,
    /// The labels of a record's values, in order.
    labels: Vec<String>,
    /// The chat command that looks a record up, if any.
    command: Option<String>,
}

impl From<&Served> for DatasetView {
    fn from(s: &Served) -> Self {
        let spec = s.data.spec();
        Self {
            slug: s.slug.clone(),
            title: s.title.clone(),
            version: s.version,
            published_at: s.published_at.map(|t| t.rfc3339()),
            records: s.data.rows(),
            key: spec.key.clone(),
            verify: spec.verify.clone(),
            search: spec.search.clone(),
            filters: spec.filters.clone(),
            labels: serde_json::from_slice(s.data.labels_json()).unwrap_or_default(),
            command: Some(s.command.clone()).filter(|c| !c.is_empty()),
        }
    }
}

fn served(state: &LookupsState, account: &str, dataset: &str) -> Result<Arc<Served>, ApiError> {
    state.lookups.get(account, dataset).ok_or(ApiError::NotFound("dataset"))
}

/// JSON bytes made in memory, never cached on the way.
fn private_json(body: Vec<u8>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The account's published datasets.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/lookups", tag = "lookups",
    params(("slug" = String, Path, description = "The account")),
    responses((status = 200, body = [DatasetView])))]
pub(crate) async fn list(
    State(state): State<LookupsState>,
    Path(slug): Path<String>,
) -> Json<Vec<DatasetView>> {
    Json(state.lookups.of_account_slug(&slug).iter().map(|s| DatasetView::from(&**s)).collect())
}

/// What a dataset holds and how to ask it.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/lookups/{dataset}", tag = "lookups",
    params(("slug" = String, Path, description = "The account"),
        ("dataset" = String, Path, description = "The dataset")),
    responses((status = 200, body = DatasetView),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn describe(
    State(state): State<LookupsState>,
    Path((slug, dataset)): Path<(String, String)>,
) -> Result<Json<DatasetView>, ApiError> {
    Ok(Json(DatasetView::from(&*served(&state, &slug, &dataset)?)))
}

/// A record by its key, with the verification columns as query parameters
/// (`?ngay_sinh=22/11/2006`). An unknown key and a wrong verification give the same 404, after
/// the same work; both count towards the key's lockout.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/lookups/{dataset}/records/{key}",
    tag = "lookups",
    params(("slug" = String, Path, description = "The account"),
        ("dataset" = String, Path, description = "The dataset"),
        ("key" = String, Path, description = "The record's key, such as a candidate number")),
    responses(
        (status = 200, description = "`{\"dataset\", \"version\", \"labels\": [...], \"values\": [...]}`"),
        (status = 400, description = "A verification value is missing or a value too long", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such dataset, or no record with this key and verification", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too fast, or too many wrong answers for this key; see Retry-After", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn record(
    State(state): State<LookupsState>,
    Path((slug, dataset, key)): Path<(String, String, String)>,
    ClientIp(ip): ClientIp,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let served = served(&state, &slug, &dataset)?;
    let values = state.lookups.find(&served, &key, &params, || state.lookups.client(ip))?;
    Ok(private_json(served.record_json(values)))
}

/// Searches a dataset by words (`q`, with or without diacritics: "nguyen van duc" finds
/// "Nguyễn Văn Đức"), narrowed by exact filters given as query parameters. When the dataset
/// has verification columns, hits show only the key, search and filter columns.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/lookups/{dataset}/search", tag = "lookups",
    params(("slug" = String, Path, description = "The account"),
        ("dataset" = String, Path, description = "The dataset"),
        ("q" = Option<String>, Query, description = "Words to find; the last may be unfinished"),
        ("limit" = Option<usize>, Query, description = "Hits, 1–50 (default 10)")),
    responses(
        (status = 200, description = "`{\"dataset\", \"version\", \"labels\": [...], \"hits\": [[...], ...]}`, best first"),
        (status = 400, description = "Unknown filter, bad limit, empty search or a value too long", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 429, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn search(
    State(state): State<LookupsState>,
    Path((slug, dataset)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    Query(mut params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let served = served(&state, &slug, &dataset)?;
    let q = take(&mut params, "q").unwrap_or_default();
    let limit = take(&mut params, "limit");
    let hits = state
        .lookups
        .search(&served, &q, limit.as_deref(), &params, || state.lookups.client(ip))?;
    Ok(private_json(served.hits_json(&hits)))
}

/// Removes the parameter `name` from `params`, returning its last value.
fn take(params: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let mut found = None;
    params.retain(|(n, v)| {
        if n == name {
            found = Some(v.clone());
            false
        } else {
            true
        }
    });
    found
}
