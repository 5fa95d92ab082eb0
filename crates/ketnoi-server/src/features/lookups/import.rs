//! Importing a dataset: the CSV checked against its spec, all or nothing, and stored as the
//! dataset's next version (live now, at a set time, or kept as a draft).

use ketnoi_core::{AccountId, Timestamp};
use ketnoi_lookup::dataset::Spec;
use ketnoi_store::{BlobStore, LookupVersion, Store};

use crate::kernel::{
    http::hex,
    i18n::{Lang, Messages},
};

/// An import, as the console and the command line ask for it.
#[derive(Debug)]
pub struct Import {
    /// The account that publishes the dataset.
    pub account: AccountId,
    /// The dataset, created on its first import.
    pub dataset: ketnoi_core::Slug,
    /// Its title; empty keeps the title it has (or uses the slug for a new dataset).
    pub title: String,
    /// Its chat command as typed; `None` keeps the one it has.
    pub command: Option<String>,
    /// Which columns do what.
    pub spec: Spec,
    /// The CSV.
    pub bytes: Vec<u8>,
    /// When the new version goes live.
    pub publication: ketnoi_store::Publication,
    /// Who imports it.
    pub by: Option<ketnoi_core::StaffId>,
}

/// What an import made.
#[derive(Debug)]
pub struct Imported {
    /// The dataset, as it is after the import.
    pub dataset: ketnoi_store::LookupDataset,
    /// The new version.
    pub version: LookupVersion,
    /// Its records.
    pub records: usize,
}

/// A chat command as stored: folded, words single-spaced.
pub fn command_key(typed: &str) -> String {
    ketnoi_text::search_key(typed)
}

/// Checks the CSV against the spec and, only if every line is right, stores it as the
/// dataset's next version: `Ok(Err(report))` lists every problem by line and stores nothing,
/// so the version served stays as it is.
pub async fn import(
    store: &dyn Store,
    blobs: &dyn BlobStore,
    import: Import,
) -> anyhow::Result<Result<Imported, ketnoi_lookup::dataset::Report>> {
    let Import { account, dataset, title, command, spec, bytes, publication, by } = import;
    let size = bytes.len();
    let (bytes, checked) = tokio::task::spawn_blocking(move || {
        let checked = ketnoi_lookup::dataset::import(&bytes, &spec).map(|d| d.rows());
        (bytes, checked.map(|rows| (rows, spec)))
    })
    .await?;
    let (records, spec) = match checked {
        Ok(ok) => ok,
        Err(report) => return Ok(Err(report)),
    };
    let key = hex(&rand::random::<[u8; 16]>());
    blobs.put(&key, &bytes).await?;
    drop(bytes);
    let now = Timestamp::now();
    let title = ketnoi_text::nfc(title.trim());
    let new = ketnoi_store::NewLookupDataset {
        account,
        slug: dataset.clone(),
        title: if title.is_empty() { dataset.as_str().to_owned() } else { title.clone() },
        command: command.as_deref().map(command_key).unwrap_or_default(),
    };
    let mut stored = store.ensure_lookup_dataset(&new, now).await?;
    let renamed = !title.is_empty() && title != stored.title;
    let recommanded = command.as_deref().map(command_key).is_some_and(|c| c != stored.command);
    if renamed || recommanded {
        let update = ketnoi_store::LookupDatasetUpdate {
            title: if renamed { title } else { stored.title.clone() },
            command: command.as_deref().map_or_else(|| stored.command.clone(), command_key),
            per_minute: stored.per_minute,
        };
        store.update_lookup_dataset(stored.id, &update, now).await?;
        stored.title = update.title;
        stored.command = update.command;
    }
    let version = store
        .add_lookup_version(&ketnoi_store::NewLookupVersion {
            dataset: stored.id,
            spec: serde_json::to_string(&spec)?,
            blob_key: key,
            rows: i64::try_from(records)?,
            bytes: i64::try_from(size)?,
            created_by: by,
            at: now,
            publication,
        })
        .await?;
    if version.published_at.is_some() {
        stored.live_version = Some(version.version);
    }
    Ok(Ok(Imported { dataset: stored, version, records }))
}

/// An import report as lines of text in a language: one per problem, then how many more.
pub fn report_lines(
    messages: &Messages,
    lang: Lang,
    report: &ketnoi_lookup::dataset::Report,
) -> Vec<String> {
    use fluent_bundle::FluentValue;
    let mut lines: Vec<String> = report
        .problems
        .iter()
        .map(|p| {
            let key = format!("lookup-problem-{}", p.kind.as_str());
            let problem =
                messages.get(lang, &key, &[("detail", FluentValue::from(p.detail.as_str()))]);
            if p.line == 0 {
                problem
            } else {
                let line = FluentValue::from(p.line as i64);
                messages.get(
                    lang,
                    "lookup-report-line",
                    &[("line", line), ("problem", problem.into())],
                )
            }
        })
        .collect();
    if report.omitted > 0 {
        let count = FluentValue::from(report.omitted as i64);
        lines.push(messages.get(lang, "lookup-report-omitted", &[("count", count)]));
    }
    lines
}
