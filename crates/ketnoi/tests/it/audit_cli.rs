//! `ketnoi audit verify` on a real database of each backend (issue 20): an untouched log
//! passes; one altered byte, a deleted row, a forged row (with or without its hash recomputed)
//! and a cut tail (caught through an anchor file written by `ketnoi audit anchor`) each fail,
//! and the message names the entry.

use std::path::Path;

use ketnoi_core::{Actor, AgencyId, AuditAction, StaffId, Timestamp};
use ketnoi_store::testing::{RawSql, drop_audit_triggers};
use ketnoi_store::{NewAuditEntry, Store};

use crate::cli::ketnoi;

trait Both: Store + RawSql {}
impl<T: Store + RawSql> Both for T {}

/// A fresh database: SQLite in `dir`, or a PostgreSQL schema (`None` when skipped).
async fn fresh(
    dir: &Path,
    postgres: bool,
) -> Option<(Box<dyn Both>, String, Option<ketnoi_store::testing::PgSchema>)> {
    if postgres {
        let admin = ketnoi_store::testing::postgres_url()?;
        let (schema, url) = ketnoi_store::testing::PgSchema::create(&admin).await;
        let store = ketnoi_store::PgStore::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
        Some((Box::new(store), url, Some(schema)))
    } else {
        let url = format!("sqlite://{}", dir.join("ketnoi.db").display());
        let store = ketnoi_store::SqliteStore::open(&url).await.unwrap_or_else(|e| panic!("{e}"));
        Some((Box::new(store), url, None))
    }
}

async fn seed(store: &dyn Both, n: i64) {
    for i in 1..=n {
        let entry = NewAuditEntry {
            at: Timestamp(1_750_000_000_000 + i),
            actor: Actor::Staff(StaffId(i)),
            action: AuditAction::TipOpened,
            object: format!("tip:{i}"),
            agency: Some(AgencyId(1)),
            request_id: format!("req-{i}"),
        };
        store.append_audit(&entry).await.unwrap_or_else(|e| panic!("{e}"));
    }
}

fn verify(dir: &Path, url: &str, anchors: Option<&Path>) -> (bool, String) {
    let mut args = vec!["--database", url, "audit", "verify"];
    let anchors = anchors.map(|p| p.display().to_string());
    if let Some(a) = &anchors {
        args.extend(["--anchors", a.as_str()]);
    }
    let out = ketnoi(dir, &args);
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Runs one tampering on a fresh log of six entries anchored at its head, and returns what
/// `audit verify` says without and with the anchor file.
async fn tampered(postgres: bool, statements: &[&str]) -> Option<((bool, String), (bool, String))> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (store, url, _schema) = fresh(dir.path(), postgres).await?;
    seed(store.as_ref(), 6).await;
    let anchors = dir.path().join("anchors.txt");
    let anchored = ketnoi(
        dir.path(),
        &["--database", &url, "audit", "anchor", "--append", &anchors.display().to_string()],
    );
    assert!(anchored.status.success(), "{}", String::from_utf8_lossy(&anchored.stderr));
    let (passed, summary) = verify(dir.path(), &url, Some(&anchors));
    assert!(passed && summary.contains("6"), "an untouched log must verify: {summary}");
    drop_audit_triggers(store.as_ref()).await;
    for sql in statements {
        store.raw(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    Some((verify(dir.path(), &url, None), verify(dir.path(), &url, Some(&anchors))))
}

fn fails_naming(result: &(bool, String), expected: &str) {
    assert!(!result.0, "verify passed: {}", result.1);
    assert!(result.1.contains(expected), "expected {expected:?} in: {}", result.1);
}

async fn tampering_is_named(postgres: bool) {
    // One byte of one row's object.
    let Some((plain, _)) =
        tampered(postgres, &["UPDATE audit_log SET object = 'tip:7' WHERE seq = 3"]).await
    else {
        return;
    };
    fails_naming(&plain, "entry 3 was altered");
    // One byte of one row's actor.
    if let Some((plain, _)) =
        tampered(postgres, &["UPDATE audit_log SET actor = 'staff:9' WHERE seq = 5"]).await
    {
        fails_naming(&plain, "entry 5 was altered");
    }
    // One row deleted.
    if let Some((plain, _)) = tampered(postgres, &["DELETE FROM audit_log WHERE seq = 2"]).await {
        fails_naming(&plain, "seq jumps from 1 to 3: entry 2 was removed");
    }
    // A forged row inserted at 4 (the rest moved up), without and with a recomputed hash.
    let shift = [
        "UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 4",
        "UPDATE audit_log SET seq = seq - 999999 WHERE seq > 1000000",
    ];
    let forged = |hash: &str| {
        format!(
            "INSERT INTO audit_log (seq, at, actor, action, object, agency_id, request_id, \
             prev_hash, hash) SELECT 4, at + 1, 'cli', 'role-granted', 'staff:1', 1, 'forged', \
             hash, {hash} FROM audit_log WHERE seq = 3"
        )
    };
    let unhashed = forged("hash");
    if let Some((plain, _)) = tampered(postgres, &[shift[0], shift[1], &unhashed]).await {
        fails_naming(&plain, "entry 4 was altered");
    }
    // The hash a forger would compute is the chain's own: computed here and written in.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    if let Some((store, _, _schema)) = fresh(dir.path(), postgres).await {
        seed(store.as_ref(), 3).await;
        let third = store.audit_after(2, 1).await.unwrap_or_default();
        let third = third.first().cloned().unwrap_or_else(|| panic!("no entry 3"));
        let hash = ketnoi_store::entry_hash(
            4,
            third.at + 1,
            "cli",
            "role-granted",
            "staff:1",
            Some(1),
            "forged",
            &third.hash,
        );
        let rehashed = forged(&format!("'{hash}'"));
        if let Some((plain, _)) = tampered(postgres, &[shift[0], shift[1], &rehashed]).await {
            fails_naming(&plain, "an entry was inserted at 4");
        }
    }
    // The tail cut off: the chain alone cannot tell, the anchor can.
    if let Some((plain, anchored)) =
        tampered(postgres, &["DELETE FROM audit_log WHERE seq > 4"]).await
    {
        assert!(plain.0, "a cut tail leaves a valid chain: {}", plain.1);
        fails_naming(&anchored, "entries 5–6 were removed");
    }
}

#[tokio::test]
async fn audit_verify_names_the_altered_removed_or_inserted_entry_on_sqlite() {
    tampering_is_named(false).await;
}

#[tokio::test]
async fn audit_verify_names_the_altered_removed_or_inserted_entry_on_postgres() {
    tampering_is_named(true).await;
}

#[tokio::test]
async fn a_bad_anchor_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let anchors = dir.path().join("anchors.txt");
    std::fs::write(&anchors, "# notary copy\n12 not-a-hash 2026-01-01\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.path().join("ketnoi.db").display());
    let (passed, text) = verify(dir.path(), &url, Some(&anchors));
    assert!(!passed);
    assert!(text.contains("anchors.txt:2"), "{text}");
}
