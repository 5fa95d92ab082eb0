//! The officers' front desk in the console, as plain forms: the account's menu (its own or a
//! template for the agencies below) with a preview and its versions; the catalogue with what is
//! the agency's own, inherited, overridden or hidden; the queue of guides and forms awaiting
//! review; a guide's editor (own guides) or override form (inherited ones); legal documents
//! marked replaced; catalogue import and export; forms uploaded to the library.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{
    Account, Timestamp,
    desk::{
        Day, DeskField, FormDoc, MenuAction, Override, ProcedureDoc, ProcedureLevel, RawButton,
        RawMenu,
    },
    policy::Action,
};
use ketnoi_store::{MenuOwner, NewForm, ShownProcedure};
use serde::Deserialize;

use crate::features::desk::{
    api::{export_response, review, supersede_for},
    import::{self, Format, MAX_IMPORT},
    service::{self, DeskState, MenuTarget, form_path, guide_path, line_of, menu_block_of},
};
use crate::kernel::{
    auth::Caller,
    error::ApiError,
    media,
    pages::{Layout, PageForm, Viewer, Who, account_for, console_form, console_sign_in, encode},
};

/// The largest form file.
const MAX_FORM_FILE: usize = 10 * 1024 * 1024;

pub(crate) fn router() -> Router<DeskState> {
    Router::new()
        .route("/console/a/{slug}/quay", get(desk))
        .route("/console/a/{slug}/quay/menu", post(post_menu))
        .route(
            "/console/a/{slug}/quay/nhap",
            post(import_file).layer(DefaultBodyLimit::max(MAX_IMPORT + 64 * 1024)),
        )
        .route("/console/a/{slug}/quay/xuat", get(export))
        .route(
            "/console/a/{slug}/quay/bieu-mau",
            post(upload_form).layer(DefaultBodyLimit::max(MAX_FORM_FILE + 64 * 1024)),
        )
        .route("/console/a/{slug}/quay/thu-tuc/moi", get(new_guide).post(create_guide))
        .route("/console/a/{slug}/quay/thu-tuc/{code}", get(edit_guide).post(save_guide))
        .route("/console/a/{slug}/quay/thu-tuc/{code}/rieng", post(save_override))
        .route("/console/a/{slug}/quay/thu-tuc/{code}/ra-soat", post(review_guide))
        .route("/console/a/{slug}/quay/thu-tuc/{code}/xoa", post(delete_guide))
        .route("/console/a/{slug}/quay/bieu-mau/{code}/xoa", post(delete_form))
        .route("/console/a/{slug}/quay/van-ban", post(supersede_law))
}

const SECTION: &str = "quay";

async fn keeper(viewer: &Viewer<DeskState>, slug: &str) -> Result<Account, Response> {
    if matches!(viewer.caller, Caller::Anonymous) {
        return Err(console_sign_in(slug, SECTION));
    }
    account_for(viewer, slug, Action::ManageDesk).await.map_err(|e| viewer.fail(e))
}

fn back(account: &Account, done: &str) -> Response {
    Redirect::to(&format!("/console/a/{}/quay?done={done}", account.slug)).into_response()
}

/// One slot of the menu editor.
struct Slot {
    name: String,
    label: String,
    action: String,
    value: String,
    sub: Vec<Slot>,
}

struct QueueItem {
    href: String,
    name: String,
    reason: String,
}

struct GuideRow {
    href: String,
    code: String,
    name: String,
    badges: Vec<String>,
}

struct FormRow {
    code: String,
    title: String,
    href: String,
    /// Where its delete form posts: only the agency's own forms.
    delete: Option<String>,
    stale: bool,
}

struct VersionRow {
    version: i64,
    when: String,
    labels: String,
}

#[derive(Template)]
#[template(path = "desk_console.html")]
struct DeskPage {
    l: Layout,
    slug: String,
    account_name: String,
    notice: Option<String>,
    error: Option<String>,
    menu_source: String,
    preview: String,
    slots: Vec<Slot>,
    actions: Vec<(String, String)>,
    own_versions: Vec<VersionRow>,
    template_versions: Vec<VersionRow>,
    has_own_menu: bool,
    queue: Vec<QueueItem>,
    /// Flagged guides of the agencies below: agency, code, name.
    below: Vec<(String, String, String)>,
    guides: Vec<GuideRow>,
    forms: Vec<FormRow>,
    import_errors: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Done {
    done: Option<String>,
}

fn slots_of(menu: &RawMenu, limits: ketnoi_core::desk::MenuLimits) -> Vec<Slot> {
    let value = |b: Option<&RawButton>| {
        b.map(|b| (b.label.clone(), b.action.clone().unwrap_or_default(), b.value.clone()))
            .unwrap_or_default()
    };
    (0..limits.buttons)
        .map(|i| {
            let top = menu.buttons.get(i);
            let (label, action, v) = value(top);
            Slot {
                name: format!("b{i}"),
                label,
                action,
                value: v,
                sub: (0..limits.sub_buttons)
                    .map(|j| {
                        let (label, action, v) = value(top.and_then(|t| t.buttons.get(j)));
                        Slot { name: format!("b{i}_{j}"), label, action, value: v, sub: vec![] }
                    })
                    .collect(),
            }
        })
        .collect()
}

fn raw_of_menu(menu: &ketnoi_core::desk::Menu) -> RawMenu {
    fn raw(b: &ketnoi_core::desk::MenuButton) -> RawButton {
        RawButton {
            label: b.label.clone(),
            action: b.action.map(|a| a.to_string()),
            value: b.value.clone(),
            buttons: b.buttons.iter().map(raw).collect(),
        }
    }
    RawMenu { buttons: menu.buttons.iter().map(raw).collect() }
}

/// The menu the slots of a posted form describe; empty slots are skipped.
fn raw_of_form(form: &HashMap<String, String>, limits: ketnoi_core::desk::MenuLimits) -> RawMenu {
    let get = |k: String| form.get(&k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let button = |name: &str| RawButton {
        label: get(format!("{name}_label")),
        action: Some(get(format!("{name}_action"))).filter(|a| !a.is_empty()),
        value: get(format!("{name}_value")),
        buttons: vec![],
    };
    let mut buttons = Vec::new();
    for i in 0..limits.buttons {
        let mut top = button(&format!("b{i}"));
        top.buttons = (0..limits.sub_buttons)
            .map(|j| button(&format!("b{i}_{j}")))
            .filter(|b| !b.label.is_empty() || b.action.is_some() || !b.value.is_empty())
            .collect();
        if !top.label.is_empty() || top.action.is_some() || !top.buttons.is_empty() {
            buttons.push(top);
        }
    }
    RawMenu { buttons }
}

fn versions(found: &[ketnoi_store::MenuVersion]) -> Vec<VersionRow> {
    found
        .iter()
        .map(|v| VersionRow {
            version: v.version,
            when: v.created_at.display_vn(),
            labels: v.menu.buttons.iter().map(|b| b.label.as_str()).collect::<Vec<_>>().join(" · "),
        })
        .collect()
}

async fn desk_page(
    viewer: &Viewer<DeskState>,
    account: &Account,
    editing: Option<RawMenu>,
    preview: Option<String>,
    error: Option<String>,
    import_errors: Vec<String>,
    notice: Option<String>,
) -> Result<DeskPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let line = line_of(&viewer.state, account.agency).await?;
    let shown = store.menu_for(account.id, &line).await?;
    let own = store.menu_versions(MenuOwner::Account(account.id), 10).await?;
    let template = store.menu_versions(MenuOwner::Agency(account.agency), 10).await?;
    let menu_source = match shown.as_ref().map(|m| m.owner) {
        None => t.get("desk-menu-none"),
        Some(MenuOwner::Account(_)) => t.get("desk-menu-own"),
        Some(MenuOwner::Agency(g)) if g == account.agency => t.get("desk-menu-agency"),
        Some(MenuOwner::Agency(_)) => t.get("desk-menu-inherited"),
    };
    let limits = viewer.state.desk.limits;
    let editing =
        editing.unwrap_or_else(|| shown.as_ref().map(|m| raw_of_menu(&m.menu)).unwrap_or_default());
    let preview = preview.unwrap_or_else(|| {
        shown
            .as_ref()
            .map(|m| menu_block_of(&t, account.slug.as_str(), &m.menu, "menu-preview"))
            .unwrap_or_default()
    });
    let lines = store.procedures_for(account.id, &line, None, true).await?;
    let mut queue: Vec<QueueItem> = lines
        .iter()
        .filter(|l| l.stale_since.is_some())
        .map(|l| QueueItem {
            href: format!("/console/a/{}/quay/thu-tuc/{}", account.slug, encode(&l.code)),
            name: l.name.clone(),
            reason: t.get(if l.inherited { "desk-queue-inherited" } else { "desk-queue-own" }),
        })
        .collect();
    // Bot answers resting on a flagged guide: the account's own, and those it inherits from
    // the knowledge bases offered above (listed for its officers to check their own wording).
    let stale: std::collections::HashSet<&str> =
        lines.iter().filter(|l| l.stale_since.is_some()).map(|l| l.code.as_str()).collect();
    if !stale.is_empty() {
        let mut sources = vec![account.id];
        if line.len() > 1 {
            sources
                .extend(store.shared_knowledge(&line[1..]).await?.into_iter().map(|(a, _, _)| a));
        }
        for source in sources {
            for intent in store.bot_intents(source).await? {
                let Some(code) = intent.procedure.as_deref().filter(|c| stale.contains(c)) else {
                    continue;
                };
                let href = if source == account.id {
                    format!("/console/a/{}/bot/intents/{}", account.slug, intent.id)
                } else {
                    format!("/console/a/{}/quay/thu-tuc/{}", account.slug, encode(code))
                };
                queue.push(QueueItem {
                    href,
                    name: intent.question,
                    reason: t.get("desk-queue-intent"),
                });
            }
        }
    }
    let library = store.forms_for(&line, None).await?;
    for f in library.iter().filter(|f| f.stale) {
        queue.push(QueueItem {
            href: form_path(account.slug.as_str(), &f.doc.code),
            name: f.doc.title.clone(),
            reason: t.get("desk-queue-form"),
        });
    }
    let forms = library
        .into_iter()
        .map(|f| FormRow {
            href: form_path(account.slug.as_str(), &f.doc.code),
            delete: (f.agency == account.agency).then(|| {
                format!("/console/a/{}/quay/bieu-mau/{}/xoa", account.slug, encode(&f.doc.code))
            }),
            code: f.doc.code,
            title: f.doc.title,
            stale: f.stale,
        })
        .collect();
    let guides = lines
        .into_iter()
        .map(|l| {
            let mut badges =
                vec![t.get(if l.inherited { "desk-badge-inherited" } else { "desk-badge-own" })];
            if l.template && !l.inherited {
                badges.push(t.get("desk-badge-template"));
            }
            if l.overridden {
                badges.push(t.get("desk-badge-overridden"));
            }
            if l.hidden {
                badges.push(t.get("desk-badge-hidden"));
            }
            if l.stale_since.is_some() {
                badges.push(t.get("desk-updating-badge"));
            }
            GuideRow {
                href: format!("/console/a/{}/quay/thu-tuc/{}", account.slug, encode(&l.code)),
                code: l.code,
                name: l.name,
                badges,
            }
        })
        .collect();
    Ok(DeskPage {
        l: viewer.layout(error.is_some() || !import_errors.is_empty()),
        slug: account.slug.to_string(),
        account_name: account.display_name.clone(),
        notice,
        error,
        menu_source,
        preview,
        slots: slots_of(&editing, limits),
        actions: MenuAction::ALL
            .iter()
            .map(|a| (a.to_string(), t.get(&format!("desk-action-{a}"))))
            .collect(),
        own_versions: versions(&own),
        template_versions: versions(&template),
        has_own_menu: !own.is_empty(),
        queue,
        below: store.stale_below(account.agency, 200).await?,
        guides,
        forms,
        import_errors,
    })
}

async fn desk(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    done: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let account = match keeper(&viewer, &slug).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let t = viewer.t();
    let notice = done
        .ok()
        .and_then(|Query(d)| d.done)
        .filter(|d| {
            [
                "menu",
                "template",
                "dropped",
                "imported",
                "form",
                "saved",
                "override",
                "reviewed",
                "superseded",
                "deleted",
                "form-deleted",
            ]
            .contains(&d.as_str())
        })
        .map(|d| t.get(&format!("desk-done-{d}")));
    match desk_page(&viewer, &account, None, None, None, vec![], notice).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn post_menu(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").map(String::as_str);
    let account = match console_form(&viewer, &slug, csrf, Action::ManageDesk, SECTION).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let desk = viewer.state.desk.clone();
    let t = viewer.t();
    let step = form.get("do").map(String::as_str).unwrap_or("preview");
    let store = &viewer.state.store;
    let outcome: Result<&str, ApiError> = match step {
        "drop" => store.drop_account_menu(account.id).await.map(|_| "dropped").map_err(Into::into),
        "restore-own" | "restore-template" => {
            let (owner, target, done) = if step == "restore-own" {
                (MenuOwner::Account(account.id), MenuTarget::Account, "menu")
            } else {
                (MenuOwner::Agency(account.agency), MenuTarget::Agency, "template")
            };
            let wanted: i64 = form.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
            match store.menu_versions(owner, 1000).await {
                Ok(all) => match all.into_iter().find(|v| v.version == wanted) {
                    Some(v) => desk
                        .publish_menu(
                            &viewer.state,
                            &viewer.caller,
                            &account,
                            target,
                            raw_of_menu(&v.menu),
                        )
                        .await
                        .map(|_| done),
                    None => Err(ApiError::NotFound("version")),
                },
                Err(e) => Err(e.into()),
            }
        }
        "publish" | "publish-template" => {
            let raw = raw_of_form(&form, desk.limits);
            let target = if step == "publish" { MenuTarget::Account } else { MenuTarget::Agency };
            desk.publish_menu(&viewer.state, &viewer.caller, &account, target, raw)
                .await
                .map(|_| if step == "publish" { "menu" } else { "template" })
        }
        _ => {
            // A preview: the menu as citizens would see it, or the rule it breaks.
            let raw = raw_of_form(&form, desk.limits);
            let (preview, error) = match desk.check_menu(raw_of_form(&form, desk.limits)) {
                Ok(menu) if menu.buttons.is_empty() => {
                    (String::new(), Some(t.get("desk-menu-empty")))
                }
                Ok(menu) => (menu_block_of(&t, account.slug.as_str(), &menu, "menu-preview"), None),
                Err(e) => (String::new(), Some(viewer.message(&e))),
            };
            return match desk_page(&viewer, &account, Some(raw), Some(preview), error, vec![], None)
                .await
            {
                Ok(page) => viewer.render(StatusCode::OK, &page),
                Err(e) => viewer.fail(e),
            };
        }
    };
    match outcome {
        Ok(done) => back(&account, done),
        Err(e @ (ApiError::BrokenRule { .. } | ApiError::Invalid(_))) => {
            let raw = raw_of_form(&form, desk.limits);
            let message = Some(viewer.message(&e));
            match desk_page(
                &viewer,
                &account,
                Some(raw),
                Some(String::new()),
                message,
                vec![],
                None,
            )
            .await
            {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
        Err(e) => viewer.fail(e),
    }
}

/// The fields of a multipart console form, and its one file if it has one.
async fn read_multipart(
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<(HashMap<String, String>, Option<(String, String, Vec<u8>)>), ApiError> {
    let mut multipart = multipart.map_err(|r| ApiError::Malformed(r.body_text()))?;
    let too_large = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: max }
        } else {
            ApiError::Malformed(e.body_text())
        }
    };
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let declared = field.content_type().unwrap_or_default().to_owned();
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(too_large)?;
            if !bytes.is_empty() {
                file = Some((declared, file_name, bytes.to_vec()));
            }
            continue;
        }
        fields.insert(name, field.text().await.map_err(too_large)?);
    }
    Ok((fields, file))
}

/// What a multipart console form posts once its sender is checked: the account, the fields and
/// the file.
type Posted = (Account, HashMap<String, String>, Option<(String, String, Vec<u8>)>);

/// Reads a multipart console form and checks its sender as [`console_form`] does.
async fn multipart_form(
    viewer: &Viewer<DeskState>,
    slug: &str,
    multipart: Result<Multipart, MultipartRejection>,
    max: usize,
) -> Result<Posted, Response> {
    let (fields, file) = read_multipart(multipart, max).await.map_err(|e| viewer.fail(e))?;
    let csrf = fields.get("csrf").map(String::as_str);
    let account = console_form(viewer, slug, csrf, Action::ManageDesk, SECTION).await?;
    Ok((account, fields, file))
}

async fn import_file(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (account, fields, file) = match multipart_form(&viewer, &slug, multipart, MAX_IMPORT).await
    {
        Ok(posted) => posted,
        Err(r) => return r,
    };
    let t = viewer.t();
    let format = fields.get("format").and_then(|f| Format::parse(f)).unwrap_or(Format::JsonLines);
    let bytes = file.map(|(_, _, b)| b).unwrap_or_default();
    match service::import_guides(&viewer.state, &viewer.caller, account.agency, format, &bytes)
        .await
    {
        Ok(_) => back(&account, "imported"),
        Err(ApiError::ImportRefused(errors)) => {
            let lines = errors
                .iter()
                .map(|e| {
                    let message = t.with(e.code, "detail", &e.detail);
                    if e.line == 0 {
                        message
                    } else {
                        t.with("desk-import-line", "line", &e.line.to_string()) + " " + &message
                    }
                })
                .collect();
            match desk_page(&viewer, &account, None, None, None, lines, None).await {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

async fn export(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    query: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let account = match keeper(&viewer, &slug).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let format = query.ok().and_then(|Query(q)| q.format).and_then(|f| Format::parse(&f));
    match export_response(&viewer.state, &account, format.unwrap_or(Format::JsonLines)).await {
        Ok(r) => r,
        Err(e) => viewer.fail(e),
    }
}

async fn upload_form(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let (account, fields, file) =
        match multipart_form(&viewer, &slug, multipart, MAX_FORM_FILE).await {
            Ok(posted) => posted,
            Err(r) => return r,
        };
    let result: Result<(), ApiError> = async {
        let get = |k: &str| fields.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        let effective =
            Some(get("effective")).filter(|s| !s.is_empty()).map(|s| Day::parse(&s)).transpose()?;
        let doc = FormDoc {
            code: get("code"),
            title: get("title"),
            description: get("description"),
            version: get("version"),
            effective,
            superseded_by: Some(get("superseded_by")).filter(|s| !s.is_empty()),
        }
        .checked()?;
        let (declared, file_name, bytes) =
            file.ok_or(ApiError::BadField { code: "desk-form-file-missing", field: "file" })?;
        let cleaned = media::clean_document(&declared, &bytes, MAX_FORM_FILE)?;
        let key = crate::kernel::http::hex(&rand::random::<[u8; 16]>());
        viewer.state.blobs.put(&key, &cleaned.bytes).await?;
        let name = if file_name.trim().is_empty() {
            format!("{}.{}", doc.code, cleaned.extension)
        } else {
            file_name
        };
        let new = NewForm {
            agency: account.agency,
            doc,
            blob_key: key,
            content_type: cleaned.content_type,
            file_name: name.chars().take(200).collect(),
            size: cleaned.bytes.len() as i64,
        };
        // A new file for a code the library has replaces the old one, whose bytes go.
        let store = &viewer.state.store;
        let replaced = store.forms_for(&[account.agency], None).await?;
        let replaced = replaced.into_iter().find(|f| f.doc.code == new.doc.code);
        store.save_form(&new, Timestamp::now()).await?;
        if let Some(old) = replaced
            && let Err(e) = viewer.state.blobs.delete(&old.blob_key).await
        {
            tracing::warn!(error = %e, "a replaced form's file was not removed");
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => back(&account, "form"),
        Err(e) => viewer.fail(e),
    }
}

/// The guide editor (own guides) and the override form (inherited ones).
#[derive(Template)]
#[template(path = "desk_guide_console.html")]
struct GuideConsole {
    l: Layout,
    slug: String,
    account_name: String,
    action: String,
    error: Option<String>,
    own: bool,
    public: Option<String>,
    doc: ProcedureDoc,
    legal_text: String,
    forms_text: String,
    levels: Vec<(String, String, bool)>,
    fields: Vec<OverrideRow>,
    extra_steps: String,
    hidden: bool,
    stale: Option<String>,
    laws: Vec<(String, bool)>,
    children: Vec<(String, String)>,
}

struct OverrideRow {
    field: String,
    label: String,
    template: String,
    value: String,
    locked: bool,
}

const OPEN_FIELDS: &[DeskField] = &[
    DeskField::Office,
    DeskField::Address,
    DeskField::Hours,
    DeskField::Phone,
    DeskField::OnlineUrl,
    DeskField::Fee,
    DeskField::ProcessingTime,
    DeskField::Notes,
];

fn template_value(doc: &ProcedureDoc, field: DeskField) -> &str {
    match field {
        DeskField::Office => &doc.office,
        DeskField::Address => &doc.address,
        DeskField::Hours => &doc.hours,
        DeskField::Phone => &doc.phone,
        DeskField::OnlineUrl => &doc.online_url,
        DeskField::Fee => &doc.fee,
        DeskField::ProcessingTime => &doc.processing_time,
        DeskField::Notes => &doc.notes,
        DeskField::ExtraSteps => "",
    }
}

fn legal_text(doc: &ProcedureDoc) -> String {
    doc.legal_basis
        .iter()
        .map(|l| {
            let mut line =
                format!("{} | {} | {} | {}", l.number, l.title, l.issuer, l.effective.display_vn());
            if let Some(e) = &l.expires {
                line.push_str(&format!(" | {}", e.display_vn()));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn blank_doc() -> ProcedureDoc {
    ProcedureDoc {
        code: String::new(),
        name: String::new(),
        level: ProcedureLevel::Commune,
        applicants: String::new(),
        steps: vec![],
        documents: vec![],
        fee: String::new(),
        processing_time: String::new(),
        office: String::new(),
        address: String::new(),
        hours: String::new(),
        phone: String::new(),
        online_url: String::new(),
        notes: String::new(),
        legal_basis: vec![],
        forms: vec![],
        locked: vec![],
        template: true,
        demo: false,
    }
}

async fn guide_console(
    viewer: &Viewer<DeskState>,
    account: &Account,
    shown: Option<&ShownProcedure>,
    draft: Option<(ProcedureDoc, String)>,
    error: Option<String>,
) -> Result<GuideConsole, ApiError> {
    let t = viewer.t();
    let own = shown.is_none_or(|s| !s.inherited);
    let doc = match (&draft, shown) {
        (Some((d, _)), _) => d.clone(),
        (None, Some(s)) => s.procedure.doc.clone(),
        (None, None) => blank_doc(),
    };
    let over = shown.and_then(|s| s.over.clone()).unwrap_or_default();
    let mut children = Vec::new();
    if let Some(s) = shown.filter(|s| !s.inherited) {
        for (id, o) in viewer.state.store.overrides_of(s.procedure.id).await? {
            let name =
                viewer.state.store.account(id).await?.map(|a| a.display_name).unwrap_or_default();
            let what = if o.hidden {
                t.get("desk-badge-hidden")
            } else {
                o.fields
                    .keys()
                    .map(|f| t.get(&format!("desk-field-{f}")))
                    .chain((!o.extra_steps.is_empty()).then(|| t.get("desk-field-extra_steps")))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            children.push((name, what));
        }
    }
    let action = match shown {
        Some(s) => {
            format!("/console/a/{}/quay/thu-tuc/{}", account.slug, encode(&s.procedure.doc.code))
        }
        None => format!("/console/a/{}/quay/thu-tuc/moi", account.slug),
    };
    Ok(GuideConsole {
        l: viewer.layout(error.is_some()),
        slug: account.slug.to_string(),
        account_name: account.display_name.clone(),
        action,
        error,
        own,
        public: shown.map(|s| guide_path(account.slug.as_str(), &s.procedure.doc.code)),
        legal_text: draft.as_ref().map(|(_, l)| l.clone()).unwrap_or_else(|| legal_text(&doc)),
        forms_text: doc.forms.join(", "),
        levels: ProcedureLevel::ALL
            .iter()
            .map(|l| (l.to_string(), t.get(&format!("desk-level-{l}")), *l == doc.level))
            .collect(),
        fields: OPEN_FIELDS
            .iter()
            .map(|f| OverrideRow {
                field: f.to_string(),
                label: t.get(&format!("desk-field-{f}")),
                template: template_value(&doc, *f).to_owned(),
                value: over.fields.get(f).cloned().unwrap_or_default(),
                locked: doc.locked.contains(f),
            })
            .collect(),
        extra_steps: over.extra_steps.join("\n"),
        hidden: over.hidden,
        stale: shown.and_then(|s| {
            s.procedure.stale_since.map(|_| {
                t.with(
                    "desk-stale-because",
                    "number",
                    s.procedure.stale_doc.as_deref().unwrap_or(""),
                )
            })
        }),
        laws: doc
            .legal_basis
            .iter()
            .map(|l| (l.number.clone(), l.superseded_on.is_some()))
            .collect(),
        children,
        doc,
    })
}

async fn new_guide(viewer: Viewer<DeskState>, Path(slug): Path<String>) -> Response {
    let account = match keeper(&viewer, &slug).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match guide_console(&viewer, &account, None, None, None).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn shown_guide(
    viewer: &Viewer<DeskState>,
    account: &Account,
    code: &str,
) -> Result<ShownProcedure, ApiError> {
    let line = line_of(&viewer.state, account.agency).await?;
    viewer
        .state
        .store
        .procedure_for(account.id, &line, code)
        .await?
        .ok_or(ApiError::NotFound("procedure"))
}

async fn edit_guide(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
) -> Response {
    let account = match keeper(&viewer, &slug).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let page = match shown_guide(&viewer, &account, &code).await {
        Ok(shown) => guide_console(&viewer, &account, Some(&shown), None, None).await,
        Err(e) => Err(e),
    };
    match page {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

/// A guide as posted and its legal-basis text as typed: what the editor shows again.
type Typed = (ProcedureDoc, String);

/// The guide a posted editor form describes, or it with what is wrong with it.
fn doc_of_form(
    form: &HashMap<String, String>,
) -> Result<Typed, Box<(ProcedureDoc, String, ApiError)>> {
    let get = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let lines = |k: &str| {
        get(k)
            .lines()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let legal = get("legal_basis");
    let mut doc = ProcedureDoc {
        code: get("code"),
        name: get("name"),
        level: get("level").parse().unwrap_or(ProcedureLevel::Commune),
        applicants: get("applicants"),
        steps: lines("steps"),
        documents: lines("documents"),
        fee: get("fee"),
        processing_time: get("processing_time"),
        office: get("office"),
        address: get("address"),
        hours: get("hours"),
        phone: get("phone"),
        online_url: get("online_url"),
        notes: get("notes"),
        legal_basis: vec![],
        forms: get("forms")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        locked: OPEN_FIELDS
            .iter()
            .chain([DeskField::ExtraSteps].iter())
            .copied()
            .filter(|f| form.contains_key(&format!("lock_{f}")))
            .collect(),
        template: form.contains_key("template"),
        demo: form.contains_key("demo"),
    };
    for line in legal.lines().map(str::trim).filter(|s| !s.is_empty()) {
        match import::legal_line(line) {
            Ok(l) => doc.legal_basis.push(l),
            Err(bad) => {
                return Err(Box::new((
                    doc,
                    legal.clone(),
                    ApiError::BrokenRule { code: "import-legal-line", at: bad, limit: None },
                )));
            }
        }
    }
    match doc.clone().checked() {
        Ok(doc) => Ok((doc, legal)),
        Err(e) => Err(Box::new((doc, legal, e.into()))),
    }
}

async fn create_guide(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    submit_guide(viewer, slug, None, form).await
}

async fn save_guide(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    submit_guide(viewer, slug, Some(code), form).await
}

async fn submit_guide(
    viewer: Viewer<DeskState>,
    slug: String,
    code: Option<String>,
    form: HashMap<String, String>,
) -> Response {
    let csrf = form.get("csrf").map(String::as_str);
    let account = match console_form(&viewer, &slug, csrf, Action::ManageDesk, SECTION).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let shown = match &code {
        Some(code) => match shown_guide(&viewer, &account, code).await {
            Ok(s) if !s.inherited => Some(s),
            Ok(_) => {
                return viewer
                    .fail(ApiError::BadField { code: "override-own-guide", field: "code" });
            }
            Err(e) => return viewer.fail(e),
        },
        None => None,
    };
    let failed = |doc: ProcedureDoc, legal: String, e: ApiError| {
        let viewer = &viewer;
        let account = &account;
        let shown = shown.as_ref();
        async move {
            let message = Some(viewer.message(&e));
            match guide_console(viewer, account, shown, Some((doc, legal)), message).await {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
    };
    let (mut doc, legal) = match doc_of_form(&form) {
        Ok(ok) => ok,
        Err(refused) => {
            let (doc, legal, e) = *refused;
            return failed(doc, legal, e).await;
        }
    };
    if let Some(s) = &shown {
        // A guide keeps its code: the code is how overrides, menus and bots refer to it.
        doc.code = s.procedure.doc.code.clone();
    }
    let now = Timestamp::now();
    let line = match line_of(&viewer.state, account.agency).await {
        Ok(l) => l,
        Err(e) => return viewer.fail(e),
    };
    match viewer
        .state
        .store
        .save_procedures(account.agency, &line, std::slice::from_ref(&doc), &Day::today(now), now)
        .await
    {
        Ok(Ok(_)) => Redirect::to(&format!(
            "/console/a/{}/quay/thu-tuc/{}?done=saved",
            account.slug,
            encode(&doc.code)
        ))
        .into_response(),
        Ok(Err(r)) => failed(doc, legal, service::refusal(&r)).await,
        Err(e) => viewer.fail(e.into()),
    }
}

async fn save_override(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    let csrf = form.get("csrf").map(String::as_str);
    let account = match console_form(&viewer, &slug, csrf, Action::ManageDesk, SECTION).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut over = Override { hidden: form.contains_key("hidden"), ..Override::default() };
    for f in OPEN_FIELDS {
        if let Some(v) = form.get(&format!("field_{f}")) {
            over.fields.insert(*f, v.clone());
        }
    }
    over.extra_steps = form
        .get("extra_steps")
        .map(|s| s.lines().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    match service::set_override(&viewer.state, &viewer.caller, &account, &code, over).await {
        Ok(()) => back(&account, "override"),
        Err(e @ (ApiError::BrokenRule { .. } | ApiError::Invalid(_))) => {
            let message = Some(viewer.message(&e));
            let page = match shown_guide(&viewer, &account, &code).await {
                Ok(shown) => guide_console(&viewer, &account, Some(&shown), None, message).await,
                Err(e) => Err(e),
            };
            match page {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

async fn review_guide(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::ManageDesk, SECTION).await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    match review(&viewer.state, &viewer.caller, &account, &code).await {
        Ok(()) => back(&account, "reviewed"),
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct SupersedeForm {
    csrf: Option<String>,
    number: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    guide: String,
}

async fn supersede_law(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    PageForm(form): PageForm<SupersedeForm>,
) -> Response {
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::ManageDesk, SECTION).await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    match supersede_for(
        &viewer.state,
        &viewer.caller,
        &account,
        &form.number,
        Some(&form.by),
        Some(&form.on),
    )
    .await
    {
        Ok(_) if !form.guide.is_empty() => Redirect::to(&format!(
            "/console/a/{}/quay/thu-tuc/{}?done=superseded",
            account.slug,
            encode(&form.guide)
        ))
        .into_response(),
        Ok(_) => back(&account, "superseded"),
        Err(e) => viewer.fail(e),
    }
}

async fn delete_guide(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::ManageDesk, SECTION).await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    // Only the agency's own guide: an inherited one is hidden, not deleted.
    let deleted = match shown_guide(&viewer, &account, &code).await {
        Ok(s) if !s.inherited => viewer.state.store.delete_procedure(s.procedure.id).await,
        Ok(_) => {
            return viewer.fail(ApiError::BadField { code: "override-own-guide", field: "code" });
        }
        Err(e) => return viewer.fail(e),
    };
    match deleted {
        Ok(_) => back(&account, "deleted"),
        Err(e) => viewer.fail(e.into()),
    }
}

async fn delete_form(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
    PageForm(form): PageForm<CsrfOnly>,
) -> Response {
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::ManageDesk, SECTION).await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    let result: Result<(), ApiError> = async {
        let store = &viewer.state.store;
        let own = store.forms_for(&[account.agency], None).await?;
        let found =
            own.into_iter().find(|f| f.doc.code == code).ok_or(ApiError::NotFound("form"))?;
        store.delete_form(found.id).await?;
        if let Err(e) = viewer.state.blobs.delete(&found.blob_key).await {
            tracing::warn!(error = %e, "a deleted form's file was not removed");
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => back(&account, "form-deleted"),
        Err(e) => viewer.fail(e),
    }
}
