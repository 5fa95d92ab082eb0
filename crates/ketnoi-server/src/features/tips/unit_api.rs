//! Tips over HTTP, the receiving unit's side: its inbox, each tip with its sealed attachments and
//! messages, the offline export and replies (the case's workflow is in `case_api`). Every route answers 403 to everyone but the
//! unit's own officers and administrators ([`ketnoi_core::Action::HandleTips`]).

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use ketnoi_core::{Agency, AgencyCode, AuditAction, StaffId, Timestamp, TipStatus};
use ketnoi_store::{Tip, TipFilter, TipId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    features::tips::{
        service::{self as tips, TipsState},
        wire::{self, MAX_MESSAGE, message_views},
    },
    kernel::{
        audit::{RequestId, record},
        auth::Caller,
        error::ApiError,
        extract::{Json as JsonBody, Path, Query},
        state::Kernel,
        views::ProblemView,
    },
};

pub(crate) fn router() -> Router<TipsState> {
    Router::new()
        .route("/units/{code}/tips", get(list))
        .route("/units/{code}/tips/{id}", get(detail))
        .route("/units/{code}/tips/{id}/attachments/{index}", get(attachment))
        .route("/units/{code}/tips/{id}/export", get(export))
        .route("/units/{code}/tips/{id}/messages", post(unit_message))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

/// What the unit's routes answer when they refuse, as the OpenAPI document lists it.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum UnitLookupRefusals {
    /// Not signed in.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(ProblemView),
    /// Not an officer or administrator of this unit.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(ProblemView),
    /// No such unit, tip or attachment.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemView),
}

/// [`UnitLookupRefusals`], and a request refused for its content.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(crate) enum UnitRefusals {
    /// Not signed in.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(ProblemView),
    /// Not an officer or administrator of this unit.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(ProblemView),
    /// No such unit, tip or attachment.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemView),
    /// Refused: `code` says why, `field` where.
    #[response(status = 422, content_type = "application/problem+json")]
    Refused(ProblemView),
}

/// The unit at `code`, if the caller handles its tips.
pub(crate) async fn unit_for(
    state: &Kernel,
    caller: &Caller,
    code: &str,
) -> Result<Agency, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let code = AgencyCode::parse(code).map_err(|_| ApiError::NotFound("agency"))?;
    let unit = state.store.agency_by_code(&code).await?.ok_or(ApiError::NotFound("agency"))?;
    tips::require_unit(state, caller, unit.id).await?;
    Ok(unit)
}

/// The staff member calling, who must be one.
pub(crate) fn staff_id(caller: &Caller) -> Result<StaffId, ApiError> {
    match caller {
        Caller::Staff { staff, .. } => Ok(staff.id),
        _ => Err(ApiError::Forbidden),
    }
}

/// A tip as the unit's list shows it: clear fields only.
#[derive(Debug, Serialize)]
pub(crate) struct TipRow {
    pub(crate) id: i64,
    pub(crate) category: String,
    pub(crate) area: String,
    pub(crate) occurred: String,
    pub(crate) anonymous: bool,
    pub(crate) status: TipStatus,
    pub(crate) deadline_at: String,
    pub(crate) overdue: bool,
    pub(crate) assignee: Option<i64>,
    pub(crate) closing: Option<ketnoi_core::TipClosing>,
    pub(crate) received_at: String,
    pub(crate) updated_at: String,
    pub(crate) messages: i64,
    pub(crate) attachments: i64,
}

impl From<&ketnoi_store::TipSummary> for TipRow {
    fn from(s: &ketnoi_store::TipSummary) -> Self {
        Self {
            id: s.id.0,
            category: s.category.clone(),
            area: s.area.to_string(),
            occurred: s.occurred.clone(),
            anonymous: s.anonymous,
            status: s.status,
            deadline_at: s.deadline_at.rfc3339(),
            overdue: s.overdue(Timestamp::now()),
            assignee: s.assignee.map(|a| a.0),
            closing: s.closing,
            received_at: s.created_at.rfc3339(),
            updated_at: s.updated_at.rfc3339(),
            messages: s.messages,
            attachments: s.attachments,
        }
    }
}

/// The list a `status` parameter asks for: a status, `open`, `overdue`, `mine` (open and
/// assigned to the caller), or everything.
pub(crate) fn list_filter(raw: Option<&str>, caller: &Caller) -> Result<TipFilter, ApiError> {
    Ok(match raw.map(str::trim) {
        None | Some("" | "all") => TipFilter::All,
        Some("open") => TipFilter::Open,
        Some("overdue") => TipFilter::Overdue(Timestamp::now()),
        Some("mine") => TipFilter::AssignedTo(staff_id(caller)?),
        Some(other) => TipFilter::Status(
            other
                .parse::<TipStatus>()
                .map_err(|_| ApiError::InvalidField { code: "tip-bad-filter", field: "status" })?,
        ),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListParams {
    status: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /units/{code}/tips?status=&before=&limit=`: newest first.
#[utoipa::path(get, path = "/api/v1/units/{code}/tips", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("status" = Option<String>, Query, description = "`received`, `verifying`, `handling`, `closed`, `open`, `overdue`, `mine` or `all` (default)"),
        ("before" = Option<i64>, Query, description = "Tips older than this id"),
        ("limit" = Option<i64>, Query, description = "1 to 200, default 50")),
    responses((status = 200, description = "`{\"tips\": [...]}`, clear fields only, newest first"),
        UnitRefusals))]
pub(crate) async fn list(
    State(state): State<TipsState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let filter = list_filter(p.status.as_deref(), &caller)?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("tip-bad-limit"));
    }
    let rows = state.store.tips_for_unit(unit.id, filter, p.before.map(TipId), limit).await?;
    let rows: Vec<TipRow> = rows.iter().map(TipRow::from).collect();
    Ok(Json(json!({ "tips": rows })))
}

/// A unit's tip, checked to be one it received.
pub(crate) async fn unit_tip(state: &Kernel, unit: &Agency, id: i64) -> Result<Tip, ApiError> {
    let tip = state.store.tip(TipId(id)).await?.ok_or(ApiError::NotFound("tip"))?;
    if !tip.units.contains(&unit.id) {
        return Err(ApiError::NotFound("tip"));
    }
    Ok(tip)
}

/// The tip `id` of the unit at `code`, for a caller who handles the unit's tips.
async fn tip_for(
    state: &Kernel,
    caller: &Caller,
    code: &str,
    id: i64,
) -> Result<(Agency, Tip), ApiError> {
    let unit = unit_for(state, caller, code).await?;
    let tip = unit_tip(state, &unit, id).await?;
    Ok((unit, tip))
}

/// `GET /units/{code}/tips/{id}`: the clear fields, the envelope, the attachments' sizes and
/// the sealed messages. Identified tips name their citizen.
#[utoipa::path(get, path = "/api/v1/units/{code}/tips/{id}", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    responses((status = 200, description = "The envelope, attachment sizes, sealed messages"),
        UnitLookupRefusals))]
pub(crate) async fn detail(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (unit, tip) = tip_for(&state, &caller, &code, id).await?;
    // Recorded before anything is served: no opening the log does not hold.
    let object = format!("tip:{id}");
    record(&state, &caller, &request, AuditAction::TipOpened, &object, Some(unit.id)).await?;
    let messages = state.store.tip_messages(tip.summary.id).await?;
    let citizen = match tip.citizen {
        Some(id) => state.store.citizen(id).await?.map(|c| {
            json!({ "name": c.display_name.map(|n| n.to_string()), "phone": c.phone.national() })
        }),
        None => None,
    };
    let body = json!({
        "tip": TipRow::from(&tip.summary),
        "envelope": serde_json::from_str::<Value>(&tip.envelope).unwrap_or(Value::Null),
        "attachments": tip.attachments.iter().map(|a| json!({"index": a.index, "size": a.size})).collect::<Vec<_>>(),
        "messages": message_views(&messages),
        "citizen": citizen,
    });
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /units/{code}/tips/{id}/attachments/{index}`: an attachment's ciphertext.
#[utoipa::path(get, path = "/api/v1/units/{code}/tips/{id}/attachments/{index}", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip"), ("index" = i64, Path, description = "The attachment, from 0")),
    responses((status = 200, description = "The attachment's ciphertext"), UnitLookupRefusals))]
pub(crate) async fn attachment(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id, index)): Path<(String, i64, i64)>,
) -> Result<Response, ApiError> {
    let (unit, tip) = tip_for(&state, &caller, &code, id).await?;
    let a = tip
        .attachments
        .iter()
        .find(|a| a.index == index)
        .ok_or(ApiError::NotFound("attachment"))?;
    let object = format!("tip:{id}");
    record(&state, &caller, &request, AuditAction::TipAttachmentOpened, &object, Some(unit.id))
        .await?;
    let bytes = state.blobs.get(&a.blob_key).await?.ok_or(ApiError::NotFound("attachment"))?;
    let mut response = Bytes::from(bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The export of a tip, for `ketnoi tips decrypt`: everything sealed, nothing opened.
pub(crate) async fn export_of(state: &Kernel, tip: &Tip) -> Result<Value, ApiError> {
    let mut attachments = Vec::with_capacity(tip.attachments.len());
    for a in &tip.attachments {
        let bytes = state.blobs.get(&a.blob_key).await?.ok_or(ApiError::NotFound("attachment"))?;
        attachments.push(wire::b64u(&bytes));
    }
    let messages = state.store.tip_messages(tip.summary.id).await?;
    Ok(json!({
        "v": 1,
        "tip": tip.summary.id.0,
        "created_at": tip.summary.created_at.rfc3339(),
        "status": tip.summary.status,
        "envelope": serde_json::from_str::<Value>(&tip.envelope).unwrap_or(Value::Null),
        "attachments": attachments,
        "messages": message_views(&messages),
    }))
}

/// `GET /units/{code}/tips/{id}/export`: the tip sealed, as one JSON file.
#[utoipa::path(get, path = "/api/v1/units/{code}/tips/{id}/export", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    responses((status = 200, description = "The sealed tip as one file, for `ketnoi tips decrypt`"), UnitLookupRefusals))]
pub(crate) async fn export(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (unit, tip) = tip_for(&state, &caller, &code, id).await?;
    let object = format!("tip:{id}");
    record(&state, &caller, &request, AuditAction::TipExported, &object, Some(unit.id)).await?;
    let body = export_of(&state, &tip).await?;
    let mut response = Json(body).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"tin-bao-{id}.json\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SealedBody {
    sealed: Value,
}

/// `POST /units/{code}/tips/{id}/messages` `{"sealed"}`: a reply to the reporter, sealed in the
/// officer's browser under the tip's reply key.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/messages", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"sealed\"}`: a reply sealed under the tip's reply key"),
    responses((status = 201, description = "Sent"), UnitRefusals))]
pub(crate) async fn unit_message(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(m): JsonBody<SealedBody>,
) -> Result<StatusCode, ApiError> {
    let (unit, tip) = tip_for(&state, &caller, &code, id).await?;
    wire::check_sealed(&m.sealed, MAX_MESSAGE)?;
    let sealed = serde_json::to_string(&m.sealed).map_err(|e| ApiError::Internal(e.into()))?;
    let staff = staff_id(&caller)?;
    state
        .store
        .add_tip_message(tip.summary.id, true, Some(staff), &sealed, Timestamp::now())
        .await?;
    let object = format!("tip:{id}");
    record(&state, &caller, &request, AuditAction::TipReplied, &object, Some(unit.id)).await?;
    // A citizen who sent the tip signed in (not anonymously) is told there is a reply, and
    // nothing more: not the unit, not the tip, not a word of the reply, which only their
    // receipt code opens.
    if let Some(citizen) = tip.citizen {
        let notification = crate::kernel::push::Notification {
            title: state.messages.text(crate::kernel::i18n::Lang::Vi, "push-reply-title"),
            body: state.messages.text(crate::kernel::i18n::Lang::Vi, "push-reply-body"),
            url: "/tin-bao/theo-doi".to_owned(),
            tag: "tip-reply".to_owned(),
            urgent: false,
        };
        state.push.notify_citizen(citizen, &notification).await;
    }
    Ok(StatusCode::CREATED)
}
