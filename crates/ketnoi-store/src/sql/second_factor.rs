//! [`crate::SecondFactorStore`] per backend: `staff_second_factor`, `staff_recovery_codes`,
//! `agency_security`.

/// The columns read for a [`crate::SecondFactor`].
pub(crate) const SECOND_FACTOR_COLUMNS: &str =
    "secret_wrapped, confirmed_at, last_step, created_at";

/// A second factor's row.
pub(crate) type SecondFactorRow = (String, Option<i64>, i64, i64);

/// A second factor from its row.
pub(crate) fn second_factor(
    (secret_wrapped, confirmed_at, last_step, created_at): SecondFactorRow,
) -> crate::SecondFactor {
    crate::SecondFactor {
        secret_wrapped,
        confirmed_at: confirmed_at.map(ketnoi_core::Timestamp),
        last_step,
        created_at: ketnoi_core::Timestamp(created_at),
    }
}

macro_rules! impl_second_factor {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn insert_recovery_codes(
                tx: &mut sqlx::Transaction<'static, $db>,
                staff: ketnoi_core::StaffId,
                hashes: &[String],
            ) -> $crate::Result<()> {
                sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
                    .bind(staff.0)
                    .execute(&mut **tx)
                    .await?;
                for hash in hashes {
                    sqlx::query(
                        "INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES ($1, $2)",
                    )
                    .bind(staff.0)
                    .bind(hash)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::error::classify("recovery-code"))?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::SecondFactorStore for $store {
            async fn second_factor(
                &self,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<Option<$crate::SecondFactor>> {
                let sql = format!(
                    "SELECT {} FROM staff_second_factor WHERE staff_id = $1",
                    $crate::sql::second_factor::SECOND_FACTOR_COLUMNS
                );
                let row: Option<$crate::sql::second_factor::SecondFactorRow> =
                    sqlx::query_as(&sql).bind(staff.0).fetch_optional(&self.pool).await?;
                Ok(row.map($crate::sql::second_factor::second_factor))
            }

            async fn begin_second_factor(
                &self,
                staff: ketnoi_core::StaffId,
                secret_wrapped: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                // One statement: a confirmed factor is never overwritten, even by a racing start.
                let done = sqlx::query(
                    "INSERT INTO staff_second_factor (staff_id, secret_wrapped, last_step, \
                     created_at) VALUES ($1, $2, 0, $3) ON CONFLICT (staff_id) DO UPDATE SET \
                     secret_wrapped = excluded.secret_wrapped, created_at = excluded.created_at, \
                     last_step = 0 WHERE staff_second_factor.confirmed_at IS NULL",
                )
                .bind(staff.0)
                .bind(secret_wrapped)
                .bind(at.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("second-factor"))?;
                Ok(done.rows_affected() == 1)
            }

            async fn confirm_second_factor(
                &self,
                staff: ketnoi_core::StaffId,
                step: i64,
                recovery_hashes: &[String],
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome: $crate::Result<bool> = async {
                    let done = sqlx::query(
                        "UPDATE staff_second_factor SET confirmed_at = $2, last_step = $3 \
                         WHERE staff_id = $1 AND confirmed_at IS NULL",
                    )
                    .bind(staff.0)
                    .bind(at.millis())
                    .bind(step)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Ok(false);
                    }
                    Self::insert_recovery_codes(&mut tx, staff, recovery_hashes).await?;
                    Ok(true)
                }
                .await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn accept_second_factor_step(
                &self,
                staff: ketnoi_core::StaffId,
                step: i64,
            ) -> $crate::Result<bool> {
                // PostgreSQL re-checks `last_step < $2` on the row a concurrent update just
                // committed, so of two racing uses of one code exactly one moves the step.
                let done = sqlx::query(
                    "UPDATE staff_second_factor SET last_step = $2 WHERE staff_id = $1 \
                     AND confirmed_at IS NOT NULL AND last_step < $2",
                )
                .bind(staff.0)
                .bind(step)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(
                &self,
                staff: ketnoi_core::StaffId,
                hash: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 \
                     AND code_hash = $2 AND used_at IS NULL",
                )
                .bind(staff.0)
                .bind(hash)
                .bind(at.millis())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn replace_recovery_codes(
                &self,
                staff: ketnoi_core::StaffId,
                hashes: &[String],
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::insert_recovery_codes(&mut tx, staff, hashes).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn recovery_codes_left(
                &self,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1 \
                     AND used_at IS NULL",
                )
                .bind(staff.0)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn delete_second_factor(
                &self,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<bool> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome: $crate::Result<bool> = async {
                    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
                        .bind(staff.0)
                        .execute(&mut *tx)
                        .await?;
                    let done = sqlx::query("DELETE FROM staff_second_factor WHERE staff_id = $1")
                        .bind(staff.0)
                        .execute(&mut *tx)
                        .await?;
                    Ok(done.rows_affected() == 1)
                }
                .await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn end_staff_sessions(
                &self,
                staff: ketnoi_core::StaffId,
                keep: Option<&str>,
            ) -> $crate::Result<u64> {
                Ok(sqlx::query(
                    "DELETE FROM sessions WHERE subject_kind = 'staff' AND subject_id = $1 \
                     AND token_hash <> $2",
                )
                .bind(staff.0)
                .bind(keep.unwrap_or(""))
                .execute(&self.pool)
                .await?
                .rows_affected())
            }

            async fn second_factor_required(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<bool> {
                let required: Option<bool> = sqlx::query_scalar(
                    "SELECT second_factor_required FROM agency_security WHERE agency_id = $1",
                )
                .bind(agency.0)
                .fetch_optional(&self.pool)
                .await?;
                Ok(required.unwrap_or(false))
            }

            async fn set_second_factor_required(
                &self,
                agency: ketnoi_core::AgencyId,
                required: bool,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO agency_security (agency_id, second_factor_required, updated_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (agency_id) DO UPDATE SET \
                     second_factor_required = excluded.second_factor_required, \
                     updated_at = excluded.updated_at",
                )
                .bind(agency.0)
                .bind(required)
                .bind(at.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("agency"))?;
                Ok(())
            }

            async fn second_factor_required_for(
                &self,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<bool> {
                // The agencies of the member's grants and every agency above them (`UNION`, so
                // a damaged tree cannot loop).
                let count: i64 = sqlx::query_scalar(
                    "WITH RECURSIVE up (id) AS ( \
                       SELECT agency_id FROM staff_grants WHERE staff_id = $1 \
                       UNION SELECT a.parent_id FROM agencies a JOIN up ON a.id = up.id \
                       WHERE a.parent_id IS NOT NULL) \
                     SELECT COUNT(*) FROM agency_security s JOIN up ON s.agency_id = up.id \
                     WHERE s.second_factor_required",
                )
                .bind(staff.0)
                .fetch_one(&self.pool)
                .await?;
                Ok(count > 0)
            }

            async fn holds_tip_key(&self, staff: ketnoi_core::StaffId) -> $crate::Result<bool> {
                let count: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM tip_key_copies WHERE staff_id = $1")
                        .bind(staff.0)
                        .fetch_one(&self.pool)
                        .await?;
                Ok(count > 0)
            }
        }
    };
}
pub(crate) use impl_second_factor;
