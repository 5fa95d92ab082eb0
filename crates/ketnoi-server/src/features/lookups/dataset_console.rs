//! One dataset in the console: its settings (title, chat command, per-minute limit), its
//! versions (publish now, restore an earlier one, schedule, cancel a schedule) and a preview of
//! the first rows.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Account, AuditAction, Timestamp};
use ketnoi_lookup::dataset::Spec;
use ketnoi_store::{LookupDataset, LookupDatasetUpdate, LookupVersion, Publication};
use serde::Deserialize;

use crate::{
    features::lookups::{
        console::{
            DoneParams, FieldErrors, MAX_COMMAND_CHARS, MAX_PER_MINUTE, MAX_TITLE_CHARS, Preview,
            base, find_dataset, guard, has_control, live_text, managed, moment, notice, preview,
            refresh, scheduled_text,
        },
        pages::{Row, page_path},
        service::LookupsState,
    },
    kernel::{
        audit::record,
        auth::Caller,
        error::ApiError,
        pages::{
            Layout, PageForm, Viewer, Who,
            forms::{Field, Summary, summary},
        },
    },
};

pub(crate) fn router() -> Router<LookupsState> {
    Router::new()
        .route("/console/a/{slug}/lookups/{dataset}", get(dataset_page))
        .route("/console/a/{slug}/lookups/{dataset}/settings", post(save_settings))
        .route("/console/a/{slug}/lookups/{dataset}/versions/{version}/{action}", post(act))
}

/// A version in the dataset's list.
struct VersionRow {
    number: i64,
    heading: String,
    /// `live`, `scheduled`, `previous` or `draft`.
    state: &'static str,
    state_label: String,
    records: String,
    imported: String,
    scheduled: String,
    publish_label: String,
    cancel_label: String,
    schedule_label: String,
    at_label: String,
    at: String,
    at_error: Option<String>,
}

#[derive(Template)]
#[template(path = "lookups_dataset.html")]
struct DatasetPage {
    l: Layout,
    base: String,
    back: String,
    account_name: String,
    title: String,
    public: String,
    api: String,
    notice: Option<String>,
    errors: Vec<Summary>,
    facts: Vec<Row>,
    settings: Vec<Field>,
    versions: Vec<VersionRow>,
    preview: Option<Preview>,
}

/// A version's place in its dataset's life.
fn version_state(dataset: &LookupDataset, v: &LookupVersion) -> &'static str {
    if dataset.live_version == Some(v.version) {
        "live"
    } else if v.publish_at.is_some() {
        "scheduled"
    } else if v.published_at.is_some() {
        "previous"
    } else {
        "draft"
    }
}

/// What the officer typed into the dataset page's forms, kept when one comes back.
#[derive(Debug, Default)]
struct DatasetEntered {
    settings: Option<SettingsForm>,
    /// A version's moment and its mistake.
    schedule: Option<(i64, String, String)>,
    errors: FieldErrors,
}

async fn dataset_page(
    viewer: Viewer<LookupsState>,
    Path((slug, name)): Path<(String, String)>,
    params: Result<Query<DoneParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = params.map(|Query(p)| p.done).unwrap_or_default();
    let result = async {
        let account = managed(&viewer, &slug).await?;
        let dataset = find_dataset(&viewer, &account, &name).await?;
        dataset_view(&viewer, &account, &dataset, DatasetEntered::default()).await
    }
    .await;
    match result {
        Ok(mut page) => {
            page.notice = notice(&viewer, done.as_deref());
            viewer.render(StatusCode::OK, &page)
        }
        Err(e) => viewer.fail(e),
    }
}

async fn dataset_view(
    viewer: &Viewer<LookupsState>,
    account: &Account,
    dataset: &LookupDataset,
    entered: DatasetEntered,
) -> Result<DatasetPage, ApiError> {
    let t = viewer.t();
    let versions = viewer.state.store.lookup_versions(dataset.id).await?;
    let live = versions.iter().find(|v| Some(v.version) == dataset.live_version);
    let shown = live.or(versions.first());
    let spec: Spec = shown.and_then(|v| serde_json::from_str(&v.spec).ok()).unwrap_or_default();

    let none = || t.get("lookups-none");
    let list = |columns: &[String]| {
        if columns.is_empty() { none() } else { columns.join(", ") }
    };
    let row = |key: &str, value: String| Row { label: t.get(key), value };
    let scheduled = versions
        .iter()
        .filter_map(|v| v.publish_at.map(|at| (at, v.version)))
        .min()
        .map_or_else(none, |(at, n)| scheduled_text(viewer, n, at));
    let limit = match dataset.per_minute {
        None => t.count(
            "lookups-limit-default",
            i64::from(viewer.state.config.lookup_limits.per_minute),
        ),
        Some(0) => t.get("lookups-limit-off"),
        Some(n) => t.count("lookups-limit-per-minute", n),
    };
    let facts = vec![
        row("lookups-fact-slug", dataset.slug.to_string()),
        row(
            "lookups-fact-live",
            live.map_or_else(|| t.get("lookups-not-live"), |v| live_text(viewer, v)),
        ),
        row("lookups-fact-scheduled", scheduled),
        row("lookups-fact-key", if spec.key.is_empty() { none() } else { spec.key.clone() }),
        row("lookups-fact-verify", list(&spec.verify)),
        row("lookups-fact-search", list(&spec.search)),
        row("lookups-fact-filters", list(&spec.filters)),
        row(
            "lookups-fact-command",
            if dataset.command.is_empty() { none() } else { dataset.command.clone() },
        ),
        row("lookups-fact-limit", limit),
    ];

    let error = |id: &str| entered.errors.iter().find(|(f, _)| *f == id).map(|(_, m)| m.clone());
    let (title, command, per_minute) = match &entered.settings {
        Some(s) => (s.title.clone(), s.command.clone(), s.per_minute.clone()),
        None => (
            dataset.title.clone(),
            dataset.command.clone(),
            dataset.per_minute.map(|n| n.to_string()).unwrap_or_default(),
        ),
    };
    let setting = |id: &'static str, value: &str| {
        let mut f = Field::text(id, id, t.get(&format!("lookups-setting-{id}")))
            .hint(t.get(&format!("lookups-setting-hint-{id}")))
            .value(value);
        f.error = error(id);
        f
    };
    let mut limit_field = setting("per_minute", &per_minute);
    limit_field.inputmode = "numeric";
    let settings = vec![setting("title", &title), setting("command", &command), limit_field];

    let rows = versions
        .iter()
        .map(|v| {
            let state = version_state(dataset, v);
            let number = v.version.to_string();
            let (at, at_error) = match &entered.schedule {
                Some((n, at, message)) if *n == v.version => (at.clone(), Some(message.clone())),
                _ => (String::new(), None),
            };
            VersionRow {
                number: v.version,
                heading: t.with("lookups-version", "version", &number),
                state,
                state_label: t.get(&format!("lookups-state-{state}")),
                records: t.count("lookup-records", v.rows),
                imported: t.with("lookups-imported-at", "time", &v.created_at.display_vn()),
                scheduled: v
                    .publish_at
                    .map(|at| t.with("lookups-scheduled-at", "time", &at.display_vn()))
                    .unwrap_or_default(),
                publish_label: if state == "previous" {
                    t.with("lookups-restore", "version", &number)
                } else {
                    t.with("lookups-publish-now", "version", &number)
                },
                cancel_label: t.with("lookups-cancel", "version", &number),
                schedule_label: t.with("lookups-schedule", "version", &number),
                at_label: t.with("lookups-schedule-label", "version", &number),
                at,
                at_error,
            }
        })
        .collect();

    let mut preview_table = None;
    if let Some(v) = shown {
        match viewer.state.blobs.get(&v.blob_key).await {
            Ok(Some(bytes)) => {
                preview_table = preview(viewer, &bytes, "lookups-preview-version", v.version);
            }
            Ok(None) => tracing::warn!(version = v.version, "a lookup version's file is missing"),
            Err(e) => tracing::warn!(error = ?e, "a lookup version's file could not be read"),
        }
    }

    let mut errors = summary(&settings);
    if let Some((n, _, message)) = &entered.schedule {
        errors.push(Summary { field: format!("at-{n}"), message: message.clone() });
    }
    Ok(DatasetPage {
        l: viewer.layout(!errors.is_empty()),
        base: format!("{}/{}", base(account), dataset.slug),
        back: base(account),
        account_name: account.display_name.clone(),
        title: dataset.title.clone(),
        public: page_path(account.slug.as_str(), dataset.slug.as_str()),
        api: format!("/api/v1/accounts/{}/lookups/{}", account.slug, dataset.slug),
        notice: None,
        errors,
        facts,
        settings,
        versions: rows,
        preview: preview_table,
    })
}

/// Sends the dataset page back with the officer's mistakes (422), changing nothing.
async fn dataset_failed(
    viewer: &Viewer<LookupsState>,
    account: &Account,
    dataset: &LookupDataset,
    entered: DatasetEntered,
) -> Response {
    match dataset_view(viewer, account, dataset, entered).await {
        Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Default, Deserialize)]
struct SettingsForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    command: String,
    #[serde(default)]
    per_minute: String,
}

impl SettingsForm {
    fn check(&self, viewer: &Viewer<LookupsState>) -> Result<LookupDatasetUpdate, FieldErrors> {
        let t = viewer.t();
        let mut errors = Vec::new();
        let title = ketnoi_text::nfc(self.title.trim());
        let chars = title.chars().count();
        if chars == 0 || chars > MAX_TITLE_CHARS || has_control(&title) {
            errors.push(("title", t.count("lookups-error-title", MAX_TITLE_CHARS as i64)));
        }
        let command = self.command.trim();
        if command.chars().count() > MAX_COMMAND_CHARS || has_control(command) {
            errors.push(("command", t.count("lookups-error-command", MAX_COMMAND_CHARS as i64)));
        }
        let per_minute = match self.per_minute.trim() {
            "" => None,
            n => match n.parse::<i64>() {
                Ok(n) if (0..=MAX_PER_MINUTE).contains(&n) => Some(n),
                _ => {
                    errors.push(("per_minute", t.count("lookups-error-limit", MAX_PER_MINUTE)));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(LookupDatasetUpdate {
            title,
            command: crate::features::lookups::import::command_key(command),
            per_minute,
        })
    }
}

async fn save_settings(
    viewer: Viewer<LookupsState>,
    Path((slug, name)): Path<(String, String)>,
    PageForm(f): PageForm<SettingsForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let dataset = match find_dataset(&viewer, &account, &name).await {
        Ok(d) => d,
        Err(e) => return viewer.fail(e),
    };
    let update = match f.check(&viewer) {
        Ok(u) => u,
        Err(errors) => {
            let entered = DatasetEntered { settings: Some(f), schedule: None, errors };
            return dataset_failed(&viewer, &account, &dataset, entered).await;
        }
    };
    let at = Timestamp::now();
    if let Err(e) = viewer.state.store.update_lookup_dataset(dataset.id, &update, at).await {
        return viewer.fail(e.into());
    }
    refresh(&viewer).await;
    let to = format!("{}/{}?done=settings#settings", base(&account), dataset.slug);
    Redirect::to(&to).into_response()
}

#[derive(Debug, Default, Deserialize)]
struct VersionForm {
    csrf: Option<String>,
    #[serde(default)]
    at: String,
}

/// Publishes a version now (restoring it, if it was live before), schedules it, or cancels
/// its schedule.
async fn act(
    viewer: Viewer<LookupsState>,
    Path((slug, name, version, action)): Path<(String, String, i64, String)>,
    PageForm(f): PageForm<VersionForm>,
) -> Response {
    let account = match guard(&viewer, &slug, f.csrf.as_deref()).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let dataset = match find_dataset(&viewer, &account, &name).await {
        Ok(d) => d,
        Err(e) => return viewer.fail(e),
    };
    let store = &viewer.state.store;
    let done = match action.as_str() {
        "publish" => store.publish_lookup_version(dataset.id, version, Timestamp::now()).await,
        "cancel" => store.schedule_lookup_version(dataset.id, version, None).await,
        "schedule" => match moment(&viewer, &f.at) {
            Ok(Publication::At(at)) => {
                store.schedule_lookup_version(dataset.id, version, Some(at)).await
            }
            Ok(_) => Ok(()),
            Err(message) => {
                let entered = DatasetEntered {
                    settings: None,
                    schedule: Some((version, f.at.clone(), message)),
                    errors: Vec::new(),
                };
                return dataset_failed(&viewer, &account, &dataset, entered).await;
            }
        },
        _ => return viewer.fail(ApiError::NotFound("page")),
    };
    if let Err(e) = done {
        return viewer.fail(e.into());
    }
    if action == "publish" {
        let object = format!("lookup:{}", dataset.id.0);
        let (audit, agency) = (AuditAction::LookupPublished, Some(account.agency));
        if let Err(e) =
            record(&viewer.state, &viewer.caller, &viewer.request, audit, &object, agency).await
        {
            return viewer.fail(e);
        }
    }
    refresh(&viewer).await;
    let to = format!("{}/{}?done={action}#versions", base(&account), dataset.slug);
    Redirect::to(&to).into_response()
}
