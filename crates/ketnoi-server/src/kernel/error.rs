//! One place where errors become HTTP answers.
//!
//! Handlers return [`ApiError`]. Its response carries a [`Problem`] in the response's
//! extensions; the [`localize`] middleware, which knows the caller's language, turns that into an
//! `application/problem+json` body (RFC 9457) with a Vietnamese or English message. The user's
//! mistakes get a precise message and status; our own failures get a generic one, and their
//! cause chain goes to the log, never to the client.

use axum::{
    Json,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use fluent_bundle::FluentValue;
use ketnoi_core::InvalidInput;
use ketnoi_store::StoreError;

use crate::kernel::i18n::{Lang, Messages};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A value did not parse (422).
    #[error("invalid input: {0}")]
    Invalid(#[from] InvalidInput),
    /// A request-level rule was broken (422), with a message key.
    #[error("unprocessable: {0}")]
    Unprocessable(&'static str),
    /// A field's value broke a rule (422): the message key, and the field named in the
    /// problem so a client can point at it.
    #[error("unprocessable {field}: {code}")]
    InvalidField {
        /// The message key.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
    },
    /// The request could not be read at all (400).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// Not JSON (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Too big (413).
    #[error("payload too large")]
    PayloadTooLarge,
    /// No valid session or token (401).
    #[error("unauthenticated")]
    Unauthenticated,
    /// Wrong username or password (401).
    #[error("wrong credentials")]
    WrongCredentials,
    /// Signed in, but the policy says no (403).
    #[error("forbidden")]
    Forbidden,
    /// Signed in, but this particular thing is reserved to other roles (403); the code says
    /// what.
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// A cookie-authenticated change from another site (403).
    #[error("cross-site request refused")]
    CsrfRejected,
    /// Nothing there (404); the argument names what.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The method does not apply (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Already exists (409).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// Points at nothing (422).
    #[error("{0} does not exist")]
    MissingReference(&'static str),
    /// Rate limited (429).
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry can succeed.
        retry_after: u64,
    },
    /// A wrong one-time code (401).
    #[error("wrong one-time code")]
    OtpWrong {
        /// Tries left.
        remaining: i64,
    },
    /// An expired, used or never-requested code (401).
    #[error("one-time code expired")]
    OtpExpired,
    /// Too many wrong codes (401).
    #[error("one-time code locked")]
    OtpLocked,
    /// A staff member with a second factor gave the right password but no code (401).
    #[error("second factor needed")]
    SecondFactorNeeded,
    /// A wrong second-factor code, or (`replayed`) one already used (401).
    #[error("second factor wrong")]
    SecondFactorWrong {
        /// The code was right but already used within its window.
        replayed: bool,
    },
    /// The SMS gateway failed (503).
    #[error("one-time code could not be sent")]
    OtpSendFailed(#[source] anyhow::Error),
    /// A message's client id was used before for a different message (409).
    #[error("client_msg_id reused")]
    ClientIdReused,
    /// An officer's reply to a conversation another officer (or the integration) answered
    /// since the reply's author last looked: it is not sent, so it can be reconsidered (409).
    #[error("another reply came first")]
    ReplyStale,
    /// An upload is over the size limit (413).
    #[error("upload too large")]
    UploadTooLarge {
        /// The limit in bytes.
        max_bytes: usize,
    },
    /// An upload was refused for its content (415, or 422 when empty); the code says why.
    #[error("upload refused: {0}")]
    UploadRejected(&'static str),
    /// A lookup or search request is malformed (400); the code says how, `field` names the
    /// parameter.
    #[error("bad lookup request: {code}")]
    BadLookup {
        /// The message key.
        code: &'static str,
        /// The parameter at fault, if one.
        field: Option<String>,
    },
    /// No record matches the key and verification (404), whichever was wrong.
    #[error("no matching record")]
    LookupNoMatch,
    /// Too many wrong answers for this key (429).
    #[error("lookup key locked")]
    LookupLocked {
        /// Seconds until a retry can succeed.
        retry_after: u64,
    },
    /// A tip, or a request about one, is not as it must be (422); the code says how, `field`
    /// names the part at fault.
    #[error("bad tip: {code}")]
    BadTip {
        /// The message key.
        code: &'static str,
        /// The field or part at fault.
        field: &'static str,
    },
    /// A field breaks a rule of its feature (422); the code is the message key, `field` the
    /// field at fault.
    #[error("bad field {field}: {code}")]
    BadField {
        /// The message key.
        code: &'static str,
        /// The field at fault.
        field: &'static str,
    },
    /// A structure (a menu, a document chain) breaks one of its rules (422): the code is the
    /// rule and its message key, `at` where it broke, `limit` the number the rule sets.
    #[error("broken rule {code} at {at}")]
    BrokenRule {
        /// The rule.
        code: &'static str,
        /// Where, as a path (`buttons[1].buttons[0]`) or a name.
        at: String,
        /// The rule's number, where it has one.
        limit: Option<i64>,
    },
    /// An imported file has errors (422), each on its line; nothing was stored.
    #[error("import refused")]
    ImportRefused(Vec<ImportError>),
    /// An account has used its broadcasts for the week (429).
    #[error("broadcast quota used")]
    QuotaExceeded {
        /// The allowance.
        limit: i64,
        /// When the next window opens.
        resets_at: ketnoi_core::Timestamp,
        /// Seconds until then.
        retry_after: u64,
    },
    /// The server is at capacity for this kind of work; try again shortly (503).
    #[error("busy")]
    Busy {
        /// Seconds until a retry may succeed.
        retry_after: u64,
    },
    /// No unit that would receive this tip holds a key yet (409).
    #[error("tips closed")]
    TipsClosed,
    /// A tip's case is not in a state that allows this (409): the code says why (the workflow
    /// skipped, a status someone else changed meanwhile, an extension already pending…).
    #[error("case refused: {0}")]
    CaseRefused(&'static str),
    /// The database is not answering (503).
    #[error("not ready")]
    NotReady,
    /// Our fault (500). The cause is logged, not shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::MissingReference(what) => Self::MissingReference(what),
            other => Self::Internal(other.into()),
        }
    }
}

/// A message argument.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text, shown as is.
    Text(String),
    /// A number.
    Number(i64),
    /// The name of a thing, translated through its `what-…` message.
    What(&'static str),
}

/// What the response carries until [`localize`] writes it out.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The message key and problem code.
    pub code: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// Message arguments.
    pub args: Vec<(&'static str, Arg)>,
    /// Extra machine-readable members.
    pub extra: Vec<(&'static str, serde_json::Value)>,
}

impl ApiError {
    /// The problem this error is shown as.
    pub fn problem(&self) -> Problem {
        use Arg::*;
        let (status, code, args, extra): (_, _, Vec<(&'static str, Arg)>, Vec<_>) = match self {
            Self::Invalid(e) => {
                let mut args = vec![];
                let mut extra = vec![];
                if let Some(field) = e.field() {
                    args.push(("field", Text(field.to_owned())));
                    extra.push(("field", serde_json::json!(field)));
                }
                match e {
                    InvalidInput::Length { min, max, .. } => {
                        args.push(("min", Number(*min as i64)));
                        args.push(("max", Number(*max as i64)));
                    }
                    InvalidInput::Choice { choices, .. } => {
                        args.push(("choices", Text(choices.trim_end_matches(", ").to_owned())));
                    }
                    _ => {}
                }
                (StatusCode::UNPROCESSABLE_ENTITY, e.code(), args, extra)
            }
            Self::Unprocessable(code) => (StatusCode::UNPROCESSABLE_ENTITY, *code, vec![], vec![]),
            Self::InvalidField { code, field } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                *code,
                vec![("field", Text((*field).to_owned()))],
                vec![("field", serde_json::json!(field))],
            ),
            Self::Malformed(reason) => (
                StatusCode::BAD_REQUEST,
                "malformed-request",
                vec![("reason", Text(reason.chars().take(300).collect()))],
                vec![],
            ),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", vec![], vec![])
            }
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", vec![], vec![])
            }
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", vec![], vec![]),
            Self::WrongCredentials => {
                (StatusCode::UNAUTHORIZED, "wrong-credentials", vec![], vec![])
            }
            Self::Forbidden => (StatusCode::FORBIDDEN, "forbidden", vec![], vec![]),
            Self::CsrfRejected => (StatusCode::FORBIDDEN, "csrf-rejected", vec![], vec![]),
            Self::NotAllowed(code) => (StatusCode::FORBIDDEN, *code, vec![], vec![]),
            Self::NotFound(what) => {
                (StatusCode::NOT_FOUND, "not-found", vec![("what", What(what))], vec![])
            }
            Self::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", vec![], vec![])
            }
            Self::Conflict(what) => {
                (StatusCode::CONFLICT, "conflict", vec![("what", What(what))], vec![])
            }
            Self::MissingReference(what) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "missing-reference",
                vec![("what", What(what))],
                vec![],
            ),
            Self::TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                vec![("seconds", Number(*retry_after as i64))],
                vec![("retry_after", serde_json::json!(retry_after))],
            ),
            Self::OtpWrong { remaining } => (
                StatusCode::UNAUTHORIZED,
                "otp-wrong",
                vec![("remaining", Number(*remaining))],
                vec![("attempts_remaining", serde_json::json!(remaining))],
            ),
            Self::OtpExpired => (StatusCode::UNAUTHORIZED, "otp-expired", vec![], vec![]),
            Self::OtpLocked => (
                StatusCode::UNAUTHORIZED,
                "otp-locked",
                vec![],
                vec![("attempts_remaining", serde_json::json!(0))],
            ),
            Self::SecondFactorNeeded => {
                (StatusCode::UNAUTHORIZED, "second-factor-needed", vec![], vec![])
            }
            Self::SecondFactorWrong { replayed } => (
                StatusCode::UNAUTHORIZED,
                "second-factor-wrong",
                vec![("reason", Text(if *replayed { "replayed" } else { "wrong" }.to_owned()))],
                vec![("replayed", serde_json::json!(replayed))],
            ),
            Self::OtpSendFailed(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "otp-send-failed", vec![], vec![])
            }
            Self::ClientIdReused => (StatusCode::CONFLICT, "client-msg-id-reused", vec![], vec![]),
            Self::ReplyStale => (StatusCode::CONFLICT, "reply-stale", vec![], vec![]),
            Self::UploadTooLarge { max_bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "upload-too-large",
                vec![("megabytes", Number((*max_bytes / (1024 * 1024)) as i64))],
                vec![("max_bytes", serde_json::json!(max_bytes))],
            ),
            Self::UploadRejected(code) => {
                let status = if *code == "upload-empty" {
                    StatusCode::UNPROCESSABLE_ENTITY
                } else {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                };
                (status, *code, vec![], vec![])
            }
            Self::BadLookup { code, field } => {
                let (args, extra) = match field {
                    Some(f) => {
                        (vec![("field", Text(f.clone()))], vec![("field", serde_json::json!(f))])
                    }
                    None => (vec![], vec![]),
                };
                (StatusCode::BAD_REQUEST, *code, args, extra)
            }
            Self::LookupNoMatch => (StatusCode::NOT_FOUND, "lookup-no-match", vec![], vec![]),
            Self::LookupLocked { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "lookup-locked",
                vec![("minutes", Number(retry_after.div_ceil(60) as i64))],
                vec![("retry_after", serde_json::json!(retry_after))],
            ),
            Self::BadTip { code, field } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                *code,
                vec![],
                vec![("field", serde_json::json!(field))],
            ),
            Self::TipsClosed => (StatusCode::CONFLICT, "tips-closed", vec![], vec![]),
            Self::CaseRefused(code) => (StatusCode::CONFLICT, *code, vec![], vec![]),
            Self::BadField { code, field } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                *code,
                vec![],
                vec![("field", serde_json::json!(field))],
            ),
            Self::BrokenRule { code, at, limit } => {
                let mut args = vec![("at", Text(at.clone()))];
                let mut extra = vec![("at", serde_json::json!(at))];
                if let Some(n) = limit {
                    args.push(("limit", Number(*n)));
                    extra.push(("limit", serde_json::json!(n)));
                }
                (StatusCode::UNPROCESSABLE_ENTITY, *code, args, extra)
            }
            Self::ImportRefused(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "import-refused",
                vec![
                    ("count", Number(errors.len() as i64)),
                    ("line", Number(errors.first().map_or(0, |e| e.line as i64))),
                ],
                vec![(
                    "errors",
                    serde_json::json!(
                        errors
                            .iter()
                            .map(|e| serde_json::json!({"line": e.line, "code": e.code, "detail": e.detail}))
                            .collect::<Vec<_>>()
                    ),
                )],
            ),
            Self::QuotaExceeded { limit, resets_at, retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "broadcast-quota",
                vec![("limit", Number(*limit)), ("resets", Text(resets_at.display_vn()))],
                vec![
                    ("retry_after", serde_json::json!(retry_after)),
                    ("limit", serde_json::json!(limit)),
                    ("resets_at", serde_json::json!(resets_at.millis())),
                ],
            ),
            Self::Busy { retry_after } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                vec![("seconds", Number(*retry_after as i64))],
                vec![("retry_after", serde_json::json!(retry_after))],
            ),
            Self::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not-ready", vec![], vec![]),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", vec![], vec![]),
        };
        Problem { code, status, args, extra }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            Self::OtpSendFailed(cause) => tracing::warn!(error = ?cause, "one-time code not sent"),
            _ => {}
        }
        let problem = self.problem();
        let mut response = problem.status.into_response();
        if let Self::TooManyRequests { retry_after }
        | Self::LookupLocked { retry_after }
        | Self::Busy { retry_after }
        | Self::QuotaExceeded { retry_after, .. } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response.extensions_mut().insert(problem);
        response
    }
}

/// One error of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// Its line, from 1.
    pub line: usize,
    /// What is wrong, as a message key (taking `$detail`).
    pub code: &'static str,
    /// The field, value or reason, as the file has it.
    pub detail: String,
}

/// The thing names that `what` arguments may take, mapped to their message keys.
fn what_key(what: &str) -> &'static str {
    match what {
        "account" => "what-account",
        "agency" => "what-agency",
        "area" => "what-area",
        "staff member" => "what-staff",
        "page" => "what-page",
        "session" => "what-session",
        "parent area" => "what-parent-area",
        "conversation" => "what-conversation",
        "attachment" => "what-attachment",
        "dataset" => "what-dataset",
        "version" => "what-version",
        "tip" => "what-tip",
        "tip-form" => "what-tip-form",
        "key-copy" => "what-key-copy",
        "unit key" => "what-unit-key",
        "article" => "what-article",
        "broadcast" => "what-broadcast",
        "follower" => "what-follower",
        "citizen" => "what-citizen",
        "subscription" => "what-subscription",
        "procedure" => "what-procedure",
        "form" => "what-form",
        "legal document" => "what-legal-doc",
        "canned-reply" => "what-canned-reply",
        "rating" => "what-rating",
        "integration" => "what-integration",
        "webhook" => "what-webhook",
        "webhook-event" => "what-webhook-event",
        "second-factor" => "what-second-factor",
        _ => "what-thing",
    }
}

impl Problem {
    /// The problem+json body in a language.
    pub fn body(&self, messages: &Messages, lang: Lang) -> serde_json::Value {
        let args: Vec<(&str, FluentValue<'_>)> = self
            .args
            .iter()
            .map(|(name, arg)| {
                let value: FluentValue<'_> = match arg {
                    Arg::Text(t) => t.clone().into(),
                    Arg::Number(n) => (*n).into(),
                    Arg::What(w) => messages.text(lang, what_key(w)).into(),
                };
                (*name, value)
            })
            .collect();
        let mut body = serde_json::json!({
            "type": format!("/problems/{}", self.code),
            "title": messages.get(lang, self.code, &args),
            "status": self.status.as_u16(),
            "code": self.code,
        });
        if let Some(map) = body.as_object_mut() {
            for (k, v) in &self.extra {
                map.insert((*k).to_owned(), v.clone());
            }
        }
        body
    }
}

/// Middleware: writes out any [`Problem`] a handler left in its response, in the language the
/// request asked for.
pub async fn localize(
    axum::extract::State(messages): axum::extract::State<Messages>,
    request: Request,
    next: Next,
) -> Response {
    let lang = crate::kernel::i18n::request_lang(request.headers());
    let mut response = next.run(request).await;
    let Some(problem) = response.extensions_mut().remove::<Problem>() else {
        return response;
    };
    let body = problem.body(&messages, lang);
    let mut out = (problem.status, Json(body)).into_response();
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    out.headers_mut().insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    out
}
