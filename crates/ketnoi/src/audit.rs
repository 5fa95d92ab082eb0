//! `ketnoi audit …`: verifying the audit log's chain against anchors, anchoring its head, and
//! exporting an agency's entries; and the entries the command line writes for what an operator
//! does through it.

use std::io::Write as _;

use anyhow::{Context as _, bail};
use ketnoi_core::{Actor, AgencyCode, AgencyId, AuditAction, Timestamp};
use ketnoi_server::kernel::audit as kaudit;
use ketnoi_store::{Anchor, AuditQuery, NewAuditEntry, Store, VerifyError, verify_log};

use crate::{cli::AuditCommand, t};

/// Records something an operator did at the command line (actor `cli`).
pub async fn record_cli(
    store: &dyn Store,
    action: AuditAction,
    object: &str,
    agency: Option<AgencyId>,
) -> anyhow::Result<()> {
    let entry = NewAuditEntry {
        at: Timestamp::now(),
        actor: Actor::Cli,
        action,
        object: ketnoi_core::audit::object_ref(object)?.to_owned(),
        agency,
        request_id: kaudit::RequestId::outside("cli").0,
    };
    store
        .append_audit(&entry)
        .await
        .context(t("không ghi được nhật ký kiểm toán", "could not write the audit log"))?;
    Ok(())
}

/// `ketnoi audit …`
pub async fn run(store: &dyn Store, cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify { anchors } => {
            let anchors = match anchors {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).with_context(|| {
                        format!("{} {}", t("không đọc được", "cannot read"), path.display())
                    })?;
                    Anchor::parse_file(&text).map_err(|line| {
                        anyhow::anyhow!(
                            "{} {}:{line} ({})",
                            t("dòng mốc không hợp lệ ở", "bad anchor line at"),
                            path.display(),
                            t("cần SEQ HASH THỜI_ĐIỂM", "expected SEQ HASH TIME")
                        )
                    })?
                }
                None => Vec::new(),
            };
            match verify_log(store, &anchors).await {
                Ok(s) => {
                    println!(
                        "{}: {} {}, {} {} {}, {} {}",
                        t("nhật ký kiểm toán nguyên vẹn", "audit log verified"),
                        s.entries,
                        t("mục", "entries"),
                        t("đầu chuỗi", "head"),
                        s.head.seq,
                        s.head.hash,
                        s.anchors,
                        t("mốc đã đối chiếu", "anchors checked"),
                    );
                    Ok(())
                }
                Err(VerifyError::Fault(fault)) => bail!(
                    "{}: {fault}",
                    t("nhật ký kiểm toán đã bị sửa", "audit log verification failed")
                ),
                Err(VerifyError::Store(e)) => Err(e.into()),
            }
        }
        AuditCommand::Anchor { append } => {
            let head = store.audit_head().await?;
            let line = Anchor::of(&head, Timestamp::now()).line();
            println!("{line}");
            if let Some(path) = append {
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .with_context(|| {
                        format!("{} {}", t("không mở được", "cannot open"), path.display())
                    })?;
                writeln!(file, "{line}")?;
                file.sync_all()?;
            }
            Ok(())
        }
        AuditCommand::Export { agency, format } => {
            let code = AgencyCode::parse(&agency)?;
            let agency = store
                .agency_by_code(&code)
                .await?
                .with_context(|| format!("{} {code}", t("không có cơ quan", "no such agency")))?;
            if format != "csv" && format != "json" {
                bail!("{}", t("--format phải là csv hoặc json", "--format must be csv or json"));
            }
            let query = AuditQuery {
                agency: agency.id,
                action: None,
                actor: None,
                from: None,
                until: None,
                before: None,
                limit: 1000,
            };
            let entries = kaudit::all_entries(store, &query).await?;
            if format == "csv" {
                print!("{}", kaudit::to_csv(&entries));
            } else {
                println!("{}", serde_json::to_string_pretty(&kaudit::to_json(&entries))?);
            }
            record_cli(
                store,
                AuditAction::AuditExported,
                &format!("agency:{}", agency.id.0),
                Some(agency.id),
            )
            .await
        }
    }
}
