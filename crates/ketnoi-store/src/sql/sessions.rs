//! One-time codes, sessions and API tokens.

macro_rules! impl_sessions {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::SessionStore for $store {
            async fn put_otp(
                &self,
                phone: &ketnoi_core::Phone,
                code_hash: &str,
                at: ketnoi_core::Timestamp,
                expires_at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO otp_challenges (phone, code_hash, created_at, expires_at, attempts) \
                     VALUES ($1, $2, $3, $4, 0) ON CONFLICT (phone) DO UPDATE SET \
                     code_hash = excluded.code_hash, created_at = excluded.created_at, \
                     expires_at = excluded.expires_at, attempts = 0",
                )
                .bind(phone.e164())
                .bind(code_hash)
                .bind(at.millis())
                .bind(expires_at.millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn check_otp(
                &self,
                phone: &ketnoi_core::Phone,
                code_hash: &str,
                now: ketnoi_core::Timestamp,
                max_attempts: i64,
            ) -> $crate::Result<$crate::OtpOutcome> {
                // Each step is one statement, so two racing checks of the same code can never
                // both succeed, and a wrong guess is always counted.
                let accepted: Option<String> = sqlx::query_scalar(
                    "DELETE FROM otp_challenges WHERE phone = $1 AND code_hash = $2 \
                     AND expires_at > $3 AND attempts < $4 RETURNING phone",
                )
                .bind(phone.e164())
                .bind(code_hash)
                .bind(now.millis())
                .bind(max_attempts)
                .fetch_optional(&self.pool)
                .await?;
                if accepted.is_some() {
                    return Ok($crate::OtpOutcome::Accepted);
                }
                let attempts: Option<i64> = sqlx::query_scalar(
                    "UPDATE otp_challenges SET attempts = attempts + 1 WHERE phone = $1 \
                     AND expires_at > $2 AND attempts < $3 RETURNING attempts",
                )
                .bind(phone.e164())
                .bind(now.millis())
                .bind(max_attempts)
                .fetch_optional(&self.pool)
                .await?;
                if let Some(attempts) = attempts {
                    return Ok(if attempts >= max_attempts {
                        $crate::OtpOutcome::Locked
                    } else {
                        $crate::OtpOutcome::Wrong { remaining: max_attempts - attempts }
                    });
                }
                let left: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT expires_at, attempts FROM otp_challenges WHERE phone = $1",
                )
                .bind(phone.e164())
                .fetch_optional(&self.pool)
                .await?;
                Ok(match left {
                    None => $crate::OtpOutcome::Missing,
                    Some((_, attempts)) if attempts >= max_attempts => $crate::OtpOutcome::Locked,
                    Some(_) => $crate::OtpOutcome::Expired,
                })
            }

            async fn create_session(&self, s: &$crate::NewSession) -> $crate::Result<()> {
                let (kind, id) = s.subject.parts();
                sqlx::query(
                    "INSERT INTO sessions (token_hash, subject_kind, subject_id, kind, label, \
                     created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&s.token_hash)
                .bind(kind)
                .bind(id)
                .bind(s.kind.as_str())
                .bind(&s.label)
                .bind(s.created_at.millis())
                .bind(s.expires_at.map(|t| t.millis()))
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("session"))?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<$crate::Session>> {
                let row: Option<(String, i64, String, String, i64, Option<i64>)> = sqlx::query_as(
                    "SELECT subject_kind, subject_id, kind, label, created_at, expires_at \
                     FROM sessions WHERE token_hash = $1 \
                     AND (expires_at IS NULL OR expires_at > $2)",
                )
                .bind(token_hash)
                .bind(now.millis())
                .fetch_optional(&self.pool)
                .await?;
                let Some((subject_kind, subject_id, kind, label, created, expires)) = row else {
                    return Ok(None);
                };
                let corrupt = || {
                    $crate::StoreError::Database(sqlx::Error::Decode(
                        "unknown session subject or kind".into(),
                    ))
                };
                Ok(Some($crate::Session {
                    subject: $crate::Subject::from_parts(&subject_kind, subject_id)
                        .ok_or_else(corrupt)?,
                    kind: $crate::SessionKind::parse(&kind).ok_or_else(corrupt)?,
                    label,
                    created_at: ketnoi_core::Timestamp(created),
                    expires_at: expires.map(ketnoi_core::Timestamp),
                }))
            }

            async fn delete_session(&self, token_hash: &str) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn purge_expired(&self, now: ketnoi_core::Timestamp) -> $crate::Result<u64> {
                let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now.millis())
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                let codes = sqlx::query("DELETE FROM otp_challenges WHERE expires_at <= $1")
                    .bind(now.millis())
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(sessions + codes)
            }
        }
    };
}
pub(crate) use impl_sessions;
