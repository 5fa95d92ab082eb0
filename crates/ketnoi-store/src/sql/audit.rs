//! [`crate::AuditStore`] per backend: `audit_log`.
//!
//! An append reads the head and inserts the next entry in one write transaction, holding a lock
//! every node takes first ([`crate::sql::Dialect::AUDIT_LOCK`] on PostgreSQL; SQLite's write
//! transaction already excludes every other writer), so two appends can never both follow the
//! same head. The hash is computed here, in Rust, inside that transaction.

/// The columns read for an entry, in the order of [`AuditRow`].
pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, object, agency_id, request_id, prev_hash, hash";

/// An entry's row.
pub(crate) type AuditRow = (i64, i64, String, String, String, Option<i64>, String, String, String);

/// An entry from its row.
pub(crate) fn entry(
    (seq, at, actor, action, object, agency, request_id, prev_hash, hash): AuditRow,
) -> crate::AuditEntry {
    crate::AuditEntry { seq, at, actor, action, object, agency, request_id, prev_hash, hash }
}

macro_rules! impl_audit {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::AuditStore for $store {
            async fn append_audit(
                &self,
                new: &$crate::NewAuditEntry,
            ) -> $crate::Result<$crate::AuditEntry> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                if let Some(lock) = <$store as $crate::sql::Dialect>::AUDIT_LOCK {
                    sqlx::query(lock).execute(&mut *tx).await?;
                }
                let head: Option<(i64, String)> = sqlx::query_as(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                )
                .fetch_optional(&mut *tx)
                .await?;
                let (last, prev_hash) =
                    head.unwrap_or_else(|| (0, $crate::audit::GENESIS_HASH.to_owned()));
                let mut entry = $crate::AuditEntry {
                    seq: last + 1,
                    at: new.at.millis(),
                    actor: new.actor.to_wire(),
                    action: new.action.as_str().to_owned(),
                    object: new.object.clone(),
                    agency: new.agency.map(|a| a.0),
                    request_id: new.request_id.clone(),
                    prev_hash,
                    hash: String::new(),
                };
                entry.hash = entry.expected_hash();
                sqlx::query(
                    "INSERT INTO audit_log (seq, at, actor, action, object, agency_id, \
                     request_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(entry.seq)
                .bind(entry.at)
                .bind(&entry.actor)
                .bind(&entry.action)
                .bind(&entry.object)
                .bind(entry.agency)
                .bind(&entry.request_id)
                .bind(&entry.prev_hash)
                .bind(&entry.hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(entry)
            }

            async fn audit_page(
                &self,
                q: &$crate::AuditQuery,
            ) -> $crate::Result<Vec<$crate::AuditEntry>> {
                let sql = format!(
                    "SELECT {} FROM audit_log WHERE agency_id = $1 \
                     AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR actor = $3) \
                     AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
                     AND ($6 IS NULL OR seq < $6) ORDER BY seq DESC LIMIT $7",
                    $crate::sql::audit::AUDIT_COLUMNS
                );
                let rows: Vec<$crate::sql::audit::AuditRow> = sqlx::query_as(&sql)
                    .bind(q.agency.0)
                    .bind(q.action.map(|a| a.as_str()))
                    .bind(q.actor.map(|a| a.to_wire()))
                    .bind(q.from.map(|t| t.millis()))
                    .bind(q.until.map(|t| t.millis()))
                    .bind(q.before)
                    .bind(q.limit.clamp(1, 1000))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map($crate::sql::audit::entry).collect())
            }

            async fn audit_after(
                &self,
                after: i64,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::AuditEntry>> {
                let sql = format!(
                    "SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                    $crate::sql::audit::AUDIT_COLUMNS
                );
                let rows: Vec<$crate::sql::audit::AuditRow> = sqlx::query_as(&sql)
                    .bind(after)
                    .bind(limit.clamp(1, 10_000))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map($crate::sql::audit::entry).collect())
            }

            async fn audit_head(&self) -> $crate::Result<$crate::AuditHead> {
                let head: Option<(i64, String)> = sqlx::query_as(
                    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                let (seq, hash) =
                    head.unwrap_or_else(|| (0, $crate::audit::GENESIS_HASH.to_owned()));
                Ok($crate::AuditHead { seq, hash })
            }
        }
    };
}
pub(crate) use impl_audit;
