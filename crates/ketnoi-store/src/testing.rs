//! Fresh databases for tests (feature `testing`): a SQLite file in a temporary folder, or a
//! PostgreSQL schema of its own that is dropped afterwards.
//!
//! PostgreSQL is used when `KETNOI_TEST_POSTGRES_URL` is set. Without it PostgreSQL tests skip,
//! unless `CI=true`, where the missing server fails the run.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::{PgStore, SqliteStore};
use sqlx::Connection as _;

/// A SQLite store in a temporary folder that lives as long as the returned guard.
pub async fn fresh_sqlite() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let url = format!("sqlite://{}", dir.path().join("ketnoi.db").display());
    let store = SqliteStore::open(&url).await.unwrap_or_else(|e| panic!("open sqlite: {e:?}"));
    (store, dir)
}

/// The PostgreSQL server to test against, or `None` to skip. Under `CI=true` a missing URL is a
/// failure: a backend that CI does not test is a backend that rots.
pub fn postgres_url() -> Option<String> {
    match std::env::var("KETNOI_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but KETNOI_TEST_POSTGRES_URL is not set: PostgreSQL tests cannot run")
        }
        _ => {
            eprintln!("skipping PostgreSQL: KETNOI_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// A schema of its own on the test server, dropped when this guard goes, even if the test
/// panicked.
pub struct PgSchema {
    admin_url: String,
    name: String,
}

impl PgSchema {
    /// Creates an empty schema and returns it with a URL whose connections use it.
    pub async fn create(admin_url: &str) -> (Self, String) {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "kt_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let mut conn = sqlx::PgConnection::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at KETNOI_TEST_POSTGRES_URL: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("create schema: {e}"));
        conn.close().await.ok();
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        // Connections name themselves after the schema, so that dropping it can end them.
        let url =
            format!("{admin_url}{sep}options=-c%20search_path%3D{name}&application_name={name}");
        (Self { admin_url: admin_url.to_owned(), name }, url)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on; use a thread of its own.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                        let _ = drop_schema(&mut conn, &name).await;
                    }
                });
            }
        });
        let _ = cleanup.join();
    }
}

/// Ends the sessions still using a test's schema, then drops it. The test's runtime is blocked
/// while this runs (see [`PgSchema`]'s `Drop`), so a task of the test caught inside a transaction
/// (a server's background loop, say) could never commit: without ending its session first, the
/// drop would wait for its lock forever. The lock timeout bounds what is left.
async fn drop_schema(conn: &mut sqlx::PgConnection, name: &str) -> sqlx::Result<()> {
    sqlx::query("SET lock_timeout = '20s'").execute(&mut *conn).await?;
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = $1 AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).execute(&mut *conn).await?;
    Ok(())
}

/// A PostgreSQL store in a fresh schema, or `None` when PostgreSQL tests are skipped.
pub async fn fresh_postgres() -> Option<(PgStore, PgSchema)> {
    let admin = postgres_url()?;
    let (schema, url) = PgSchema::create(&admin).await;
    let store = PgStore::open(&url).await.unwrap_or_else(|e| panic!("open postgres: {e:?}"));
    Some((store, schema))
}

/// Raw SQL on a test store, for tests that play a hostile database administrator (dropping the
/// audit log's triggers, editing rows behind the store's back).
#[async_trait::async_trait]
pub trait RawSql {
    /// Runs one statement; returns the rows it touched.
    async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error>;
}

#[async_trait::async_trait]
impl RawSql for SqliteStore {
    async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}

#[async_trait::async_trait]
impl RawSql for PgStore {
    async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}

/// Drops the audit log's append-only triggers, as someone with the database's own rights could.
pub async fn drop_audit_triggers(store: &(impl RawSql + crate::Store + ?Sized)) {
    let statements: &[&str] = if store.backend() == "postgres" {
        &[
            "DROP TRIGGER audit_log_no_change ON audit_log",
            "DROP TRIGGER audit_log_no_truncate ON audit_log",
        ]
    } else {
        &["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    };
    for sql in statements {
        store.raw(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}
