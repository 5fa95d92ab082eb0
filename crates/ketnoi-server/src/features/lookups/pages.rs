//! The citizen's lookup pages: an account's datasets, and for each a page that looks a record
//! up by its key (with its second factor, such as the birth date) or searches it by name.
//!
//! Both forms are posts to the page's own address, so what a citizen types (a candidate number,
//! a birth date, a name) never lands in an address, a browser's history, a proxy's log or ours.
//! Answers come from memory through the same [`Lookups::find`](crate::features::lookups::service::Lookups::find)
//! and [`Lookups::search`](crate::features::lookups::service::Lookups::search) as the API, behind the same client
//! limits and lockouts, and are never cached on the way.

use std::sync::Arc;

use askama::Template;
use axum::{
    Router,
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::Response,
    routing::get,
};
use ketnoi_core::Account;

use crate::{
    features::lookups::{
        commands::label_of,
        service::{LookupProblem, LookupsState, Served},
    },
    kernel::{
        client_ip::ClientIp,
        error::ApiError,
        pages::{
            Layout, PageForm, Viewer, Who,
            forms::{Field, Summary, summary},
        },
    },
};

/// The most hits a search on the page lists.
const HITS: usize = 20;

pub(crate) fn router() -> Router<LookupsState> {
    Router::new()
        .route("/a/{slug}/tra-cuu", get(list))
        .route("/a/{slug}/tra-cuu/{dataset}", get(page).post(ask))
}

/// The address of a dataset's page.
pub(crate) fn page_path(account: &str, dataset: &str) -> String {
    format!("/a/{account}/tra-cuu/{dataset}")
}

/// A label and its value.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) label: String,
    pub(super) value: String,
}

/// The non-empty values of an answer beside their labels (both JSON arrays, values `null` when
/// empty).
pub(super) fn rows(labels: &[u8], values: &[u8]) -> Vec<Row> {
    let labels: Vec<String> = serde_json::from_slice(labels).unwrap_or_default();
    let values: Vec<Option<String>> = serde_json::from_slice(values).unwrap_or_default();
    labels
        .into_iter()
        .zip(values)
        .filter_map(|(label, value)| {
            value.filter(|v| !v.trim().is_empty()).map(|value| Row { label, value })
        })
        .collect()
}

/// Whether a column holds dates, judged by its name and label ("ngay_sinh", "Ngày sinh",
/// "date of birth"): such a field gets a digit keyboard and a `dd/mm/yyyy` placeholder rather
/// than a date picker, which old phones draw badly or not at all.
fn is_date(column: &str, label: &str) -> bool {
    let folded = ketnoi_text::fold(&format!("{column} {label}"));
    folded.split(|c: char| !c.is_alphanumeric()).any(|w| matches!(w, "ngay" | "date" | "dob"))
}

// ---------------------------------------------------------------------------------------------
// An account's datasets.

struct DatasetLink {
    href: String,
    title: String,
    records: String,
}

#[derive(Template)]
#[template(path = "lookup_list.html")]
struct ListPage {
    l: Layout,
    account_name: String,
    account_href: String,
    datasets: Vec<DatasetLink>,
}

async fn list(viewer: Viewer<LookupsState>, Path(slug): Path<String>) -> Response {
    let account = match viewer.state.account(&slug).await {
        Ok(a) => a,
        Err(e) => return viewer.fail(e),
    };
    let t = viewer.t();
    let datasets = viewer
        .state
        .lookups
        .of_account(account.id)
        .iter()
        .map(|s| DatasetLink {
            href: page_path(account.slug.as_str(), &s.slug),
            title: s.title.clone(),
            records: t.count("lookup-records", s.data.rows() as i64),
        })
        .collect();
    let page = ListPage {
        l: viewer.layout(false),
        account_name: account.display_name.clone(),
        account_href: format!("/a/{}", account.slug),
        datasets,
    };
    viewer.render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------------
// A dataset's page.

/// What the page shows above its forms.
enum Outcome {
    /// Nothing asked yet.
    Nothing,
    /// The record found.
    Record(Vec<Row>),
    /// A search's hits.
    Hits { summary: String, more: Option<String>, hits: Vec<Vec<Row>> },
    /// Why there is no answer: nothing matched, too fast, locked.
    Refused(String),
}

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    l: Layout,
    account_name: String,
    account_href: String,
    title: String,
    action: String,
    facts: String,
    errors: Vec<Summary>,
    /// The key and the verification fields.
    find: Vec<Field>,
    /// Who must be entered together, for the lead ("Số báo danh, Ngày sinh").
    find_lead: String,
    /// The words and filter fields; empty when the dataset cannot be searched.
    search: Vec<Field>,
    search_lead: String,
    outcome: Outcome,
}

/// What the citizen typed, by field.
#[derive(Debug, Default)]
struct Entered {
    /// `search` for the search form; anything else is a lookup by key.
    action: String,
    key: String,
    /// Verification values by column.
    verify: Vec<(String, String)>,
    q: String,
    /// Filter values by column.
    filters: Vec<(String, String)>,
}

impl Entered {
    /// Sorts a posted form's pairs: `key`, `q`, `do`, and `v:<column>` / `f:<column>` for the
    /// verification and filter columns (named by column, not position, so a form from before a
    /// new version with other columns still means what it said).
    fn from_form(pairs: Vec<(String, String)>) -> Self {
        let mut e = Self::default();
        for (name, value) in pairs {
            if let Some(column) = name.strip_prefix("v:") {
                e.verify.push((column.to_owned(), value));
            } else if let Some(column) = name.strip_prefix("f:") {
                e.filters.push((column.to_owned(), value));
            } else {
                match name.as_str() {
                    "key" => e.key = value,
                    "q" => e.q = value,
                    "do" => e.action = value,
                    _ => {}
                }
            }
        }
        e
    }

    fn verify_value(&self, column: &str) -> &str {
        self.verify.iter().find(|(c, _)| c == column).map_or("", |(_, v)| v.as_str())
    }

    fn filter_value(&self, column: &str) -> &str {
        self.filters.iter().find(|(c, _)| c == column).map_or("", |(_, v)| v.as_str())
    }
}

/// The account and the dataset a page is for; not found for either.
async fn dataset(
    viewer: &Viewer<LookupsState>,
    slug: &str,
    name: &str,
) -> Result<(Account, Arc<Served>), ApiError> {
    let account = viewer.state.account(slug).await?;
    let served = viewer.state.lookups.get(account.slug.as_str(), name);
    Ok((account, served.ok_or(ApiError::NotFound("dataset"))?))
}

async fn page(
    viewer: Viewer<LookupsState>,
    Path((slug, name)): Path<(String, String)>,
) -> Response {
    let (account, served) = match dataset(&viewer, &slug, &name).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let page = lookup_page(&viewer, &account, &served, &Entered::default(), Outcome::Nothing);
    viewer.render(StatusCode::OK, &page)
}

async fn ask(
    viewer: Viewer<LookupsState>,
    Path((slug, name)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    PageForm(form): PageForm<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = viewer.check_origin() {
        return viewer.fail(e);
    }
    let (account, served) = match dataset(&viewer, &slug, &name).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let entered = Entered::from_form(form);
    let lookups = &viewer.state.lookups;
    let client = || lookups.client(ip);
    let answer = if entered.action == "search" {
        let limit = HITS.to_string();
        lookups
            .search(&served, &entered.q, Some(&limit), &entered.filters, client)
            .map(|hits| hits_outcome(&viewer, &served, &hits))
    } else {
        lookups
            .find(&served, &entered.key, &entered.verify, client)
            .map(|values| Outcome::Record(rows(served.data.labels_json(), values)))
    };
    let Refusal { status, outcome, retry, field: error } = match answer {
        Ok(outcome) => Refusal { status: StatusCode::OK, outcome, retry: None, field: None },
        Err(problem) => refusal(&viewer, &served, problem),
    };
    let mut page = lookup_page(&viewer, &account, &served, &entered, outcome);
    if let Some((id, message)) = error {
        let field = page.find.iter_mut().chain(page.search.iter_mut()).find(|f| f.id == id);
        match field {
            Some(f) => f.error = Some(message),
            None => page.outcome = Outcome::Refused(message),
        }
        page.errors = summary(page.find.iter().chain(&page.search));
        page.l = viewer.layout(!page.errors.is_empty());
    }
    let mut response = viewer.render(status, &page);
    let headers = response.headers_mut();
    // The answer can hold a person's scores: no cache keeps it, not even the browser's.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(secs) = retry
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        headers.insert(header::RETRY_AFTER, v);
    }
    response
}

fn hits_outcome(viewer: &Viewer<LookupsState>, served: &Served, hits: &[&[u8]]) -> Outcome {
    let t = viewer.t();
    let labels = served.data.search_labels_json();
    let hits: Vec<Vec<Row>> = hits.iter().map(|h| rows(labels, h)).collect();
    let more = (hits.len() >= HITS).then(|| t.count("lookup-hits-more", HITS as i64));
    Outcome::Hits { summary: t.count("lookup-hits", hits.len() as i64), more, hits }
}

/// What a refused lookup shows.
struct Refusal {
    status: StatusCode,
    outcome: Outcome,
    /// Seconds for `Retry-After`.
    retry: Option<u64>,
    /// The field at fault (by id) and its message, if the fault is in one field.
    field: Option<(String, String)>,
}

impl Refusal {
    /// A message above the forms.
    fn said(status: StatusCode, message: String, retry: Option<u64>) -> Self {
        Self { status, outcome: Outcome::Refused(message), retry, field: None }
    }
}

fn refusal(viewer: &Viewer<LookupsState>, served: &Served, problem: LookupProblem) -> Refusal {
    let t = viewer.t();
    let spec = served.data.spec();
    let label = |column: &str| label_of(spec, column).to_owned();
    // The id of the field that holds a column's value.
    let field_of = |column: &str| {
        if let Some(i) = spec.verify.iter().position(|c| c == column) {
            Some(format!("verify-{i}"))
        } else if column == "q" {
            Some("q".to_owned())
        } else {
            spec.filters.iter().position(|c| c == column).map(|i| format!("filter-{i}"))
        }
    };
    let bad = |id: String, message: String| Refusal {
        status: StatusCode::BAD_REQUEST,
        outcome: Outcome::Nothing,
        retry: None,
        field: Some((id, message)),
    };
    match problem {
        LookupProblem::BadKey => {
            let key = label(&spec.key);
            bad("key".into(), t.with("lookup-enter", "field", &key))
        }
        LookupProblem::MissingVerify(column) => {
            let id = field_of(&column).unwrap_or_else(|| "key".into());
            bad(id, t.with("lookup-enter", "field", &label(&column)))
        }
        LookupProblem::TooLong(column) => {
            let name = if column == "q" { search_label(viewer, served) } else { label(&column) };
            let message = t.with("lookup-too-long-field", "field", &name);
            match field_of(&column) {
                Some(id) => bad(id, message),
                None => Refusal::said(StatusCode::BAD_REQUEST, message, None),
            }
        }
        LookupProblem::EmptySearch => {
            let id = if spec.search.is_empty() { "filter-0" } else { "q" };
            bad(id.into(), t.get("lookup-empty-search-field"))
        }
        LookupProblem::NoMatch => {
            let mut fields = vec![label(&spec.key)];
            fields.extend(spec.verify.iter().map(|c| label(c)));
            let message = t.with("lookup-page-no-match", "fields", &fields.join(", "));
            Refusal::said(StatusCode::NOT_FOUND, message, None)
        }
        LookupProblem::RateLimited(r) => {
            let secs = r.header_secs();
            let message = t.count("lookup-page-too-fast", i64::try_from(secs).unwrap_or(i64::MAX));
            Refusal::said(StatusCode::TOO_MANY_REQUESTS, message, Some(secs))
        }
        LookupProblem::Locked(r) => {
            let secs = r.header_secs();
            let minutes = i64::try_from(secs.div_ceil(60)).unwrap_or(i64::MAX);
            let message = t.count("lookup-page-locked", minutes);
            Refusal::said(StatusCode::TOO_MANY_REQUESTS, message, Some(secs))
        }
        other @ (LookupProblem::UnknownFilter(_)
        | LookupProblem::BadLimit
        | LookupProblem::NotSearchable) => {
            // Only a forged form gets here; the API's wording says what was wrong.
            let message = viewer.message(&ApiError::from(other));
            Refusal::said(StatusCode::BAD_REQUEST, message, None)
        }
    }
}

/// The label of the words field: the searched columns' labels ("Họ và tên hoặc Quê quán").
fn search_label(viewer: &Viewer<LookupsState>, served: &Served) -> String {
    let spec = served.data.spec();
    let or = format!(" {} ", viewer.t().get("lookup-or"));
    spec.search.iter().map(|c| label_of(spec, c)).collect::<Vec<_>>().join(&or)
}

fn lookup_page(
    viewer: &Viewer<LookupsState>,
    account: &Account,
    served: &Served,
    entered: &Entered,
    outcome: Outcome,
) -> LookupPage {
    let t = viewer.t();
    let spec = served.data.spec();

    let key_label = label_of(spec, &spec.key).to_owned();
    let mut find = vec![Field::text("key", "key", key_label.clone()).value(&entered.key)];
    let mut together = vec![key_label.clone()];
    for (i, column) in spec.verify.iter().enumerate() {
        let label = label_of(spec, column).to_owned();
        together.push(label.clone());
        let mut field = Field::text(format!("verify-{i}"), format!("v:{column}"), label.clone())
            .value(entered.verify_value(column));
        if is_date(column, &label) {
            field.inputmode = "numeric";
            field.placeholder = "dd/mm/yyyy";
            field.hint = t.get("lookup-date-hint");
        }
        find.push(field);
    }
    let find_lead = if spec.verify.is_empty() {
        t.with("lookup-find-lead", "field", &key_label)
    } else {
        t.with("lookup-find-lead-verify", "fields", &together.join(", "))
    };

    let mut search = Vec::new();
    if !spec.search.is_empty() {
        let mut q = Field::text("q", "q", search_label(viewer, served))
            .hint(t.get("lookup-search-hint"))
            .value(&entered.q);
        q.kind = "search";
        search.push(q);
    }
    for (i, column) in spec.filters.iter().enumerate() {
        let label = label_of(spec, column).to_owned();
        search.push(
            Field::text(format!("filter-{i}"), format!("f:{column}"), label)
                .hint(t.get("lookup-optional"))
                .value(entered.filter_value(column)),
        );
    }
    let search_lead = if spec.verify.is_empty() {
        t.get("lookup-search-lead")
    } else {
        t.with("lookup-search-lead-verify", "field", &key_label)
    };

    let mut facts = t.count("lookup-records", served.data.rows() as i64);
    if let Some(at) = served.published_at {
        facts = format!("{facts} · {}", t.with("lookup-updated", "time", &at.display_vn()));
    }
    LookupPage {
        l: viewer.layout(false),
        account_name: account.display_name.clone(),
        account_href: format!("/a/{}", account.slug),
        title: served.title.clone(),
        action: page_path(account.slug.as_str(), &served.slug),
        facts,
        errors: Vec::new(),
        find,
        find_lead,
        search,
        search_lead,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_columns_are_told_by_name_or_label() {
        assert!(is_date("ngay_sinh", "Ngày sinh"));
        assert!(is_date("dob", "dob"));
        assert!(is_date("x", "Date of birth"));
        assert!(!is_date("nam_sinh", "Năm sinh"));
        assert!(!is_date("so_bao_danh", "Số báo danh"));
    }

    #[test]
    fn empty_values_are_left_out_of_an_answer() {
        let got = rows(
            r#"["Họ và tên","Toán","Lịch sử"]"#.as_bytes(),
            r#"["Nguyễn Văn Đức","8.25",null]"#.as_bytes(),
        );
        let pairs: Vec<(&str, &str)> =
            got.iter().map(|r| (r.label.as_str(), r.value.as_str())).collect();
        assert_eq!(pairs, [("Họ và tên", "Nguyễn Văn Đức"), ("Toán", "8.25")]);
    }

    #[test]
    fn form_fields_are_sorted_by_their_names() {
        let e = Entered::from_form(vec![
            ("do".into(), "find".into()),
            ("key".into(), "08000001".into()),
            ("v:ngay_sinh".into(), "15/03/2008".into()),
            ("f:nam_sinh".into(), "1962".into()),
            ("csrf".into(), "x".into()),
        ]);
        assert_eq!(e.key, "08000001");
        assert_eq!(e.verify_value("ngay_sinh"), "15/03/2008");
        assert_eq!(e.filter_value("nam_sinh"), "1962");
        assert_eq!(e.verify_value("other"), "");
    }
}
