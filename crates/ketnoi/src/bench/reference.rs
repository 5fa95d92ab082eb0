//! The reference: how fast this disk takes rows into the very table the server writes messages
//! to, with nothing else in the way (no HTTP, no sign-in, no idempotency check, no counters, no
//! inbox events). Single-row prepared `INSERT`s, committed a thousand at a time, with the same
//! durability as the server (WAL, `synchronous=FULL`).

use std::{
    path::Path,
    str::FromStr as _,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use anyhow::Context as _;
use ketnoi_core::Timestamp;
use ketnoi_store::SqliteStore;
use sqlx::{
    Sqlite, Transaction,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{
    message_text,
    stats::{Latencies, Progress, Summary, per_second},
};

/// Rows per transaction.
const BATCH: u64 = 1_000;

const INSERT_MESSAGE: &str = "INSERT INTO messages (conversation_id, seq, author_kind, author_id, \
     author_name, client_msg_id, kind, body, attachment_id, buttons, search_key, created_at) \
     VALUES (?, ?, 'citizen', ?, '', ?, 'text', ?, NULL, NULL, ?, ?)";

/// What the reference measured.
pub struct Reference {
    /// Rows inserted.
    pub rows: u64,
    /// Rows per second.
    pub rows_per_s: f64,
    /// How long each commit took: the floor under any durable acknowledgement on this disk.
    pub commit: Summary,
}

/// Inserts `rows` messages into a fresh database in `dir`, spread over `conversations` (one per
/// citizen, as in the ingest phase).
pub async fn run(dir: &Path, rows: u64, conversations: u64) -> anyhow::Result<Reference> {
    let url = format!("sqlite://{}", dir.join("reference.db").display());
    // The server's own opening creates the file and runs its migrations: the same schema,
    // indexes included.
    SqliteStore::open(&url).await.context("cannot create the reference database")?.close().await;
    let options = SqliteConnectOptions::from_str(&url)?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
    let now = Timestamp::now().millis();

    let mut tx = pool.begin().await?;
    let parents = parents(&mut tx, now, conversations as i64).await;
    tx.commit().await?;
    let (first_conversation, first_citizen) =
        parents.context("cannot seed the reference database")?;

    let progress = Progress::start("reference: raw inserts", rows);
    let done = progress.counter();
    let started = Instant::now();
    let mut commits = Latencies::with_capacity((rows / BATCH + 1) as usize);
    let mut i = 0u64;
    while i < rows {
        let mut tx = pool.begin().await?;
        let end = (i + BATCH).min(rows);
        for n in i..end {
            let body = message_text(n);
            let c = (n % conversations) as i64;
            sqlx::query(INSERT_MESSAGE)
                .bind(first_conversation + c)
                .bind((n / conversations) as i64 + 1)
                .bind(first_citizen + c)
                .bind(format!("ref-{n:010}"))
                .bind(body)
                .bind(ketnoi_text::search_key(body))
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let commit = Instant::now();
        tx.commit().await?;
        commits.push(commit.elapsed());
        done.store(end, Ordering::Relaxed);
        i = end;
    }
    let elapsed = started.elapsed();
    progress.finish();
    pool.close().await;
    Ok(Reference { rows, rows_per_s: per_second(rows, elapsed), commit: commits.summary() })
}

/// The rows messages hang from: an area, an agency, an account, and a citizen with a
/// conversation for each conversation slot. Returns the first conversation and citizen ids.
async fn parents(
    tx: &mut Transaction<'_, Sqlite>,
    now: i64,
    conversations: i64,
) -> anyhow::Result<(i64, i64)> {
    sqlx::query(
        "INSERT INTO areas (code, name, level, division_type) \
         VALUES ('00913', 'Xã Vị Xuyên', 'commune', 'xã')",
    )
    .execute(&mut **tx)
    .await?;
    let agency: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (code, name, kind, area_code, created_at) \
         VALUES ('ca-vi-xuyen', 'Công an xã Vị Xuyên', 'police', '00913', ?) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let account: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (slug, agency_id, display_name, kind, area_code, search_key, \
         created_at) VALUES ('ca-vi-xuyen', ?, 'Công an xã Vị Xuyên', 'police', '00913', \
         'cong an xa vi xuyen', ?) RETURNING id",
    )
    .bind(agency)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let mut first = None;
    for c in 0..conversations {
        let citizen: i64 = sqlx::query_scalar(
            "INSERT INTO citizens (phone, created_at) VALUES (?, ?) RETURNING id",
        )
        .bind(format!("+8490{c:07}"))
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        let conversation: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (account_id, citizen_id, citizen_label, last_message_at, \
             created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(account)
        .bind(citizen)
        .bind(format!("090****{:03}", c % 1000))
        .bind(now)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        first.get_or_insert((conversation, citizen));
        // Rows hang off `first + c`: the ids must run without gaps.
        anyhow::ensure!(
            first.is_some_and(|(fc, fz)| conversation == fc + c && citizen == fz + c),
            "reference ids are not consecutive"
        );
    }
    first.context("no conversations")
}
