//! The "Mẫu trả lời" console page of an account: its own canned replies and those it inherits
//! from its agencies (marked with where they come from), with forms to add, edit and delete
//! them; an agency's templates are written here too, by whoever holds the desk permission on
//! that agency. Plain forms: post, then back to the page with a notice; a refused form shows
//! the page again with the reason beside the field, and changes nothing.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Account, CannedOwner, CannedReply, CannedReplyId, InvalidInput, policy::Action};
use serde::Deserialize;

use crate::{
    features::chat::{
        canned::{self, CannedInput},
        service::ChatState,
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        pages::{Layout, PageForm, Viewer, Who, account_for, encode},
    },
};

pub(crate) fn router() -> Router<ChatState> {
    Router::new()
        .route("/console/a/{slug}/replies", get(replies_page).post(create))
        .route("/console/a/{slug}/replies/{rid}", post(save))
        .route("/console/a/{slug}/replies/{rid}/delete", post(delete))
}

/// One reply on the page.
struct Row {
    id: i64,
    shortcut: String,
    title: String,
    body: String,
    /// Where it comes from: the account, or an agency's name.
    origin: String,
    /// An inherited one the account (or a nearer agency) overrides.
    overridden: bool,
    /// The viewer may edit and delete it.
    editable: bool,
}

impl Row {
    /// A field's current value.
    fn get(&self, field: &str) -> &str {
        match field {
            "shortcut" => &self.shortcut,
            "title" => &self.title,
            _ => &self.body,
        }
    }
}

/// Which form of the page a field belongs to: a reply's id, 0 for the new reply's. The
/// template hands ids over through references, however many.
trait FormKey {
    fn key(&self) -> i64;
}

impl FormKey for i64 {
    fn key(&self) -> i64 {
        *self
    }
}

impl<T: FormKey + ?Sized> FormKey for &T {
    fn key(&self) -> i64 {
        (**self).key()
    }
}

/// A field of a reply's form.
struct Field {
    name: &'static str,
    label: String,
    hint: String,
    multiline: bool,
}

/// A form as posted, shown again with why it was refused: the reply it was for (0 for the new
/// one), the field, the message.
struct Refusal {
    reply: i64,
    field: &'static str,
    message: String,
    draft: CannedInput,
}

#[derive(Template)]
#[template(path = "canned_replies.html")]
struct RepliesPage {
    l: Layout,
    account_name: String,
    base: String,
    rows: Vec<Row>,
    /// Whose a new reply may be: `(value, label)`, the account first.
    scopes: Vec<(String, String)>,
    notice: Option<String>,
    refusal: Option<Refusal>,
    /// The fields of every reply's form.
    fields: Vec<Field>,
    /// The new reply's form's values.
    blank: Row,
}

impl RepliesPage {
    /// The refusal, if it is about this form (0: the new reply's).
    fn refused(&self, reply: impl FormKey) -> Option<&Refusal> {
        self.refusal.as_ref().filter(|r| r.reply == reply.key())
    }

    /// The message beside a field of a form, if the refusal is about it.
    fn error(&self, reply: impl FormKey, field: &str) -> Option<&str> {
        self.refused(reply).filter(|r| r.field == field).map(|r| r.message.as_str())
    }

    /// What a field of a form shows: the refused draft, else `current`.
    fn value<'a>(&'a self, reply: impl FormKey, field: &str, current: &'a str) -> &'a str {
        match self.refused(reply) {
            Some(r) => match field {
                "shortcut" => &r.draft.shortcut,
                "title" => &r.draft.title,
                _ => &r.draft.body,
            },
            None => current,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct PageParams {
    done: Option<String>,
}

async fn replies_page(
    viewer: Viewer<ChatState>,
    Path(slug): Path<String>,
    params: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = params.ok().and_then(|Query(p)| p.done);
    let account = match account_for(&viewer, &slug, Action::ReplyConversations).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    match page(&viewer, &account, done.as_deref(), None).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn page(
    viewer: &Viewer<ChatState>,
    account: &Account,
    done: Option<&str>,
    refusal: Option<Refusal>,
) -> Result<RepliesPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let line = store.agency_ancestry(account.agency).await?;
    let mut names = Vec::with_capacity(line.len());
    for id in &line {
        let name = store.agency(*id).await?.map(|a| a.name).unwrap_or_default();
        names.push((*id, name));
    }
    let mut owners = vec![CannedOwner::Account(account.id)];
    owners.extend(line.iter().map(|g| CannedOwner::Agency(*g)));
    let all = store.canned_replies(&owners).await?;
    let used: Vec<CannedReplyId> = ketnoi_core::inbox::applicable(all.clone(), account.id, &line)
        .iter()
        .map(|r| r.id)
        .collect();
    let mut scopes = vec![(String::new(), t.get("canned-scope-account"))];
    let mut managed_agencies = Vec::new();
    // The line from an agency up is that agency's own ancestry.
    for (i, (id, name)) in names.iter().enumerate() {
        if viewer.caller.may(Action::ManageDesk, Some(&line[i..])) {
            scopes.push((id.0.to_string(), t.with("canned-scope-agency", "agency", name)));
            managed_agencies.push(*id);
        }
    }
    let mut sorted: Vec<&CannedReply> = all.iter().collect();
    let rank = |r: &CannedReply| match r.owner {
        CannedOwner::Account(_) => 0,
        CannedOwner::Agency(g) => line.iter().position(|x| *x == g).map_or(usize::MAX, |i| i + 1),
    };
    sorted.sort_by(|a, b| (&a.text.shortcut, rank(a)).cmp(&(&b.text.shortcut, rank(b))));
    let rows = sorted
        .into_iter()
        .map(|r| {
            let (origin, editable) = match r.owner {
                CannedOwner::Account(_) => (t.get("canned-origin-account"), true),
                CannedOwner::Agency(g) => {
                    let name = names.iter().find(|(id, _)| *id == g).map(|(_, n)| n.as_str());
                    let origin = t.with("canned-origin-agency", "agency", name.unwrap_or_default());
                    (origin, managed_agencies.contains(&g))
                }
            };
            Row {
                id: r.id.0,
                shortcut: r.text.shortcut.to_string(),
                title: r.text.title.clone(),
                body: r.text.body.clone(),
                origin,
                overridden: !used.contains(&r.id),
                editable,
            }
        })
        .collect();
    let notice = match done {
        Some("created") => Some(t.get("canned-created")),
        Some("saved") => Some(t.get("canned-saved")),
        Some("deleted") => Some(t.get("canned-deleted")),
        _ => None,
    };
    let field = |name, label: &str, hint: &str| Field {
        name,
        label: t.get(label),
        hint: if hint.is_empty() { String::new() } else { t.get(hint) },
        multiline: name == "body",
    };
    let fields = vec![
        field("shortcut", "canned-shortcut", "canned-shortcut-hint"),
        field("title", "canned-title-field", ""),
        field("body", "canned-body", "canned-body-hint"),
    ];
    let blank = Row {
        id: 0,
        shortcut: String::new(),
        title: String::new(),
        body: String::new(),
        origin: String::new(),
        overridden: false,
        editable: true,
    };
    Ok(RepliesPage {
        fields,
        blank,
        l: viewer.layout(refusal.is_some()),
        account_name: account.display_name.clone(),
        base: format!("/console/a/{}/replies", encode(account.slug.as_str())),
        rows,
        scopes,
        notice,
        refusal,
    })
}

/// A reply's form as posted.
#[derive(Debug, Deserialize)]
struct ReplyForm {
    csrf: Option<String>,
    /// Empty for the account; an agency's id for its templates.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    shortcut: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

impl ReplyForm {
    fn input(&self) -> CannedInput {
        CannedInput {
            shortcut: self.shortcut.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
        }
    }
}

/// The signed-in officer's account at `slug`, after the form token: a response otherwise.
async fn form_account(
    viewer: &Viewer<ChatState>,
    slug: &str,
    csrf: Option<&str>,
) -> Result<Account, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(viewer.to_sign_in_then(true, &format!("/console/a/{}/replies", encode(slug))));
    }
    viewer.check_form(csrf).map_err(|e| viewer.fail(e))?;
    account_for(viewer, slug, Action::ReplyConversations).await.map_err(|e| viewer.fail(e))
}

/// Where a refused write's message goes, and what it says; `None` for anything not the
/// form's fault.
fn refusal(viewer: &Viewer<ChatState>, e: &ApiError) -> Option<(&'static str, String)> {
    let t = viewer.t();
    Some(match e {
        ApiError::Invalid(InvalidInput::Shortcut) => ("shortcut", t.get("canned-error-shortcut")),
        ApiError::Unprocessable("canned-shortcut-taken") => {
            ("shortcut", t.get("canned-error-taken"))
        }
        ApiError::Unprocessable("too-many-canned-replies") => {
            ("shortcut", t.get("canned-error-too-many"))
        }
        ApiError::Invalid(InvalidInput::Length { field, min, max }) => (
            if *field == "title" { "title" } else { "body" },
            t.numbers(
                if *field == "title" { "canned-error-title" } else { "canned-error-body" },
                &[("min", *min as i64), ("max", *max as i64)],
            ),
        ),
        ApiError::Invalid(InvalidInput::ControlCharacter { field }) => {
            (if *field == "title" { "title" } else { "body" }, t.get("canned-error-control"))
        }
        _ => return None,
    })
}

/// After a write: back to the page with a notice, or the page again with the reason.
async fn answer(
    viewer: &Viewer<ChatState>,
    account: &Account,
    reply: i64,
    form: &ReplyForm,
    result: Result<&'static str, ApiError>,
) -> Response {
    let e = match result {
        Ok(done) => {
            let base = format!("/console/a/{}/replies", encode(account.slug.as_str()));
            return Redirect::to(&format!("{base}?done={done}")).into_response();
        }
        Err(e) => e,
    };
    let Some((field, message)) = refusal(viewer, &e) else { return viewer.fail(e) };
    let refused = Refusal { reply, field, message, draft: form.input() };
    match page(viewer, account, None, Some(refused)).await {
        Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn create(
    viewer: Viewer<ChatState>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<ReplyForm>,
) -> Response {
    let account = match form_account(&viewer, &slug, form.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let owner = match form.scope.trim() {
        "" => CannedOwner::Account(account.id),
        raw => {
            let line = match viewer.state.store.agency_ancestry(account.agency).await {
                Ok(line) => line,
                Err(e) => return viewer.fail(e.into()),
            };
            let Some(at) = raw.parse::<i64>().ok().and_then(|n| line.iter().position(|g| g.0 == n))
            else {
                return viewer.fail(ApiError::Forbidden);
            };
            if !viewer.caller.may(Action::ManageDesk, Some(&line[at..])) {
                return viewer.fail(ApiError::Forbidden);
            }
            CannedOwner::Agency(line[at])
        }
    };
    let result = canned::create(&viewer.state, owner, &form.input()).await.map(|_| "created");
    answer(&viewer, &account, 0, &form, result).await
}

/// A reply of the account's page the viewer may manage: the account's own, or a template of
/// one of its agencies; anything else is not found.
async fn page_reply(
    viewer: &Viewer<ChatState>,
    account: &Account,
    rid: i64,
) -> Result<CannedReply, ApiError> {
    let reply = canned::managed(&viewer.state, &viewer.caller, rid).await?;
    let line = viewer.state.store.agency_ancestry(account.agency).await?;
    match reply.owner {
        CannedOwner::Account(a) if a == account.id => Ok(reply),
        CannedOwner::Agency(g) if line.contains(&g) => Ok(reply),
        _ => Err(ApiError::NotFound("canned-reply")),
    }
}

async fn save(
    viewer: Viewer<ChatState>,
    Path((slug, rid)): Path<(String, i64)>,
    PageForm(form): PageForm<ReplyForm>,
) -> Response {
    let account = match form_account(&viewer, &slug, form.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let result = match page_reply(&viewer, &account, rid).await {
        Ok(reply) => canned::update(&viewer.state, reply.id, &form.input()).await.map(|_| "saved"),
        Err(e) => Err(e),
    };
    answer(&viewer, &account, rid, &form, result).await
}

async fn delete(
    viewer: Viewer<ChatState>,
    Path((slug, rid)): Path<(String, i64)>,
    PageForm(form): PageForm<crate::kernel::pages::forms::CsrfForm>,
) -> Response {
    let account = match form_account(&viewer, &slug, form.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let result = match page_reply(&viewer, &account, rid).await {
        Ok(reply) => viewer.state.store.delete_canned_reply(reply.id).await.map_err(Into::into),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/console/a/{}/replies?done=deleted", encode(&slug)))
            .into_response(),
        Err(e) => viewer.fail(e),
    }
}
