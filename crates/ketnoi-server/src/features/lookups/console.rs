//! The console page where officers publish an account's lookups: its datasets with their live
//! and scheduled versions, and the import of a CSV file as a new version. One dataset's page
//! (settings, versions, schedules) is in [`super::dataset_console`].
//!
//! An import is checked line by line before anything is stored. A file with problems comes
//! back with every problem by line beside its first rows, and the version citizens see stays
//! as it was. Every change is told to this node's [`Lookups`](crate::features::lookups::service::Lookups) at once,
//! so the officer's next look at the public page already shows it.

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Multipart, Path, Query, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use ketnoi_core::{Account, AuditAction, Slug, Timestamp, policy::Action};
use ketnoi_lookup::dataset::Spec;
use ketnoi_store::{LookupDataset, LookupVersion, Publication};
use serde::Deserialize;

use crate::{
    features::lookups::service::LookupsState,
    kernel::{
        audit::record,
        auth::Caller,
        error::ApiError,
        pages::{
            Layout, Viewer, Who,
            forms::{Field, Summary, summary},
        },
    },
};

/// The largest CSV file the import form takes (a million exam results are about 100 MB).
const MAX_CSV: usize = 200 * 1024 * 1024;
/// Data rows shown in a preview.
const PREVIEW_ROWS: usize = 10;
/// How much of a cell a preview shows.
const PREVIEW_CELL_CHARS: usize = 80;
/// The longest title citizens see.
pub(crate) const MAX_TITLE_CHARS: usize = 200;
/// The longest chat command.
pub(crate) const MAX_COMMAND_CHARS: usize = 40;
/// The highest per-minute limit an officer may set.
pub(crate) const MAX_PER_MINUTE: i64 = 100_000;

pub(crate) fn router() -> Router<LookupsState> {
    Router::new().route(
        "/console/a/{slug}/lookups",
        get(overview).post(import).layer(DefaultBodyLimit::max(MAX_CSV + 64 * 1024)),
    )
}

/// Mistakes in a form, as (field id, message).
pub(crate) type FieldErrors = Vec<(&'static str, String)>;

/// The notices a redirect may ask for with `?done=`; anything else shows nothing.
const NOTICES: &[&str] = &["imported", "settings", "publish", "schedule", "cancel"];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneParams {
    pub(crate) done: Option<String>,
}

pub(crate) fn notice(viewer: &Viewer<LookupsState>, done: Option<&str>) -> Option<String> {
    let done = done?;
    NOTICES.contains(&done).then(|| viewer.t().get(&format!("lookups-done-{done}")))
}

/// The account at `slug`, if the visitor may manage its lookups.
pub(crate) async fn managed(
    viewer: &Viewer<LookupsState>,
    slug: &str,
) -> Result<Account, ApiError> {
    crate::kernel::pages::account_for(viewer, slug, Action::ManageLookups).await
}

/// The account's dataset named in the address.
pub(crate) async fn find_dataset(
    viewer: &Viewer<LookupsState>,
    account: &Account,
    slug: &str,
) -> Result<LookupDataset, ApiError> {
    let slug = Slug::parse(slug).map_err(|_| ApiError::NotFound("dataset"))?;
    viewer.state.store.lookup_dataset(account.id, &slug).await?.ok_or(ApiError::NotFound("dataset"))
}

pub(crate) fn base(account: &Account) -> String {
    format!("/console/a/{}/lookups", account.slug)
}

/// Sends a signed-out visitor to staff sign-in, coming back to the lookups page.
pub(crate) fn sign_in(slug: &str) -> Response {
    crate::kernel::pages::console_sign_in(slug, "lookups")
}

/// What every form post checks first: a signed-in officer, the form token, the permission.
pub(crate) async fn guard(
    viewer: &Viewer<LookupsState>,
    slug: &str,
    csrf: Option<&str>,
) -> Result<Account, Response> {
    crate::kernel::pages::console_form(viewer, slug, csrf, Action::ManageLookups, "lookups").await
}

/// Brings this node's served lookups up to date after a change.
pub(crate) async fn refresh(viewer: &Viewer<LookupsState>) {
    if let Err(e) = viewer.state.lookups.refresh().await {
        // Storage holds the change; the loop picks it up within seconds.
        tracing::warn!(error = ?e, "lookups not refreshed after a change in the console");
    }
}

// ---------------------------------------------------------------------------------------------
// Previews.

/// The first lines of a CSV file as a table.
pub(crate) struct Preview {
    pub(crate) caption: String,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<PreviewRow>,
}

/// A data row of a preview, with its line in the file (as the import's report counts lines).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PreviewRow {
    pub(crate) line: u64,
    pub(crate) cells: Vec<String>,
}

/// The header and up to [`PREVIEW_ROWS`] rows of CSV bytes, read leniently (text that is not
/// UTF-8 shown with replacement characters, rows of any length), stopping at the first line
/// that cannot be read; `None` when there is not even a header.
fn preview_rows(bytes: &[u8]) -> Option<(Vec<String>, Vec<PreviewRow>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .into_byte_records()
        .map_while(Result::ok)
        .map(|record| PreviewRow {
            line: record.position().map_or(0, csv::Position::line),
            cells: record
                .iter()
                .map(|field| {
                    let text = String::from_utf8_lossy(field);
                    crate::kernel::text::shorten(text.trim(), PREVIEW_CELL_CHARS)
                })
                .collect(),
        });
    let header = records.next()?.cells;
    Some((header, records.take(PREVIEW_ROWS).collect()))
}

pub(crate) fn preview(
    viewer: &Viewer<LookupsState>,
    bytes: &[u8],
    caption_key: &str,
    version: i64,
) -> Option<Preview> {
    let (header, rows) = preview_rows(bytes)?;
    let t = viewer.t();
    let caption = if version > 0 {
        t.with(caption_key, "version", &version.to_string())
    } else {
        t.count(caption_key, rows.len() as i64)
    };
    Some(Preview { caption, header, rows })
}

// ---------------------------------------------------------------------------------------------
// The overview and the import.

/// A dataset in the overview.
struct DatasetRow {
    href: String,
    title: String,
    slug: String,
    live: String,
    scheduled: Option<String>,
    versions: String,
}

#[derive(Template)]
#[template(path = "lookups.html")]
struct OverviewPage {
    l: Layout,
    base: String,
    account_name: String,
    public: String,
    notice: Option<String>,
    errors: Vec<Summary>,
    /// The import's problems by line, when the file had some.
    report: Vec<String>,
    report_title: String,
    preview: Option<Preview>,
    datasets: Vec<DatasetRow>,
    /// The import form's text fields.
    fields: Vec<Field>,
    show: String,
    file_error: Option<String>,
    publication: String,
    /// The moment field, alone (a list so the shared field template can draw it).
    when: Vec<Field>,
}

/// The import form as posted.
#[derive(Debug, Default)]
struct ImportForm {
    csrf: Option<String>,
    file: Vec<u8>,
    dataset: String,
    title: String,
    key: String,
    verify: String,
    search: String,
    filters: String,
    show: String,
    command: String,
    publication: String,
    at: String,
}

/// A comma-separated list of columns.
pub(crate) fn columns(list: &str) -> Vec<String> {
    list.split(',').map(|c| ketnoi_text::nfc(c.trim())).filter(|c| !c.is_empty()).collect()
}

/// Shown columns, one per line: `column=Label`, or `column` alone to show it under its name.
pub(crate) fn shown(lines: &str) -> Vec<(String, String)> {
    lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (column, label) = line.split_once('=').unwrap_or((line, ""));
            let column = ketnoi_text::nfc(column.trim());
            let label = ketnoi_text::nfc(label.trim());
            let label = if label.is_empty() { column.clone() } else { label };
            (column, label)
        })
        .collect()
}

pub(crate) fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

impl ImportForm {
    /// The import this form asks for, or its mistakes by field id.
    fn check(
        &self,
        viewer: &Viewer<LookupsState>,
    ) -> Result<(Slug, Spec, Publication), FieldErrors> {
        let t = viewer.t();
        let mut errors = Vec::new();
        if self.file.is_empty() {
            errors.push(("file", t.get("lookups-error-no-file")));
        }
        let dataset = Slug::parse(self.dataset.trim())
            .map_err(|e| errors.push(("dataset", viewer.message(&ApiError::Invalid(e)))))
            .ok();
        if self.title.trim().chars().count() > MAX_TITLE_CHARS || has_control(&self.title) {
            errors.push(("title", t.count("lookups-error-title", MAX_TITLE_CHARS as i64)));
        }
        if self.key.trim().is_empty() {
            errors.push(("key", t.get("lookups-error-no-key")));
        }
        if self.command.trim().chars().count() > MAX_COMMAND_CHARS || has_control(&self.command) {
            errors.push(("command", t.count("lookups-error-command", MAX_COMMAND_CHARS as i64)));
        }
        let publication = match self.publication.as_str() {
            "now" => Some(Publication::Now),
            "at" => moment(viewer, &self.at).map_err(|m| errors.push(("at", m))).ok(),
            _ => Some(Publication::Draft),
        };
        match (dataset, publication) {
            (Some(dataset), Some(publication)) if errors.is_empty() => {
                let spec = Spec {
                    key: ketnoi_text::nfc(self.key.trim()),
                    verify: columns(&self.verify),
                    show: shown(&self.show),
                    search: columns(&self.search),
                    filters: columns(&self.filters),
                };
                Ok((dataset, spec, publication))
            }
            _ => Err(errors),
        }
    }
}

/// A moment typed in a form, which must be ahead of now.
pub(crate) fn moment(viewer: &Viewer<LookupsState>, text: &str) -> Result<Publication, String> {
    let t = viewer.t();
    let at = Timestamp::parse_moment(text).ok_or_else(|| t.get("lookups-error-moment"))?;
    if at <= Timestamp::now() {
        return Err(t.get("lookups-error-past"));
    }
    Ok(Publication::At(at))
}

/// Reads the import form. The file is read whole: it is checked whole anyway, and the body
/// limit bounds it.
async fn read_import(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<ImportForm, ApiError> {
    let mut multipart = multipart.map_err(|r| ApiError::Malformed(r.body_text()))?;
    let fault = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: MAX_CSV }
        } else {
            ApiError::Malformed(e.body_text())
        }
    };
    let mut form = ImportForm::default();
    while let Some(field) = multipart.next_field().await.map_err(fault)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            form.file = field.bytes().await.map_err(fault)?.to_vec();
            continue;
        }
        let text = field.text().await.map_err(fault)?;
        let slot = match name.as_str() {
            "csrf" => {
                form.csrf = Some(text);
                continue;
            }
            "dataset" => &mut form.dataset,
            "title" => &mut form.title,
            "key" => &mut form.key,
            "verify" => &mut form.verify,
            "search" => &mut form.search,
            "filters" => &mut form.filters,
            "show" => &mut form.show,
            "command" => &mut form.command,
            "publication" => &mut form.publication,
            "at" => &mut form.at,
            _ => continue,
        };
        *slot = text;
    }
    Ok(form)
}

async fn overview(
    viewer: Viewer<LookupsState>,
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
    match overview_page(&viewer, &account, &ImportForm::default(), Vec::new()).await {
        Ok(mut page) => {
            page.notice = notice(&viewer, done.as_deref());
            viewer.render(StatusCode::OK, &page)
        }
        Err(e) => viewer.fail(e),
    }
}

async fn overview_page(
    viewer: &Viewer<LookupsState>,
    account: &Account,
    form: &ImportForm,
    errors: FieldErrors,
) -> Result<OverviewPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let mut datasets = Vec::new();
    for d in store.lookup_datasets(account.id).await? {
        let versions = store.lookup_versions(d.id).await?;
        let live = versions.iter().find(|v| Some(v.version) == d.live_version);
        let scheduled = versions
            .iter()
            .filter_map(|v| v.publish_at.map(|at| (at, v.version)))
            .min()
            .map(|(at, n)| scheduled_text(viewer, n, at));
        datasets.push(DatasetRow {
            href: format!("{}/{}", base(account), d.slug),
            title: d.title,
            slug: d.slug.to_string(),
            live: match live {
                Some(v) => live_text(viewer, v),
                None => t.get("lookups-not-live"),
            },
            scheduled,
            versions: t.count("lookups-versions", versions.len() as i64),
        });
    }

    let error = |id: &str| errors.iter().find(|(f, _)| *f == id).map(|(_, m)| m.clone());
    let field = |id: &'static str, value: &str| {
        let mut f = Field::text(id, id, t.get(&format!("lookups-field-{id}")))
            .hint(t.get(&format!("lookups-hint-{id}")))
            .value(value);
        f.error = error(id);
        f
    };
    let fields = vec![
        field("dataset", &form.dataset),
        field("title", &form.title),
        field("key", &form.key),
        field("verify", &form.verify),
        field("search", &form.search),
        field("filters", &form.filters),
        field("command", &form.command),
    ];
    let mut at = field("at", &form.at);
    at.kind = "datetime-local";
    let file_error = error("file");
    let mut errors: Vec<Summary> = summary(&fields);
    if let Some(message) = &file_error {
        errors.insert(0, Summary { field: "file".into(), message: message.clone() });
    }
    errors.extend(summary(std::slice::from_ref(&at)));
    Ok(OverviewPage {
        l: viewer.layout(!errors.is_empty()),
        base: base(account),
        account_name: account.display_name.clone(),
        public: format!("/a/{}/tra-cuu", account.slug),
        notice: None,
        errors,
        report: Vec::new(),
        report_title: String::new(),
        preview: None,
        datasets,
        fields,
        show: form.show.clone(),
        file_error,
        publication: match form.publication.as_str() {
            p @ ("now" | "at") => p.to_owned(),
            _ => "draft".to_owned(),
        },
        when: vec![at],
    })
}

pub(crate) fn live_text(viewer: &Viewer<LookupsState>, v: &LookupVersion) -> String {
    let t = viewer.t();
    format!(
        "{} · {}",
        t.with("lookups-live-version", "version", &v.version.to_string()),
        t.count("lookup-records", v.rows)
    )
}

pub(crate) fn scheduled_text(viewer: &Viewer<LookupsState>, version: i64, at: Timestamp) -> String {
    viewer.state.messages.get(
        viewer.lang,
        "lookups-scheduled-version",
        &[
            ("version", fluent_bundle::FluentValue::from(version)),
            ("time", fluent_bundle::FluentValue::from(at.display_vn())),
        ],
    )
}

async fn import(
    viewer: Viewer<LookupsState>,
    Path(slug): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return sign_in(&slug);
    }
    // The permission first, so that nobody else gets to send a large file.
    let account = match managed(&viewer, &slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let mut form = match read_import(multipart).await {
        Ok(f) => f,
        Err(e) => return viewer.fail(e),
    };
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let by = match &viewer.caller {
        Caller::Staff { staff, .. } => Some(staff.id),
        _ => None,
    };
    let (dataset, spec, publication) = match form.check(&viewer) {
        Ok(checked) => checked,
        Err(errors) => {
            return match overview_page(&viewer, &account, &form, errors).await {
                Ok(mut page) => {
                    page.preview = preview(&viewer, &form.file, "lookups-preview-upload", 0);
                    viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(e) => viewer.fail(e),
            };
        }
    };
    // Made before the file is handed over: a report is shown beside it.
    let shown = preview(&viewer, &form.file, "lookups-preview-upload", 0);
    let command = Some(form.command.trim()).filter(|c| !c.is_empty()).map(str::to_owned);
    let outcome = crate::features::lookups::import::import(
        viewer.state.store.as_ref(),
        viewer.state.blobs.as_ref(),
        crate::features::lookups::import::Import {
            account: account.id,
            dataset: dataset.clone(),
            title: form.title.trim().to_owned(),
            command,
            spec,
            bytes: std::mem::take(&mut form.file),
            publication,
            by,
        },
    )
    .await;
    match outcome {
        Err(e) => viewer.fail(ApiError::Internal(e)),
        Ok(Err(report)) => match overview_page(&viewer, &account, &form, Vec::new()).await {
            Ok(mut page) => {
                let t = viewer.t();
                let problems = (report.problems.len() + report.omitted) as i64;
                page.report_title = t.count("lookups-report-title", problems);
                page.report = crate::features::lookups::import::report_lines(
                    &viewer.state.messages,
                    viewer.lang,
                    &report,
                );
                page.preview = shown;
                page.l = viewer.layout(true);
                viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            Err(e) => viewer.fail(e),
        },
        Ok(Ok(imported)) => {
            if imported.version.published_at.is_some() {
                let object = format!("lookup:{}", imported.dataset.id.0);
                let (action, agency) = (AuditAction::LookupPublished, Some(account.agency));
                let audited =
                    record(&viewer.state, &viewer.caller, &viewer.request, action, &object, agency);
                if let Err(e) = audited.await {
                    return viewer.fail(e);
                }
            }
            refresh(&viewer).await;
            let to = format!("{}/{}?done=imported#versions", base(&account), imported.dataset.slug);
            Redirect::to(&to).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_lists_are_split_on_commas_and_trimmed() {
        assert_eq!(columns(" ho_ten , que_quan,,"), ["ho_ten", "que_quan"]);
        assert!(columns("  ").is_empty());
    }

    #[test]
    fn shown_columns_take_a_label_after_an_equals_sign() {
        let got = shown("toan = Toán\n\nngu_van\nghi_chu=\n");
        let want = [("toan", "Toán"), ("ngu_van", "ngu_van"), ("ghi_chu", "ghi_chu")];
        let got: Vec<(&str, &str)> = got.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_preview_is_lenient_and_short() {
        let mut csv = b"\xEF\xBB\xBFma,ten\n".to_vec();
        for i in 0..20 {
            csv.extend_from_slice(format!("{i},tên\n").as_bytes());
        }
        csv.extend_from_slice(b"x,\xFF\xFE,extra\n");
        let (header, rows) = preview_rows(&csv).unwrap_or_default();
        assert_eq!(header, ["ma", "ten"]);
        assert_eq!(rows.len(), PREVIEW_ROWS);
        assert_eq!(rows[0], PreviewRow { line: 2, cells: vec!["0".into(), "tên".into()] });
        // Lines are the file's, as the report counts them: a quoted line break takes two.
        let (_, rows) = preview_rows(b"a,b\n\"x\ny\",\xFF,3\n4,5\n").unwrap_or_default();
        let cells = vec!["x\ny".to_owned(), "\u{FFFD}".to_owned(), "3".to_owned()];
        assert_eq!(rows[0], PreviewRow { line: 2, cells });
        assert_eq!(rows[1].line, 4);
        assert!(preview_rows(b"").is_none());
    }
}
