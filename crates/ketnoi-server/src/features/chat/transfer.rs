//! Handing a conversation over to another account: to another account of the same agency
//! (transfer), up to an account of an agency above (escalation: a commune's question that only
//! the province can settle), or back down to an account of an agency below. The API route, the
//! conversation page's form and history, and the rules.
//!
//! Whoever may handle the conversation may hand it over, in the directions the policy table
//! gives their role on the agency that holds it ([`Action::TransferConversations`],
//! [`Action::EscalateConversations`], [`Action::ReturnConversations`]); anywhere else, and to
//! an account unrelated to it in the agency tree, is refused with 422 and nothing changes. The
//! receiving side sees the whole history; the citizen sees a system message naming where the
//! conversation went and goes on writing in the same conversation; the sending side keeps
//! reading it if the officer chose so; the handover is recorded with the officer's note to the
//! receiving side, which the citizen never sees.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use ketnoi_core::{
    Account, AgencyId, Content, Conversation, Timestamp, TransferKind, policy::Action,
};
use ketnoi_store::{ChatApplied, ChatWrite, Transfer};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    features::chat::{
        assign::{assign_access, next_in_turn},
        service::{ChatState, refused},
        views::{Audience, ConversationView},
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path},
        pages::{PageForm, Viewer, encode},
        state::Kernel,
        views::ProblemView,
    },
};

/// Where a conversation may be handed over and where it has been (staff pages only).
pub(crate) struct TransferPanel {
    /// Where the form posts.
    pub(crate) action: String,
    /// `(group label, [(account slug, name)])`; empty when the viewer may not hand it over.
    pub(crate) options: Vec<(String, Vec<(String, String)>)>,
    /// Every handover so far, oldest first.
    pub(crate) history: Vec<TransferRow>,
    /// The longest note to the receiving side.
    pub(crate) max_reason: usize,
}

/// One handover, as the officers' page lists it.
pub(crate) struct TransferRow {
    /// "Chuyển", "Chuyển lên", "Chuyển về".
    pub(crate) what: String,
    pub(crate) from: String,
    pub(crate) to: String,
    /// The officer who did it, or empty.
    pub(crate) who: String,
    pub(crate) time: String,
    /// Their note to the receiving side.
    pub(crate) reason: String,
}

/// The longest note an officer may leave for the receiving side.
pub(crate) const MAX_REASON_CHARS: usize = 500;

/// The direction from an account held by an agency (its ancestry, itself first) to another
/// account: across the same agency, up to an agency above, down to one below; `None` when the
/// two agencies are not in one line of the tree.
fn direction(from: &[AgencyId], to: &[AgencyId]) -> Option<TransferKind> {
    let (own, target) = (from.first()?, to.first()?);
    if own == target {
        Some(TransferKind::Transfer)
    } else if from[1..].contains(target) {
        Some(TransferKind::Escalate)
    } else if to[1..].contains(own) {
        Some(TransferKind::Return)
    } else {
        None
    }
}

/// The policy action a direction needs.
fn action_of(kind: TransferKind) -> Action {
    match kind {
        TransferKind::Transfer => Action::TransferConversations,
        TransferKind::Escalate => Action::EscalateConversations,
        TransferKind::Return => Action::ReturnConversations,
    }
}

/// Which way the caller would send a conversation held by `from` to `to`, if they may.
async fn allowed(
    state: &Kernel,
    caller: &Caller,
    from: &Account,
    to: &Account,
) -> Result<TransferKind, ApiError> {
    if from.id == to.id {
        return Err(ApiError::Unprocessable("transfer-already-there"));
    }
    let up = state.store.agency_ancestry(from.agency).await?;
    let target_up = state.store.agency_ancestry(to.agency).await?;
    match direction(&up, &target_up) {
        Some(kind) if caller.may(action_of(kind), Some(&up)) => Ok(kind),
        _ => Err(ApiError::Unprocessable("transfer-not-allowed")),
    }
}

/// The officer's note to the receiving side: trimmed, NFC, at most [`MAX_REASON_CHARS`].
fn reason(raw: &str) -> Result<String, ApiError> {
    let text = ketnoi_text::nfc(raw.trim());
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::Unprocessable("transfer-reason-too-long"));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        return Err(ketnoi_core::InvalidInput::ControlCharacter { field: "reason" }.into());
    }
    Ok(text)
}

/// What the citizen reads: where their conversation went. In Vietnamese, as the account's own
/// messages are.
fn notice(kind: TransferKind, to: &Account) -> Result<Content, ApiError> {
    let name = &to.display_name;
    let text = match kind {
        TransferKind::Transfer => format!(
            "Cuộc trò chuyện đã được chuyển đến {name}. Cán bộ của {name} sẽ trả lời bạn tại đây."
        ),
        TransferKind::Escalate => format!(
            "Câu hỏi của bạn đã được chuyển lên {name} để giải quyết. Cán bộ của {name} sẽ trả \
             lời bạn tại đây."
        ),
        TransferKind::Return => format!(
            "Cuộc trò chuyện đã được chuyển về {name}. Cán bộ của {name} sẽ trả lời bạn tại đây."
        ),
    };
    Ok(Content::system(&text)?)
}

/// Hands `conversation` (held by `from`) over to `to`. The caller must already be someone who
/// may handle it (see [`assign_access`]).
pub(crate) async fn hand_over(
    state: &ChatState,
    caller: &Caller,
    conversation: &Conversation,
    from: &Account,
    to: &Account,
    note: &str,
    keep_read: bool,
) -> Result<Conversation, ApiError> {
    let kind = allowed(state, caller, from, to).await?;
    let reason = reason(note)?;
    let write = ChatWrite::Transfer(Transfer {
        conversation: conversation.id,
        to: to.id,
        kind,
        by: caller.staff_id(),
        reason,
        keep_read,
        notice: notice(kind, to)?,
        assignee: next_in_turn(state, to).await?,
        at: Timestamp::now(),
    });
    match state.chat.write(write).await? {
        Ok(ChatApplied::Transferred { conversation, .. }) => Ok(conversation),
        Ok(_) => Err(ApiError::Internal(anyhow::anyhow!("a handover answered as something else"))),
        Err(refusal) => Err(refused(refusal)),
    }
}

/// The account to send a conversation to, by slug; an unknown one is not a place it may go.
async fn target(state: &Kernel, slug: &str) -> Result<Account, ApiError> {
    let not_allowed = || ApiError::Unprocessable("transfer-not-allowed");
    let slug = ketnoi_core::Slug::parse(slug.trim()).map_err(|_| not_allowed())?;
    state.store.account_by_slug(&slug).await?.ok_or_else(not_allowed)
}

/// Where to hand a conversation over.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TransferRequest {
    /// The receiving account's slug: another account of the same agency, an account of an
    /// agency above, or of one below.
    account: String,
    /// Whether the sending side keeps reading the conversation (default: yes).
    #[serde(default = "yes")]
    keep_read: bool,
    /// A note to the receiving side (at most 500 characters); the citizen never sees it.
    #[serde(default)]
    reason: String,
}

fn yes() -> bool {
    true
}

/// Hands a conversation over to another account of the same agency, up to an account of an
/// agency above, or down to one below, as the caller's role allows; for anyone who may handle
/// it. The receiving account's inbox holds it from then on, waiting for a person; the citizen
/// gets a system message naming where it went.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "conversations",
    request_body = TransferRequest, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, description = "The conversation, with its new `handler`", body = ConversationView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not handle it", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Not an account the caller may send it to, already there, or the note too long", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn transfer(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<TransferRequest>,
) -> Result<Json<ConversationView>, ApiError> {
    let (conversation, from) = assign_access(&state, &caller, id).await?;
    let to = target(&state, &body.account).await?;
    let done =
        hand_over(&state, &caller, &conversation, &from, &to, &body.reason, body.keep_read).await?;
    Ok(Json(ConversationView::new(&done, Audience::Staff)))
}

/// The transfer form as posted.
#[derive(Debug, Deserialize)]
pub(crate) struct TransferForm {
    csrf: Option<String>,
    #[serde(default)]
    account: String,
    /// A checkbox: present when ticked.
    keep_read: Option<String>,
    #[serde(default)]
    reason: String,
}

/// Hands over from the conversation page, then goes to the sending inbox with a notice (the
/// officer may no longer handle the conversation).
pub(crate) async fn transfer_page(
    viewer: Viewer<ChatState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    PageForm(form): PageForm<TransferForm>,
) -> Response {
    let back = format!("/console/c/{id}");
    if let Some(stop) = viewer.stop_form(true, &back, form.csrf.as_deref()) {
        return stop;
    }
    let result = async {
        let (conversation, from) = assign_access(&viewer.state, &viewer.caller, id).await?;
        let to = target(&viewer.state, &form.account).await?;
        let keep = form.keep_read.is_some();
        hand_over(&viewer.state, &viewer.caller, &conversation, &from, &to, &form.reason, keep)
            .await?;
        Ok::<_, ApiError>(from)
    };
    match result.await {
        Ok(from) => Redirect::to(&format!(
            "/console/a/{}/inbox?done=transferred",
            encode(from.slug.as_str())
        ))
        .into_response(),
        Err(e) => viewer.fail(e),
    }
}

/// The conversation page's handover section: where the viewer may send it (for those who may
/// handle it) and where it has been (for every officer who sees the page).
pub(crate) async fn panel(
    viewer: &Viewer<ChatState>,
    conversation: &Conversation,
    holder: &Account,
    can_reply: bool,
) -> Result<TransferPanel, ApiError> {
    let store = &viewer.state.store;
    let t = viewer.t();
    let mut names = std::collections::HashMap::new();
    let mut name_of = async |id: ketnoi_core::AccountId| -> Result<String, ApiError> {
        if let Some(name) = names.get(&id) {
            return Ok(String::clone(name));
        }
        let name = store.account(id).await?.map(|a| a.display_name).unwrap_or_default();
        names.insert(id, name.clone());
        Ok(name)
    };
    let records = store.transfers(conversation.id).await?;
    let mut history = Vec::with_capacity(records.len());
    for r in &records {
        let who = match r.by {
            Some(staff) => store.staff(staff).await?.map(|s| s.display_name.to_string()),
            None => None,
        };
        history.push(TransferRow {
            what: t.get(&format!("chat-transfer-did-{}", r.kind.as_str())),
            from: name_of(r.from).await?,
            to: name_of(r.to).await?,
            who: who.unwrap_or_default(),
            time: r.at.display_vn(),
            reason: r.reason.clone(),
        });
    }
    let options =
        if can_reply { options(viewer, conversation, holder, &records).await? } else { Vec::new() };
    Ok(TransferPanel {
        action: format!("/console/c/{}/transfer", conversation.id.0),
        options,
        history,
        max_reason: MAX_REASON_CHARS,
    })
}

/// The drop-down's choices, `(group label, [(slug, name)])`: the other accounts of the holding
/// agency, those of the agencies above, and the accounts below that the conversation came
/// through, each group only where the viewer's role allows that direction.
async fn options(
    viewer: &Viewer<ChatState>,
    conversation: &Conversation,
    holder: &Account,
    records: &[ketnoi_store::TransferRecord],
) -> Result<Vec<(String, Vec<(String, String)>)>, ApiError> {
    let store = &viewer.state.store;
    let t = viewer.t();
    let up = store.agency_ancestry(holder.agency).await?;
    let may = |kind| viewer.caller.may(action_of(kind), Some(&up));
    let mut groups = Vec::new();
    let listed = |accounts: Vec<Account>| -> Vec<(String, String)> {
        accounts
            .into_iter()
            .filter(|a| a.id != holder.id)
            .map(|a| (a.slug.to_string(), a.display_name))
            .collect()
    };
    if may(TransferKind::Transfer) {
        let same = listed(store.accounts_of_agencies(&up[..1]).await?);
        groups.push((t.get("chat-transfer-group-transfer"), same));
    }
    if may(TransferKind::Escalate) && up.len() > 1 {
        let above = listed(store.accounts_of_agencies(&up[1..]).await?);
        groups.push((t.get("chat-transfer-group-escalate"), above));
    }
    if may(TransferKind::Return) {
        let mut below = Vec::new();
        let came = records.iter().map(|r| r.from).chain([conversation.account]);
        for id in came {
            if id == holder.id || below.iter().any(|a: &Account| a.id == id) {
                continue;
            }
            if let Some(account) = store.account(id).await?
                && direction(&up, &store.agency_ancestry(account.agency).await?)
                    == Some(TransferKind::Return)
            {
                below.push(account);
            }
        }
        groups.push((t.get("chat-transfer-group-return"), listed(below)));
    }
    groups.retain(|(_, accounts)| !accounts.is_empty());
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(ids: &[i64]) -> Vec<AgencyId> {
        ids.iter().copied().map(AgencyId).collect()
    }

    #[test]
    fn directions_follow_one_line_of_the_agency_tree() {
        // Province 1 → district 2 → commune 3; another district 4 under the province.
        let commune = up(&[3, 2, 1]);
        assert_eq!(direction(&commune, &up(&[3, 2, 1])), Some(TransferKind::Transfer));
        assert_eq!(direction(&commune, &up(&[1])), Some(TransferKind::Escalate));
        assert_eq!(direction(&commune, &up(&[2, 1])), Some(TransferKind::Escalate));
        assert_eq!(direction(&up(&[1]), &commune), Some(TransferKind::Return));
        assert_eq!(direction(&up(&[2, 1]), &commune), Some(TransferKind::Return));
        assert_eq!(direction(&commune, &up(&[4, 1])), None, "a cousin is not above nor below");
        assert_eq!(direction(&up(&[4, 1]), &up(&[9])), None, "another tree");
        assert_eq!(direction(&[], &commune), None);
    }

    #[test]
    fn a_note_to_the_receiving_side_has_a_limit() {
        assert_eq!(
            reason("  Thuộc thẩm quyền cấp tỉnh ").ok().as_deref(),
            Some("Thuộc thẩm quyền cấp tỉnh")
        );
        assert!(reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(matches!(
            reason(&"x".repeat(MAX_REASON_CHARS + 1)),
            Err(ApiError::Unprocessable("transfer-reason-too-long"))
        ));
        assert!(reason("a\u{7}b").is_err());
    }
}
