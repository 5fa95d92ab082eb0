//! Response times: each account's working week and response target ("answer within 4 working
//! hours"), the figures of one conversation in working time (first response, resolution, how
//! long the citizen has been waiting and until when), which conversations are overdue, and the
//! inbox settings (with automatic assignment) in the API and on the inbox page.
//!
//! A conversation is overdue when its citizen has been waiting (since their first unanswered
//! message, the bot's hand-off or a handover) for longer than the target, counted in the
//! account's working hours. Since working time only grows with the wait, "waiting longer than
//! the target" is "waiting since before one instant": the target counted back from now through
//! the working week; the store lists and counts against that instant.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use ketnoi_core::{Account, Conversation, OfficeHours, Timestamp, policy::Action};
use ketnoi_store::InboxSettings;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    features::chat::service::ChatState,
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path},
        pages::{PageForm, Tr, Viewer, encode},
        state::Kernel,
        views::ProblemView,
    },
};

const MINUTE: i64 = 60_000;
/// The response target's bounds, in working minutes: five minutes to two working weeks.
const TARGET_MINUTES: std::ops::RangeInclusive<i64> = 5..=4_500;

/// An account's inbox settings.
pub(crate) async fn settings(state: &Kernel, account: &Account) -> Result<InboxSettings, ApiError> {
    Ok(state.store.inbox_settings(account.id).await?.unwrap_or_default())
}

/// Conversations of the inbox waiting since before this instant are overdue at `now`.
pub(crate) fn overdue_cutoff(settings: &InboxSettings, now: Timestamp) -> Timestamp {
    settings.office_hours.back(now, settings.response_target_minutes * MINUTE)
}

/// A conversation's response figures, in working milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Figures {
    /// From the conversation's start to the first answer by an officer.
    pub(crate) first_response: Option<i64>,
    /// From the start to when it was settled (closed).
    pub(crate) resolution: Option<i64>,
    /// How long the citizen has been waiting, and by when they should be answered.
    pub(crate) waiting: Option<(i64, Timestamp)>,
    /// Waiting longer than the target.
    pub(crate) overdue: bool,
}

/// The figures of a conversation at `now` under an account's settings.
pub(crate) fn figures(c: &Conversation, settings: &InboxSettings, now: Timestamp) -> Figures {
    let week = &settings.office_hours;
    let target = settings.response_target_minutes * MINUTE;
    let waiting =
        c.waiting_since.map(|since| (week.working_millis(since, now), week.forward(since, target)));
    Figures {
        first_response: c.first_response_at.map(|at| week.working_millis(c.created_at, at)),
        resolution: c.resolved_at.map(|at| week.working_millis(c.created_at, at)),
        overdue: waiting.is_some_and(|(waited, _)| waited > target),
        waiting,
    }
}

/// A span of working time as people say it: "2 giờ 15 phút", "under a minute".
pub(crate) fn spoken(t: &Tr, millis: i64) -> String {
    let minutes = millis / MINUTE;
    match (minutes / 60, minutes % 60) {
        (0, 0) => t.get("response-under-minute"),
        (0, m) => t.count("response-minutes", m),
        (h, 0) => t.count("response-hours", h),
        (h, m) => format!("{} {}", t.count("response-hours", h), t.count("response-minutes", m)),
    }
}

/// A conversation's response figures, as its officers' page shows them.
pub(crate) struct ResponsePanel {
    /// Which office hours they are counted in.
    pub(crate) note: String,
    /// `(label, value, overdue)`.
    pub(crate) rows: Vec<(String, String, bool)>,
}

/// The response panel of a conversation at `now`.
pub(crate) fn panel(
    t: &Tr,
    c: &Conversation,
    settings: &InboxSettings,
    now: Timestamp,
) -> ResponsePanel {
    let f = figures(c, settings, now);
    let or_none = |m: Option<i64>| m.map_or_else(|| t.get("response-none"), |m| spoken(t, m));
    let mut rows = vec![
        (t.get("response-first"), or_none(f.first_response), false),
        (t.get("response-resolution"), or_none(f.resolution), false),
    ];
    if let Some((waited, due)) = f.waiting {
        rows.push((t.get("response-waiting"), spoken(t, waited), f.overdue));
        let mut when = due.display_vn();
        if f.overdue {
            when = format!("{when} ({})", t.get("response-overdue"));
        }
        rows.push((t.get("response-due"), when, f.overdue));
    }
    ResponsePanel { note: t.with("response-note", "hours", &settings.office_hours.to_text()), rows }
}

/// A conversation's response figures, as the API gives them to officers.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ResponseView {
    /// Working minutes from the start to the first answer by an officer, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_response_minutes: Option<i64>,
    /// Working minutes from the start to when it was closed, once it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_minutes: Option<i64>,
    /// Working minutes the citizen has been waiting, while they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_minutes: Option<i64>,
    /// When the waiting citizen should be answered by (RFC 3339), while they wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    due_at: Option<String>,
    /// Waiting longer than the account's response target.
    overdue: bool,
}

impl From<&Figures> for ResponseView {
    fn from(f: &Figures) -> Self {
        Self {
            first_response_minutes: f.first_response.map(|m| m / MINUTE),
            resolution_minutes: f.resolution.map(|m| m / MINUTE),
            waiting_minutes: f.waiting.map(|(m, _)| m / MINUTE),
            due_at: f.waiting.map(|(_, due)| due.rfc3339()),
            overdue: f.overdue,
        }
    }
}

/// How an account's inbox works, as the API shows and takes it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InboxSettingsView {
    /// Conversations needing a person go in turn to the officers on duty.
    auto_assign: bool,
    /// The working week in Vietnam time, e.g. `T2-T6 07:30-11:30, 13:30-17:00; T7 07:30-11:30`
    /// (`Mon`…`Sun` also read); empty for the civil service's hours.
    office_hours: String,
    /// How soon a waiting citizen should be answered, in working minutes (5–4,500).
    response_target_minutes: i64,
}

impl From<&InboxSettings> for InboxSettingsView {
    fn from(s: &InboxSettings) -> Self {
        Self {
            auto_assign: s.auto_assign,
            office_hours: s.office_hours.to_text(),
            response_target_minutes: s.response_target_minutes,
        }
    }
}

impl InboxSettingsView {
    /// The settings, checked.
    fn parse(&self) -> Result<InboxSettings, ApiError> {
        if !TARGET_MINUTES.contains(&self.response_target_minutes) {
            return Err(ApiError::Unprocessable("invalid-response-target"));
        }
        Ok(InboxSettings {
            auto_assign: self.auto_assign,
            office_hours: OfficeHours::parse(&self.office_hours)?,
            response_target_minutes: self.response_target_minutes,
        })
    }
}

/// The account, if the caller may change its inbox settings ([`Action::EditAccount`]).
async fn editable(state: &Kernel, caller: &Caller, slug: &str) -> Result<Account, ApiError> {
    let account = state.account(slug).await?;
    let up = state.store.agency_ancestry(account.agency).await?;
    caller.require(Action::EditAccount, Some(&up))?;
    Ok(account)
}

/// How an account's inbox works: automatic assignment, working week, response target; for
/// those who may edit the account.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/inbox-settings", tag = "conversations",
    security(("bearer" = [])), params(("slug" = String, Path, description = "The account")),
    responses((status = 200, body = InboxSettingsView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_settings(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<InboxSettingsView>, ApiError> {
    let account = editable(&state, &caller, &slug).await?;
    Ok(Json(InboxSettingsView::from(&settings(&state, &account).await?)))
}

/// Changes how an account's inbox works; for those who may edit the account.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/inbox-settings", tag = "conversations",
    request_body = InboxSettingsView, security(("bearer" = [])),
    params(("slug" = String, Path, description = "The account")),
    responses((status = 200, body = InboxSettingsView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Office hours unreadable or the target out of bounds", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_settings(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
    extract::Json(body): extract::Json<InboxSettingsView>,
) -> Result<Json<InboxSettingsView>, ApiError> {
    let account = editable(&state, &caller, &slug).await?;
    let settings = body.parse()?;
    state.store.set_inbox_settings(account.id, &settings).await?;
    Ok(Json(InboxSettingsView::from(&settings)))
}

/// The inbox settings form as posted.
#[derive(Debug, Deserialize)]
pub(crate) struct SettingsForm {
    csrf: Option<String>,
    #[serde(default)]
    auto: String,
    #[serde(default)]
    office_hours: String,
    #[serde(default)]
    target: String,
}

/// Saves the inbox settings from the inbox page, then goes back to it.
pub(crate) async fn settings_page(
    viewer: Viewer<ChatState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    PageForm(form): PageForm<SettingsForm>,
) -> Response {
    let back = format!("/console/a/{}/inbox", encode(&slug));
    if let Some(stop) = viewer.stop_form(true, &back, form.csrf.as_deref()) {
        return stop;
    }
    let result = async {
        let account = editable(&viewer.state, &viewer.caller, &slug).await?;
        let auto_assign = match form.auto.as_str() {
            "on" => true,
            "off" => false,
            _ => {
                return Err(ketnoi_core::InvalidInput::Choice {
                    field: "auto",
                    choices: "on, off",
                }
                .into());
            }
        };
        let response_target_minutes = form
            .target
            .trim()
            .parse()
            .map_err(|_| ApiError::Unprocessable("invalid-response-target"))?;
        let view = InboxSettingsView {
            auto_assign,
            office_hours: form.office_hours.clone(),
            response_target_minutes,
        };
        let settings = view.parse()?;
        Ok(viewer.state.store.set_inbox_settings(account.id, &settings).await?)
    };
    match result.await {
        Ok(()) => Redirect::to(&format!("{back}?done=settings")).into_response(),
        Err(e) => viewer.fail(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-30 00:00 in Vietnam, a Monday, plus days and hours.
    fn vn(day: i64, hour: i64, minute: i64) -> Timestamp {
        Timestamp(
            1_795_996_800_000 - 7 * 3_600_000
                + day * 86_400_000
                + hour * 3_600_000
                + minute * MINUTE,
        )
    }

    fn conversation(created: Timestamp) -> Conversation {
        Conversation {
            id: ketnoi_core::ConversationId(1),
            account: ketnoi_core::AccountId(1),
            handler: ketnoi_core::AccountId(1),
            citizen: ketnoi_core::CitizenId(1),
            citizen_label: String::new(),
            status: ketnoi_core::ConversationStatus::Open,
            bot: ketnoi_core::BotState::Waiting,
            last_seq: 1,
            last_message_at: created,
            preview: String::new(),
            citizen_read_seq: 1,
            account_read_seq: 0,
            citizen_unread: 0,
            account_unread: 1,
            assignee: None,
            waiting_since: Some(created),
            first_response_at: None,
            resolved_at: None,
            created_at: created,
        }
    }

    #[test]
    fn figures_count_working_time_across_nights_and_weekends() {
        let settings = InboxSettings::default();
        // Asked on Friday at 16:00; the four-hour target falls on Monday at 10:30.
        let asked = vn(4, 16, 0);
        let mut c = conversation(asked);
        let monday_10 = vn(7, 10, 0);
        let f = figures(&c, &settings, monday_10);
        assert_eq!(f.waiting, Some((210 * MINUTE, vn(7, 10, 30))));
        assert!(!f.overdue, "three and a half working hours");
        let f = figures(&c, &settings, vn(7, 10, 31));
        assert!(f.overdue);
        // The same as the store's cut-off: waiting since before it.
        assert!(asked < overdue_cutoff(&settings, vn(7, 10, 31)));
        assert!(asked >= overdue_cutoff(&settings, monday_10));
        // Answered on Monday at 08:00 (an hour on Friday, half an hour on Monday), closed on
        // Tuesday at 08:00 (an hour on Friday, seven and a half on Monday, half an hour on
        // Tuesday).
        c.waiting_since = None;
        c.first_response_at = Some(vn(7, 8, 0));
        c.resolved_at = Some(vn(8, 8, 0));
        let f = figures(&c, &settings, vn(8, 9, 0));
        assert_eq!((f.first_response, f.resolution), (Some(90 * MINUTE), Some(540 * MINUTE)));
        assert_eq!((f.waiting, f.overdue), (None, false));
    }

    #[test]
    fn settings_are_checked() {
        let view = |office: &str, target| InboxSettingsView {
            auto_assign: true,
            office_hours: office.to_owned(),
            response_target_minutes: target,
        };
        assert!(view("", 240).parse().is_ok());
        assert!(view("T2-T7 07:00-11:00", 5).parse().is_ok());
        assert!(matches!(
            view("", 4).parse(),
            Err(ApiError::Unprocessable("invalid-response-target"))
        ));
        assert!(matches!(view("", 4_501).parse(), Err(ApiError::Unprocessable(_))));
        assert!(view("cả tuần", 240).parse().is_err());
    }
}
