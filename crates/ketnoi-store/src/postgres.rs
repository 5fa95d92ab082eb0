//! The scale-out backend: PostgreSQL.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

use crate::{Result, sql::Dialect};

/// The PostgreSQL backend, for deployments where several ketnoi nodes share one database.
///
/// Migrations take PostgreSQL's advisory lock, so nodes starting together migrate once.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

impl Dialect for PgStore {
    const LEASE_LOCK: &'static str = "FOR UPDATE SKIP LOCKED";
    const ROW_LOCK: &'static str = " FOR UPDATE";
    const JOIN_ROW_LOCK: &'static str = " FOR UPDATE OF c";
    const BEGIN_WRITE: &'static str = "BEGIN";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    // The key spells "audit" in ASCII; it is held until the appending transaction ends.
    const AUDIT_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(418581342580)");
}

impl PgStore {
    /// Connects to and migrates the database at a `postgres://…` URL. A URL may choose a schema
    /// with `?options=-c search_path=NAME`.
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl crate::Store for PgStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn shared_blobs(&self) -> Option<std::sync::Arc<dyn crate::BlobStore>> {
        Some(std::sync::Arc::new(self.blobs()))
    }
}

crate::sql::impl_store!(PgStore, sqlx::Postgres, sqlx::postgres::PgRow);
