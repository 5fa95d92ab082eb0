//! Conversation pages for officers: an account's inbox (open, closed, waiting for a person or
//! handled by the bot, assigned to the viewer or to nobody, with counts) and a conversation
//! with its reply form, close and reopen, its assignee and its internal notes.

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{
    Account, Author, Conversation, ConversationId, ConversationStatus, InvalidInput, Side,
    Timestamp,
};
use ketnoi_store::{ChatWrite, Recipient};
use serde::Deserialize;

use crate::{
    features::chat::{
        api::{inbox_cursor, inbox_query, parse_assignee},
        assign::{self, Handler},
        canned, labels,
        notes::{self, NOTES_SHOWN},
        pages::{
            AssignPanel, ChatPage, ConversationRow, NoteRow, NotesPanel, PAGE, ScriptTexts,
            bubbles, error_status, file_hint, fresh_client_id, history, inline, load_account,
            mark_read, older_link, read_form, send_form,
        },
        response,
        scope::{self as chat_scope, Access},
        service::{ChatState, check_not_stale},
        transfer,
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        pages::{Layout, PageForm, Viewer, Who, encode},
    },
};

pub(crate) fn router(max_upload: usize) -> Router<ChatState> {
    let limit = DefaultBodyLimit::max(max_upload + 64 * 1024);
    Router::new()
        .route("/console/a/{slug}/inbox", get(inbox))
        .route("/console/c/{id}", get(staff_chat))
        .route("/console/c/{id}/reply", post(staff_send).layer(limit))
        .route("/console/c/{id}/close", post(close))
        .route("/console/c/{id}/reopen", post(reopen))
        .route("/console/c/{id}/notes", post(add_note))
        .route("/console/c/{id}/assign", post(assign::assign_page))
        .route("/console/c/{id}/transfer", post(transfer::transfer_page))
        .route("/console/a/{slug}/inbox/duty", post(assign::duty_page))
        .route("/console/a/{slug}/inbox/settings", post(response::settings_page))
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    l: Layout,
    account_name: String,
    account_id: i64,
    inbox_seq: i64,
    base: String,
    status: &'static str,
    /// The account's bot is on: the open tab splits into "needs a person" and "the bot's".
    bot_on: bool,
    /// Showing the bot's conversations.
    bot_tab: bool,
    /// The visitor may curate the account's bot (the page links to it).
    manage_bot: bool,
    q: String,
    rows: Vec<ConversationRow>,
    next: Option<String>,
    error: Option<String>,
    /// The assignee view shown: `me`, `none`, or empty for every conversation.
    view: &'static str,
    /// How many the open (or needs-a-person) tab, the bot's tab, "assigned to me",
    /// "unassigned" and "overdue" list.
    counts: (i64, i64, i64, i64, i64),
    /// For an officer: whether they are away (the duty form), and where it posts.
    duty: Option<(bool, String)>,
    /// For those who may edit the account: its inbox settings (automatic assignment, office
    /// hours, response target in minutes) and where the form posts.
    settings: Option<(bool, String, i64, String)>,
    /// The viewer's staff id, for the live "assigned to me" view (0 for an integration).
    me: i64,
    notice: Option<String>,
    /// The label filter as typed, empty for none.
    label: String,
    /// The labels in use on the account's open conversations: `(href, label, count, current)`.
    label_chips: Vec<(String, String, i64, bool)>,
    /// Where the page is without the label filter, when one is on.
    clear_label: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct InboxParams {
    status: Option<String>,
    q: Option<String>,
    before: Option<String>,
    handler: Option<String>,
    /// `me` or `none`: the assignee view.
    assignee: Option<String>,
    /// `yes`: the overdue view.
    overdue: Option<String>,
    /// A label, with or without diacritics: only the conversations carrying it.
    label: Option<String>,
    /// What the post that redirected here did: `duty`, `settings`, `transferred`.
    done: Option<String>,
}

async fn inbox(
    viewer: Viewer<ChatState>,
    Path(slug): Path<String>,
    params: Result<Query<InboxParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let p = params.map(|Query(p)| p).unwrap_or_default();
    match inbox_page(&viewer, &slug, p).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn inbox_page(
    viewer: &Viewer<ChatState>,
    slug: &str,
    p: InboxParams,
) -> Result<InboxPage, ApiError> {
    let t = viewer.t();
    let account = load_account(viewer, slug).await?;
    chat_scope::account_access(&viewer.state, &viewer.caller, &account)
        .await?
        .ok_or(ApiError::Forbidden)?;
    let (inbox_seq, _) = viewer.state.store.inbox_bounds(account.id).await?;
    let base = format!("/console/a/{}/inbox", account.slug);
    let bot_on = viewer.state.store.bot_settings(account.id).await?.enabled;
    let ancestry = viewer.state.store.agency_ancestry(account.agency).await?;
    let manage_bot = viewer.caller.may(ketnoi_core::Action::ManageBot, Some(&ancestry));
    let me = viewer.caller.staff_id();
    // Three views here: the officer's own, the unassigned and the overdue; anything else is
    // all.
    let view = match (p.assignee.as_deref(), p.overdue.as_deref(), me) {
        (_, Some("yes"), _) => "overdue",
        (Some("me"), _, Some(_)) => "me",
        (Some("none"), _, _) => "none",
        _ => "",
    };
    let settings = response::settings(&viewer.state, &account).await?;
    let cutoff = response::overdue_cutoff(&settings, ketnoi_core::Timestamp::now());
    let bot_tab = bot_on && view.is_empty() && p.handler.as_deref() == Some("bot");
    let query =
        inbox_query(account.id, p.status.as_deref(), p.q.as_deref(), p.before.as_deref(), PAGE)
            .and_then(|mut q| {
                q.label = labels::filter_key(p.label.as_deref())?;
                Ok(q)
            });
    let (found, error, status) = match query {
        Ok(mut q) => {
            // With the bot on, the open tab lists what needs a person; the bot's own
            // conversations have their tab. "Assigned to me" lists all of the officer's.
            if bot_on && q.status == ConversationStatus::Open && view != "me" {
                q.bot = Some(bot_tab);
            }
            if view == "overdue" {
                q.waiting_before = Some(cutoff);
            } else {
                q.assignee = parse_assignee(Some(view), me)?;
            }
            (viewer.state.store.inbox(&q).await?, None, q.status)
        }
        Err(e) if inline(&e) => (Vec::new(), Some(viewer.message(&e)), ConversationStatus::Open),
        Err(e) => return Err(e),
    };
    let q = p.q.unwrap_or_default();
    let label = p.label.map(|l| l.trim().to_owned()).unwrap_or_default();
    // The page as it is, for the pager and the label links.
    let here = {
        let handler = if bot_tab { "&handler=bot" } else { "" };
        let view = match view {
            "" => String::new(),
            "overdue" => "&overdue=yes".to_owned(),
            other => format!("&assignee={other}"),
        };
        format!("{base}?status={}{handler}{view}&q={}", status.as_str(), encode(&q))
    };
    let next = (found.len() as i64 == PAGE)
        .then(|| found.last().map(inbox_cursor))
        .flatten()
        .map(|cursor| format!("{here}&label={}&before={cursor}", encode(&label)));
    let store = &viewer.state.store;
    let ids: Vec<ConversationId> = found.iter().map(|c| c.id).collect();
    let row_labels = store.labels_of(&ids).await?;
    let label_key = ketnoi_text::fold(&label);
    let label_chips = store
        .labels_in_use(account.id)
        .await?
        .into_iter()
        .map(|(l, n)| {
            let current = !label_key.is_empty() && l.key() == label_key;
            (format!("{here}&label={}", encode(l.as_str())), l.to_string(), n, current)
        })
        .collect();
    let clear_label = (!label.is_empty()).then(|| here.clone());
    let names = assignee_names(viewer, &account, &found).await?;
    let rows = found
        .iter()
        .map(|c| ConversationRow {
            href: format!("/console/c/{}", c.id.0),
            title: c.citizen_label.clone(),
            preview: c.preview.clone(),
            time: c.last_message_at.display_vn(),
            unread: c.account_unread,
            unread_label: t.count("chat-unread", c.account_unread),
            closed: c.status == ConversationStatus::Closed,
            assignee: c.assignee.map(|a| {
                names.iter().find(|h| h.id == a).map(|h| h.name.clone()).unwrap_or_default()
            }),
            overdue: c.status == ConversationStatus::Open
                && c.waiting_since.is_some_and(|w| w < cutoff),
            labels: labels_of(&row_labels, c.id),
        })
        .collect();
    // An integration has no "me": nobody is assigned to it.
    let counted = me.unwrap_or(ketnoi_core::StaffId(0));
    let counts = store.inbox_counts(account.id, counted, cutoff).await?;
    let counts = if bot_on {
        (
            counts.need_person,
            counts.open - counts.need_person,
            counts.mine,
            counts.unassigned_need_person,
            counts.overdue_need_person,
        )
    } else {
        (counts.open, 0, counts.mine, counts.unassigned, counts.overdue)
    };
    let duty = match me {
        Some(me) => Some((store.staff_away(me).await?.unwrap_or(false), format!("{base}/duty"))),
        None => None,
    };
    let editable = viewer.caller.may(ketnoi_core::Action::EditAccount, Some(&ancestry));
    let settings = editable.then(|| {
        let hours = settings.office_hours.to_text();
        (settings.auto_assign, hours, settings.response_target_minutes, format!("{base}/settings"))
    });
    let notice = match p.done.as_deref() {
        Some("duty") => Some(t.get("inbox-duty-saved")),
        Some("settings") => Some(t.get("inbox-settings-saved")),
        Some("transferred") => Some(t.get("inbox-transferred")),
        _ => None,
    };
    Ok(InboxPage {
        l: viewer.layout(error.is_some()),
        account_name: account.display_name,
        account_id: account.id.0,
        inbox_seq,
        base,
        status: status.as_str(),
        bot_on,
        bot_tab,
        manage_bot,
        q,
        rows,
        next,
        error,
        view,
        counts,
        duty,
        settings,
        me: me.map_or(0, |m| m.0),
        notice,
        label,
        label_chips,
        clear_label,
    })
}

/// One conversation's labels, out of those read for a page of them.
fn labels_of(all: &[(ConversationId, ketnoi_core::Label)], id: ConversationId) -> Vec<String> {
    all.iter().filter(|(c, _)| *c == id).map(|(_, l)| l.to_string()).collect()
}

/// The names of the staff the listed conversations are assigned to: the account's handlers,
/// and anyone else assigned who has since lost the right.
async fn assignee_names(
    viewer: &Viewer<ChatState>,
    account: &Account,
    found: &[Conversation],
) -> Result<Vec<Handler>, ApiError> {
    if found.iter().all(|c| c.assignee.is_none()) {
        return Ok(Vec::new());
    }
    let mut names = assign::handlers(&viewer.state, account).await?;
    for id in found.iter().filter_map(|c| c.assignee) {
        if !names.iter().any(|h| h.id == id)
            && let Some(s) = viewer.state.store.staff(id).await?
        {
            names.push(Handler { id, name: s.display_name.to_string(), away: false });
        }
    }
    Ok(names)
}

async fn staff_conversation(
    viewer: &Viewer<ChatState>,
    id: i64,
) -> Result<(Conversation, Account, bool, Author, String), ApiError> {
    let conversation = viewer
        .state
        .store
        .conversation(ConversationId(id))
        .await?
        .ok_or(ApiError::NotFound("conversation"))?;
    match chat_scope::conversation_access(&viewer.state, &viewer.caller, &conversation).await? {
        Access::Staff { reply, author, name } => {
            // The inbox it is in: its own account's, or the one it was handed over to.
            let account = viewer
                .state
                .store
                .account(conversation.handler)
                .await?
                .ok_or(ApiError::NotFound("conversation"))?;
            Ok((conversation, account, reply, author, name))
        }
        Access::Citizen(_) => Err(ApiError::Forbidden),
    }
}

#[derive(Debug, Default, Deserialize)]
struct StaffChatParams {
    before: Option<i64>,
    /// A canned reply to put in the composer, filled in for the conversation.
    reply: Option<i64>,
    /// A search among the canned replies.
    replies_q: Option<String>,
    /// What the post that redirected here did: `note` (a note was added), `assign` (the
    /// assignee changed).
    done: Option<String>,
}

/// The side panels' forms as they were posted, when the page shows them again.
#[derive(Default)]
pub(crate) struct NoteDraft {
    pub(crate) text: String,
    pub(crate) error: Option<String>,
    pub(crate) notice: Option<String>,
    /// The assignee was just changed.
    pub(crate) assigned: bool,
    /// The label being added, why it was refused, and what the last label post did.
    pub(crate) label: (String, Option<String>, Option<String>),
    /// The canned replies' search, and the reply chosen to fill the composer.
    pub(crate) canned: (String, Option<i64>),
}

async fn staff_chat(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    params: Result<Query<StaffChatParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let notice = (p.done.as_deref() == Some("note")).then(|| viewer.t().get("chat-notes-added"));
    let assigned = p.done.as_deref() == Some("assign");
    let label_notice = match p.done.as_deref() {
        Some("label-added") => Some(viewer.t().get("chat-labels-added")),
        Some("label-removed") => Some(viewer.t().get("chat-labels-removed")),
        _ => None,
    };
    let label = (String::new(), None, label_notice);
    let canned = (p.replies_q.unwrap_or_default(), p.reply);
    let draft = NoteDraft { notice, assigned, label, canned, ..NoteDraft::default() };
    match staff_page(&viewer, id, p.before, String::new(), None, draft).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

pub(crate) async fn staff_page(
    viewer: &Viewer<ChatState>,
    id: i64,
    before: Option<i64>,
    text: String,
    error: Option<String>,
    note: NoteDraft,
) -> Result<ChatPage, ApiError> {
    let t = viewer.t();
    let (mut conversation, account, can_reply, author, _) = staff_conversation(viewer, id).await?;
    let (inbox_seq, _) = viewer.state.store.inbox_bounds(account.id).await?;
    let (messages, at_latest) = history(viewer, Some(&conversation), before).await?;
    if at_latest && can_reply {
        conversation = mark_read(viewer, &conversation, Side::Account).await?;
    }
    let base = format!("/console/c/{id}");
    let closed = conversation.status == ConversationStatus::Closed;
    let status = can_reply.then(|| {
        if closed {
            (format!("{base}/reopen"), t.get("chat-reopen"), t.get("chat-closed-note"))
        } else {
            (format!("{base}/close"), t.get("chat-close"), String::new())
        }
    });
    // Officers who may publish the account's news tag its followers here, where they know them.
    let store = &viewer.state.store;
    let ancestry = store.agency_ancestry(account.agency).await?;
    let tags = if viewer.caller.may(ketnoi_core::Action::PublishNews, Some(&ancestry))
        && store.is_following(conversation.citizen, account.id).await?
    {
        let current = store.follower_tags(account.id, conversation.citizen).await?;
        Some((
            format!("/console/a/{}/followers/{}/tags", account.slug, conversation.citizen.0),
            current.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "),
        ))
    } else {
        None
    };
    let assign = if can_reply {
        let handlers = assign::handlers(&viewer.state, &account).await?;
        let me = viewer.caller.staff_id();
        Some(assign_panel(viewer, &base, &conversation, handlers, me, note.assigned).await?)
    } else {
        None
    };
    let transfer = transfer::panel(viewer, &conversation, &account, can_reply).await?;
    let settings = response::settings(&viewer.state, &account).await?;
    let response_panel =
        response::panel(&t, &conversation, &settings, ketnoi_core::Timestamp::now());
    // Officers of an account it was handed over to see whom the citizen wrote to.
    let subtitle = if conversation.handler == conversation.account {
        account.display_name.clone()
    } else {
        let origin = store.account(conversation.account).await?;
        let origin = origin.map(|a| a.display_name).unwrap_or_default();
        let from = t.with("chat-transfer-subtitle", "origin", &origin);
        format!("{} · {from}", account.display_name)
    };
    let labels = if can_reply {
        let mut panel = labels::panel(&viewer.state, &base, conversation.id, account.id).await?;
        (panel.draft, panel.error, panel.notice) = note.label;
        Some(panel)
    } else {
        None
    };
    let mut text = text;
    let canned = if can_reply {
        let (q, chosen) = &note.canned;
        let (panel, body) =
            canned::panel(&viewer.state, &base, &conversation, &account, q, *chosen).await?;
        if let Some(body) = body.filter(|_| text.is_empty()) {
            text = body;
        }
        Some(panel)
    } else {
        None
    };
    let notes = match notes::keeper(can_reply, author) {
        Some(_) => {
            let rows = store
                .notes(conversation.id, NOTES_SHOWN)
                .await?
                .into_iter()
                .map(|n| NoteRow {
                    who: n.author_name,
                    time: n.created_at.display_vn(),
                    body: n.body.to_string(),
                })
                .collect();
            Some(NotesPanel {
                action: format!("{base}/notes"),
                rows,
                draft: note.text,
                error: note.error,
                notice: note.notice,
            })
        }
        None => None,
    };
    Ok(ChatPage {
        menu: String::new(),
        notices: Vec::new(),
        tags,
        notes,
        assign,
        transfer: Some(transfer),
        response: Some(response_panel),
        me: viewer.caller.staff_id().map_or(0, |s| s.0),
        rating: crate::features::chat::rating::staff_panel(&viewer.state, &t, &conversation)
            .await?,
        labels,
        canned,
        title: conversation.citizen_label.clone(),
        subtitle,
        back: (format!("/console/a/{}/inbox", account.slug), t.get("chat-back-inbox")),
        action: format!("{base}/reply"),
        api_upload: format!("/api/v1/conversations/{id}/attachments"),
        api_send: format!("/api/v1/conversations/{id}/messages"),
        conversation: Some(conversation.id.0),
        account_id: account.id.0,
        inbox_seq,
        last_seq: conversation.last_seq,
        older: older_link(&base, &messages),
        bubbles: bubbles(viewer, &conversation, &messages, Side::Account).await?,
        tip_href: None,
        client_msg_id: fresh_client_id(),
        text,
        error,
        can_reply,
        status,
        role: "staff",
        texts: ScriptTexts::new(viewer),
        file_hint: file_hint(viewer),
        l: viewer.layout(false),
    })
}

/// The assignee drop-down: nobody, then the viewer as "me", then the other handlers by name,
/// each marked when away.
async fn assign_panel(
    viewer: &Viewer<ChatState>,
    base: &str,
    conversation: &Conversation,
    handlers: Vec<Handler>,
    me: Option<ketnoi_core::StaffId>,
    assigned: bool,
) -> Result<AssignPanel, ApiError> {
    let t = viewer.t();
    let away = t.get("chat-assign-away");
    let label = |h: &Handler| {
        let name = if Some(h.id) == me { t.get("chat-assign-me") } else { h.name.clone() };
        if h.away { format!("{name} ({away})") } else { name }
    };
    let mut options =
        vec![(String::new(), t.get("chat-assign-none"), conversation.assignee.is_none())];
    let (mine, others): (Vec<_>, Vec<_>) = handlers.iter().partition(|h| Some(h.id) == me);
    for h in mine.into_iter().chain(others) {
        options.push((h.id.0.to_string(), label(h), conversation.assignee == Some(h.id)));
    }
    let current = match conversation.assignee {
        Some(id) => match handlers.iter().find(|h| h.id == id) {
            Some(h) => Some(h.name.clone()),
            None => viewer.state.store.staff(id).await?.map(|s| s.display_name.to_string()),
        },
        None => None,
    };
    Ok(AssignPanel {
        action: format!("{base}/assign"),
        options,
        current,
        notice: assigned.then(|| t.get("chat-assign-saved")),
    })
}

async fn staff_send(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let form = match read_form(&viewer, multipart).await {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let (conversation, _, can_reply, author, name) = match staff_conversation(&viewer, id).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    if !can_reply {
        return viewer.fail(ApiError::Forbidden);
    }
    let to = Recipient::Conversation(conversation.id);
    let pair = (conversation.account, conversation.citizen);
    // Shown again with the newer answer in the history: sending again is then deliberate.
    let fresh = check_not_stale(viewer.state.store.as_ref(), &conversation, author, form.after_seq);
    let sent = match fresh.await {
        Ok(()) => send_form(&viewer, &form, to, pair, author, name).await,
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => Redirect::to(&format!("/console/c/{id}#latest")).into_response(),
        Err(e) if inline(&e) => {
            let message = viewer.message(&e);
            let page = staff_page(
                &viewer,
                id,
                None,
                form.text.clone(),
                Some(message),
                NoteDraft::default(),
            );
            match page.await {
                Ok(mut page) => {
                    page.l.has_errors = true;
                    viewer.render(error_status(&e), &page)
                }
                Err(e) => viewer.fail(e),
            }
        }
        Err(e) => viewer.fail(e),
    }
}

async fn set_status(
    viewer: Viewer<ChatState>,
    id: i64,
    csrf: Option<String>,
    status: ConversationStatus,
) -> Response {
    if let Err(e) = viewer.check_form(csrf.as_deref()) {
        return viewer.fail(e);
    }
    let (conversation, _, can_reply, _, _) = match staff_conversation(&viewer, id).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    if !can_reply {
        return viewer.fail(ApiError::Forbidden);
    }
    let write =
        ChatWrite::SetStatus { conversation: conversation.id, status, at: Timestamp::now() };
    match viewer.state.chat.write(write).await {
        Ok(_) => Redirect::to(&format!("/console/c/{id}")).into_response(),
        Err(e) => viewer.fail(e),
    }
}

async fn close(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    crate::kernel::pages::PageForm(f): crate::kernel::pages::PageForm<
        crate::kernel::pages::forms::CsrfForm,
    >,
) -> Response {
    set_status(viewer, id, f.csrf, ConversationStatus::Closed).await
}

async fn reopen(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    crate::kernel::pages::PageForm(f): crate::kernel::pages::PageForm<
        crate::kernel::pages::forms::CsrfForm,
    >,
) -> Response {
    set_status(viewer, id, f.csrf, ConversationStatus::Open).await
}

/// A posted note.
#[derive(Debug, Deserialize)]
struct NoteForm {
    csrf: Option<String>,
    #[serde(default)]
    body: String,
}

/// Adds an internal note, then goes back to the conversation with a notice; a note that is
/// empty or too long shows the page again with the reason beside the field, and stores nothing.
async fn add_note(
    viewer: Viewer<ChatState>,
    Path(id): Path<i64>,
    PageForm(form): PageForm<NoteForm>,
) -> Response {
    if let Some(stop) = viewer.stop_form(true, &format!("/console/c/{id}"), form.csrf.as_deref()) {
        return stop;
    }
    let (conversation, author) = match notes::notes_access(&viewer.state, &viewer.caller, id).await
    {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let e = match notes::add(&viewer.state, conversation.id, author, &form.body).await {
        Ok(_) => return Redirect::to(&format!("/console/c/{id}?done=note#notes")).into_response(),
        Err(e) => e,
    };
    let ApiError::Invalid(invalid) = &e else { return viewer.fail(e) };
    let t = viewer.t();
    let message = match invalid {
        InvalidInput::Length { min, max, .. } => {
            t.numbers("chat-notes-error-length", &[("min", *min as i64), ("max", *max as i64)])
        }
        InvalidInput::ControlCharacter { .. } => t.get("chat-notes-error-control"),
        _ => viewer.message(&e),
    };
    let draft = NoteDraft { text: form.body, error: Some(message), ..NoteDraft::default() };
    match staff_page(&viewer, id, None, String::new(), None, draft).await {
        Ok(mut page) => {
            page.l.has_errors = true;
            viewer.render(error_status(&e), &page)
        }
        Err(e) => viewer.fail(e),
    }
}
