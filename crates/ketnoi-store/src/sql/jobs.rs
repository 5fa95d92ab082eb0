//! The persistent job queue.

macro_rules! impl_jobs {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::JobQueue for $store {
            async fn enqueue(&self, job: &$crate::NewJob) -> $crate::Result<$crate::JobId> {
                let now = ketnoi_core::Timestamp::now().millis();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO jobs (queue, payload, state, attempts, max_attempts, run_at, \
                     created_at, updated_at) VALUES ($1, $2, 'ready', 0, $3, $4, $5, $5) RETURNING id",
                )
                .bind(&job.queue)
                .bind(job.payload.to_string())
                .bind(job.max_attempts.max(1))
                .bind(job.run_at.millis())
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::JobId(id))
            }

            async fn lease(
                &self,
                queue: &str,
                now: ketnoi_core::Timestamp,
                lease_ms: i64,
            ) -> $crate::Result<Option<$crate::Job>> {
                // A worker that died holding its last attempt leaves a lease that will never be
                // completed: dead-letter those first so they are not leased forever.
                sqlx::query(
                    "UPDATE jobs SET state = 'dead', lease_expires_at = NULL, updated_at = $2, \
                     last_error = COALESCE(last_error, 'lease expired on the last attempt') \
                     WHERE queue = $1 AND state = 'leased' AND lease_expires_at <= $2 \
                     AND attempts >= max_attempts",
                )
                .bind(queue)
                .bind(now.millis())
                .execute(&self.pool)
                .await?;
                let sql = format!(
                    "UPDATE jobs SET state = 'leased', attempts = attempts + 1, \
                     lease_expires_at = $3, updated_at = $2 \
                     WHERE id = (SELECT id FROM jobs WHERE queue = $1 AND ( \
                         (state = 'ready' AND run_at <= $2) \
                         OR (state = 'leased' AND lease_expires_at <= $2)) \
                       ORDER BY run_at, id LIMIT 1 {}) \
                     RETURNING {}",
                    <$store as $crate::sql::Dialect>::LEASE_LOCK,
                    $crate::sql::JOB_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(queue)
                    .bind(now.millis())
                    .bind(now.plus_millis(lease_ms.max(1)).millis())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(rows::job).transpose()
            }

            async fn complete(&self, id: $crate::JobId, attempt: i64) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE jobs SET state = 'done', lease_expires_at = NULL, updated_at = $3 \
                     WHERE id = $1 AND attempts = $2 AND state = 'leased'",
                )
                .bind(id.0)
                .bind(attempt)
                .bind(ketnoi_core::Timestamp::now().millis())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn fail(
                &self,
                id: $crate::JobId,
                attempt: i64,
                error: &str,
                retry_at: ketnoi_core::Timestamp,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<$crate::JobState>> {
                let error: String = error.chars().take(2000).collect();
                let state: Option<String> = sqlx::query_scalar(
                    "UPDATE jobs SET \
                       state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END, \
                       run_at = $3, last_error = $4, lease_expires_at = NULL, updated_at = $5 \
                     WHERE id = $1 AND attempts = $2 AND state = 'leased' RETURNING state",
                )
                .bind(id.0)
                .bind(attempt)
                .bind(retry_at.millis())
                .bind(error)
                .bind(now.millis())
                .fetch_optional(&self.pool)
                .await?;
                Ok(state.as_deref().and_then($crate::JobState::parse))
            }

            async fn job(&self, id: $crate::JobId) -> $crate::Result<Option<$crate::Job>> {
                let sql = format!("SELECT {} FROM jobs WHERE id = $1", $crate::sql::JOB_COLUMNS);
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::job).transpose()
            }

            async fn dead_jobs(&self, queue: &str, limit: i64) -> $crate::Result<Vec<$crate::Job>> {
                let sql = format!(
                    "SELECT {} FROM jobs WHERE queue = $1 AND state = 'dead' \
                     ORDER BY updated_at, id LIMIT $2",
                    $crate::sql::JOB_COLUMNS
                );
                let found =
                    sqlx::query(&sql).bind(queue).bind(limit.clamp(1, 1000)).fetch_all(&self.pool).await?;
                found.iter().map(rows::job).collect()
            }

            async fn retry_dead(
                &self,
                id: $crate::JobId,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE jobs SET state = 'ready', attempts = 0, run_at = $2, updated_at = $2 \
                     WHERE id = $1 AND state = 'dead'",
                )
                .bind(id.0)
                .bind(now.millis())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
pub(crate) use impl_jobs;
