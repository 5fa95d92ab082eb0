//! Tips over HTTP: where to seal a tip, sending it sealed, following it by receipt code, and the
//! receiving unit's inbox and keys.
//!
//! The citizen's routes never read a cookie or an `Authorization` header for an anonymous tip:
//! [`submit`] parses the envelope first and looks for a session only when the tip says it is
//! identified. The unit's routes answer 403 to everyone but the unit's own officers and
//! administrators ([`ketnoi_core::Action::HandleTips`]), platform administrators included.
//! Everything they hand out is ciphertext; keys are wrapped and unwrapped in officers' browsers.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};
use ketnoi_core::{Agency, AgencyCode, StaffId, Timestamp, TipStatus};
use ketnoi_store::{KeyCopy, Tip, TipId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ClientIp, views::ProblemView};
use crate::{
    AppState,
    auth::Caller,
    error::ApiError,
    extract::{Json as JsonBody, Path, Query},
    tips::{self, Mode, Sealed, wire},
};

pub(super) fn router(max_upload: usize) -> Router<AppState> {
    let submit_limit = tips::MAX_ATTACHMENTS * max_upload + 1024 * 1024;
    let upload = Router::new()
        .route("/accounts/{slug}/tips", post(submit))
        .layer(DefaultBodyLimit::max(submit_limit));
    Router::new()
        .route("/accounts/{slug}/tips/recipients", get(recipients))
        .route("/tips/receipt", post(receipt))
        .route("/tips/receipt/messages", post(receipt_message))
        .route("/units/{code}/tips", get(list))
        .route("/units/{code}/tips/{id}", get(detail))
        .route("/units/{code}/tips/{id}/attachments/{index}", get(attachment))
        .route("/units/{code}/tips/{id}/export", get(export))
        .route("/units/{code}/tips/{id}/messages", post(unit_message))
        .route("/units/{code}/tips/{id}/status", post(set_status))
        .route("/units/{code}/tip-keys", get(keys).post(new_unit_key))
        .route("/units/{code}/tip-keys/mine", axum::routing::put(put_my_key))
        .route("/units/{code}/tip-keys/grants", post(grant))
        .route("/units/{code}/tip-keys/grants/{staff}", delete(revoke))
        .route("/units/{code}/tip-settings", axum::routing::put(put_settings))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .merge(upload)
}

// ---------------------------------------------------------------------------------------------
// The citizen's side.

#[derive(Debug, Deserialize)]
pub(super) struct AreaParam {
    area: String,
}

/// A unit a tip is sealed to.
#[derive(Debug, Serialize)]
pub(crate) struct UnitView {
    code: String,
    name: String,
    kid: String,
    public: String,
}

/// `GET /accounts/{slug}/tips/recipients?area=`: the units a tip about that place goes to, with
/// the public keys to seal it to.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/tips/recipients", tag = "tips",
    params(("slug" = String, Path, description = "A police account"),
        ("area" = String, Query, description = "Where it happened (area code)")),
    responses((status = 200, description = "`{\"units\": [{\"code\", \"name\", \"kid\", \"public\"}]}`: the keys to seal to"),
        (status = 404, description = "No such unit, tip or attachment", body = ProblemView, content_type = "application/problem+json"),
        (status = 409, description = "No receiving unit takes tips yet", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `code` says why, `field` where", body = ProblemView, content_type = "application/problem+json")))]
pub(super) async fn recipients(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<AreaParam>,
) -> Result<Response, ApiError> {
    let account = tips::police_account(&state, &slug).await?;
    let area = ketnoi_core::AreaCode::parse(&q.area)
        .map_err(|_| ApiError::BadTip { code: "tip-bad-area", field: "area" })?;
    let units = tips::recipients(state.store.as_ref(), &account, &area).await?;
    let units: Vec<UnitView> = units
        .into_iter()
        .map(|r| UnitView {
            code: r.unit.code.to_string(),
            name: r.unit.name,
            kid: r.key.kid,
            public: r.key.public_key,
        })
        .collect();
    let mut response = Json(json!({ "units": units })).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /accounts/{slug}/tips`: a tip sealed in the browser, as `multipart/form-data` with an
/// `envelope` part (JSON), a `receipt` part (`{"lookup", "auth"}`) and one `attachment` part of
/// ciphertext per attachment, in the body's order.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/tips", tag = "tips",
    params(("slug" = String, Path, description = "A police account")),
    request_body(content_type = "multipart/form-data", description = "`envelope` (JSON, envelope v1), `receipt` (JSON `{lookup, auth}`), one `attachment` of ciphertext per attachment. An anonymous tip is read without cookies or tokens."),
    responses((status = 201, description = "`{\"received\": true, \"units\": [names]}`"),
        (status = 401, description = "Not signed in", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such unit, tip or attachment", body = ProblemView, content_type = "application/problem+json"),
        (status = 409, description = "No receiving unit takes tips yet", body = ProblemView, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `code` says why, `field` where", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many; see Retry-After", body = ProblemView, content_type = "application/problem+json")))]
pub(super) async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    parts_headers: HeaderMap,
    method: axum::http::Method,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let account = tips::police_account(&state, &slug).await?;
    state.tip_guard.submission(ip)?;
    let max = state.config.max_upload_bytes;
    let (mut envelope, mut receipt, mut attachments) = (None, None, Vec::new());
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("envelope") => {
                let text = field.bytes().await.map_err(multipart_error)?;
                if text.len() > MAX_ENVELOPE {
                    return Err(ApiError::BadTip { code: "tip-bad-envelope", field: "envelope" });
                }
                envelope = Some(serde_json::from_slice::<Value>(&text).map_err(|_| {
                    ApiError::BadTip { code: "tip-bad-envelope", field: "envelope" }
                })?);
            }
            Some("receipt") => {
                let text = field.bytes().await.map_err(multipart_error)?;
                receipt =
                    Some(serde_json::from_slice::<wire::ReceiptProof>(&text).map_err(|_| {
                        ApiError::BadTip { code: "tip-bad-receipt", field: "receipt" }
                    })?);
            }
            Some("attachment") => {
                if attachments.len() == tips::MAX_ATTACHMENTS {
                    return Err(ApiError::BadTip {
                        code: "tip-too-many-files",
                        field: "attachment",
                    });
                }
                let bytes = field.bytes().await.map_err(multipart_error)?;
                // Ciphertext is 16 bytes longer per 64 KiB than the file it seals.
                if bytes.len() > max + max / 4096 + 16 {
                    return Err(ApiError::UploadTooLarge { max_bytes: max });
                }
                attachments.push(bytes.to_vec());
            }
            _ => return Err(ApiError::BadTip { code: "tip-bad-part", field: "form" }),
        }
    }
    let envelope =
        envelope.ok_or(ApiError::BadTip { code: "tip-bad-envelope", field: "envelope" })?;
    let receipt = receipt.ok_or(ApiError::BadTip { code: "tip-bad-receipt", field: "receipt" })?;
    receipt.check()?;
    let (clear, kids) = wire::check_envelope(&envelope)?;
    tips::check_clear(&account, &clear)?;
    let area = ketnoi_core::AreaCode::parse(&clear.area)?;
    let units = tips::recipients(state.store.as_ref(), &account, &area).await?;
    // Sealed to exactly the units that receive it, each under its current key: a browser that
    // sealed to an old key (a rotation in between) or to a unit of its own choosing is refused
    // and fetches the keys again.
    let mut expected: Vec<&str> = units.iter().map(|r| r.key.kid.as_str()).collect();
    let mut got: Vec<&str> = kids.iter().map(String::as_str).collect();
    expected.sort_unstable();
    got.sort_unstable();
    if expected != got {
        return Err(ApiError::BadTip { code: "tip-stale-keys", field: "envelope" });
    }
    // Only now, and only for a tip that says so, is the sender looked at.
    let citizen = match clear.mode {
        Mode::Identified => {
            if crate::auth::cross_site(&method, &parts_headers) {
                return Err(ApiError::CsrfRejected);
            }
            let caller = crate::auth::resolve_caller(&state, &parts_headers).await?;
            Some(caller.citizen()?.id)
        }
        Mode::Anonymous => None,
    };
    // Stored as the format defines it and nothing more: members a client added are dropped.
    let envelope: ketnoi_seal::Envelope = serde_json::from_value(envelope)
        .map_err(|_| ApiError::BadTip { code: "tip-bad-envelope", field: "envelope" })?;
    let sealed = Sealed {
        clear,
        envelope: serde_json::to_string(&envelope).map_err(|e| ApiError::Internal(e.into()))?,
        attachments,
        receipt_lookup: receipt.lookup,
        receipt_auth: receipt.auth,
    };
    tips::accept(&state, &account, &units, sealed, citizen).await?;
    let units: Vec<&str> = units.iter().map(|r| r.unit.name.as_str()).collect();
    Ok((StatusCode::CREATED, Json(json!({ "received": true, "units": units }))).into_response())
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::Malformed(e.body_text())
    }
}

/// What a receipt shows its holder: where the tip stands and the sealed messages.
#[derive(Debug, Serialize)]
pub(crate) struct ReceiptView {
    status: TipStatus,
    category: String,
    area: String,
    occurred: String,
    sent_at: String,
    updated_at: String,
    messages: Vec<MessageView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct MessageView {
    author: &'static str,
    at: String,
    sealed: Value,
}

pub(crate) fn message_views(messages: &[ketnoi_store::TipMessage]) -> Vec<MessageView> {
    messages
        .iter()
        .map(|m| MessageView {
            author: if m.from_unit { "unit" } else { "reporter" },
            at: m.created_at.rfc3339(),
            sealed: serde_json::from_str(&m.sealed).unwrap_or(Value::Null),
        })
        .collect()
}

/// The tip a receipt opens, behind the per-client limit on wrong codes.
pub(crate) async fn open_receipt(
    state: &AppState,
    ip: std::net::IpAddr,
    proof: &wire::ReceiptProof,
) -> Result<Tip, ApiError> {
    state.tip_guard.receipt_try(ip)?;
    proof.check()?;
    let tip = tips::by_receipt(state, &proof.lookup, &proof.auth)
        .await?
        .ok_or(ApiError::NotFound("tip"))?;
    state.tip_guard.receipt_right(ip);
    Ok(tip)
}

/// `POST /tips/receipt` `{"lookup", "auth"}`: the tip's status and its sealed messages.
#[utoipa::path(post, path = "/api/v1/tips/receipt", tag = "tips",
    request_body(content_type = "application/json", description = "`{\"lookup\", \"auth\"}` derived from the receipt code"),
    responses((status = 200, description = "Status, clear fields and sealed messages"),
        (status = 404, description = "No such unit, tip or attachment", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `code` says why, `field` where", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many; see Retry-After", body = ProblemView, content_type = "application/problem+json")))]
pub(super) async fn receipt(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(proof): JsonBody<wire::ReceiptProof>,
) -> Result<Response, ApiError> {
    let tip = open_receipt(&state, ip, &proof).await?;
    let messages = state.store.tip_messages(tip.summary.id).await?;
    let s = &tip.summary;
    let view = ReceiptView {
        status: s.status,
        category: s.category.clone(),
        area: s.area.to_string(),
        occurred: s.occurred.clone(),
        sent_at: s.created_at.rfc3339(),
        updated_at: s.updated_at.rfc3339(),
        messages: message_views(&messages),
    };
    let mut response = Json(view).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// No `Debug`: it carries the receipt's secret.
#[derive(Deserialize)]
pub(super) struct ReceiptMessage {
    lookup: String,
    auth: String,
    sealed: Value,
}

/// The largest envelope a browser may send: the body's ciphertext is bounded by the
/// description's limit and the attachments' names; the rest is a few hundred bytes a recipient.
const MAX_ENVELOPE: usize = 256 * 1024;

/// The most ciphertext one message may carry.
const MAX_MESSAGE: usize = 16 * 1024;

/// `POST /tips/receipt/messages` `{"lookup", "auth", "sealed"}`: the reporter adds information,
/// sealed under the receipt's reply key.
#[utoipa::path(post, path = "/api/v1/tips/receipt/messages", tag = "tips",
    request_body(content_type = "application/json", description = "`{\"lookup\", \"auth\", \"sealed\"}`: information added, sealed under the reply key"),
    responses((status = 201, description = "Added"), (status = 404, description = "No such unit, tip or attachment", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `code` says why, `field` where", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many; see Retry-After", body = ProblemView, content_type = "application/problem+json")))]
pub(super) async fn receipt_message(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(m): JsonBody<ReceiptMessage>,
) -> Result<StatusCode, ApiError> {
    let proof = wire::ReceiptProof { lookup: m.lookup, auth: m.auth };
    let tip = open_receipt(&state, ip, &proof).await?;
    wire::check_sealed(&m.sealed, MAX_MESSAGE)?;
    let sealed = serde_json::to_string(&m.sealed).map_err(|e| ApiError::Internal(e.into()))?;
    state.store.add_tip_message(tip.summary.id, false, None, &sealed, Timestamp::now()).await?;
    Ok(StatusCode::CREATED)
}

/// What the unit's routes answer when they refuse, as the OpenAPI document lists it.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub(super) enum UnitLookupRefusals {
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
pub(super) enum UnitRefusals {
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

// ---------------------------------------------------------------------------------------------
// The unit's side.

/// The unit at `code`, if the caller handles its tips.
pub(crate) async fn unit_for(
    state: &AppState,
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
fn staff_id(caller: &Caller) -> Result<StaffId, ApiError> {
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
            received_at: s.created_at.rfc3339(),
            updated_at: s.updated_at.rfc3339(),
            messages: s.messages,
            attachments: s.attachments,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ListParams {
    status: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /units/{code}/tips?status=&before=&limit=`: newest first.
#[utoipa::path(get, path = "/api/v1/units/{code}/tips", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("status" = Option<String>, Query, description = "`new` or `handled`"),
        ("before" = Option<i64>, Query, description = "Tips older than this id"),
        ("limit" = Option<i64>, Query, description = "1 to 200, default 50")),
    responses((status = 200, description = "`{\"tips\": [...]}`, clear fields only, newest first"),
        UnitRefusals))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let status = p.status.as_deref().map(str::parse::<TipStatus>).transpose()?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("tip-bad-limit"));
    }
    let rows = state.store.tips_for_unit(unit.id, status, p.before.map(TipId), limit).await?;
    let rows: Vec<TipRow> = rows.iter().map(TipRow::from).collect();
    Ok(Json(json!({ "tips": rows })))
}

/// A unit's tip, checked to be one it received.
pub(crate) async fn unit_tip(state: &AppState, unit: &Agency, id: i64) -> Result<Tip, ApiError> {
    let tip = state.store.tip(TipId(id)).await?.ok_or(ApiError::NotFound("tip"))?;
    if !tip.units.contains(&unit.id) {
        return Err(ApiError::NotFound("tip"));
    }
    Ok(tip)
}

/// The tip `id` of the unit at `code`, for a caller who handles the unit's tips.
async fn tip_for(
    state: &AppState,
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
pub(super) async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (_, tip) = tip_for(&state, &caller, &code, id).await?;
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
pub(super) async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, id, index)): Path<(String, i64, i64)>,
) -> Result<Response, ApiError> {
    let (_, tip) = tip_for(&state, &caller, &code, id).await?;
    let a = tip
        .attachments
        .iter()
        .find(|a| a.index == index)
        .ok_or(ApiError::NotFound("attachment"))?;
    let bytes = state.blobs.get(&a.blob_key).await?.ok_or(ApiError::NotFound("attachment"))?;
    let mut response = Bytes::from(bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The export of a tip, for `ketnoi tips decrypt`: everything sealed, nothing opened.
pub(crate) async fn export_of(state: &AppState, tip: &Tip) -> Result<Value, ApiError> {
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
pub(super) async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let (_, tip) = tip_for(&state, &caller, &code, id).await?;
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
pub(super) struct SealedBody {
    sealed: Value,
}

/// `POST /units/{code}/tips/{id}/messages` `{"sealed"}`: a reply to the reporter, sealed in the
/// officer's browser under the tip's reply key.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/messages", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"sealed\"}`: a reply sealed under the tip's reply key"),
    responses((status = 201, description = "Sent"), UnitRefusals))]
pub(super) async fn unit_message(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(m): JsonBody<SealedBody>,
) -> Result<StatusCode, ApiError> {
    let (_, tip) = tip_for(&state, &caller, &code, id).await?;
    wire::check_sealed(&m.sealed, MAX_MESSAGE)?;
    let sealed = serde_json::to_string(&m.sealed).map_err(|e| ApiError::Internal(e.into()))?;
    let staff = staff_id(&caller)?;
    state
        .store
        .add_tip_message(tip.summary.id, true, Some(staff), &sealed, Timestamp::now())
        .await?;
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize)]
pub(super) struct StatusBody {
    status: String,
}

/// `POST /units/{code}/tips/{id}/status` `{"status": "handled" | "new"}`.
#[utoipa::path(post, path = "/api/v1/units/{code}/tips/{id}/status", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("id" = i64, Path, description = "The tip")),
    request_body(content_type = "application/json", description = "`{\"status\": \"handled\" | \"new\"}`"),
    responses((status = 204, description = "Changed"), UnitRefusals))]
pub(super) async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, id)): Path<(String, i64)>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<StatusCode, ApiError> {
    let (_, tip) = tip_for(&state, &caller, &code, id).await?;
    let status: TipStatus = b.status.parse()?;
    state.store.set_tip_status(tip.summary.id, status, Timestamp::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /units/{code}/tip-keys`: the unit's keys, who holds a copy, the officers who could, and
/// the caller's own sealed key and copies.
#[utoipa::path(get, path = "/api/v1/units/{code}/tip-keys", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    responses((status = 200, description = "Unit keys, holders, the caller's sealed key and copies, settings"), UnitLookupRefusals))]
pub(super) async fn keys(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<KeysView>, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    Ok(Json(keys_view(&state, &unit, staff_id(&caller)?).await?))
}

/// A unit key as the keys view lists it.
#[derive(Debug, Serialize)]
pub(crate) struct UnitKeyView {
    pub(crate) kid: String,
    pub(crate) public: String,
    pub(crate) created_at: String,
    /// When it was replaced; `None` for the current key.
    pub(crate) retired_at: Option<String>,
}

/// Someone who handles the unit's tips, or still holds copies of its keys.
#[derive(Debug, Serialize)]
pub(crate) struct OfficerView {
    pub(crate) staff: i64,
    pub(crate) name: String,
    /// Their personal key's id and public half, if they made one.
    pub(crate) kid: Option<String>,
    pub(crate) public: Option<String>,
    /// The unit keys they hold a copy of.
    pub(crate) holds: Vec<String>,
    /// No longer has a role here, yet still holds copies (to be revoked).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) former: bool,
}

/// One of the caller's copies of a unit key.
#[derive(Debug, Serialize)]
pub(crate) struct CopyView {
    pub(crate) unit_kid: String,
    pub(crate) officer_kid: String,
    pub(crate) wrapped: Value,
}

/// The caller's own key material: their sealed personal key and their copies.
#[derive(Debug, Serialize)]
pub(crate) struct MineView {
    pub(crate) staff: i64,
    pub(crate) key: Option<Value>,
    pub(crate) copies: Vec<CopyView>,
}

/// The unit, by code and name.
#[derive(Debug, Serialize)]
pub(crate) struct UnitNameView {
    pub(crate) code: String,
    pub(crate) name: String,
}

/// The unit's tip settings.
#[derive(Debug, Serialize)]
pub(crate) struct SettingsView {
    /// Whether the unit above receives a copy of each tip.
    pub(crate) copy_parent: bool,
}

/// What the keys page and route show: the unit's keys newest first, who holds them, the caller's
/// own key material, and the settings.
#[derive(Debug, Serialize)]
pub(crate) struct KeysView {
    pub(crate) unit: UnitNameView,
    pub(crate) keys: Vec<UnitKeyView>,
    pub(crate) officers: Vec<OfficerView>,
    pub(crate) me: MineView,
    pub(crate) settings: SettingsView,
}

impl KeysView {
    /// The current key's id, if the unit has one.
    pub(crate) fn current(&self) -> Option<&str> {
        self.keys.iter().find(|k| k.retired_at.is_none()).map(|k| k.kid.as_str())
    }
}

/// See [`KeysView`]; shared by the route and the console page.
pub(crate) async fn keys_view(
    state: &AppState,
    unit: &Agency,
    me: StaffId,
) -> Result<KeysView, ApiError> {
    let keys = state.store.unit_keys(unit.id).await?;
    let copies = state.store.key_copies(unit.id).await?;
    let holds = |staff: StaffId| -> Vec<String> {
        copies.iter().filter(|c| c.staff == staff).map(|c| c.unit_kid.clone()).collect()
    };
    let mut officers = Vec::new();
    for (staff, role) in state.store.agency_staff(unit.id).await? {
        if !ketnoi_core::policy::permits(
            false,
            &[ketnoi_core::Grant { agency: unit.id, role }],
            ketnoi_core::Action::HandleTips,
            Some(&[unit.id]),
        ) {
            continue;
        }
        let key = state.store.officer_key(staff.id).await?;
        officers.push(OfficerView {
            staff: staff.id.0,
            name: staff.display_name.to_string(),
            kid: key.as_ref().map(|k| k.kid.clone()),
            public: key.as_ref().and_then(|k| sealed_public(&k.sealed)),
            holds: holds(staff.id),
            former: false,
        });
    }
    // Someone who still holds copies but no longer a role here (moved, left): listed, so that
    // their copies can be revoked.
    let mut former: Vec<StaffId> = copies.iter().map(|c| c.staff).collect();
    former.sort_unstable_by_key(|s| s.0);
    former.dedup();
    former.retain(|s| !officers.iter().any(|o| o.staff == s.0));
    for staff in former {
        let name = state.store.staff(staff).await?.map(|m| m.display_name.to_string());
        officers.push(OfficerView {
            staff: staff.0,
            name: name.unwrap_or_default(),
            kid: None,
            public: None,
            holds: holds(staff),
            former: true,
        });
    }
    let mine = state.store.officer_key(me).await?;
    let settings = state.store.tip_settings(unit.id).await?;
    let json = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    Ok(KeysView {
        unit: UnitNameView { code: unit.code.to_string(), name: unit.name.clone() },
        keys: keys
            .iter()
            .map(|k| UnitKeyView {
                kid: k.kid.clone(),
                public: k.public_key.clone(),
                created_at: k.created_at.rfc3339(),
                retired_at: k.retired_at.map(|t| t.rfc3339()),
            })
            .collect(),
        officers,
        me: MineView {
            staff: me.0,
            key: mine.as_ref().map(|k| json(&k.sealed)),
            copies: copies
                .iter()
                .filter(|c| c.staff == me)
                .map(|c| CopyView {
                    unit_kid: c.unit_kid.clone(),
                    officer_kid: c.officer_kid.clone(),
                    wrapped: json(&c.wrapped),
                })
                .collect(),
        },
        settings: SettingsView { copy_parent: settings.copy_parent },
    })
}

/// The public key inside a sealed officer key.
fn sealed_public(sealed: &str) -> Option<String> {
    serde_json::from_str::<Value>(sealed).ok()?.get("public")?.as_str().map(str::to_owned)
}

/// `PUT /units/{code}/tip-keys/mine`: the caller's personal key, sealed under their key
/// passphrase in their browser. A new key (another `kid`) drops the caller's copies of unit
/// keys, which were wrapped to the old one; a colleague grants them again.
#[utoipa::path(put, path = "/api/v1/units/{code}/tip-keys/mine", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "The caller's personal key, sealed under their key passphrase in the browser"),
    responses((status = 204, description = "Stored"), UnitRefusals))]
pub(super) async fn put_my_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(sealed): JsonBody<Value>,
) -> Result<StatusCode, ApiError> {
    unit_for(&state, &caller, &code).await?;
    let me = staff_id(&caller)?;
    let kid = check_sealed_key(&sealed)?;
    let key = ketnoi_store::OfficerKey {
        staff: me,
        kid,
        sealed: serde_json::to_string(&sealed).map_err(|e| ApiError::Internal(e.into()))?,
        created_at: Timestamp::now(),
    };
    state.store.put_officer_key(&key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a sealed officer key for form: its public key's id, a 16-byte salt, at least 600,000
/// iterations, a 12-byte nonce, the 32-byte scalar's ciphertext. Returns the key id.
fn check_sealed_key(sealed: &Value) -> Result<String, ApiError> {
    let bad = || ApiError::BadTip { code: "tip-bad-key", field: "key" };
    let field = |name: &str| {
        sealed.get(name).and_then(Value::as_str).and_then(|t| wire::b64u_decode(t).ok())
    };
    let public = field("public").filter(|p| wire::valid_public(p)).ok_or_else(bad)?;
    let kid = sealed.get("kid").and_then(Value::as_str).ok_or_else(bad)?;
    if kid != ketnoi_seal::kid(&public) {
        return Err(bad());
    }
    let iterations = sealed.get("iterations").and_then(Value::as_u64).unwrap_or(0);
    let ok = field("salt").is_some_and(|s| s.len() == 16)
        && field("nonce").is_some_and(|n| n.len() == 12)
        && field("ct").is_some_and(|c| c.len() == 48)
        && iterations >= 600_000;
    if !ok {
        return Err(bad());
    }
    Ok(kid.to_owned())
}

#[derive(Debug, Deserialize)]
pub(super) struct NewCopy {
    #[serde(default)]
    unit_kid: Option<String>,
    staff: i64,
    wrapped: Value,
}

#[derive(Debug, Deserialize)]
pub(super) struct NewUnitKey {
    kid: String,
    public: String,
    copies: Vec<NewCopy>,
}

/// Refuses key management to someone who does not hold the unit's current key: a role alone
/// must not let anyone replace the key everyone seals to, overwrite colleagues' copies, remove
/// the last of them, or send the unit's tips elsewhere. Before the unit has a key, anyone who
/// handles its tips may make the first.
pub(crate) async fn require_holder(
    state: &AppState,
    unit: &Agency,
    me: StaffId,
) -> Result<(), ApiError> {
    let Some(current) = state.store.current_unit_key(unit.id).await? else {
        return Ok(());
    };
    let copies = state.store.key_copies(unit.id).await?;
    if copies.iter().any(|c| c.staff == me && c.unit_kid == current.kid) {
        Ok(())
    } else {
        Err(ApiError::BadTip { code: "tip-not-holder", field: "key" })
    }
}

/// Checks copies of a unit key for colleagues: each wrapped to that colleague's current key,
/// each colleague one who handles the unit's tips.
async fn copies_for(
    state: &AppState,
    unit: &Agency,
    unit_kid: &str,
    granted_by: StaffId,
    copies: &[NewCopy],
) -> Result<Vec<KeyCopy>, ApiError> {
    let bad = |code| ApiError::BadTip { code, field: "copies" };
    let mut out = Vec::with_capacity(copies.len());
    for c in copies {
        let staff = StaffId(c.staff);
        let member = state.store.staff(staff).await?.ok_or(bad("tip-bad-copy"))?;
        let grants = state.store.grants(member.id).await?;
        let ancestry = state.store.agency_ancestry(unit.id).await?;
        if !ketnoi_core::policy::permits(
            false,
            &grants,
            ketnoi_core::Action::HandleTips,
            Some(&ancestry),
        ) {
            return Err(bad("tip-copy-not-handler"));
        }
        let key = state.store.officer_key(staff).await?.ok_or(bad("tip-copy-no-key"))?;
        let kid = wire::check_wrapped(&c.wrapped)?;
        if kid != key.kid {
            return Err(bad("tip-copy-stale"));
        }
        out.push(KeyCopy {
            unit_kid: unit_kid.to_owned(),
            staff,
            officer_kid: key.kid,
            wrapped: serde_json::to_string(&c.wrapped).map_err(|e| ApiError::Internal(e.into()))?,
            granted_by: Some(granted_by),
            created_at: Timestamp::now(),
        });
    }
    Ok(out)
}

/// `POST /units/{code}/tip-keys` `{"kid", "public", "copies": [{"staff", "wrapped"}]}`: a new
/// unit key, made in an officer's browser, with copies for the officers who should hold it (the
/// caller among them). The previous key is retired, not deleted: tips sealed to it still open.
#[utoipa::path(post, path = "/api/v1/units/{code}/tip-keys", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "`{\"kid\", \"public\", \"copies\": [{\"staff\", \"wrapped\"}]}`: a new unit key (the previous one is retired)"),
    responses((status = 201, description = "Created"), UnitRefusals))]
pub(super) async fn new_unit_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(k): JsonBody<NewUnitKey>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let me = staff_id(&caller)?;
    require_holder(&state, &unit, me).await?;
    let public = wire::b64u_decode(&k.public)
        .ok()
        .filter(|p| p.len() == 65 && p[0] == 4)
        .ok_or(ApiError::BadTip { code: "tip-bad-key", field: "public" })?;
    if ketnoi_seal::kid(&public) != k.kid || !wire::valid_public(&public) {
        return Err(ApiError::BadTip { code: "tip-bad-key", field: "public" });
    }
    if !k.copies.iter().any(|c| c.staff == me.0) {
        return Err(ApiError::BadTip { code: "tip-copy-missing-own", field: "copies" });
    }
    let copies = copies_for(&state, &unit, &k.kid, me, &k.copies).await?;
    state
        .store
        .add_unit_key(unit.id, &k.kid, &k.public, Some(me), &copies, Timestamp::now())
        .await?;
    tracing::info!(unit = %unit.code, "new unit tip key");
    Ok(StatusCode::CREATED)
}

#[derive(Debug, Deserialize)]
pub(super) struct Grants {
    copies: Vec<NewCopy>,
}

/// `POST /units/{code}/tip-keys/grants` `{"copies": [{"unit_kid", "staff", "wrapped"}]}`: an
/// officer who holds the unit's keys gives a colleague copies, wrapped in the officer's browser.
#[utoipa::path(post, path = "/api/v1/units/{code}/tip-keys/grants", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "`{\"copies\": [{\"unit_kid\", \"staff\", \"wrapped\"}]}`"),
    responses((status = 201, description = "Granted"), UnitRefusals))]
pub(super) async fn grant(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(g): JsonBody<Grants>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    let me = staff_id(&caller)?;
    require_holder(&state, &unit, me).await?;
    let existing = state.store.key_copies(unit.id).await?;
    let mut all = Vec::new();
    for c in &g.copies {
        let kid = c.unit_kid.as_deref().unwrap_or_default();
        // Only keys the granter holds can be passed on.
        if !existing.iter().any(|e| e.staff == me && e.unit_kid == kid) {
            return Err(ApiError::BadTip { code: "tip-bad-copy", field: "copies" });
        }
        // A copy the colleague already holds for their current key stays as it is: a grant
        // adds, it never overwrites.
        let checked = copies_for(&state, &unit, kid, me, std::slice::from_ref(c)).await?;
        all.extend(checked.into_iter().filter(|n| {
            !existing.iter().any(|e| {
                e.staff == n.staff && e.unit_kid == n.unit_kid && e.officer_kid == n.officer_kid
            })
        }));
    }
    state.store.put_key_copies(&all).await?;
    Ok(StatusCode::CREATED)
}

/// `DELETE /units/{code}/tip-keys/grants/{staff}`: removes every copy of the unit's keys the
/// colleague holds. What they may have kept is beyond reach: rotate the key after this.
#[utoipa::path(delete, path = "/api/v1/units/{code}/tip-keys/grants/{staff}", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)"), ("staff" = i64, Path, description = "The colleague")),
    responses((status = 204, description = "Revoked"), UnitLookupRefusals))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, staff)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    require_holder(&state, &unit, staff_id(&caller)?).await?;
    // The last holder of a key cannot be removed: the key would exist nowhere and every tip
    // sealed to it would be lost.
    let copies = state.store.key_copies(unit.id).await?;
    let orphaned = copies
        .iter()
        .filter(|c| c.staff.0 == staff)
        .any(|c| !copies.iter().any(|o| o.staff.0 != staff && o.unit_kid == c.unit_kid));
    if orphaned {
        return Err(ApiError::BadTip { code: "tip-last-holder", field: "staff" });
    }
    let removed = state.store.delete_key_copies(unit.id, StaffId(staff)).await?;
    if removed == 0 {
        return Err(ApiError::NotFound("key-copy"));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub(super) struct SettingsBody {
    copy_parent: bool,
}

/// `PUT /units/{code}/tip-settings` `{"copy_parent"}`: whether the unit above receives a copy
/// of each tip (sealed to its own key).
#[utoipa::path(put, path = "/api/v1/units/{code}/tip-settings", tag = "tips", security(("bearer" = [])),
    params(("code" = String, Path, description = "The unit (agency code)")),
    request_body(content_type = "application/json", description = "`{\"copy_parent\": bool}`"),
    responses((status = 204, description = "Saved"), UnitRefusals))]
pub(super) async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(b): JsonBody<SettingsBody>,
) -> Result<StatusCode, ApiError> {
    let unit = unit_for(&state, &caller, &code).await?;
    require_holder(&state, &unit, staff_id(&caller)?).await?;
    state
        .store
        .set_tip_settings(&ketnoi_store::TipSettings {
            agency: unit.id,
            copy_parent: b.copy_parent,
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
