//! The citizen's side of the front desk: an account's procedure catalogue with search (with or
//! without diacritics), each guide as a readable mobile page, and the forms library with its
//! downloads. Plain HTML; nothing needs JavaScript.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use ketnoi_core::{
    Account, Timestamp,
    desk::{Day, ProcedureDoc},
};
use ketnoi_store::{Form, ShownProcedure};
use serde::Deserialize;

use crate::features::desk::service::{
    DeskState, form_path, guide_path, line_of, menu_block, visible,
};
use crate::kernel::{
    error::ApiError,
    pages::{Layout, Viewer, Who, encode},
};

pub(crate) fn router() -> Router<DeskState> {
    Router::new()
        .route("/a/{slug}/thu-tuc", get(catalogue))
        .route("/a/{slug}/thu-tuc/{code}", get(guide))
        .route("/a/{slug}/bieu-mau", get(forms))
        .route("/a/{slug}/bieu-mau/{code}", get(form))
        .route("/a/{slug}/bieu-mau/{code}/tai-ve", get(download))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Search {
    q: Option<String>,
    /// The page of a long list, from 1.
    trang: Option<String>,
}

/// Guides or forms listed on one page: a cheap phone should not draw five thousand.
const PER_PAGE: usize = 50;

/// The page asked for (1 if absent or not a number) and the links to the pages around it.
fn paging(
    base: &str,
    q: &str,
    asked: Option<&str>,
    total: usize,
) -> (usize, Option<String>, Option<String>) {
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = asked.and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let link = |n: usize| {
        let mut href = format!("{base}?trang={n}");
        if !q.is_empty() {
            href.push_str(&format!("&q={}", encode(q)));
        }
        href
    };
    (
        (page - 1) * PER_PAGE,
        (page > 1).then(|| link(page - 1)),
        (page < pages).then(|| link(page + 1)),
    )
}

struct Line {
    href: String,
    name: String,
    code: String,
    stale: bool,
}

#[derive(Template)]
#[template(path = "desk_catalogue.html")]
struct CataloguePage {
    l: Layout,
    slug: String,
    account_name: String,
    menu: String,
    q: String,
    lines: Vec<Line>,
    total_label: String,
    previous: Option<String>,
    next: Option<String>,
}

async fn catalogue(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    search: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Search { q, trang } = search.map(|Query(s)| s).unwrap_or_default();
    let q = ketnoi_text::nfc(q.unwrap_or_default().trim()).chars().take(200).collect::<String>();
    let result: Result<CataloguePage, ApiError> = async {
        let account = viewer.state.account(&slug).await?;
        let line = line_of(&viewer.state, account.agency).await?;
        let query = Some(q.as_str()).filter(|q| !q.is_empty());
        let found = viewer.state.store.procedures_for(account.id, &line, query, false).await?;
        let total = found.len();
        let base = format!("/a/{}/thu-tuc", account.slug);
        let (skip, previous, next) = paging(&base, &q, trang.as_deref(), total);
        let lines = found
            .into_iter()
            .skip(skip)
            .take(PER_PAGE)
            .map(|p| Line {
                href: guide_path(account.slug.as_str(), &p.code),
                stale: p.stale_since.is_some(),
                name: p.name,
                code: p.code,
            })
            .collect();
        Ok(CataloguePage {
            l: viewer.layout(false),
            menu: menu_block(&viewer.state, &viewer.t(), &account, "menu").await,
            slug: account.slug.to_string(),
            account_name: account.display_name.clone(),
            q: q.clone(),
            lines,
            total_label: viewer.t().count("desk-catalogue-count", total as i64),
            previous,
            next,
        })
    }
    .await;
    match result {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

struct LawLine {
    number: String,
    title: String,
    issuer: String,
    effective: String,
    replaced: Option<String>,
}

struct FormLink {
    href: String,
    title: String,
}

#[derive(Template)]
#[template(path = "desk_guide.html")]
struct GuidePage {
    l: Layout,
    slug: String,
    account_name: String,
    doc: ProcedureDoc,
    level: String,
    reviewed: String,
    stale: bool,
    office: String,
    address: String,
    hours: String,
    phone: String,
    laws: Vec<LawLine>,
    forms: Vec<FormLink>,
}

/// A guide as an account shows it, its office details falling back on the account's own.
pub(crate) fn shown_doc(account: &Account, shown: &ShownProcedure) -> ProcedureDoc {
    let mut doc = shown.effective();
    let fill = |v: &mut String, fallback: &str| {
        if v.trim().is_empty() {
            *v = fallback.to_owned();
        }
    };
    fill(&mut doc.office, &account.display_name);
    fill(&mut doc.address, &account.address);
    fill(&mut doc.hours, &account.office_hours);
    fill(&mut doc.phone, &account.contact_phone);
    doc
}

/// A guide an account's readers may see: in its catalogue and not hidden by it.
pub(crate) async fn visible_guide(
    state: &DeskState,
    account: &Account,
    code: &str,
) -> Result<ShownProcedure, ApiError> {
    let line = line_of(state, account.agency).await?;
    visible(state.store.as_ref(), account, &line, code)
        .await?
        .ok_or(ApiError::NotFound("procedure"))
}

async fn guide(viewer: Viewer<DeskState>, Path((slug, code)): Path<(String, String)>) -> Response {
    let result: Result<GuidePage, ApiError> = async {
        let account = viewer.state.account(&slug).await?;
        let shown = visible_guide(&viewer.state, &account, &code).await?;
        let doc = shown_doc(&account, &shown);
        let line = line_of(&viewer.state, account.agency).await?;
        let library = viewer.state.store.forms_for(&line, None).await?;
        let forms = doc
            .forms
            .iter()
            .filter_map(|c| library.iter().find(|f| &f.doc.code == c))
            .map(|f| FormLink {
                href: form_path(account.slug.as_str(), &f.doc.code),
                title: f.doc.title.clone(),
            })
            .collect();
        let t = viewer.t();
        let today = Day::today(Timestamp::now());
        let laws = doc
            .legal_basis
            .iter()
            .map(|l| LawLine {
                number: l.number.clone(),
                title: l.title.clone(),
                issuer: l.issuer.clone(),
                effective: l.effective.display_vn(),
                replaced: l.lapsed(&today).then(|| match &l.superseded_by {
                    Some(by) => t.with("desk-law-replaced-by", "number", by),
                    None => t.get("desk-law-lapsed"),
                }),
            })
            .collect();
        Ok(GuidePage {
            l: viewer.layout(false),
            slug: account.slug.to_string(),
            account_name: account.display_name.clone(),
            level: t.get(&format!("desk-level-{}", doc.level)),
            reviewed: shown.procedure.reviewed_at.display_vn().chars().take(10).collect(),
            stale: shown.procedure.stale_since.is_some(),
            office: doc.office.clone(),
            address: doc.address.clone(),
            hours: doc.hours.clone(),
            phone: doc.phone.clone(),
            laws,
            forms,
            doc,
        })
    }
    .await;
    match result {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

struct FormLine {
    href: String,
    title: String,
    code: String,
    version: String,
    stale: bool,
}

#[derive(Template)]
#[template(path = "desk_forms.html")]
struct FormsPage {
    l: Layout,
    slug: String,
    account_name: String,
    q: String,
    lines: Vec<FormLine>,
}

async fn forms(
    viewer: Viewer<DeskState>,
    Path(slug): Path<String>,
    search: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = search.ok().and_then(|Query(s)| s.q).unwrap_or_default();
    let q = ketnoi_text::nfc(q.trim()).chars().take(200).collect::<String>();
    let result: Result<FormsPage, ApiError> = async {
        let account = viewer.state.account(&slug).await?;
        let line = line_of(&viewer.state, account.agency).await?;
        let query = Some(q.as_str()).filter(|q| !q.is_empty());
        let found = viewer.state.store.forms_for(&line, query).await?;
        Ok(FormsPage {
            l: viewer.layout(false),
            slug: account.slug.to_string(),
            account_name: account.display_name.clone(),
            q: q.clone(),
            lines: found
                .into_iter()
                .map(|f| FormLine {
                    href: form_path(account.slug.as_str(), &f.doc.code),
                    stale: f.stale,
                    title: f.doc.title,
                    code: f.doc.code,
                    version: f.doc.version,
                })
                .collect(),
        })
    }
    .await;
    match result {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

/// A form an account's line offers, by code.
pub(crate) async fn offered_form(
    state: &DeskState,
    account: &Account,
    code: &str,
) -> Result<Form, ApiError> {
    let line = line_of(state, account.agency).await?;
    let found = state.store.forms_for(&line, None).await?;
    found.into_iter().find(|f| f.doc.code == code).ok_or(ApiError::NotFound("form"))
}

#[derive(Template)]
#[template(path = "desk_form.html")]
struct FormPage {
    l: Layout,
    slug: String,
    account_name: String,
    form: Form,
    effective: String,
    reviewed: String,
    size: String,
    download: String,
    replaced_by: Option<String>,
    /// The guides of the account's catalogue that use it: address and name.
    guides: Vec<(String, String)>,
}

async fn form(viewer: Viewer<DeskState>, Path((slug, code)): Path<(String, String)>) -> Response {
    let result: Result<FormPage, ApiError> = async {
        let account = viewer.state.account(&slug).await?;
        let form = offered_form(&viewer.state, &account, &code).await?;
        let line = line_of(&viewer.state, account.agency).await?;
        let guides = viewer
            .state
            .store
            .guides_using_form(account.id, &line, &form.doc.code)
            .await?
            .into_iter()
            .map(|g| (guide_path(account.slug.as_str(), &g.code), g.name))
            .collect();
        Ok(FormPage {
            guides,
            l: viewer.layout(false),
            slug: account.slug.to_string(),
            account_name: account.display_name.clone(),
            effective: form.doc.effective.as_ref().map(Day::display_vn).unwrap_or_default(),
            reviewed: form.reviewed_at.display_vn().chars().take(10).collect(),
            size: format!("{:.0} KB", (form.size as f64 / 1024.0).ceil()),
            download: format!("{}/tai-ve", form_path(account.slug.as_str(), &form.doc.code)),
            replaced_by: form
                .doc
                .superseded_by
                .as_ref()
                .map(|c| form_path(account.slug.as_str(), c)),
            form,
        })
    }
    .await;
    match result {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

async fn download(
    viewer: Viewer<DeskState>,
    Path((slug, code)): Path<(String, String)>,
) -> Response {
    let result: Result<Response, ApiError> = async {
        let account = viewer.state.account(&slug).await?;
        let form = offered_form(&viewer.state, &account, &code).await?;
        let bytes =
            viewer.state.blobs.get(&form.blob_key).await?.ok_or(ApiError::NotFound("form"))?;
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&form.content_type) {
            headers.insert(header::CONTENT_TYPE, v);
        }
        let ascii: String = form
            .file_name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' })
            .collect();
        let disposition = format!(
            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
            encode(&form.file_name)
        );
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox; default-src 'none'"),
        );
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
        Ok(response)
    }
    .await;
    result.unwrap_or_else(|e| viewer.fail(e))
}
