//! `GET /api/v1/agencies/{code}/audit`: an agency's audit log, newest first.

use axum::{Json, Router, extract::State, routing::get};
use serde_json::{Value, json};

use crate::{
    features::audit::service::{Filters, page, readable_agency},
    kernel::{
        audit::to_json,
        auth::Caller,
        error::ApiError,
        extract::{Path, Query},
        state::Kernel,
        views::ProblemView,
    },
};

/// The audit routes of the API.
pub fn router() -> Router<Kernel> {
    Router::new().route("/agencies/{code}/audit", get(log))
}

/// An agency's audit log, newest first, filtered and paged: `{"entries": [...], "next"}`,
/// `next` being the `before` of the following page (null on the last). Administrators of the
/// agency or above it, its auditors and platform administrators only.
#[utoipa::path(get, path = "/api/v1/agencies/{code}/audit", tag = "audit", security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code"), Filters),
    responses((status = 200, description = "`{\"entries\": [{seq, at, time, actor, action, object, agency, request_id, prev_hash, hash}], \"next\"}`"),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "A filter that does not parse", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn log(
    State(state): State<Kernel>,
    caller: Caller,
    Path(code): Path<String>,
    Query(filters): Query<Filters>,
) -> Result<Json<Value>, ApiError> {
    let agency = readable_agency(&state, &caller, &code).await?;
    let query = filters.query(&agency)?;
    let (entries, next) = page(&state, &query).await?;
    Ok(Json(json!({ "entries": to_json(&entries), "next": next })))
}
