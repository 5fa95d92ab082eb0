//! The front desk on the API: an account's menu (its own, or a template for the agencies below),
//! its procedure catalogue and each guide, overrides of inherited guides, catalogue import and
//! export, reviews, legal documents marked replaced, and the forms library.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    body::Bytes,
    extract::DefaultBodyLimit,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use ketnoi_core::{
    Account, Timestamp,
    desk::{Day, DeskField, Menu, Override, RawButton, RawMenu, legal_number},
};
use ketnoi_store::{MenuOwner, ShownProcedure};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::features::desk::{
    import::{self, Format, MAX_IMPORT},
    pages::{shown_doc, visible_guide},
    service::{self, DeskState, MenuTarget, form_path, guide_path, href, line_of, require_desk},
};
use crate::kernel::{
    auth::Caller,
    error::ApiError,
    extract::{Json as JsonBody, Path, Query},
    views::ProblemView,
};

pub(crate) fn router() -> Router<DeskState> {
    Router::new()
        .route("/accounts/{slug}/menu", get(get_menu).put(put_menu).delete(drop_menu))
        .route("/accounts/{slug}/menu-template", put(put_menu_template))
        .route("/accounts/{slug}/procedures", get(list_procedures))
        .route(
            "/accounts/{slug}/procedures/import",
            post(import_procedures).layer(DefaultBodyLimit::max(MAX_IMPORT)),
        )
        .route("/accounts/{slug}/procedures/export", get(export_procedures))
        .route("/accounts/{slug}/procedures/{code}", get(get_procedure))
        .route("/accounts/{slug}/procedures/{code}/override", put(put_override))
        .route("/accounts/{slug}/procedures/{code}/review", post(review_procedure))
        .route("/accounts/{slug}/legal-documents/supersede", post(supersede))
        .route("/accounts/{slug}/forms", get(list_forms))
}

/// One menu button as the API writes it, with the address it leads to from the account's pages.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MenuButtonView {
    label: String,
    /// `article`, `url`, `keyword`, `lookup`, `tip`, `form`, `procedure`, `procedures`, `forms` or
    /// `phone`; absent for a group.
    action: Option<String>,
    value: String,
    /// Where tapping it leads; absent for a group.
    href: Option<String>,
    #[schema(no_recursion)]
    buttons: Vec<MenuButtonView>,
}

/// The menu an account shows.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MenuView {
    /// `account` (its own) or `agency` (a template of an agency above it, or its own agency's).
    owner: String,
    /// The published version.
    version: i64,
    buttons: Vec<MenuButtonView>,
}

fn menu_view(slug: &str, owner: MenuOwner, version: i64, menu: &Menu) -> MenuView {
    fn button(slug: &str, b: &ketnoi_core::desk::MenuButton) -> MenuButtonView {
        MenuButtonView {
            label: b.label.clone(),
            action: b.action.map(|a| a.to_string()),
            value: b.value.clone(),
            href: b.action.map(|a| href(slug, a, &b.value).0),
            buttons: b.buttons.iter().map(|c| button(slug, c)).collect(),
        }
    }
    MenuView {
        owner: match owner {
            MenuOwner::Account(_) => "account".to_owned(),
            MenuOwner::Agency(_) => "agency".to_owned(),
        },
        version,
        buttons: menu.buttons.iter().map(|b| button(slug, b)).collect(),
    }
}

/// A menu to publish.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MenuInput {
    /// Up to the operator's limit (3 by default) of top-level buttons.
    #[serde(default)]
    buttons: Vec<MenuButtonInput>,
}

/// A button to publish: a label and an action with its value, or (top level only) a group of
/// sub-buttons.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MenuButtonInput {
    #[serde(default)]
    label: String,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    value: String,
    #[serde(default)]
    #[schema(no_recursion)]
    buttons: Vec<MenuButtonInput>,
}

impl MenuInput {
    pub(crate) fn into_raw(self) -> RawMenu {
        fn raw(b: MenuButtonInput) -> RawButton {
            RawButton {
                label: b.label,
                action: b.action,
                value: b.value,
                buttons: b.buttons.into_iter().map(raw).collect(),
            }
        }
        RawMenu { buttons: self.buttons.into_iter().map(raw).collect() }
    }
}

/// A published menu's number.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Published {
    version: i64,
}

/// The menu an account shows: its own, else the nearest template of its agency line.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/menu", tag = "desk", params(("slug" = String, Path)),
    responses((status = 200, body = MenuView), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_menu(
    state: axum::extract::State<DeskState>,
    Path(slug): Path<String>,
) -> Result<Json<MenuView>, ApiError> {
    let account = state.account(&slug).await?;
    let found = service::menu_of(&state, &account).await?.ok_or(ApiError::NotFound("menu"))?;
    Ok(Json(menu_view(account.slug.as_str(), found.owner, found.version, &found.menu)))
}

async fn publish(
    state: &DeskState,
    caller: &Caller,
    slug: &str,
    target: MenuTarget,
    input: MenuInput,
) -> Result<Json<Published>, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let account = state.account(slug).await?;
    let version =
        state.desk.publish_menu(state, caller, &account, target, input.into_raw()).await?;
    Ok(Json(Published { version }))
}

/// Publishes the account's own menu (a new version; the earlier ones are kept).
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/menu", tag = "desk", params(("slug" = String, Path)), request_body = MenuInput,
    responses((status = 200, body = Published), (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "A rule of menus broken: `code` names it, `at` the button, `limit` the limit", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_menu(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<MenuInput>,
) -> Result<Json<Published>, ApiError> {
    publish(&state, &caller, &slug, MenuTarget::Account, input).await
}

/// Publishes a menu as the template of the account's agency, shown by every account of its
/// subtree that has no menu of its own.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/menu-template", tag = "desk", params(("slug" = String, Path)), request_body = MenuInput,
    responses((status = 200, body = Published), (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_menu_template(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<MenuInput>,
) -> Result<Json<Published>, ApiError> {
    publish(&state, &caller, &slug, MenuTarget::Agency, input).await
}

/// Drops the account's own menu, so that it shows its agencies' template again.
#[utoipa::path(delete, path = "/api/v1/accounts/{slug}/menu", tag = "desk", params(("slug" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn drop_menu(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    let account = state.account(&slug).await?;
    require_desk(&state, &caller, account.agency).await?;
    state.store.drop_account_menu(account.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A catalogue search.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct SearchQuery {
    /// Words to find in names and codes, with or without diacritics.
    q: Option<String>,
    /// How many to answer (1–100, default 100).
    limit: Option<i64>,
    /// How many to skip first (default 0).
    offset: Option<i64>,
}

impl SearchQuery {
    /// The slice of the matches asked for: (skip, take).
    fn window(&self) -> Result<(usize, usize), ApiError> {
        let limit = self.limit.unwrap_or(100);
        let offset = self.offset.unwrap_or(0);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::Unprocessable("invalid-limit"));
        }
        if offset < 0 {
            return Err(ApiError::Unprocessable("invalid-limit"));
        }
        Ok((offset as usize, limit as usize))
    }
}

/// One guide of a catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProcedureLineView {
    code: String,
    name: String,
    /// Its page.
    url: String,
    /// Whether it comes from an agency above the account's.
    inherited: bool,
    /// Whether the account overrides some of its fields.
    overridden: bool,
    /// Whether a document it rests on was replaced and it awaits review.
    stale: bool,
}

/// An account's procedure catalogue (its own agency's guides and the templates above), by name.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/procedures", tag = "desk", params(("slug" = String, Path), SearchQuery),
    responses((status = 200, body = [ProcedureLineView]), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_procedures(
    state: axum::extract::State<DeskState>,
    Path(slug): Path<String>,
    Query(search): Query<SearchQuery>,
) -> Result<Json<Vec<ProcedureLineView>>, ApiError> {
    let account = state.account(&slug).await?;
    let line = line_of(&state, account.agency).await?;
    let (skip, take) = search.window()?;
    let q = search.q.map(|q| q.chars().take(200).collect::<String>());
    let found = state.store.procedures_for(account.id, &line, q.as_deref(), false).await?;
    Ok(Json(
        found
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|p| ProcedureLineView {
                url: guide_path(account.slug.as_str(), &p.code),
                code: p.code,
                name: p.name,
                inherited: p.inherited,
                overridden: p.overridden,
                stale: p.stale_since.is_some(),
            })
            .collect(),
    ))
}

/// A legal document a guide rests on.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LegalView {
    number: String,
    title: String,
    issuer: String,
    /// `yyyy-mm-dd`.
    effective: String,
    expires: Option<String>,
    /// The number of the document that replaces it.
    superseded_by: Option<String>,
    superseded_on: Option<String>,
}

/// A procedure guide as the account shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProcedureView {
    code: String,
    name: String,
    /// `central`, `province` or `commune`.
    level: String,
    applicants: String,
    steps: Vec<String>,
    documents: Vec<String>,
    fee: String,
    processing_time: String,
    office: String,
    address: String,
    hours: String,
    phone: String,
    online_url: String,
    notes: String,
    legal_basis: Vec<LegalView>,
    /// The codes of its forms.
    forms: Vec<String>,
    /// The fields accounts below may not override.
    locked: Vec<String>,
    /// Written for the demonstration, not an official guide.
    demo: bool,
    inherited: bool,
    overridden: bool,
    /// Since when it awaits review (Unix ms), if it does.
    stale_since: Option<i64>,
    /// The replaced or lapsed document that flagged it.
    stale_document: Option<String>,
    /// When an officer last saved or reviewed it, RFC 3339.
    reviewed_at: String,
    url: String,
}

fn procedure_view(account: &Account, shown: &ShownProcedure) -> ProcedureView {
    let doc = shown_doc(account, shown);
    let over = shown.over.as_ref();
    ProcedureView {
        url: guide_path(account.slug.as_str(), &doc.code),
        level: doc.level.to_string(),
        legal_basis: doc
            .legal_basis
            .iter()
            .map(|l| LegalView {
                number: l.number.clone(),
                title: l.title.clone(),
                issuer: l.issuer.clone(),
                effective: l.effective.to_string(),
                expires: l.expires.as_ref().map(|d| d.to_string()),
                superseded_by: l.superseded_by.clone(),
                superseded_on: l.superseded_on.as_ref().map(|d| d.to_string()),
            })
            .collect(),
        locked: doc.locked.iter().map(|f| f.to_string()).collect(),
        inherited: shown.inherited,
        overridden: over.is_some_and(|o| !o.fields.is_empty() || !o.extra_steps.is_empty()),
        stale_since: shown.procedure.stale_since.map(Timestamp::millis),
        stale_document: shown.procedure.stale_doc.clone(),
        reviewed_at: shown.procedure.reviewed_at.rfc3339(),
        code: doc.code,
        name: doc.name,
        applicants: doc.applicants,
        steps: doc.steps,
        documents: doc.documents,
        fee: doc.fee,
        processing_time: doc.processing_time,
        office: doc.office,
        address: doc.address,
        hours: doc.hours,
        phone: doc.phone,
        online_url: doc.online_url,
        notes: doc.notes,
        forms: doc.forms,
        demo: doc.demo,
    }
}

/// One guide of the account's catalogue, with the account's changes.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/procedures/{code}", tag = "desk", params(("slug" = String, Path), ("code" = String, Path)),
    responses((status = 200, body = ProcedureView), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_procedure(
    state: axum::extract::State<DeskState>,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Json<ProcedureView>, ApiError> {
    let account = state.account(&slug).await?;
    let shown = visible_guide(&state, &account, &code).await?;
    Ok(Json(procedure_view(&account, &shown)))
}

/// What an account changes of an inherited guide.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OverrideInput {
    /// Replaced fields: `office`, `address`, `hours`, `phone`, `online_url`, `fee`,
    /// `processing_time`, `notes` (those the template does not lock). An empty value restores
    /// the template's.
    #[serde(default)]
    fields: BTreeMap<String, String>,
    /// Steps added after the template's.
    #[serde(default)]
    extra_steps: Vec<String>,
    /// Hides the guide from the account's catalogue.
    #[serde(default)]
    hidden: bool,
}

impl OverrideInput {
    pub(crate) fn into_override(self) -> Result<Override, ApiError> {
        let mut fields = BTreeMap::new();
        for (name, value) in self.fields {
            let field: DeskField = name.parse()?;
            fields.insert(field, value);
        }
        Ok(Override { fields, extra_steps: self.extra_steps, hidden: self.hidden })
    }
}

/// Sets what the account changes of an inherited guide; an empty body restores it.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/procedures/{code}/override", tag = "desk",
    params(("slug" = String, Path), ("code" = String, Path)), request_body = OverrideInput,
    responses((status = 204), (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "`override-locked`: the template does not let accounts change that field", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_override(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path((slug, code)): Path<(String, String)>,
    JsonBody(input): JsonBody<OverrideInput>,
) -> Result<StatusCode, ApiError> {
    let account = state.account(&slug).await?;
    let over = input.into_override()?;
    service::set_override(&state, &caller, &account, &code, over).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The format of a catalogue file.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct FormatQuery {
    /// `jsonl` (the default) or `csv`.
    format: Option<String>,
}

impl FormatQuery {
    fn format(&self) -> Result<Format, ApiError> {
        match self.format.as_deref() {
            None | Some("") => Ok(Format::JsonLines),
            Some(word) => Format::parse(word)
                .ok_or(ApiError::BadField { code: "desk-format", field: "format" }),
        }
    }
}

/// How many guides an import stored.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Imported {
    saved: usize,
}

/// Imports guides into the catalogue of the account's agency (JSON Lines or CSV in the body),
/// all or nothing: a file with any error stores nothing and answers every error by line.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/procedures/import", tag = "desk", params(("slug" = String, Path), FormatQuery),
    request_body(content = String, content_type = "text/plain"),
    responses((status = 200, body = Imported), (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "`import-refused`, with `errors`: `[{line, code, detail}]`", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn import_procedures(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(format): Query<FormatQuery>,
    body: Bytes,
) -> Result<Json<Imported>, ApiError> {
    let account = state.account(&slug).await?;
    let format = format.format()?;
    let saved = service::import_guides(&state, &caller, account.agency, format, &body).await?;
    Ok(Json(Imported { saved }))
}

/// Exports the catalogue of the account's agency as written (not what it inherits).
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/procedures/export", tag = "desk", params(("slug" = String, Path), FormatQuery),
    responses((status = 200, content_type = "application/x-ndjson", body = String), (status = 403, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn export_procedures(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(format): Query<FormatQuery>,
) -> Result<Response, ApiError> {
    let account = state.account(&slug).await?;
    let format = format.format()?;
    require_desk(&state, &caller, account.agency).await?;
    export_response(&state, &account, format).await
}

/// A catalogue file as a download.
pub(crate) async fn export_response(
    state: &DeskState,
    account: &Account,
    format: Format,
) -> Result<Response, ApiError> {
    let docs: Vec<_> =
        state.store.agency_procedures(account.agency).await?.into_iter().map(|p| p.doc).collect();
    let mut response = import::write(format, &docs).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let name = format!("attachment; filename=\"thu-tuc-{}.{}\"", account.slug, format.extension());
    if let Ok(v) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Marks a guide of the account's own agency reviewed, clearing its flag.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/procedures/{code}/review", tag = "desk", params(("slug" = String, Path), ("code" = String, Path)),
    responses((status = 204), (status = 403, body = ProblemView, content_type = "application/problem+json"), (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "`guide-cites-lapsed-law`: it still cites a replaced or lapsed document", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn review_procedure(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path((slug, code)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let account = state.account(&slug).await?;
    review(&state, &caller, &account, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reviews a guide owned by the account's agency.
pub(crate) async fn review(
    state: &DeskState,
    caller: &Caller,
    account: &Account,
    code: &str,
) -> Result<(), ApiError> {
    let line = require_desk(state, caller, account.agency).await?;
    let shown = state.store.procedure_for(account.id, &line, code).await?;
    let shown = shown.filter(|s| !s.inherited).ok_or(ApiError::NotFound("procedure"))?;
    let now = Timestamp::now();
    match state.store.review_procedure(shown.procedure.id, &Day::today(now), now).await? {
        Ok(()) => Ok(()),
        Err(number) => {
            Err(ApiError::BrokenRule { code: "guide-cites-lapsed-law", at: number, limit: None })
        }
    }
}

/// A legal document to mark replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SupersedeInput {
    /// The document's number.
    number: String,
    /// The number of the document that replaces it, if one does (it must be known).
    #[serde(default)]
    by: Option<String>,
    /// From when (`yyyy-mm-dd` or `dd/mm/yyyy`); today if absent.
    #[serde(default)]
    on: Option<String>,
}

/// How many guides a replaced document flagged.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Flagged {
    flagged: u64,
}

/// Marks a legal document entered by the account's agency replaced (or repealed): every guide
/// that cites it, anywhere in the tree, is flagged for review, with its forms.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/legal-documents/supersede", tag = "desk", params(("slug" = String, Path)), request_body = SupersedeInput,
    responses((status = 200, body = Flagged), (status = 403, body = ProblemView, content_type = "application/problem+json"), (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "`supersede-cycle`, `import-unknown-document` or `legal-not-owner`", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn supersede(
    state: axum::extract::State<DeskState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(input): JsonBody<SupersedeInput>,
) -> Result<Json<Flagged>, ApiError> {
    let account = state.account(&slug).await?;
    let flagged = supersede_for(
        &state,
        &caller,
        &account,
        &input.number,
        input.by.as_deref(),
        input.on.as_deref(),
    )
    .await?;
    Ok(Json(Flagged { flagged }))
}

/// Marks a document replaced on behalf of the account's agency.
pub(crate) async fn supersede_for(
    state: &DeskState,
    caller: &Caller,
    account: &Account,
    number: &str,
    by: Option<&str>,
    on: Option<&str>,
) -> Result<u64, ApiError> {
    require_desk(state, caller, account.agency).await?;
    let number = legal_number(number)?;
    let by = by.map(str::trim).filter(|b| !b.is_empty()).map(legal_number).transpose()?;
    let now = Timestamp::now();
    let on = match on.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Day::parse(raw)?,
        None => Day::today(now),
    };
    match state.store.supersede_legal(&number, by.as_deref(), &on, account.agency, now).await {
        Ok(Ok(n)) => Ok(n),
        Ok(Err(refusal)) => Err(service::refusal(&refusal)),
        Err(ketnoi_store::StoreError::NotFound(_)) => Err(ApiError::NotFound("legal document")),
        Err(e) => Err(e.into()),
    }
}

/// A form of the library.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FormView {
    code: String,
    title: String,
    description: String,
    version: String,
    effective: Option<String>,
    superseded_by: Option<String>,
    file_name: String,
    content_type: String,
    size: i64,
    /// Whether a guide that uses it awaits review.
    stale: bool,
    /// Its page; the file is at `{url}/tai-ve`.
    url: String,
    reviewed_at: String,
}

/// The forms the account's agency line offers, by title.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/forms", tag = "desk", params(("slug" = String, Path), SearchQuery),
    responses((status = 200, body = [FormView]), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_forms(
    state: axum::extract::State<DeskState>,
    Path(slug): Path<String>,
    Query(search): Query<SearchQuery>,
) -> Result<Json<Vec<FormView>>, ApiError> {
    let account = state.account(&slug).await?;
    let line = line_of(&state, account.agency).await?;
    let (skip, take) = search.window()?;
    let q = search.q.map(|q| q.chars().take(200).collect::<String>());
    let found = state.store.forms_for(&line, q.as_deref()).await?;
    Ok(Json(
        found
            .into_iter()
            .skip(skip)
            .take(take)
            .map(|f| FormView {
                url: form_path(account.slug.as_str(), &f.doc.code),
                effective: f.doc.effective.as_ref().map(|d| d.to_string()),
                reviewed_at: f.reviewed_at.rfc3339(),
                code: f.doc.code,
                title: f.doc.title,
                description: f.doc.description,
                version: f.doc.version,
                superseded_by: f.doc.superseded_by,
                file_name: f.file_name,
                content_type: f.content_type,
                size: f.size,
                stale: f.stale,
            })
            .collect(),
    ))
}
