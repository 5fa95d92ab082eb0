//! Tips as cases: the workflow's rules, who may be put in charge, extensions and their second
//! officer, sealed notes, and transfers to another unit — shared by the API and the pages.
//!
//! The server never sees a tip's report key. A note is sealed in the officer's browser under a
//! key derived from it; a transfer arrives with the report key already wrapped to the
//! receiving unit's current key, and the server only checks its form and that it names that
//! key before adding it to the envelope (docs/SECURITY.md, "Cases").

use ketnoi_core::{
    Action, Agency, AgencyCode, AgencyKind, ExtensionReason, StaffId, Timestamp, TipClosing,
    TipStatus, policy,
};
use ketnoi_store::{CaseActor, StoreError, Tip, TipEvent, TipEventKind, TipExtension, TipTransfer};
use serde::Serialize;
use serde_json::Value;

use crate::{
    features::tips::wire::{self, MAX_MESSAGE},
    kernel::{error::ApiError, state::Kernel},
};

/// The most units a transferred tip's envelope may name.
const MAX_RECIPIENTS: usize = 16;

/// Who acts, for whom, now.
pub(crate) fn actor(unit: &Agency, staff: StaffId) -> CaseActor {
    CaseActor { unit: unit.id, staff, at: Timestamp::now() }
}

/// Moves a case along the workflow. `from`, when given, is the status the officer saw: if
/// someone moved the case since, nothing happens and they are told (409).
pub(crate) async fn change_status(
    state: &Kernel,
    by: CaseActor,
    tip: &Tip,
    from: Option<TipStatus>,
    to: TipStatus,
    closing: Option<TipClosing>,
) -> Result<(), ApiError> {
    let current = tip.summary.status;
    let from = from.unwrap_or(current);
    if from != current {
        return Err(ApiError::CaseRefused("tip-status-stale"));
    }
    if !current.may_move_to(to) {
        return Err(ApiError::CaseRefused("tip-status-skips"));
    }
    match (to, closing) {
        (TipStatus::Closed, None) => {
            return Err(ApiError::BadTip { code: "tip-closing-needed", field: "closing" });
        }
        (TipStatus::Closed, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(ApiError::BadTip { code: "tip-closing-only-to-close", field: "closing" });
        }
    }
    state.store.change_tip_status(tip.summary.id, from, to, closing, by).await.map_err(
        |e| match e {
            StoreError::Conflict(_) => ApiError::CaseRefused("tip-status-stale"),
            other => other.into(),
        },
    )
}

/// The unit's staff who may handle its tips: those an officer can put in charge.
pub(crate) async fn handlers(
    state: &Kernel,
    unit: &Agency,
) -> Result<Vec<ketnoi_core::StaffMember>, ApiError> {
    let ancestry = state.store.agency_ancestry(unit.id).await?;
    let mut out = Vec::new();
    for (member, _) in state.store.agency_staff(unit.id).await? {
        let grants = state.store.grants(member.id).await?;
        if policy::permits(member.platform_admin, &grants, Action::HandleTips, Some(&ancestry)) {
            out.push(member);
        }
    }
    Ok(out)
}

/// Puts `assignee` (one of the unit's handlers) in charge, or nobody.
pub(crate) async fn assign(
    state: &Kernel,
    unit: &Agency,
    by: CaseActor,
    tip: &Tip,
    assignee: Option<StaffId>,
) -> Result<(), ApiError> {
    if !tip.summary.status.is_open() {
        return Err(ApiError::CaseRefused("tip-case-closed"));
    }
    if let Some(who) = assignee
        && !handlers(state, unit).await?.iter().any(|m| m.id == who)
    {
        return Err(ApiError::BadTip { code: "tip-assignee-not-handler", field: "staff" });
    }
    Ok(state.store.assign_tip(tip.summary.id, assignee, by).await?)
}

/// Adds a note sealed in the officer's browser.
pub(crate) async fn add_note(
    state: &Kernel,
    by: CaseActor,
    tip: &Tip,
    sealed: &Value,
) -> Result<(), ApiError> {
    wire::check_sealed(sealed, MAX_MESSAGE)?;
    let sealed = serde_json::to_string(sealed).map_err(|e| ApiError::Internal(e.into()))?;
    state.store.add_tip_note(tip.summary.id, &sealed, by).await?;
    Ok(())
}

/// How many days the next extension of `tip` may add: `None` when the configured list is used
/// up.
pub(crate) async fn extension_allowed(state: &Kernel, tip: &Tip) -> Result<Option<u32>, ApiError> {
    let granted = state
        .store
        .tip_extensions(tip.summary.id)
        .await?
        .iter()
        .filter(|e| e.state == ketnoi_store::ExtensionState::Approved)
        .count();
    Ok(state.config.tip_deadlines.extension_allowed(granted))
}

/// Asks for an extension of an open case, within the configured allowance.
pub(crate) async fn request_extension(
    state: &Kernel,
    by: CaseActor,
    tip: &Tip,
    reason: ExtensionReason,
    days: i64,
) -> Result<TipExtension, ApiError> {
    if !tip.summary.status.is_open() {
        return Err(ApiError::CaseRefused("tip-case-closed"));
    }
    let Some(allowed) = extension_allowed(state, tip).await? else {
        return Err(ApiError::CaseRefused("tip-extension-none-left"));
    };
    let days = match u32::try_from(days) {
        Ok(d) if (1..=allowed).contains(&d) => d,
        _ => {
            return Err(ApiError::BrokenRule {
                code: "tip-extension-too-long",
                at: "days".into(),
                limit: Some(i64::from(allowed)),
            });
        }
    };
    state.store.request_tip_extension(tip.summary.id, reason, days, by).await.map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::CaseRefused("tip-extension-pending"),
        other => other.into(),
    })
}

/// Approves or refuses a pending extension: never by the officer who asked.
pub(crate) async fn decide_extension(
    state: &Kernel,
    by: CaseActor,
    tip: &Tip,
    id: i64,
    approve: bool,
) -> Result<TipExtension, ApiError> {
    state.store.decide_tip_extension(tip.summary.id, id, approve, by).await.map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::NotAllowed("tip-extension-own"),
        StoreError::NotFound(_) => ApiError::NotFound("extension"),
        other => other.into(),
    })
}

/// A police unit another may transfer tips to: its code, name and current public key.
#[derive(Debug, Serialize)]
pub(crate) struct TransferTarget {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kid: String,
    pub(crate) public: String,
}

/// The unit at `code` as a transfer target, with its current key; 422 when there is no such
/// police unit, 409 when it has no key yet (nobody there could open the tip).
pub(crate) async fn transfer_target(
    state: &Kernel,
    code: &str,
) -> Result<(Agency, TransferTarget), ApiError> {
    let unknown = || ApiError::BadTip { code: "tip-transfer-no-unit", field: "to" };
    let code = AgencyCode::parse(code.trim()).map_err(|_| unknown())?;
    let unit = state.store.agency_by_code(&code).await?.ok_or_else(unknown)?;
    if unit.kind != AgencyKind::Police {
        return Err(unknown());
    }
    let key = state
        .store
        .current_unit_key(unit.id)
        .await?
        .ok_or(ApiError::CaseRefused("tip-transfer-no-key"))?;
    let target = TransferTarget {
        code: unit.code.to_string(),
        name: unit.name.to_string(),
        kid: key.kid,
        public: key.public_key,
    };
    Ok((unit, target))
}

/// Transfers `tip` from `unit` to the unit at `to`: `wrapped` is the report key wrapped in the
/// officer's browser to the receiving unit's current key. Unless `keep`, the sending unit's
/// wraps leave the envelope and the unit leaves the tip's list.
pub(crate) async fn transfer(
    state: &Kernel,
    unit: &Agency,
    by: CaseActor,
    tip: &Tip,
    to: &str,
    keep: bool,
    wrapped: &Value,
) -> Result<Agency, ApiError> {
    if !tip.summary.status.is_open() {
        return Err(ApiError::CaseRefused("tip-case-closed"));
    }
    let (target, key) = transfer_target(state, to).await?;
    if target.id == unit.id {
        return Err(ApiError::BadTip { code: "tip-transfer-same", field: "to" });
    }
    let kid = wire::check_wrapped(wrapped)?;
    if kid != key.kid {
        return Err(ApiError::BadTip { code: "tip-transfer-stale-key", field: "wrapped" });
    }
    let mut envelope: Value =
        serde_json::from_str(&tip.envelope).map_err(|e| ApiError::Internal(e.into()))?;
    let own: Vec<String> =
        state.store.unit_keys(unit.id).await?.into_iter().map(|k| k.kid).collect();
    let Some(recipients) = envelope.get_mut("recipients").and_then(Value::as_array_mut) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "tip {} has no recipients",
            tip.summary.id.0
        )));
    };
    recipients.retain(|r| {
        let k = r.get("kid").and_then(Value::as_str).unwrap_or("");
        k != kid && (keep || !own.iter().any(|o| o == k))
    });
    recipients.push(wrapped.clone());
    if recipients.len() > MAX_RECIPIENTS {
        return Err(ApiError::CaseRefused("tip-transfer-too-many"));
    }
    let transfer =
        TipTransfer { tip: tip.summary.id, to: target.id, keep, envelope: envelope.to_string() };
    state.store.transfer_tip(&transfer, by).await.map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::CaseRefused("tip-transfer-already"),
        other => other.into(),
    })?;
    Ok(target)
}

/// One step of a case as officers see it.
#[derive(Debug, Serialize)]
pub(crate) struct EventView {
    pub(crate) at: String,
    pub(crate) kind: TipEventKind,
    pub(crate) unit: Option<String>,
    pub(crate) officer: Option<String>,
    pub(crate) detail: Value,
}

/// One step of a case as the reporter sees it: what changed and when, and the unit it moved
/// to; never who did it.
#[derive(Debug, Serialize)]
pub(crate) struct ReporterEvent {
    pub(crate) at: String,
    pub(crate) kind: TipEventKind,
    pub(crate) status: Option<String>,
    pub(crate) closing: Option<String>,
    pub(crate) deadline_at: Option<String>,
    pub(crate) to_unit: Option<String>,
}

/// Names of units and officers, looked up once each.
#[derive(Default)]
pub(crate) struct Names {
    units: std::collections::HashMap<i64, String>,
    staff: std::collections::HashMap<i64, String>,
}

impl Names {
    pub(crate) async fn unit(&mut self, state: &Kernel, id: i64) -> Result<String, ApiError> {
        if let Some(n) = self.units.get(&id) {
            return Ok(n.clone());
        }
        let name = state
            .store
            .agency(ketnoi_core::AgencyId(id))
            .await?
            .map_or_else(|| format!("#{id}"), |a| a.name.to_string());
        self.units.insert(id, name.clone());
        Ok(name)
    }

    pub(crate) async fn staff(&mut self, state: &Kernel, id: i64) -> Result<String, ApiError> {
        if let Some(n) = self.staff.get(&id) {
            return Ok(n.clone());
        }
        let name = state
            .store
            .staff(StaffId(id))
            .await?
            .map_or_else(|| format!("#{id}"), |s| s.display_name.to_string());
        self.staff.insert(id, name.clone());
        Ok(name)
    }
}

/// A case's history for its officers: every step, with unit and officer names.
pub(crate) async fn officer_events(
    state: &Kernel,
    events: &[TipEvent],
) -> Result<Vec<EventView>, ApiError> {
    let mut names = Names::default();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let mut detail = e.detail.clone();
        if let Some(to) = e.detail.get("to_unit").and_then(Value::as_i64) {
            detail["to_unit_name"] = names.unit(state, to).await?.into();
        }
        if let Some(who) = e.detail.get("assignee").and_then(Value::as_i64) {
            detail["assignee_name"] = names.staff(state, who).await?.into();
        }
        out.push(EventView {
            at: e.at.rfc3339(),
            kind: e.kind,
            unit: match e.agency {
                Some(a) => Some(names.unit(state, a.0).await?),
                None => None,
            },
            officer: match e.staff {
                Some(s) => Some(names.staff(state, s.0).await?),
                None => None,
            },
            detail,
        });
    }
    Ok(out)
}

/// A case's history for its reporter: status changes, approved extensions and transfers.
pub(crate) async fn reporter_events(
    state: &Kernel,
    events: &[TipEvent],
) -> Result<Vec<ReporterEvent>, ApiError> {
    let mut names = Names::default();
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e.kind.shown_to_reporter()) {
        let text = |k: &str| e.detail.get(k).and_then(Value::as_str).map(str::to_owned);
        out.push(ReporterEvent {
            at: e.at.rfc3339(),
            kind: e.kind,
            status: text("to"),
            closing: text("closing"),
            deadline_at: e
                .detail
                .get("deadline_at")
                .and_then(Value::as_i64)
                .map(|ms| Timestamp(ms).rfc3339()),
            to_unit: match e.detail.get("to_unit").and_then(Value::as_i64) {
                Some(u) => Some(names.unit(state, u).await?),
                None => None,
            },
        });
    }
    Ok(out)
}
