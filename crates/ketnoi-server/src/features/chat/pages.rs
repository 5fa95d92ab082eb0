//! Conversation pages for citizens: a chat with an account and the list of their
//! conversations, and the parts of a conversation page that officers' pages
//! ([`super::staff_pages`]) share. Every page works as plain HTML forms (post, then
//! reload); the script adds live updates over the WebSocket and sends without reloading.

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{
    Account, Author, ClientMsgId, Content, Conversation, Message, MessageKind, Side, Timestamp,
};
use ketnoi_store::{ChatApplied, ChatWrite, MessageRange, Recipient};
use serde::Deserialize;

use crate::{
    features::chat::{
        api::citizen_conversations, canned::CannedPanel, labels::LabelsPanel, service::ChatState,
        upload,
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        pages::{Layout, Viewer, Who},
    },
};

/// Messages shown per page of history.
pub(crate) const PAGE: i64 = 30;

pub(crate) fn router(max_upload: usize) -> Router<ChatState> {
    let limit = DefaultBodyLimit::max(max_upload + 64 * 1024);
    Router::new()
        .route("/a/{slug}/chat", get(citizen_chat).post(citizen_send).layer(limit))
        .route("/a/{slug}/chat/rating", post(crate::features::chat::rating::rate_page))
        .route("/me/conversations", get(my_conversations))
}

/// A message as the page shows it.
pub(crate) struct Bubble {
    seq: i64,
    mine: bool,
    /// A notice from the platform (where the conversation was handed over), nobody's own.
    system: bool,
    who: String,
    text: String,
    time: String,
    image: Option<(String, String, String)>,
    file: Option<(String, String)>,
    state: String,
    /// Quick replies (label, text sent) the citizen can tap.
    replies: Vec<(String, String)>,
    /// Link buttons (label, address).
    links: Vec<(String, String)>,
}

impl Bubble {
    fn image_url(&self) -> &str {
        self.image.as_ref().map_or("", |i| i.0.as_str())
    }
}

/// Texts the script needs, in the page's language.
pub(crate) struct ScriptTexts {
    pub(crate) sending: String,
    pub(crate) sent: String,
    pub(crate) seen: String,
    pub(crate) failed: String,
    pub(crate) retry: String,
    pub(crate) reconnecting: String,
    pub(crate) you: String,
    pub(crate) image: String,
    pub(crate) system: String,
}

impl ScriptTexts {
    pub(crate) fn new(viewer: &Viewer<ChatState>) -> Self {
        let t = viewer.t();
        Self {
            sending: t.get("chat-sending"),
            sent: t.get("chat-sent"),
            seen: t.get("chat-seen"),
            failed: t.get("chat-failed"),
            retry: t.get("chat-retry"),
            reconnecting: t.get("chat-reconnecting"),
            you: t.get("chat-you"),
            image: t.get("chat-image"),
            system: t.get("chat-system"),
        }
    }
}

#[derive(Template)]
#[template(path = "chat.html")]
pub(crate) struct ChatPage {
    pub(crate) l: Layout,
    /// The account's menu above the composer (citizens only), as drawn by the front desk.
    pub(crate) menu: String,
    /// `citizen` or `staff`.
    pub(crate) role: &'static str,
    /// The officer's staff id (0 for citizens and integrations), so their page can tell their
    /// colleagues' presence from their own.
    pub(crate) me: i64,
    pub(crate) title: String,
    pub(crate) subtitle: String,
    pub(crate) back: (String, String),
    /// Where the form posts.
    pub(crate) action: String,
    /// Where the script uploads and sends (JSON API).
    pub(crate) api_upload: String,
    pub(crate) api_send: String,
    pub(crate) conversation: Option<i64>,
    pub(crate) account_id: i64,
    pub(crate) inbox_seq: i64,
    pub(crate) last_seq: i64,
    pub(crate) older: Option<String>,
    pub(crate) bubbles: Vec<Bubble>,
    /// For a citizen writing to a police account: the sealed tip form, offered instead of the
    /// chat for anything confidential.
    pub(crate) tip_href: Option<String>,
    pub(crate) client_msg_id: String,
    pub(crate) text: String,
    pub(crate) error: Option<String>,
    pub(crate) can_reply: bool,
    pub(crate) status: Option<(String, String, String)>,
    pub(crate) texts: ScriptTexts,
    pub(crate) file_hint: String,
    /// For a citizen: the account's latest broadcasts addressed to them, newest first.
    pub(crate) notices: Vec<Notice>,
    /// For an officer who may tag the citizen (a follower): where the tags form posts, and the
    /// tags the account put on them.
    pub(crate) tags: Option<(String, String)>,
    /// For an officer who may handle the conversation: its internal notes. Only the officers'
    /// page sets it; the citizen's never does.
    pub(crate) notes: Option<NotesPanel>,
    /// For an officer who may handle the conversation: whom it is assigned to, and the form to
    /// change it. Only the officers' page sets it; the citizen's never does.
    pub(crate) assign: Option<AssignPanel>,
    /// For an officer who sees the conversation: its handovers, and the form to hand it over
    /// for those who may handle it. Only the officers' page sets it; the citizen's never does.
    pub(crate) transfer: Option<crate::features::chat::transfer::TransferPanel>,
    /// Citizens' ratings: the citizen's form (or what they gave), or what officers see.
    pub(crate) rating: Option<crate::features::chat::rating::RatingPanel>,
    /// For an officer: the response times. Only the officers' page sets it.
    pub(crate) response: Option<crate::features::chat::response::ResponsePanel>,
    /// For an officer who may handle the conversation: its labels, and the forms to add and
    /// remove them. Only the officers' page sets it; the citizen's never does.
    pub(crate) labels: Option<LabelsPanel>,
    /// For an officer who may reply: the canned replies beside the composer. Only the
    /// officers' page sets it; the citizen's never does.
    pub(crate) canned: Option<CannedPanel>,
}

/// The internal notes of a conversation, as its officers' page shows them.
pub(crate) struct NotesPanel {
    /// Where the form posts.
    pub(crate) action: String,
    pub(crate) rows: Vec<NoteRow>,
    /// The note being written, kept when it was refused.
    pub(crate) draft: String,
    /// Why it was refused.
    pub(crate) error: Option<String>,
    /// What the last post did.
    pub(crate) notice: Option<String>,
}

/// The officers' assignee drop-down on a conversation (staff pages only).
pub(crate) struct AssignPanel {
    /// Where the form posts.
    pub(crate) action: String,
    /// `(value, label, selected)`: nobody first, then the viewer, then the others by name.
    pub(crate) options: Vec<(String, String, bool)>,
    /// Who it is assigned to now, if anyone.
    pub(crate) current: Option<String>,
    /// What the last post did.
    pub(crate) notice: Option<String>,
}

/// One internal note on the page.
pub(crate) struct NoteRow {
    pub(crate) who: String,
    pub(crate) time: String,
    pub(crate) body: String,
}

/// A broadcast shown above a citizen's conversation with the account that sent it.
pub(crate) struct Notice {
    pub(crate) text: String,
    pub(crate) when: String,
    pub(crate) href: String,
    /// The event, for an emergency alert.
    pub(crate) emergency: Option<String>,
    /// Link buttons (label, address).
    pub(crate) links: Vec<(String, String)>,
}

/// Broadcasts shown in a conversation.
const NOTICES: i64 = 5;

/// The account's latest broadcasts addressed to the citizen (matched as they are now), each
/// counted as opened: they are on the citizen's screen.
async fn notices(
    viewer: &Viewer<ChatState>,
    account: &Account,
    citizen: ketnoi_core::CitizenId,
) -> Result<Vec<Notice>, ApiError> {
    let query = ketnoi_store::FeedQuery {
        citizen: Some(citizen),
        account: Some(account.id),
        articles: false,
        broadcasts: true,
        before: None,
        now: Timestamp::now(),
        limit: NOTICES,
    };
    let items = viewer.state.store.feed(&query).await?;
    let mut out = Vec::with_capacity(items.len());
    let mut shown = Vec::with_capacity(items.len());
    for item in items {
        let ketnoi_store::FeedItem::Broadcast(b) = item else { continue };
        shown.push(b.id);
        let links = b
            .body
            .buttons()
            .iter()
            .filter_map(|button| match button {
                ketnoi_core::Button::Link { label, url } => Some((label.clone(), url.clone())),
                ketnoi_core::Button::Reply { .. } => None,
            })
            .collect();
        out.push(Notice {
            text: b.body.text().to_owned(),
            when: b.sent_at.unwrap_or(b.send_at).display_vn(),
            href: format!("/a/{}/thong-bao/{}", account.slug, b.id.0),
            emergency: b.alert.map(|a| a.event),
            links,
        });
    }
    if !shown.is_empty() {
        let store = viewer.state.store.clone();
        tokio::spawn(async move {
            for id in shown {
                if let Err(e) = store.record_open(id, citizen, Timestamp::now()).await {
                    tracing::warn!(error = ?e, "could not record a broadcast opened");
                }
            }
        });
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct HistoryParams {
    pub(crate) before: Option<i64>,
    /// Words to put in the composer.
    pub(crate) text: Option<String>,
}

pub(crate) fn file_hint(viewer: &Viewer<ChatState>) -> String {
    let mb = viewer.state.config.max_upload_bytes / (1024 * 1024);
    viewer.t().count("chat-file-hint", mb as i64)
}

pub(crate) fn fresh_client_id() -> String {
    format!("web-{}", crate::kernel::http::hex(&rand::random::<[u8; 12]>()))
}

pub(crate) async fn bubbles(
    viewer: &Viewer<ChatState>,
    conversation: &Conversation,
    messages: &[Message],
    side: Side,
) -> Result<Vec<Bubble>, ApiError> {
    let t = viewer.t();
    let peer_read = match side {
        Side::Citizen => conversation.account_read_seq,
        Side::Account => conversation.citizen_read_seq,
    };
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        let system = m.content.kind() == MessageKind::System;
        let mine = !system && m.author.side() == side;
        let who = match (mine, side, m.author) {
            (true, _, _) => t.get("chat-you"),
            (false, Side::Citizen, _) => String::new(),
            (false, Side::Account, _) => conversation.citizen_label.clone(),
        };
        let who = match (side, m.author) {
            (Side::Account, Author::Staff(_)) if !m.author_name.is_empty() => m.author_name.clone(),
            // What an integration sent, under its name.
            (Side::Account, Author::Account(_)) if !m.author_name.is_empty() => {
                t.with("chat-integration", "name", &m.author_name)
            }
            _ if system => t.get("chat-system"),
            (Side::Account, Author::Bot) => t.get("chat-bot"),
            _ => who,
        };
        let attachment = match m.content.attachment_id() {
            Some(id) => viewer.state.store.attachment(id).await?.map(|a| a.attachment),
            None => None,
        };
        let url = |id: i64| format!("/api/v1/attachments/{id}");
        let image = attachment.as_ref().filter(|a| a.kind == MessageKind::Image).map(|a| {
            let (w, h) = a.dimensions.unwrap_or((320, 240));
            (url(a.id.0), w.to_string(), h.to_string())
        });
        let file = attachment
            .as_ref()
            .filter(|a| a.kind == MessageKind::File)
            .map(|a| (url(a.id.0), format!("{} ({})", a.name, human_size(a.size))));
        let state = if !mine {
            String::new()
        } else if m.seq <= peer_read {
            t.get("chat-seen")
        } else {
            t.get("chat-sent")
        };
        let mut replies = Vec::new();
        let mut links = Vec::new();
        for button in m.content.buttons() {
            match button {
                ketnoi_core::Button::Reply { label, text } => {
                    replies.push((label.clone(), text.clone()))
                }
                ketnoi_core::Button::Link { label, url } => {
                    links.push((label.clone(), url.clone()))
                }
            }
        }
        out.push(Bubble {
            seq: m.seq,
            mine,
            system,
            who,
            text: m.content.body().to_owned(),
            time: m.created_at.display_vn(),
            image,
            file,
            state,
            replies,
            links,
        });
    }
    Ok(out)
}

fn human_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

pub(crate) async fn load_account(
    viewer: &Viewer<ChatState>,
    slug: &str,
) -> Result<Account, ApiError> {
    viewer.state.account(slug).await
}

/// The history to show: the latest page, or the page before `before`; and whether the reader
/// is at the newest messages (so viewing them counts as reading).
pub(crate) async fn history(
    viewer: &Viewer<ChatState>,
    conversation: Option<&Conversation>,
    before: Option<i64>,
) -> Result<(Vec<Message>, bool), ApiError> {
    let Some(c) = conversation else { return Ok((Vec::new(), true)) };
    let range = match before {
        Some(seq) => MessageRange::Before { seq, limit: PAGE },
        None => MessageRange::Latest { limit: PAGE },
    };
    let messages = viewer.state.store.messages(c.id, range).await?;
    Ok((messages, before.is_none()))
}

/// Marks the newest message read for a side, if it is not already.
pub(crate) async fn mark_read(
    viewer: &Viewer<ChatState>,
    c: &Conversation,
    side: Side,
) -> Result<Conversation, ApiError> {
    if c.read_seq(side) >= c.last_seq {
        return Ok(c.clone());
    }
    let write = ChatWrite::Read { conversation: c.id, side, seq: c.last_seq, at: Timestamp::now() };
    match viewer.state.chat.write(write).await? {
        Ok(ChatApplied::Changed { conversation, .. }) => Ok(conversation),
        _ => Ok(c.clone()),
    }
}

pub(crate) fn older_link(base: &str, messages: &[Message]) -> Option<String> {
    messages.first().filter(|m| m.seq > 1).map(|m| format!("{base}?before={}#history", m.seq))
}

async fn citizen_chat(
    viewer: Viewer<ChatState>,
    Path(slug): Path<String>,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (before, text) = match params {
        Ok(Query(p)) => (p.before, p.text.unwrap_or_default()),
        Err(_) => (None, String::new()),
    };
    // A broadcast's reply button opens the chat with its words ready to send.
    let text: String = ketnoi_text::nfc(text.trim()).chars().take(500).collect();
    match citizen_page(&viewer, &slug, before, text, None).await {
        Ok(Some(page)) => viewer.render(StatusCode::OK, &page),
        Ok(None) => viewer.to_sign_in(false),
        Err(e) => viewer.fail(e),
    }
}

async fn citizen_page(
    viewer: &Viewer<ChatState>,
    slug: &str,
    before: Option<i64>,
    text: String,
    error: Option<String>,
) -> Result<Option<ChatPage>, ApiError> {
    let citizen = match &viewer.caller {
        Caller::Citizen { citizen, .. } => citizen.clone(),
        Caller::Anonymous => return Ok(None),
        _ => return Err(ApiError::Forbidden),
    };
    let t = viewer.t();
    let account = load_account(viewer, slug).await?;
    let store = &viewer.state.store;
    let mut conversation = store.conversation_between(account.id, citizen.id).await?;
    let (messages, at_latest) = history(viewer, conversation.as_ref(), before).await?;
    if let (Some(c), true) = (&conversation, at_latest) {
        conversation = Some(mark_read(viewer, c, Side::Citizen).await?);
    }
    let base = format!("/a/{}/chat", account.slug);
    let bubbles = match &conversation {
        Some(c) => bubbles(viewer, c, &messages, Side::Citizen).await?,
        None => Vec::new(),
    };
    let notices = notices(viewer, &account, citizen.id).await?;
    let rating = match &conversation {
        Some(c) => {
            crate::features::chat::rating::citizen_panel(
                &viewer.state,
                &t,
                c,
                account.slug.as_str(),
            )
            .await?
        }
        None => None,
    };
    let menu =
        crate::features::desk::service::menu_block(&viewer.state, &t, &account, "chat-menu").await;
    Ok(Some(ChatPage {
        menu,
        notices,
        tags: None,
        notes: None,
        assign: None,
        transfer: None,
        response: None,
        labels: None,
        canned: None,
        rating,
        me: 0,
        title: account.display_name.clone(),
        subtitle: t.get("chat-citizen-subtitle"),
        back: (format!("/a/{}", account.slug), t.get("chat-back-account")),
        action: base.clone(),
        api_upload: format!("/api/v1/accounts/{}/attachments", account.slug),
        api_send: format!("/api/v1/accounts/{}/messages", account.slug),
        conversation: conversation.as_ref().map(|c| c.id.0),
        account_id: account.id.0,
        inbox_seq: 0,
        last_seq: conversation.as_ref().map_or(0, |c| c.last_seq),
        older: older_link(&base, &messages),
        bubbles,
        tip_href: (account.kind == ketnoi_core::AccountKind::Police)
            .then(|| format!("/a/{}/tin-bao", account.slug)),
        client_msg_id: fresh_client_id(),
        text,
        error,
        can_reply: true,
        status: None,
        role: "citizen",
        texts: ScriptTexts::new(viewer),
        file_hint: file_hint(viewer),
        l: viewer.layout(false),
    }))
}

/// A posted chat form.
#[derive(Default)]
pub(crate) struct ChatForm {
    pub(crate) csrf: Option<String>,
    pub(crate) client_msg_id: String,
    pub(crate) text: String,
    pub(crate) file: Option<(String, String, Vec<u8>)>,
    /// Officers' composer: the newest message number on their page.
    pub(crate) after_seq: Option<i64>,
}

pub(crate) async fn read_form(
    viewer: &Viewer<ChatState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<ChatForm, ApiError> {
    let mut multipart = multipart.map_err(|r| ApiError::Malformed(r.body_text()))?;
    let max = viewer.state.config.max_upload_bytes;
    let mut form = ChatForm::default();
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: max }
        } else {
            ApiError::Malformed(e.body_text())
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let declared = field.content_type().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(too_large)?;
                // An empty file input still sends a part, with no name and no bytes.
                if !bytes.is_empty() || !file_name.is_empty() {
                    form.file = Some((file_name, declared, bytes.to_vec()));
                }
            }
            "after_seq" => {
                let value = field.text().await.map_err(too_large)?;
                form.after_seq = value.trim().parse().ok();
            }
            "csrf" | "client_msg_id" | "text" => {
                let value = field.text().await.map_err(too_large)?;
                match name.as_str() {
                    "csrf" => form.csrf = Some(value),
                    "client_msg_id" => form.client_msg_id = value,
                    _ => form.text = value,
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

/// Sends what a chat form holds (an attachment first, if any) as `author` into a conversation
/// or to an account.
pub(crate) async fn send_form(
    viewer: &Viewer<ChatState>,
    form: &ChatForm,
    to: Recipient,
    pair: (ketnoi_core::AccountId, ketnoi_core::CitizenId),
    author: Author,
    author_name: String,
) -> Result<(), ApiError> {
    let client_msg_id = ClientMsgId::parse(&form.client_msg_id)?;
    crate::features::chat::service::limit_sends(&viewer.state, author)?;
    let content = match &form.file {
        Some((name, declared, bytes)) => {
            let stored = upload::store(
                &viewer.state,
                upload::Upload {
                    account: pair.0,
                    citizen: pair.1,
                    uploader: author,
                    declared,
                    name,
                    bytes,
                },
            )
            .await?;
            Content::attachment(stored.kind, stored.id, &form.text)?
        }
        None => Content::text(&form.text)?,
    };
    let write = ChatWrite::Send {
        to,
        author,
        author_name,
        client_msg_id,
        content,
        at: Timestamp::now(),
        bot: crate::features::chat::service::state_after(author),
    };
    match viewer.state.chat.write(write).await? {
        Ok(_) => Ok(()),
        Err(refusal) => Err(crate::features::chat::service::refused(refusal)),
    }
}

/// Whether an error is the sender's to fix on the form (shown inline), rather than a page.
pub(crate) fn inline(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Invalid(_)
            | ApiError::UploadTooLarge { .. }
            | ApiError::UploadRejected(_)
            | ApiError::Unprocessable(_)
            | ApiError::ClientIdReused
            | ApiError::ReplyStale
            | ApiError::TooManyRequests { .. }
    )
}

pub(crate) fn error_status(e: &ApiError) -> StatusCode {
    e.problem().status
}

async fn citizen_send(
    viewer: Viewer<ChatState>,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Caller::Citizen { citizen, .. } = &viewer.caller else {
        return match viewer.caller {
            Caller::Anonymous => viewer.to_sign_in(false),
            _ => viewer.fail(ApiError::Forbidden),
        };
    };
    let form = match read_form(&viewer, multipart).await {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let account = match load_account(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let to = Recipient::Account { account: account.id, citizen_label: citizen.phone.masked() };
    let sent = send_form(
        &viewer,
        &form,
        to,
        (account.id, citizen.id),
        Author::Citizen(citizen.id),
        String::new(),
    )
    .await;
    match sent {
        Ok(()) => Redirect::to(&format!("/a/{}/chat#latest", account.slug)).into_response(),
        Err(e) if inline(&e) => {
            let message = viewer.message(&e);
            match citizen_page(&viewer, &slug, None, form.text.clone(), Some(message)).await {
                Ok(Some(mut page)) => {
                    page.l.has_errors = true;
                    viewer.render(error_status(&e), &page)
                }
                Ok(None) => viewer.to_sign_in(false),
                Err(e) => viewer.fail(e),
            }
        }
        Err(e) => viewer.fail(e),
    }
}

/// A conversation in a list.
pub(crate) struct ConversationRow {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) preview: String,
    pub(crate) time: String,
    pub(crate) unread: i64,
    pub(crate) unread_label: String,
    pub(crate) closed: bool,
    /// Whom it is assigned to (officers' inbox only).
    pub(crate) assignee: Option<String>,
    /// The citizen has waited longer than the response target (officers' inbox only).
    pub(crate) overdue: bool,
    /// Its labels (officers' inbox only).
    pub(crate) labels: Vec<String>,
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ConversationsPage {
    l: Layout,
    rows: Vec<ConversationRow>,
}

async fn my_conversations(viewer: Viewer<ChatState>) -> Response {
    let citizen = match &viewer.caller {
        Caller::Citizen { citizen, .. } => citizen.id,
        Caller::Anonymous => return viewer.to_sign_in(false),
        _ => return viewer.fail(ApiError::Forbidden),
    };
    let t = viewer.t();
    let found = match citizen_conversations(&viewer.state, citizen).await {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    let rows = found
        .into_iter()
        .map(|(c, a)| ConversationRow {
            href: format!("/a/{}/chat", a.slug),
            title: a.display_name,
            preview: c.preview.clone(),
            time: c.last_message_at.display_vn(),
            unread: c.citizen_unread,
            unread_label: t.count("chat-unread", c.citizen_unread),
            closed: false,
            assignee: None,
            overdue: false,
            labels: Vec::new(),
        })
        .collect();
    viewer.render(StatusCode::OK, &ConversationsPage { l: viewer.layout(false), rows })
}
