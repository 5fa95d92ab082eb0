//! Tips over HTTP, the citizen's side: where to seal a tip, sending it sealed, following it by
//! receipt code. The receiving unit's inbox is in [`super::unit_api`], its keys in
//! [`super::keys_api`].
//!
//! The citizen's routes never read a cookie or an `Authorization` header for an anonymous tip:
//! [`submit`] parses the envelope first and looks for a session only when the tip says it is
//! identified. The unit's routes answer 403 to everyone but the unit's own officers and
//! administrators ([`ketnoi_core::Action::HandleTips`]), platform administrators included.
//! Everything they hand out is ciphertext; keys are wrapped and unwrapped in officers' browsers.

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use ketnoi_core::{Timestamp, TipStatus};
use ketnoi_store::Tip;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{
    features::tips::{
        service::{self as tips, Mode, Sealed, TipsState},
        wire::{self, MAX_MESSAGE, MessageView, message_views},
    },
    kernel::{
        client_ip::ClientIp,
        error::ApiError,
        extract::{Json as JsonBody, Path, Query},
        views::ProblemView,
    },
};

pub(crate) fn router(max_upload: usize) -> Router<TipsState> {
    let submit_limit = tips::MAX_ATTACHMENTS * max_upload + 1024 * 1024;
    let upload = Router::new()
        .route("/accounts/{slug}/tips", post(submit))
        .layer(DefaultBodyLimit::max(submit_limit));
    Router::new()
        .route("/accounts/{slug}/tips/recipients", get(recipients))
        .route("/tips/receipt", post(receipt))
        .route("/tips/receipt/messages", post(receipt_message))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .merge(upload)
}

// ---------------------------------------------------------------------------------------------
// The citizen's side.

#[derive(Debug, Deserialize)]
pub(crate) struct AreaParam {
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
pub(crate) async fn recipients(
    State(state): State<TipsState>,
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
pub(crate) async fn submit(
    State(state): State<TipsState>,
    Path(slug): Path<String>,
    ClientIp(ip): ClientIp,
    parts_headers: HeaderMap,
    method: axum::http::Method,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let account = tips::police_account(&state, &slug).await?;
    state.guard.submission(ip)?;
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
            if crate::kernel::http::cross_site(&method, &parts_headers) {
                return Err(ApiError::CsrfRejected);
            }
            let caller = crate::kernel::session::resolve_caller(&state, &parts_headers).await?;
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
    /// When the unit must have dealt with it.
    deadline_at: String,
    /// Why it was closed, once it is.
    closing: Option<ketnoi_core::TipClosing>,
    /// What happened to it: status changes, extensions, transfers; never who did it.
    history: Vec<crate::features::tips::case::ReporterEvent>,
    category: String,
    area: String,
    occurred: String,
    sent_at: String,
    updated_at: String,
    messages: Vec<MessageView>,
}

/// The tip a receipt opens, behind the per-client limit on wrong codes.
pub(crate) async fn open_receipt(
    state: &TipsState,
    ip: std::net::IpAddr,
    proof: &wire::ReceiptProof,
) -> Result<Tip, ApiError> {
    state.guard.receipt_try(ip)?;
    proof.check()?;
    let tip = tips::by_receipt(state, &proof.lookup, &proof.auth)
        .await?
        .ok_or(ApiError::NotFound("tip"))?;
    state.guard.receipt_right(ip);
    Ok(tip)
}

/// `POST /tips/receipt` `{"lookup", "auth"}`: the tip's status and its sealed messages.
#[utoipa::path(post, path = "/api/v1/tips/receipt", tag = "tips",
    request_body(content_type = "application/json", description = "`{\"lookup\", \"auth\"}` derived from the receipt code"),
    responses((status = 200, description = "Status, deadline, closing reason, history (status changes, extensions, transfers, never officers), clear fields and sealed messages"),
        (status = 404, description = "No such unit, tip or attachment", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `code` says why, `field` where", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many; see Retry-After", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn receipt(
    State(state): State<TipsState>,
    ClientIp(ip): ClientIp,
    JsonBody(proof): JsonBody<wire::ReceiptProof>,
) -> Result<Response, ApiError> {
    let tip = open_receipt(&state, ip, &proof).await?;
    let messages = state.store.tip_messages(tip.summary.id).await?;
    let s = &tip.summary;
    let events = state.store.tip_events(s.id).await?;
    let view = ReceiptView {
        status: s.status,
        deadline_at: s.deadline_at.rfc3339(),
        closing: s.closing,
        history: crate::features::tips::case::reporter_events(&state, &events).await?,
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
pub(crate) struct ReceiptMessage {
    lookup: String,
    auth: String,
    sealed: Value,
}

/// The largest envelope a browser may send: the body's ciphertext is bounded by the
/// description's limit and the attachments' names; the rest is a few hundred bytes a recipient.
const MAX_ENVELOPE: usize = 256 * 1024;

/// `POST /tips/receipt/messages` `{"lookup", "auth", "sealed"}`: the reporter adds information,
/// sealed under the receipt's reply key.
#[utoipa::path(post, path = "/api/v1/tips/receipt/messages", tag = "tips",
    request_body(content_type = "application/json", description = "`{\"lookup\", \"auth\", \"sealed\"}`: information added, sealed under the reply key"),
    responses((status = 201, description = "Added"), (status = 404, description = "No such unit, tip or attachment", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Refused; `code` says why, `field` where", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many; see Retry-After", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn receipt_message(
    State(state): State<TipsState>,
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
