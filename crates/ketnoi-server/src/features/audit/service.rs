//! Who may read an agency's log, and the filters a page of it is read with.

use ketnoi_core::{Actor, Agency, AgencyCode, AuditAction, Timestamp, policy::Action};
use ketnoi_store::{AuditEntry, AuditQuery};
use serde::Deserialize;

use crate::kernel::{auth::Caller, error::ApiError, state::Kernel};

/// The most entries a page shows.
pub const MAX_PAGE: i64 = 200;
/// Entries a page shows unless asked.
pub const DEFAULT_PAGE: i64 = 50;

/// The agency at `code`, for a caller who may read its audit log: 404 for a code that names
/// nothing, 401 for nobody, 403 for anyone else.
pub async fn readable_agency(
    state: &Kernel,
    caller: &Caller,
    code: &str,
) -> Result<Agency, ApiError> {
    let code = AgencyCode::parse(code).map_err(|_| ApiError::NotFound("agency"))?;
    let agency = state.store.agency_by_code(&code).await?.ok_or(ApiError::NotFound("agency"))?;
    let ancestry = state.store.agency_ancestry(agency.id).await?;
    caller.require(Action::ReadAudit, Some(&ancestry))?;
    Ok(agency)
}

/// The filters of a page, as the query string gives them (every field optional).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Only this action (an audit action word, e.g. `tip-opened`).
    #[serde(default)]
    pub action: Option<String>,
    /// Only this actor: `staff:7`, `integration:3`, `account:5`, `system`, `cli`, `unknown`.
    #[serde(default)]
    pub actor: Option<String>,
    /// From this day (`yyyy-mm-dd`, Vietnam time) or moment.
    #[serde(default)]
    pub from: Option<String>,
    /// Up to and including this day, or before this moment.
    #[serde(default)]
    pub until: Option<String>,
    /// Entries older than this seq (the `next` of the previous page).
    #[serde(default)]
    pub before: Option<i64>,
    /// 1 to 200, default 50.
    #[serde(default)]
    pub limit: Option<i64>,
}

/// `Some` of a field that was filled in.
fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A day (`yyyy-mm-dd` or `dd/mm/yyyy`, its start in Vietnam time; with `end`, the next day's
/// start) or a moment.
fn moment(raw: &str, end: bool, field: &'static str) -> Result<Timestamp, ApiError> {
    let bad = ApiError::InvalidField { code: "invalid-moment", field };
    if let Some(t) = Timestamp::parse_moment(raw) {
        return Ok(t);
    }
    let start = Timestamp::parse_moment(&format!("{raw} 00:00")).ok_or(bad)?;
    Ok(if end { start.plus_millis(24 * 3600 * 1000) } else { start })
}

impl Filters {
    /// The store's query for `agency`; 422 naming the field that does not parse.
    pub fn query(&self, agency: &Agency) -> Result<AuditQuery, ApiError> {
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::InvalidField { code: "audit-bad-limit", field: "limit" });
        }
        let action = given(&self.action)
            .map(str::parse::<AuditAction>)
            .transpose()
            .map_err(|_| ApiError::InvalidField { code: "audit-bad-action", field: "action" })?;
        let actor = given(&self.actor)
            .map(Actor::parse)
            .transpose()
            .map_err(|_| ApiError::InvalidField { code: "audit-bad-actor", field: "actor" })?;
        let from = given(&self.from).map(|r| moment(r, false, "from")).transpose()?;
        let until = given(&self.until).map(|r| moment(r, true, "until")).transpose()?;
        if self.before.is_some_and(|b| b < 1) {
            return Err(ApiError::InvalidField { code: "audit-bad-cursor", field: "before" });
        }
        Ok(AuditQuery { agency: agency.id, action, actor, from, until, before: self.before, limit })
    }
}

/// A page of entries and the cursor of the next one, if there may be more.
pub async fn page(
    state: &Kernel,
    query: &AuditQuery,
) -> Result<(Vec<AuditEntry>, Option<i64>), ApiError> {
    let entries = state.store.audit_page(query).await?;
    let next =
        if entries.len() as i64 == query.limit { entries.last().map(|e| e.seq) } else { None };
    Ok((entries, next))
}
