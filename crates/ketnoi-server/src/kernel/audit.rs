//! Request ids, and writing to the audit log.
//!
//! Every request gets an id: a sane `X-Request-Id` the client (or a proxy) sent, or a random
//! one. It is returned in the response's `X-Request-Id`, put on the request's tracing span, and
//! written into every audit entry the request causes, so an entry can be matched to the logs
//! and to what the client saw.
//!
//! [`record`] is what features call. Where an action reveals protected data (opening a tip, an
//! attachment, an export), they call it **before** serving and fail when it fails: nothing is
//! shown that the log does not hold.

use axum::{
    extract::{FromRequestParts, Request},
    http::{HeaderValue, request::Parts},
    middleware::Next,
    response::Response,
};
use ketnoi_core::{Actor, AgencyId, AuditAction, Timestamp, audit::object_ref};
use ketnoi_store::{AuditEntry, NewAuditEntry};

use crate::kernel::{auth::Caller, error::ApiError, http::hex, state::Kernel};

/// The header a request id travels in.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// A fresh random id (128 bits, hex).
    pub fn random() -> Self {
        Self(hex(&rand::random::<[u8; 16]>()))
    }

    /// An id for work done outside a request, e.g. `cli-…` or `system-…`.
    pub fn outside(prefix: &str) -> Self {
        Self(format!("{prefix}-{}", Self::random().0))
    }

    /// An incoming id, if it is sane: 8–64 ASCII letters, digits, `-`, `_`, `.` or `:`.
    pub fn accept(raw: &str) -> Option<Self> {
        let ok = (8..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        ok.then(|| Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(request_id_of(parts))
    }
}

/// The request's id, as [`assign_request_id`] put it on; a fresh one for a route outside that
/// middleware.
pub fn request_id_of(parts: &Parts) -> RequestId {
    parts.extensions.get::<RequestId>().cloned().unwrap_or_else(RequestId::random)
}

/// Gives the request its id and returns it in the response.
pub async fn assign_request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::accept)
        .unwrap_or_else(RequestId::random);
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Who a caller is in the log: staff by id, a program by its integration or account; anyone
/// else (citizens' actions are not audited) as unknown.
pub fn actor_of(caller: &Caller) -> Actor {
    match caller {
        Caller::Staff { staff, .. } => Actor::Staff(staff.id),
        Caller::Account { via: Some(via), .. } => Actor::Integration(via.integration),
        Caller::Account { account, .. } => Actor::Account(account.id),
        Caller::Anonymous | Caller::Citizen { .. } => Actor::Unknown,
    }
}

/// Appends an entry for something `caller` did in `request`: `action` on `object` (a short
/// typed reference, `tip:42`, `staff:7`, `key:KID`; never content), concerning `agency`.
/// Fails (500) when the entry cannot be written: call it before serving anything protected.
pub async fn record(
    state: &Kernel,
    caller: &Caller,
    request: &RequestId,
    action: AuditAction,
    object: &str,
    agency: Option<AgencyId>,
) -> Result<(), ApiError> {
    record_as(state, actor_of(caller), request, action, object, agency).await
}

/// [`record`] for an actor that is not a request's caller: the server (`Actor::System`), an
/// operator's command (`Actor::Cli`), or someone unknown (a failed sign-in).
pub async fn record_as(
    state: &Kernel,
    actor: Actor,
    request: &RequestId,
    action: AuditAction,
    object: &str,
    agency: Option<AgencyId>,
) -> Result<(), ApiError> {
    let object = object_ref(object).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!("audit object for {action} is malformed: {e}"))
    })?;
    let entry = NewAuditEntry {
        at: Timestamp::now(),
        actor,
        action,
        object: object.to_owned(),
        agency,
        request_id: request.0.clone(),
    };
    state.store.append_audit(&entry).await.map_err(|e| {
        ApiError::Internal(anyhow::Error::new(e).context(format!("audit entry {action}")))
    })?;
    Ok(())
}

/// Appends the log's head to the configured anchor file now and then every `every`, until the
/// task is aborted. A failure is logged and tried again at the next tick.
pub async fn anchor_every(state: Kernel, every: std::time::Duration) {
    let Some(path) = state.config.audit_anchors.clone() else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = append_anchor(&state, &path).await {
            tracing::warn!(error = ?e, file = %path.display(), "the audit anchor was not written");
        }
    }
}

/// Appends one anchor line for the current head to `path` (created if missing) and syncs it.
pub async fn append_anchor(state: &Kernel, path: &std::path::Path) -> anyhow::Result<()> {
    use tokio::io::AsyncWriteExt as _;
    let head = state.store.audit_head().await?;
    let line = format!("{}\n", ketnoi_store::Anchor::of(&head, Timestamp::now()).line());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await?;
    }
    let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(path).await?;
    file.write_all(line.as_bytes()).await?;
    file.sync_all().await?;
    Ok(())
}

/// The header of an exported log, in the order of [`csv_row`].
pub const CSV_HEADER: &str = "seq,at,time,actor,action,object,agency,request_id,prev_hash,hash";

/// One entry as a CSV line (with its newline). Every field is a number, a word, a typed
/// reference or hex, but quoting follows RFC 4180 all the same.
pub fn csv_row(e: &AuditEntry) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    let agency = e.agency.map(|a| a.to_string()).unwrap_or_default();
    format!(
        "{},{},{},{},{},{},{},{},{},{}\n",
        e.seq,
        e.at,
        Timestamp(e.at).rfc3339(),
        quote(&e.actor),
        quote(&e.action),
        quote(&e.object),
        agency,
        quote(&e.request_id),
        e.prev_hash,
        e.hash
    )
}

/// Entries as a CSV file, header first.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for e in entries {
        out.push_str(&csv_row(e));
    }
    out
}

/// Entries as a JSON array: every stored field, plus the time in RFC 3339.
pub fn to_json(entries: &[AuditEntry]) -> serde_json::Value {
    serde_json::Value::Array(
        entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "seq": e.seq,
                    "at": e.at,
                    "time": Timestamp(e.at).rfc3339(),
                    "actor": e.actor,
                    "action": e.action,
                    "object": e.object,
                    "agency": e.agency,
                    "request_id": e.request_id,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                })
            })
            .collect(),
    )
}

/// Every entry of an agency matching `query`'s filters, newest first, read a page at a time
/// (`query.limit` is the page size).
pub async fn all_entries(
    store: &dyn ketnoi_store::Store,
    query: &ketnoi_store::AuditQuery,
) -> Result<Vec<AuditEntry>, ketnoi_store::StoreError> {
    let mut out = Vec::new();
    let mut q = query.clone();
    loop {
        let page = store.audit_page(&q).await?;
        let full = page.len() as i64 >= q.limit;
        q.before = page.last().map(|e| e.seq);
        out.extend(page);
        if !full {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_incoming_ids_are_kept() {
        assert!(RequestId::accept("0123456789abcdef").is_some());
        assert!(RequestId::accept("trace-1:abc.def_9").is_some());
        for bad in ["short", "has space here", "new\nline-id-here", &"x".repeat(65), "ä-ä-ä-ä-ä"]
        {
            assert!(RequestId::accept(bad).is_none(), "{bad:?}");
        }
        let a = RequestId::random();
        assert_eq!(a.0.len(), 32);
        assert_ne!(a, RequestId::random());
        assert!(RequestId::outside("cli").0.starts_with("cli-"));
    }

    #[test]
    fn csv_rows_quote_what_needs_it() {
        let e = AuditEntry {
            seq: 1,
            at: 0,
            actor: "staff:1".into(),
            action: "sign-in".into(),
            object: "x:a,b".into(),
            agency: Some(4),
            request_id: "r".into(),
            prev_hash: "0".into(),
            hash: "1".into(),
        };
        let row = csv_row(&e);
        assert!(row.contains(",\"x:a,b\",4,r,0,1\n"), "{row}");
        assert_eq!(to_csv(&[e]).lines().count(), 2);
    }
}
