//! The bot's knowledge base in the console: importing a JSON Lines file (or the starter one),
//! exporting it, and its intents one by one with their example phrasings.

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, multipart::MultipartRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use fluent_bundle::FluentValue;
use ketnoi_core::{Account, AuditAction, Intent, IntentId, Timestamp};
use serde::Deserialize;

use crate::{
    features::bot::{
        pages::{
            Entered, Fail, MAX_IMPORT, base, done, form_error, guard, intent_invalid, managed,
            notice, overview_failed, sign_in,
        },
        service::BotsState,
    },
    kernel::{
        audit::record,
        auth::Caller,
        error::ApiError,
        pages::{FormError, Layout, PageForm, Viewer, Who},
    },
};

pub(crate) fn router() -> Router<BotsState> {
    Router::new()
        .route(
            "/console/a/{slug}/bot/import",
            post(import).layer(DefaultBodyLimit::max(MAX_IMPORT + 64 * 1024)),
        )
        .route("/console/a/{slug}/bot/import-default", post(import_default))
        .route("/console/a/{slug}/bot/export.jsonl", get(export))
        .route("/console/a/{slug}/bot/intents", get(intents).post(create_intent))
        .route("/console/a/{slug}/bot/intents/{id}", get(intent).post(edit_intent))
        .route("/console/a/{slug}/bot/intents/{id}/delete", post(delete_intent))
}

/// Reads the import form: its token and the file's bytes.
async fn read_import(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(Option<String>, Vec<u8>), ApiError> {
    let mut multipart = multipart.map_err(|r| ApiError::Malformed(r.body_text()))?;
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: MAX_IMPORT }
        } else {
            ApiError::Malformed(e.body_text())
        }
    };
    let (mut csrf, mut file) = (None, Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = Some(field.text().await.map_err(too_large)?),
            "file" => file = field.bytes().await.map_err(too_large)?.to_vec(),
            _ => {}
        }
    }
    Ok((csrf, file))
}

async fn import(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return sign_in(&slug);
    }
    let (csrf, file) = match read_import(multipart).await {
        Ok(read) => read,
        Err(e) => return viewer.fail(e),
    };
    let account = match guard(&viewer, &slug, csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let t = viewer.t();
    let parsed = match String::from_utf8(file) {
        Ok(text) if text.trim().is_empty() => Err(t.get("bot-import-empty")),
        Ok(text) => ketnoi_bot::parse_kb(&text).map_err(|e| {
            if e.line == 0 {
                t.with("bot-import-file-error", "message", &e.message)
            } else {
                viewer.state.messages.get(
                    viewer.lang,
                    "bot-import-line-error",
                    &[
                        ("line", FluentValue::from(e.line as i64)),
                        ("message", FluentValue::from(e.message.as_str())),
                    ],
                )
            }
        }),
        Err(_) => Err(t.get("bot-import-not-text")),
    };
    let intents = match parsed {
        Ok(intents) => intents,
        Err(message) => {
            let fail = Fail::Form(FormError { field: "file", message });
            return overview_failed(&viewer, &account, fail, Entered::default()).await;
        }
    };
    replace(&viewer, &account, &intents).await
}

async fn replace(viewer: &Viewer<BotsState>, account: &Account, intents: &[Intent]) -> Response {
    if let Err(e) =
        viewer.state.store.replace_bot_intents(account.id, intents, Timestamp::now()).await
    {
        return viewer.fail(e.into());
    }
    let object = format!("account:{}", account.slug);
    let (action, agency) = (AuditAction::KbImported, Some(account.agency));
    match record(&viewer.state, &viewer.caller, &viewer.request, action, &object, agency).await {
        Ok(()) => done(&format!("{}/intents", base(account)), "imported", "intents"),
        Err(e) => viewer.fail(e),
    }
}

async fn import_default(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    PageForm(f): PageForm<crate::kernel::pages::forms::CsrfForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    // Only an empty knowledge base is filled, so a second click cannot wipe an officer's work.
    match viewer.state.store.bot_intent_count(account.id).await {
        Ok(0) => replace(&viewer, &account, &ketnoi_bot::default_kb()).await,
        Ok(_) => {
            let fail = form_error(&viewer, "file", "bot-error-kb-not-empty");
            overview_failed(&viewer, &account, fail, Entered::default()).await
        }
        Err(e) => viewer.fail(e.into()),
    }
}

async fn export(viewer: Viewer<BotsState>, Path(slug): Path<String>) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let account = match managed(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let intents = match viewer.state.store.bot_intents(account.id).await {
        Ok(i) => i,
        Err(e) => return viewer.fail(e.into()),
    };
    let mut response = ketnoi_bot::export_kb(&intents).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-ndjson; charset=utf-8"));
    // Slugs are lowercase ASCII letters, digits and hyphens: safe in a header as they are.
    if let Ok(v) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}-kb.jsonl\"", account.slug))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Intents.

/// An intent's fields as the form shows them.
#[derive(Default)]
pub(crate) struct IntentFields {
    pub(crate) id: String,
    pub(crate) topic: String,
    pub(crate) question: String,
    pub(crate) answer: String,
    /// One per line.
    pub(crate) examples: String,
    pub(crate) procedure: String,
}

impl IntentFields {
    /// The intent, checked as the editor checks it: [`Intent::new`], then the guide's code, a
    /// mistake reported on the form field it is about.
    pub(crate) fn intent(&self, viewer: &Viewer<BotsState>) -> Result<Intent, Fail> {
        let examples: Vec<String> = self.examples.lines().map(str::to_owned).collect();
        Intent::new(&self.id, &self.topic, &self.question, &self.answer, &examples)
            .and_then(|i| i.linked(Some(&self.procedure)))
            .map_err(|e| intent_invalid(viewer, &e))
    }

    fn of(intent: &Intent) -> Self {
        Self {
            id: intent.id.to_string(),
            topic: intent.topic.clone(),
            question: intent.question.clone(),
            answer: intent.answer.clone(),
            examples: intent.examples.join("\n"),
            procedure: intent.procedure.clone().unwrap_or_default(),
        }
    }
}

/// An intent in the list.
struct IntentRow {
    id: String,
    topic: String,
    question: String,
    /// "3 examples".
    examples: String,
}

#[derive(Template)]
#[template(path = "bot_intents.html")]
struct IntentsPage {
    l: Layout,
    base: String,
    account_name: String,
    notice: Option<String>,
    errors: Vec<FormError>,
    /// "12 questions".
    count: String,
    rows: Vec<IntentRow>,
    f: IntentFields,
}

impl IntentsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[derive(Template)]
#[template(path = "bot_intent.html")]
struct IntentPage {
    l: Layout,
    base: String,
    account_name: String,
    notice: Option<String>,
    errors: Vec<FormError>,
    f: IntentFields,
}

impl IntentPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    done: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct IntentForm {
    csrf: Option<String>,
    #[serde(default)]
    id: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    examples: String,
    #[serde(default)]
    procedure: String,
}

impl IntentForm {
    fn fields(&self, id: &str) -> IntentFields {
        IntentFields {
            id: id.to_owned(),
            topic: self.topic.clone(),
            question: self.question.clone(),
            answer: self.answer.clone(),
            examples: self.examples.clone(),
            procedure: self.procedure.clone(),
        }
    }

    fn intent(&self, viewer: &Viewer<BotsState>, id: &str) -> Result<Intent, Fail> {
        self.fields(id).intent(viewer)
    }
}

/// Refuses an intent one of whose phrasings another of the account's intents already has (one
/// question would lead to two answers, and the exported file would not import again). The
/// mistake is reported on `field`, or on the question or examples field it is about.
pub(crate) async fn unclashed(
    viewer: &Viewer<BotsState>,
    account: &Account,
    intent: &Intent,
    field: Option<&'static str>,
) -> Result<(), Fail> {
    let intents = viewer.state.store.bot_intents(account.id).await?;
    let Some((phrasing, other)) = ketnoi_bot::clash(&intents, intent) else { return Ok(()) };
    let message = viewer.state.messages.get(
        viewer.lang,
        "bot-error-phrasing-taken",
        &[("phrasing", FluentValue::from(phrasing)), ("intent", FluentValue::from(other.as_str()))],
    );
    let field = field.unwrap_or(if phrasing == intent.question { "question" } else { "examples" });
    Err(Fail::Form(FormError { field, message }))
}

/// Adds a new intent to the account's knowledge base; an id in use, or a phrasing another
/// intent has (reported on `clash_field`, see [`unclashed`]), is refused.
pub(crate) async fn add_new(
    viewer: &Viewer<BotsState>,
    account: &Account,
    intent: &Intent,
    clash_field: Option<&'static str>,
) -> Result<(), Fail> {
    let store = &viewer.state.store;
    if store.bot_intent(account.id, &intent.id).await?.is_some() {
        return Err(form_error(viewer, "id", "bot-error-intent-exists"));
    }
    unclashed(viewer, account, intent, clash_field).await?;
    store.save_bot_intent(account.id, intent, Timestamp::now()).await?;
    Ok(())
}

async fn intents_page(
    viewer: &Viewer<BotsState>,
    account: &Account,
    f: IntentFields,
    errors: Vec<FormError>,
) -> Result<IntentsPage, ApiError> {
    let t = viewer.t();
    let rows: Vec<IntentRow> = viewer
        .state
        .store
        .bot_intents(account.id)
        .await?
        .into_iter()
        .map(|i| IntentRow {
            id: i.id.to_string(),
            topic: i.topic,
            question: i.question,
            examples: t.count("bot-examples-count", i.examples.len() as i64),
        })
        .collect();
    Ok(IntentsPage {
        l: viewer.layout(!errors.is_empty()),
        base: base(account),
        account_name: account.display_name.clone(),
        notice: None,
        errors,
        count: t.count("bot-intents-count", rows.len() as i64),
        rows,
        f,
    })
}

async fn intents(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    params: Result<Query<DoneParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = params.map(|Query(p)| p.done).unwrap_or_default();
    let account = match managed(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    match intents_page(&viewer, &account, IntentFields::default(), Vec::new()).await {
        Ok(mut page) => {
            page.notice = notice(&viewer, done.as_deref());
            viewer.render(StatusCode::OK, &page)
        }
        Err(e) => viewer.fail(e),
    }
}

async fn create_intent(
    viewer: Viewer<BotsState>,
    Path(slug): Path<String>,
    PageForm(f): PageForm<IntentForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let result = async {
        let intent = f.intent(&viewer, &f.id)?;
        add_new(&viewer, &account, &intent, None).await?;
        Ok(intent)
    }
    .await;
    match result {
        Ok(intent) => {
            done(&format!("{}/intents/{}", base(&account), intent.id), "intent-created", "intent")
        }
        Err(Fail::Page(e)) => viewer.fail(e),
        Err(Fail::Form(e)) => {
            match intents_page(&viewer, &account, f.fields(&f.id), vec![e]).await {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
    }
}

fn intent_page(
    viewer: &Viewer<BotsState>,
    account: &Account,
    f: IntentFields,
    errors: Vec<FormError>,
) -> IntentPage {
    IntentPage {
        l: viewer.layout(!errors.is_empty()),
        base: base(account),
        account_name: account.display_name.clone(),
        notice: None,
        errors,
        f,
    }
}

/// The account's intent with this id, or "not found".
async fn find_intent(
    viewer: &Viewer<BotsState>,
    account: &Account,
    id: &str,
) -> Result<Intent, ApiError> {
    let id = IntentId::parse(id).map_err(|_| ApiError::NotFound("page"))?;
    viewer.state.store.bot_intent(account.id, &id).await?.ok_or(ApiError::NotFound("page"))
}

async fn intent(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, String)>,
    params: Result<Query<DoneParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = params.map(|Query(p)| p.done).unwrap_or_default();
    let account = match managed(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    match find_intent(&viewer, &account, &id).await {
        Ok(found) => {
            let mut page = intent_page(&viewer, &account, IntentFields::of(&found), Vec::new());
            page.notice = notice(&viewer, done.as_deref());
            viewer.render(StatusCode::OK, &page)
        }
        Err(e) => viewer.fail(e),
    }
}

async fn edit_intent(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, String)>,
    PageForm(f): PageForm<IntentForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    // Editing never creates: an intent deleted meanwhile stays deleted.
    let existing = match find_intent(&viewer, &account, &id).await {
        Ok(i) => i,
        Err(e) => return viewer.fail(e),
    };
    let id = existing.id.to_string();
    let result = async {
        let intent = f.intent(&viewer, &id)?;
        unclashed(&viewer, &account, &intent, None).await?;
        viewer.state.store.save_bot_intent(account.id, &intent, Timestamp::now()).await?;
        Ok::<_, Fail>(())
    }
    .await;
    match result {
        Ok(()) => done(&format!("{}/intents/{id}", base(&account)), "intent-saved", "intent"),
        Err(Fail::Page(e)) => viewer.fail(e),
        Err(Fail::Form(e)) => viewer.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &intent_page(&viewer, &account, f.fields(&id), vec![e]),
        ),
    }
}

async fn delete_intent(
    viewer: Viewer<BotsState>,
    Path((slug, id)): Path<(String, String)>,
    PageForm(f): PageForm<crate::kernel::pages::forms::CsrfForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(id) = IntentId::parse(&id) else {
        return viewer.fail(ApiError::NotFound("page"));
    };
    // Deleting what is already gone is the same result.
    match viewer.state.store.delete_bot_intent(account.id, &id, Timestamp::now()).await {
        Ok(_) => done(&format!("{}/intents", base(&account)), "intent-deleted", "intents"),
        Err(e) => viewer.fail(e.into()),
    }
}
