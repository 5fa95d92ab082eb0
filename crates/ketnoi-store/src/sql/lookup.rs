//! Lookup datasets and their versions.
//!
//! A version's number is one more than the dataset's highest, taken inside the transaction that
//! inserts it; the dataset's row is locked first (PostgreSQL) or the whole database is (SQLite),
//! so two imports of one dataset never get the same number.

/// The columns read for a [`crate::LookupDataset`].
pub(crate) const DATASET_COLUMNS: &str =
    "id, account_id, slug, title, command, per_minute, live_version, created_at";
/// The columns read for a [`crate::LookupVersion`].
pub(crate) const VERSION_COLUMNS: &str = "dataset_id, version, spec, blob_key, row_count, \
     byte_count, created_by, created_at, publish_at, published_at";

macro_rules! impl_lookup {
    ($store:ty, $db:ty, $row:ty) => {
        mod lookup_rows {
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;

            pub(crate) fn dataset(r: &$row) -> Result<$crate::LookupDataset, StoreError> {
                Ok($crate::LookupDataset {
                    id: $crate::LookupDatasetId(r.try_get("id")?),
                    account: AccountId(r.try_get("account_id")?),
                    slug: Slug::parse(r.try_get("slug")?)?,
                    title: r.try_get("title")?,
                    command: r.try_get("command")?,
                    per_minute: r.try_get("per_minute")?,
                    live_version: r.try_get("live_version")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn version(r: &$row) -> Result<$crate::LookupVersion, StoreError> {
                Ok($crate::LookupVersion {
                    dataset: $crate::LookupDatasetId(r.try_get("dataset_id")?),
                    version: r.try_get("version")?,
                    spec: r.try_get("spec")?,
                    blob_key: r.try_get("blob_key")?,
                    rows: r.try_get("row_count")?,
                    bytes: r.try_get("byte_count")?,
                    created_by: r.try_get::<Option<i64>, _>("created_by")?.map(StaffId),
                    created_at: Timestamp(r.try_get("created_at")?),
                    publish_at: r.try_get::<Option<i64>, _>("publish_at")?.map(Timestamp),
                    published_at: r.try_get::<Option<i64>, _>("published_at")?.map(Timestamp),
                })
            }
        }

        impl $store {
            /// Makes `version` the dataset's live version, published at `at`, and drops its
            /// schedule. `false` if there is no such version.
            async fn go_live(
                tx: &mut sqlx::Transaction<'static, $db>,
                dataset: $crate::LookupDatasetId,
                version: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let changed = sqlx::query(
                    "UPDATE lookup_versions SET publish_at = NULL, published_at = $3 \
                     WHERE dataset_id = $1 AND version = $2",
                )
                .bind(dataset.0)
                .bind(version)
                .bind(at.millis())
                .execute(&mut **tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "UPDATE lookup_datasets SET live_version = $2, updated_at = $3 WHERE id = $1",
                )
                .bind(dataset.0)
                .bind(version)
                .bind(at.millis())
                .execute(&mut **tx)
                .await?;
                Ok(true)
            }
        }

        #[async_trait::async_trait]
        impl $crate::LookupStore for $store {
            async fn ensure_lookup_dataset(
                &self,
                dataset: &$crate::NewLookupDataset,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::LookupDataset> {
                let sql = format!(
                    "INSERT INTO lookup_datasets (account_id, slug, title, command, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
                     ON CONFLICT (account_id, slug) DO UPDATE SET slug = excluded.slug \
                     RETURNING {}",
                    $crate::sql::lookup::DATASET_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(dataset.account.0)
                    .bind(dataset.slug.as_str())
                    .bind(dataset.title.as_str())
                    .bind(dataset.command.as_str())
                    .bind(at.millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("account"))?;
                lookup_rows::dataset(&row)
            }

            async fn update_lookup_dataset(
                &self,
                id: $crate::LookupDatasetId,
                update: &$crate::LookupDatasetUpdate,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                let changed = sqlx::query(
                    "UPDATE lookup_datasets SET title = $2, command = $3, per_minute = $4, \
                     updated_at = $5 WHERE id = $1",
                )
                .bind(id.0)
                .bind(update.title.as_str())
                .bind(update.command.as_str())
                .bind(update.per_minute)
                .bind(at.millis())
                .execute(&self.pool)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err($crate::StoreError::NotFound("dataset"));
                }
                Ok(())
            }

            async fn lookup_dataset(
                &self,
                account: ketnoi_core::AccountId,
                slug: &ketnoi_core::Slug,
            ) -> $crate::Result<Option<$crate::LookupDataset>> {
                let sql = format!(
                    "SELECT {} FROM lookup_datasets WHERE account_id = $1 AND slug = $2",
                    $crate::sql::lookup::DATASET_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(lookup_rows::dataset).transpose()
            }

            async fn lookup_datasets(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Vec<$crate::LookupDataset>> {
                let sql = format!(
                    "SELECT {} FROM lookup_datasets WHERE account_id = $1 ORDER BY title, id",
                    $crate::sql::lookup::DATASET_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(account.0).fetch_all(&self.pool).await?;
                rows.iter().map(lookup_rows::dataset).collect()
            }

            async fn add_lookup_version(
                &self,
                new: &$crate::NewLookupVersion,
            ) -> $crate::Result<$crate::LookupVersion> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let lock = format!(
                    "SELECT id FROM lookup_datasets WHERE id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let exists: Option<i64> =
                    sqlx::query_scalar(&lock).bind(new.dataset.0).fetch_optional(&mut *tx).await?;
                if exists.is_none() {
                    // Ended here rather than on drop: a pool being closed waits for it.
                    tx.rollback().await?;
                    return Err($crate::StoreError::MissingReference("dataset"));
                }
                let version: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM lookup_versions \
                     WHERE dataset_id = $1",
                )
                .bind(new.dataset.0)
                .fetch_one(&mut *tx)
                .await?;
                let publish_at = match new.publication {
                    $crate::Publication::At(t) if t > new.at => Some(t.millis()),
                    _ => None,
                };
                sqlx::query(
                    "INSERT INTO lookup_versions (dataset_id, version, spec, blob_key, \
                     row_count, byte_count, created_by, created_at, publish_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(new.dataset.0)
                .bind(version)
                .bind(new.spec.as_str())
                .bind(new.blob_key.as_str())
                .bind(new.rows)
                .bind(new.bytes)
                .bind(new.created_by.map(|s| s.0))
                .bind(new.at.millis())
                .bind(publish_at)
                .execute(&mut *tx)
                .await
                .map_err($crate::error::classify("staff"))?;
                let live_now = match new.publication {
                    $crate::Publication::Now => true,
                    $crate::Publication::At(t) => t <= new.at,
                    $crate::Publication::Draft => false,
                };
                if live_now {
                    Self::go_live(&mut tx, new.dataset, version, new.at).await?;
                }
                let sql = format!(
                    "SELECT {} FROM lookup_versions WHERE dataset_id = $1 AND version = $2",
                    $crate::sql::lookup::VERSION_COLUMNS
                );
                let row =
                    sqlx::query(&sql).bind(new.dataset.0).bind(version).fetch_one(&mut *tx).await?;
                let stored = lookup_rows::version(&row)?;
                tx.commit().await?;
                Ok(stored)
            }

            async fn lookup_versions(
                &self,
                dataset: $crate::LookupDatasetId,
            ) -> $crate::Result<Vec<$crate::LookupVersion>> {
                let sql = format!(
                    "SELECT {} FROM lookup_versions WHERE dataset_id = $1 ORDER BY version DESC",
                    $crate::sql::lookup::VERSION_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(dataset.0).fetch_all(&self.pool).await?;
                rows.iter().map(lookup_rows::version).collect()
            }

            async fn publish_lookup_version(
                &self,
                dataset: $crate::LookupDatasetId,
                version: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                if !Self::go_live(&mut tx, dataset, version, at).await? {
                    tx.rollback().await?;
                    return Err($crate::StoreError::NotFound("version"));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn schedule_lookup_version(
                &self,
                dataset: $crate::LookupDatasetId,
                version: i64,
                at: Option<ketnoi_core::Timestamp>,
            ) -> $crate::Result<()> {
                let changed = sqlx::query(
                    "UPDATE lookup_versions SET publish_at = $3 \
                     WHERE dataset_id = $1 AND version = $2",
                )
                .bind(dataset.0)
                .bind(version)
                .bind(at.map(|t| t.millis()))
                .execute(&self.pool)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err($crate::StoreError::NotFound("version"));
                }
                Ok(())
            }

            async fn publish_due_lookups(
                &self,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<u64> {
                use sqlx::Row as _;
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let sql = format!(
                    "SELECT dataset_id, version, publish_at FROM lookup_versions \
                     WHERE publish_at IS NOT NULL AND publish_at <= $1 \
                     ORDER BY publish_at, version{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let due = sqlx::query(&sql).bind(now.millis()).fetch_all(&mut *tx).await?;
                let mut published = 0;
                for r in &due {
                    let dataset = $crate::LookupDatasetId(r.try_get("dataset_id")?);
                    let at = ketnoi_core::Timestamp(r.try_get("publish_at")?);
                    if Self::go_live(&mut tx, dataset, r.try_get("version")?, at).await? {
                        published += 1;
                    }
                }
                tx.commit().await?;
                Ok(published)
            }

            async fn served_lookups(&self) -> $crate::Result<Vec<$crate::ServedLookup>> {
                use sqlx::Row as _;
                // Both reads see one snapshot: otherwise a version published between them
                // (its dataset read as still pointing at the old one, the versions read after
                // the switch) leaves the dataset with neither a live nor a next version, and a
                // node drops it until its next pass.
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_SNAPSHOT).await?;
                let sql = format!(
                    "SELECT {}, a.slug AS account_slug FROM lookup_datasets d \
                     JOIN accounts a ON a.id = d.account_id ORDER BY d.id",
                    $crate::sql::qualified($crate::sql::lookup::DATASET_COLUMNS, "d")
                );
                let datasets = match sqlx::query(&sql).fetch_all(&mut *tx).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        let _ = tx.rollback().await;
                        return Err(e.into());
                    }
                };
                let sql = format!(
                    "SELECT {} FROM lookup_versions v JOIN lookup_datasets d \
                     ON d.id = v.dataset_id \
                     WHERE v.version = d.live_version OR v.publish_at IS NOT NULL \
                     ORDER BY v.publish_at, v.version",
                    $crate::sql::qualified($crate::sql::lookup::VERSION_COLUMNS, "v")
                );
                let versions = match sqlx::query(&sql).fetch_all(&mut *tx).await {
                    Ok(rows) => rows,
                    Err(e) => {
                        let _ = tx.rollback().await;
                        return Err(e.into());
                    }
                };
                tx.commit().await?;
                let versions =
                    versions.iter().map(lookup_rows::version).collect::<Result<Vec<_>, _>>()?;
                let mut served = Vec::with_capacity(datasets.len());
                for r in &datasets {
                    let dataset = lookup_rows::dataset(r)?;
                    let live = versions
                        .iter()
                        .find(|v| {
                            v.dataset == dataset.id && Some(v.version) == dataset.live_version
                        })
                        .cloned();
                    let next = versions
                        .iter()
                        .filter(|v| v.dataset == dataset.id && v.publish_at.is_some())
                        .min_by_key(|v| (v.publish_at, v.version))
                        .cloned();
                    served.push($crate::ServedLookup {
                        account_slug: ketnoi_core::Slug::parse(r.try_get("account_slug")?)?,
                        dataset,
                        live,
                        next,
                    });
                }
                Ok(served)
            }
        }
    };
}
pub(crate) use impl_lookup;
