//! A tip's case over HTTP, the unit's side: its history and state, the workflow, the officer in
//! charge, sealed notes, extensions, and transfers. The same refusals as the unit's other tip
//! routes: only the unit's own officers and administrators
//! ([`ketnoi_core::Action::HandleTips`]).

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use ketnoi_core::{ExtensionReason, StaffId, Timestamp, TipClosing, TipStatus, policy};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    features::tips::{
        case,
        service::TipsState,
        unit_api::{UnitLookupRefusals, UnitRefusals, staff_id, unit_for, unit_tip},
    },
    kernel::{
        audit::{RequestId, record},
        auth::Caller,
        error::ApiError,
        extract::{Json as JsonBody, Path},
    },
};
use ketnoi_core::AuditAction;

/// Records a step of tip `id` in the unit's audit log.
async fn audit(
    state: &TipsState,
    caller: &Caller,
    request: &RequestId,
    action: AuditAction,
    id: i64,
    unit: &ketnoi_core::Agency,
) -> Result<(), ApiError> {
    record(state, caller, request, action, &format!("tip:{id}"), Some(unit.id)).await
}

pub(crate) fn router() -> Router<TipsState> {
    Router::new()
        .route("/units/{code}/tips/{id}/case", get(case_view))
        .route("/units/{code}/tips/{id}/status", post(set_status))
        .route("/units/{code}/tips/{id}/assignee", put(set_assignee))
        .route("/units/{code}/tips/{id}/notes", post(add_note))
        .route("/units/{code}/tips/{id}/extensions", post(request_extension))
        .route("/units/{code}/tips/{id}/extensions/{extension}/decision", post(decide_extension))
        .route("/units/{code}/tips/{id}/transfer", post(transfer))
        .route("/tip-units/{code}/key", get(target_key))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

/// The unit, the tip and the acting officer, for a caller who handles the unit's tips.
async fn acting(
    state: &TipsState,
    caller: &Caller,
    code: &str,
    id: i64,
) -> Result<(ketnoi_core::Agency, ketnoi_store::Tip, ketnoi_store::CaseActor), ApiError> {
    let unit = unit_for(state, caller, code).await?;
    let tip = unit_tip(state, &unit, id).await?;
    let by = case::actor(&unit, staff_id(caller)?);
    Ok((unit, tip, by))
}

/// `GET /units/{code}/tips/{id}/case`: where the case stands, what may happen next, its
/// history, extensions and sealed notes, and who may be put in charge.
#[utoipa::path(get, path = "/api/v1/units/{code}/tips/{id}/case", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    responses((status = 200, description = "Status, next statuses, deadline, officer in charge, history, extensions, sealed notes, handlers"),
        UnitLookupRefusals))]
pub(crate) async fn case_view(
    State(state): State<TipsState>,
    caller: Caller,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (unit, tip, _) = acting(&state, &caller, &code, id).await?;
    let s = &tip.summary;
    let events = state.store.tip_events(s.id).await?;
    let extensions = state.store.tip_extensions(s.id).await?;
    let notes = state.store.tip_notes(s.id).await?;
    let handlers = case::handlers(&state, &unit).await?;
    let now = Timestamp::now();
    let body = json!({
        "status": s.status,
        "next": s.status.next().collect::<Vec<_>>(),
        "closing": s.closing,
        "deadline_at": s.deadline_at.rfc3339(),
        "overdue": s.overdue(now),
        "assignee": s.assignee.map(|a| a.0),
        "extension_allowed_days": case::extension_allowed(&state, &tip).await?,
        "extensions": extensions.iter().map(|e| json!({
            "id": e.id, "reason": e.reason, "days": e.days, "state": e.state,
            "requested_by": e.requested_by.map(|s| s.0), "requested_at": e.requested_at.rfc3339(),
            "decided_by": e.decided_by.map(|s| s.0), "decided_at": e.decided_at.map(Timestamp::rfc3339),
        })).collect::<Vec<_>>(),
        "events": case::officer_events(&state, &events).await?,
        "notes": notes.iter().map(|n| json!({
            "id": n.id, "staff": n.staff.map(|s| s.0), "at": n.created_at.rfc3339(),
            "sealed": serde_json::from_str::<Value>(&n.sealed).unwrap_or(Value::Null),
        })).collect::<Vec<_>>(),
        "handlers": handlers.iter().map(|m| json!({"id": m.id.0, "name": m.display_name.to_string()})).collect::<Vec<_>>(),
    });
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusBody {
    status: String,
    from: Option<String>,
    closing: Option<String>,
}

/// `POST /units/{code}/tips/{id}/status` `{"status", "from"?, "closing"?}`: one step along the
/// workflow (received → verifying → handling → closed, or verifying → closed); closing needs
/// a reason. `from` is the status the officer saw.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/status", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"status\": \"verifying\" | \"handling\" | \"closed\", \"from\"?: status seen, \"closing\"?: \"acted-on\" | \"passed-on\" | \"no-offence\" | \"not-enough-information\" | \"false-report\" | \"duplicate\"}`"),
    responses((status = 204, description = "Moved"),
        (status = 409, description = "The workflow does not allow it, or someone moved the case meanwhile", body = crate::kernel::views::ProblemView, content_type = "application/problem+json"),
        UnitRefusals))]
pub(crate) async fn set_status(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<StatusCode, ApiError> {
    let (unit, tip, by) = acting(&state, &caller, &code, id).await?;
    let to: TipStatus = b.status.parse()?;
    let from = b.from.as_deref().map(str::parse::<TipStatus>).transpose()?;
    let closing = b.closing.as_deref().map(str::parse::<TipClosing>).transpose()?;
    case::change_status(&state, by, &tip, from, to, closing).await?;
    audit(&state, &caller, &request, AuditAction::TipStatusChanged, id, &unit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(crate) struct AssigneeBody {
    staff: Option<i64>,
}

/// `PUT /units/{code}/tips/{id}/assignee` `{"staff": id | null}`: the officer in charge, one of
/// the unit's own.
#[utoipa::path(put, path = "/api/v1/units/{code}/tips/{id}/assignee", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"staff\": id | null}`"),
    responses((status = 204, description = "Assigned"), UnitRefusals))]
pub(crate) async fn set_assignee(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(b): JsonBody<AssigneeBody>,
) -> Result<StatusCode, ApiError> {
    let (unit, tip, by) = acting(&state, &caller, &code, id).await?;
    case::assign(&state, &unit, by, &tip, b.staff.map(StaffId)).await?;
    audit(&state, &caller, &request, AuditAction::TipAssigned, id, &unit).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(crate) struct NoteBody {
    sealed: Value,
}

/// `POST /units/{code}/tips/{id}/notes` `{"sealed"}`: an internal note, sealed in the
/// officer's browser under the tip's note key (derived from its report key).
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/notes", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"sealed\": {\"nonce\", \"ct\"}}`"),
    responses((status = 201, description = "Added"), UnitRefusals))]
pub(crate) async fn add_note(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(b): JsonBody<NoteBody>,
) -> Result<StatusCode, ApiError> {
    let (unit, tip, by) = acting(&state, &caller, &code, id).await?;
    case::add_note(&state, by, &tip, &b.sealed).await?;
    audit(&state, &caller, &request, AuditAction::TipNoteWritten, id, &unit).await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExtensionBody {
    reason: String,
    days: i64,
}

/// `POST /units/{code}/tips/{id}/extensions` `{"reason", "days"}`: asks for more time; a second
/// officer of the unit decides.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/extensions", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"reason\": \"complex\" | \"several-places\" | \"procuracy\", \"days\": 1…the allowance}`"),
    responses((status = 201, description = "Asked; `{\"id\"}`"),
        (status = 409, description = "Closed, none left, or one already pending", body = crate::kernel::views::ProblemView, content_type = "application/problem+json"),
        UnitRefusals))]
pub(crate) async fn request_extension(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(b): JsonBody<ExtensionBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (unit, tip, by) = acting(&state, &caller, &code, id).await?;
    let reason: ExtensionReason = b.reason.parse()?;
    let asked = case::request_extension(&state, by, &tip, reason, b.days).await?;
    audit(&state, &caller, &request, AuditAction::TipExtensionRequested, id, &unit).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": asked.id }))))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecisionBody {
    approve: bool,
}

/// `POST /units/{code}/tips/{id}/extensions/{extension}/decision` `{"approve"}`: by an officer
/// of the unit other than the one who asked.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/extensions/{extension}/decision", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip"), ("extension" = i64, Path, description = "The request")),
    request_body(content_type = "application/json", description = "`{\"approve\": true | false}`"),
    responses((status = 200, description = "Decided; `{\"deadline_at\"}`"), UnitRefusals))]
pub(crate) async fn decide_extension(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id, extension)): Path<(String, i64, i64)>,
    JsonBody(b): JsonBody<DecisionBody>,
) -> Result<Json<Value>, ApiError> {
    let (unit, tip, by) = acting(&state, &caller, &code, id).await?;
    let decided = case::decide_extension(&state, by, &tip, extension, b.approve).await?;
    let action = if b.approve {
        AuditAction::TipExtensionApproved
    } else {
        AuditAction::TipExtensionRefused
    };
    audit(&state, &caller, &request, action, id, &unit).await?;
    let after = unit_tip(&state, &unit, id).await?;
    Ok(Json(json!({ "state": decided.state, "deadline_at": after.summary.deadline_at.rfc3339() })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TransferBody {
    to: String,
    #[serde(default)]
    keep: bool,
    wrapped: Value,
}

/// `POST /units/{code}/tips/{id}/transfer` `{"to", "keep", "wrapped"}`: sends the tip to another
/// police unit. `wrapped` is the report key wrapped in the officer's browser to the receiving
/// unit's current key (`GET /tip-units/{code}/key`); only a holder of this unit's key can make
/// it, and the server never sees the report key.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/transfer", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"to\": agency code, \"keep\": bool, \"wrapped\": {\"kid\", \"epk\", \"nonce\", \"ct\"}}`"),
    responses((status = 204, description = "Transferred"),
        (status = 409, description = "Closed, the receiving unit has no key, or already has the tip", body = crate::kernel::views::ProblemView, content_type = "application/problem+json"),
        UnitRefusals))]
pub(crate) async fn transfer(
    State(state): State<TipsState>,
    caller: Caller,
    request: RequestId,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(b): JsonBody<TransferBody>,
) -> Result<StatusCode, ApiError> {
    let (unit, tip, by) = acting(&state, &caller, &code, id).await?;
    crate::features::tips::keys_api::require_holder(&state, &unit, by.staff).await?;
    let to = case::transfer(&state, &unit, by, &tip, &b.to, b.keep, &b.wrapped).await?;
    // In both units' logs: the one that sent it and the one that now holds it.
    audit(&state, &caller, &request, AuditAction::TipTransferred, id, &unit).await?;
    audit(&state, &caller, &request, AuditAction::TipTransferred, id, &to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /tip-units/{code}/key`: a police unit's name and current public key, for an officer
/// transferring a tip to it. Public keys are not secret, but only staff who handle tips
/// somewhere are answered.
#[utoipa::path(get, path = "/api/v1/tip-units/{code}/key", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The receiving unit (agency code)")),
    responses((status = 200, description = "`{\"code\", \"name\", \"kid\", \"public\"}`"),
        (status = 409, description = "The unit has no key yet", body = crate::kernel::views::ProblemView, content_type = "application/problem+json"),
        UnitRefusals))]
pub(crate) async fn target_key(
    State(state): State<TipsState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<case::TransferTarget>, ApiError> {
    match &caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Staff { grants, .. }
            if grants
                .iter()
                .any(|g| policy::reach(g.role, ketnoi_core::Action::HandleTips).is_some()) => {}
        _ => return Err(ApiError::Forbidden),
    }
    let (_, target) = case::transfer_target(&state, &code).await?;
    Ok(Json(target))
}
