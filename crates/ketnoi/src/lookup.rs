//! `ketnoi lookup …`: importing datasets, listing them, publishing and restoring versions.
//!
//! A running server notices what these commands change within a few seconds (it polls
//! storage); a scheduled version is loaded ahead of its moment and goes live on time.

use std::sync::Arc;

use anyhow::{Context as _, bail};
use ketnoi_core::{Slug, Timestamp};
use ketnoi_lookup::dataset::Spec;
use ketnoi_server::{BlobLocation, kernel::i18n::Messages};
use ketnoi_store::{BlobStore, Publication, Store};

use crate::{
    cli::{LookupCommand, LookupImportArgs},
    settings::{FileSettings, StorageSettings},
    t,
};

/// Runs a `ketnoi lookup` command.
pub async fn manage(
    store: Arc<dyn Store>,
    storage: &StorageSettings,
    file: &FileSettings,
    command: LookupCommand,
) -> anyhow::Result<()> {
    match command {
        LookupCommand::Import(args) => import(store, storage, file, *args).await,
        LookupCommand::List { account } => list(store.as_ref(), &account).await,
        LookupCommand::Publish { account, dataset, version, at, cancel } => {
            let account = crate::bot::find_account(store.as_ref(), &account).await?;
            let slug = parse_slug(&dataset)?;
            let dataset = store.lookup_dataset(account.id, &slug).await?.with_context(|| {
                format!("{} {slug}", t("không có bộ dữ liệu", "no such dataset"))
            })?;
            let now = Timestamp::now();
            match (at, cancel) {
                (_, true) => {
                    store.schedule_lookup_version(dataset.id, version, None).await?;
                    println!(
                        "{} {version}.",
                        t("Đã huỷ lịch công bố phiên bản", "Cancelled the schedule of version")
                    );
                }
                (Some(at), false) => {
                    let at = moment(&at)?;
                    if at <= now {
                        bail!(
                            "{}",
                            t("thời điểm công bố đã qua", "the publication moment has passed")
                        );
                    }
                    store.schedule_lookup_version(dataset.id, version, Some(at)).await?;
                    println!(
                        "{} {version}: {}.",
                        t("Đã hẹn công bố phiên bản", "Scheduled version"),
                        at.display_vn()
                    );
                }
                (None, false) => {
                    store.publish_lookup_version(dataset.id, version, now).await?;
                    println!("{} {version}.", t("Đã công bố phiên bản", "Published version"));
                }
            }
            Ok(())
        }
    }
}

fn parse_slug(s: &str) -> anyhow::Result<Slug> {
    Slug::parse(s).map_err(|e| anyhow::anyhow!("{}", crate::describe(&e)))
}

fn moment(s: &str) -> anyhow::Result<Timestamp> {
    Timestamp::parse_moment(s).with_context(|| {
        format!(
            "{} {s:?}: {}",
            t("không hiểu thời điểm", "cannot read the moment"),
            t(
                "viết như 2026-07-16 08:00 (giờ Việt Nam)",
                "write it like 2026-07-16 08:00 (Vietnam time)"
            )
        )
    })
}

/// The blob store the server uses, per the same settings.
fn blobs(
    store: &Arc<dyn Store>,
    storage: &StorageSettings,
    file: &FileSettings,
    flag: Option<&str>,
) -> anyhow::Result<Arc<dyn BlobStore>> {
    let location = match flag.or(file.blob_store.as_deref()) {
        None | Some("dir") => BlobLocation::Dir(storage.data_dir.join("blobs")),
        Some("database") => BlobLocation::Database,
        Some(other) => bail!("unknown blob store {other:?}: use `dir` or `database`"),
    };
    Ok(match location {
        BlobLocation::Dir(dir) => Arc::new(ketnoi_store::FsBlobs::open(dir)?),
        BlobLocation::Database => {
            store.shared_blobs().context("blob storage in the database needs PostgreSQL")?
        }
    })
}

async fn import(
    store: Arc<dyn Store>,
    storage: &StorageSettings,
    file: &FileSettings,
    args: LookupImportArgs,
) -> anyhow::Result<()> {
    let account = crate::bot::find_account(store.as_ref(), &args.account).await?;
    let dataset = parse_slug(&args.dataset)?;
    let mut show = Vec::with_capacity(args.show.len());
    for s in &args.show {
        let (column, label) = s.split_once('=').unwrap_or((s.as_str(), s.as_str()));
        show.push((column.trim().to_owned(), label.trim().to_owned()));
    }
    let spec = Spec {
        key: args.key,
        verify: args.verify,
        show,
        search: args.search,
        filters: args.filter,
    };
    let publication = match (&args.publish_at, args.draft) {
        (Some(at), _) => Publication::At(moment(at)?),
        (None, true) => Publication::Draft,
        (None, false) => Publication::Now,
    };
    let size = std::fs::metadata(&args.file)
        .with_context(|| {
            format!("{} {}", t("không đọc được tệp", "cannot read the file"), args.file.display())
        })?
        .len();
    if size > ketnoi_lookup::dataset::MAX_INPUT_BYTES as u64 {
        bail!(
            "{}: {} ({} MB > {} MB)",
            args.file.display(),
            t("tệp quá lớn", "the file is too large"),
            size / 1_000_000,
            ketnoi_lookup::dataset::MAX_INPUT_BYTES / 1_000_000
        );
    }
    let bytes = std::fs::read(&args.file).with_context(|| {
        format!("{} {}", t("không đọc được tệp", "cannot read the file"), args.file.display())
    })?;
    let blobs = blobs(&store, storage, file, args.blob_store.as_deref())?;
    let started = std::time::Instant::now();
    let outcome = ketnoi_server::features::lookups::import::import(
        store.as_ref(),
        blobs.as_ref(),
        ketnoi_server::features::lookups::import::Import {
            account: account.id,
            dataset,
            title: args.title.unwrap_or_default(),
            command: args.command,
            spec,
            bytes,
            publication,
            by: None,
        },
    )
    .await?;
    match outcome {
        Err(report) => {
            let messages = Messages::load().map_err(anyhow::Error::msg)?;
            for line in ketnoi_server::features::lookups::import::report_lines(
                &messages,
                crate::cli_lang(),
                &report,
            ) {
                eprintln!("{}: {line}", args.file.display());
            }
            bail!(
                "{} {}",
                t("không nạp gì: tệp có lỗi ở", "nothing imported: problems in"),
                args.file.display()
            )
        }
        Ok(done) => {
            let state = match (done.version.published_at, done.version.publish_at) {
                (Some(_), _) => t("đã công bố", "published").to_owned(),
                (None, Some(at)) => {
                    format!("{} {}", t("sẽ công bố lúc", "to be published at"), at.display_vn())
                }
                (None, None) => t("bản nháp, chưa công bố", "a draft, not published").to_owned(),
            };
            println!(
                "{} {} {} {}/{} {} {} ({state}) {} {:.1} s.",
                t("Đã nạp", "Imported"),
                done.records,
                t("bản ghi vào", "records into"),
                args.account,
                done.dataset.slug,
                t("phiên bản", "version"),
                done.version.version,
                t("trong", "in"),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

async fn list(store: &dyn Store, account: &str) -> anyhow::Result<()> {
    let account = crate::bot::find_account(store, account).await?;
    for d in store.lookup_datasets(account.id).await? {
        let command =
            if d.command.is_empty() { String::new() } else { format!("  [{}]", d.command) };
        println!("{}  {}{command}", d.slug, d.title);
        for v in store.lookup_versions(d.id).await? {
            let state = if Some(v.version) == d.live_version {
                t("đang phục vụ", "live").to_owned()
            } else if let Some(at) = v.publish_at {
                format!("{} {}", t("hẹn công bố", "scheduled"), at.display_vn())
            } else {
                String::new()
            };
            println!(
                "  v{:<4} {:>9} {}  {}  {state}",
                v.version,
                v.rows,
                t("bản ghi", "records"),
                v.created_at.display_vn()
            );
        }
    }
    Ok(())
}
