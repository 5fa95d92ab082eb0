//! A tip's case on the unit's tip page: where it stands, its deadline, the officer in charge,
//! extensions and the history, with plain forms that work without JavaScript for every step
//! that needs no key (status, assignment, extensions). Notes and transfers need the report key
//! and happen in the browser (`tips.js`).

use axum::{
    Router,
    extract::Path,
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use ketnoi_core::{Agency, ExtensionReason, StaffId, Timestamp, TipClosing, TipStatus};
use ketnoi_store::{ExtensionState, Tip, TipEventKind};
use serde_json::Value;

use crate::{
    features::tips::{
        case::{self, EventView},
        pages::inbox_path,
        service::TipsState,
        unit_api,
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        pages::{PageForm, Tr, Viewer},
    },
};

pub(crate) fn router() -> Router<TipsState> {
    Router::new()
        .route("/console/don-vi/{code}/tin-bao/{id}/trang-thai", post(set_status))
        .route("/console/don-vi/{code}/tin-bao/{id}/phu-trach", post(set_assignee))
        .route("/console/don-vi/{code}/tin-bao/{id}/gia-han", post(request_extension))
        .route("/console/don-vi/{code}/tin-bao/{id}/gia-han/{extension}", post(decide_extension))
}

/// A choice in a form's list.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// One step of the history as the page shows it.
pub(crate) struct HistoryRow {
    pub(crate) at: String,
    pub(crate) who: String,
    pub(crate) what: String,
}

/// The extension waiting for a second officer.
pub(crate) struct PendingExtension {
    pub(crate) text: String,
    pub(crate) action: String,
    /// Whether the viewer may decide it (they did not ask for it).
    pub(crate) may_decide: bool,
}

/// The case panel of the tip page.
pub(crate) struct CasePanel {
    pub(crate) status: String,
    pub(crate) status_word: String,
    pub(crate) deadline: String,
    pub(crate) overdue: bool,
    pub(crate) closing: Option<String>,
    pub(crate) assignee: String,
    pub(crate) status_action: String,
    pub(crate) next: Vec<Choice>,
    pub(crate) may_close: bool,
    pub(crate) closings: Vec<Choice>,
    pub(crate) assign_action: String,
    pub(crate) handlers: Vec<Choice>,
    pub(crate) open: bool,
    pub(crate) pending: Option<PendingExtension>,
    pub(crate) extension_action: String,
    pub(crate) extension_allowed: Option<u32>,
    pub(crate) extension_reasons: Vec<Choice>,
    pub(crate) history: Vec<HistoryRow>,
}

fn status_label(t: &Tr, s: &str) -> String {
    t.get(&format!("tip-status-{s}"))
}

/// What a step of the history says, in the page's language.
fn describe(t: &Tr, e: &EventView) -> String {
    let d = &e.detail;
    let text = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    match e.kind {
        TipEventKind::Status => {
            let mut line = t.with("tip-event-status", "status", &status_label(t, &text("to")));
            if let Some(c) = d.get("closing").and_then(Value::as_str) {
                line = format!("{line} — {}", t.get(&format!("tip-closing-{c}")));
            }
            line
        }
        TipEventKind::Assigned => match d.get("assignee_name").and_then(Value::as_str) {
            Some(name) => t.with("tip-event-assigned", "name", name),
            None => t.get("tip-event-unassigned"),
        },
        TipEventKind::ExtensionRequested => t.with_count(
            "tip-event-extension-requested",
            "reason",
            &t.get(&format!("tip-extension-reason-{}", text("reason"))),
            d.get("days").and_then(Value::as_i64).unwrap_or(0),
        ),
        TipEventKind::ExtensionApproved => t.with(
            "tip-event-extension-approved",
            "deadline",
            &d.get("deadline_at")
                .and_then(Value::as_i64)
                .map_or_else(String::new, |ms| Timestamp(ms).display_vn()),
        ),
        TipEventKind::ExtensionRefused => t.get("tip-event-extension-refused"),
        TipEventKind::Transferred => {
            let line = t.with("tip-event-transferred", "unit", &text("to_unit_name"));
            if d.get("kept").and_then(Value::as_bool) == Some(true) {
                format!("{line} {}", t.get("tip-event-transfer-kept"))
            } else {
                line
            }
        }
    }
}

/// Builds the case panel for the tip page.
pub(crate) async fn panel(
    viewer: &Viewer<TipsState>,
    unit: &Agency,
    tip: &Tip,
) -> Result<CasePanel, ApiError> {
    let t = viewer.t();
    let state = &viewer.state;
    let s = &tip.summary;
    let me = unit_api::staff_id(&viewer.caller).ok();
    let handlers = case::handlers(state, unit).await?;
    let extensions = state.store.tip_extensions(s.id).await?;
    let events = state.store.tip_events(s.id).await?;
    let history = case::officer_events(state, &events).await?;
    let base = format!("{}/{}", inbox_path(unit.code.as_str()), s.id.0);
    let pending =
        extensions.iter().find(|e| e.state == ExtensionState::Pending).map(|e| PendingExtension {
            text: t.with_count(
                "tip-extension-pending-line",
                "reason",
                &t.get(&format!("tip-extension-reason-{}", e.reason)),
                i64::from(e.days),
            ),
            action: format!("{base}/gia-han/{}", e.id),
            may_decide: e.requested_by != me,
        });
    let assignee = s
        .assignee
        .and_then(|a| handlers.iter().find(|h| h.id == a))
        .map_or_else(|| t.get("tip-nobody"), |h| h.display_name.to_string());
    let mut handler_choices = vec![Choice {
        value: String::new(),
        label: t.get("tip-nobody"),
        selected: s.assignee.is_none(),
    }];
    handler_choices.extend(handlers.iter().map(|h| Choice {
        value: h.id.0.to_string(),
        label: h.display_name.to_string(),
        selected: s.assignee == Some(h.id),
    }));
    Ok(CasePanel {
        status: status_label(&t, s.status.as_str()),
        status_word: s.status.as_str().to_owned(),
        deadline: s.deadline_at.display_vn(),
        overdue: s.overdue(Timestamp::now()),
        closing: s.closing.map(|c| t.get(&format!("tip-closing-{c}"))),
        assignee,
        status_action: format!("{base}/trang-thai"),
        next: s
            .status
            .next()
            .map(|n| Choice {
                value: n.as_str().to_owned(),
                label: status_label(&t, n.as_str()),
                selected: false,
            })
            .collect(),
        may_close: s.status.may_move_to(TipStatus::Closed),
        closings: TipClosing::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: t.get(&format!("tip-closing-{c}")),
                selected: false,
            })
            .collect(),
        assign_action: format!("{base}/phu-trach"),
        handlers: handler_choices,
        open: s.status.is_open(),
        pending,
        extension_action: format!("{base}/gia-han"),
        extension_allowed: case::extension_allowed(state, tip).await?,
        extension_reasons: ExtensionReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().to_owned(),
                label: t.get(&format!("tip-extension-reason-{r}")),
                selected: false,
            })
            .collect(),
        history: events
            .iter()
            .zip(history.iter())
            .map(|(raw, e)| HistoryRow {
                at: raw.at.display_vn(),
                who: match (&e.officer, &e.unit) {
                    (Some(o), Some(u)) => format!("{o} · {u}"),
                    (Some(o), None) => o.clone(),
                    (None, Some(u)) => u.clone(),
                    (None, None) => String::new(),
                },
                what: describe(&t, e),
            })
            .collect(),
    })
}

/// Runs a case step for a page form and goes back to the tip, or shows the refusal.
async fn step<F>(
    viewer: Viewer<TipsState>,
    code: String,
    id: i64,
    csrf: Option<&str>,
    work: F,
) -> Response
where
    F: AsyncFnOnce(
        &Viewer<TipsState>,
        &Agency,
        &Tip,
        ketnoi_store::CaseActor,
    ) -> Result<ketnoi_core::AuditAction, ApiError>,
{
    if let Err(e) = viewer.check_form(csrf) {
        return viewer.fail(e);
    }
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = async {
        let unit = unit_api::unit_for(&viewer.state, &viewer.caller, &code).await?;
        let tip = unit_api::unit_tip(&viewer.state, &unit, id).await?;
        let by = case::actor(&unit, unit_api::staff_id(&viewer.caller)?);
        let action = work(&viewer, &unit, &tip, by).await?;
        let object = format!("tip:{id}");
        crate::kernel::audit::record(
            &viewer.state,
            &viewer.caller,
            &viewer.request,
            action,
            &object,
            Some(unit.id),
        )
        .await?;
        Ok::<_, ApiError>(unit)
    };
    match done.await {
        Ok(unit) => {
            Redirect::to(&format!("{}/{id}", inbox_path(unit.code.as_str()))).into_response()
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, serde::Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: Option<String>,
    status: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    closing: Option<String>,
}

/// `POST …/tin-bao/{id}/trang-thai`: one step along the workflow.
async fn set_status(
    viewer: Viewer<TipsState>,
    Path((code, id)): Path<(String, i64)>,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    let csrf = f.csrf.clone();
    step(viewer, code, id, csrf.as_deref(), async move |v, _, tip, by| {
        let to: TipStatus = f.status.parse()?;
        let from = f.from.as_deref().filter(|s| !s.is_empty()).map(str::parse).transpose()?;
        let closing = match f.closing.as_deref().filter(|s| !s.is_empty()) {
            Some(c) if to == TipStatus::Closed => Some(c.parse::<TipClosing>()?),
            _ => None,
        };
        case::change_status(&v.state, by, tip, from, to, closing).await?;
        Ok(ketnoi_core::AuditAction::TipStatusChanged)
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
struct AssigneeForm {
    #[serde(default)]
    csrf: Option<String>,
    #[serde(default)]
    staff: String,
}

/// `POST …/tin-bao/{id}/phu-trach`: the officer in charge.
async fn set_assignee(
    viewer: Viewer<TipsState>,
    Path((code, id)): Path<(String, i64)>,
    PageForm(f): PageForm<AssigneeForm>,
) -> Response {
    let csrf = f.csrf.clone();
    step(viewer, code, id, csrf.as_deref(), async move |v, unit, tip, by| {
        let who = match f.staff.trim() {
            "" => None,
            n => Some(StaffId(n.parse().map_err(|_| ApiError::BadTip {
                code: "tip-assignee-not-handler",
                field: "staff",
            })?)),
        };
        case::assign(&v.state, unit, by, tip, who).await?;
        Ok(ketnoi_core::AuditAction::TipAssigned)
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
struct ExtensionForm {
    #[serde(default)]
    csrf: Option<String>,
    reason: String,
    days: String,
}

/// `POST …/tin-bao/{id}/gia-han`: asks for more time.
async fn request_extension(
    viewer: Viewer<TipsState>,
    Path((code, id)): Path<(String, i64)>,
    PageForm(f): PageForm<ExtensionForm>,
) -> Response {
    let csrf = f.csrf.clone();
    step(viewer, code, id, csrf.as_deref(), async move |v, _, tip, by| {
        let reason: ExtensionReason = f.reason.parse()?;
        let days = f.days.trim().parse::<i64>().unwrap_or(0);
        case::request_extension(&v.state, by, tip, reason, days).await?;
        Ok(ketnoi_core::AuditAction::TipExtensionRequested)
    })
    .await
}

#[derive(Debug, serde::Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf: Option<String>,
    decision: String,
}

/// `POST …/tin-bao/{id}/gia-han/{extension}`: approves or refuses it.
async fn decide_extension(
    viewer: Viewer<TipsState>,
    Path((code, id, extension)): Path<(String, i64, i64)>,
    PageForm(f): PageForm<DecisionForm>,
) -> Response {
    let csrf = f.csrf.clone();
    step(viewer, code, id, csrf.as_deref(), async move |v, _, tip, by| {
        let approve = match f.decision.as_str() {
            "approve" => true,
            "refuse" => false,
            _ => return Err(ApiError::BadTip { code: "tip-bad-decision", field: "decision" }),
        };
        case::decide_extension(&v.state, by, tip, extension, approve).await?;
        Ok(if approve {
            ketnoi_core::AuditAction::TipExtensionApproved
        } else {
            ketnoi_core::AuditAction::TipExtensionRefused
        })
    })
    .await
}
