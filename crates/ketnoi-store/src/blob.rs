//! Where attachment bytes live: [`FsBlobs`], a folder under the data directory (the default),
//! or [`PgBlobs`], a table in PostgreSQL for nodes that share no disk.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::{Result, StoreError};

/// Stores and fetches opaque byte strings by key. A key is 8–64 lowercase ASCII letters and
/// digits (the server makes them at random); anything else is refused, so keys can never name
/// a path outside the store.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores bytes durably under a new key.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()>;
    /// The bytes under a key, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Removes a key. `Ok(false)` if it was not there.
    async fn delete(&self, key: &str) -> Result<bool>;
    /// The backend's name, for logs.
    fn backend(&self) -> &'static str;
}

fn check_key(key: &str) -> Result<()> {
    let ok = (8..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok { Ok(()) } else { Err(StoreError::NotFound("blob")) }
}

/// Blobs as files: `ROOT/ab/cd/abcd…`, written to a temporary name, flushed to disk and renamed,
/// so a file that exists is always whole.
#[derive(Debug, Clone)]
pub struct FsBlobs {
    root: PathBuf,
}

impl FsBlobs {
    /// A store rooted at `root`, created if missing.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(io)?;
        Ok(Self { root })
    }

    fn path(&self, key: &str) -> PathBuf {
        self.root.join(&key[..2]).join(&key[2..4]).join(key)
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Io(e))
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().ok_or_else(|| std::io::Error::other("blob path has no folder"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("part");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    // The rename is durable once the folder is.
    std::fs::File::open(dir)?.sync_all()
}

#[async_trait]
impl BlobStore for FsBlobs {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        check_key(key)?;
        let path = self.path(key);
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
            .await
            .map_err(|e| io(std::io::Error::other(e)))?
            .map_err(io)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        if check_key(key).is_err() {
            return Ok(None);
        }
        match tokio::fs::read(self.path(key)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<bool> {
        if check_key(key).is_err() {
            return Ok(false);
        }
        match tokio::fs::remove_file(self.path(key)).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io(e)),
        }
    }

    fn backend(&self) -> &'static str {
        "fs"
    }
}

/// Blobs in PostgreSQL's `blobs` table, for deployments of several nodes.
#[derive(Debug, Clone)]
pub struct PgBlobs {
    pool: sqlx::PgPool,
}

impl crate::PgStore {
    /// A blob store in this database.
    pub fn blobs(&self) -> PgBlobs {
        PgBlobs { pool: self.pool.clone() }
    }
}

#[async_trait]
impl BlobStore for PgBlobs {
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<()> {
        check_key(key)?;
        sqlx::query(
            "INSERT INTO blobs (key, bytes, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET bytes = excluded.bytes",
        )
        .bind(key)
        .bind(bytes)
        .bind(ketnoi_core::Timestamp::now().millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar("SELECT bytes FROM blobs WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn delete(&self, key: &str) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM blobs WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}
