//! [`crate::IntegrationStore`] per backend: `integrations`, `integration_tokens`,
//! `account_user_ids`.

/// The columns read for an integration.
pub(crate) const INTEGRATION_COLUMNS: &str =
    "id, app_id, account_id, name, scopes, secret_sealed, created_by, created_at, revoked_at";

/// An integration's row.
pub(crate) type IntegrationRow =
    (i64, String, i64, String, String, String, Option<i64>, i64, Option<i64>);

/// An integration from its row.
pub(crate) fn integration(
    (id, app_id, account, name, scopes, secret_sealed, created_by, created_at, revoked_at): IntegrationRow,
) -> crate::Result<crate::Integration> {
    Ok(crate::Integration {
        id: ketnoi_core::IntegrationId(id),
        app_id,
        account: ketnoi_core::AccountId(account),
        name,
        scopes: ketnoi_core::Scopes::parse(&scopes)?,
        secret_sealed,
        created_by: created_by.map(ketnoi_core::StaffId),
        created_at: ketnoi_core::Timestamp(created_at),
        revoked_at: revoked_at.map(ketnoi_core::Timestamp),
    })
}

macro_rules! impl_integration {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::IntegrationStore for $store {
            async fn create_integration(
                &self,
                new: &$crate::NewIntegration,
            ) -> $crate::Result<$crate::Integration> {
                let sql = format!(
                    "INSERT INTO integrations (app_id, account_id, name, scopes, secret_sealed, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {}",
                    $crate::sql::integration::INTEGRATION_COLUMNS
                );
                let row: $crate::sql::integration::IntegrationRow = sqlx::query_as(&sql)
                    .bind(&new.app_id)
                    .bind(new.account.0)
                    .bind(&new.name)
                    .bind(new.scopes.to_stored())
                    .bind(&new.secret_sealed)
                    .bind(new.created_by.map(|s| s.0))
                    .bind(new.created_at.millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("integration"))?;
                $crate::sql::integration::integration(row)
            }

            async fn integration(
                &self,
                id: ketnoi_core::IntegrationId,
            ) -> $crate::Result<Option<$crate::Integration>> {
                let sql = format!(
                    "SELECT {} FROM integrations WHERE id = $1",
                    $crate::sql::integration::INTEGRATION_COLUMNS
                );
                let row: Option<$crate::sql::integration::IntegrationRow> =
                    sqlx::query_as(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.map($crate::sql::integration::integration).transpose()
            }

            async fn integration_by_app_id(
                &self,
                app_id: &str,
            ) -> $crate::Result<Option<$crate::Integration>> {
                let sql = format!(
                    "SELECT {} FROM integrations WHERE app_id = $1",
                    $crate::sql::integration::INTEGRATION_COLUMNS
                );
                let row: Option<$crate::sql::integration::IntegrationRow> =
                    sqlx::query_as(&sql).bind(app_id).fetch_optional(&self.pool).await?;
                row.map($crate::sql::integration::integration).transpose()
            }

            async fn integrations_of(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Vec<$crate::Integration>> {
                let sql = format!(
                    "SELECT {} FROM integrations WHERE account_id = $1 ORDER BY id DESC",
                    $crate::sql::integration::INTEGRATION_COLUMNS
                );
                let rows: Vec<$crate::sql::integration::IntegrationRow> =
                    sqlx::query_as(&sql).bind(account.0).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::sql::integration::integration).collect()
            }

            async fn revoke_integration(
                &self,
                id: ketnoi_core::IntegrationId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let done = sqlx::query(
                    "UPDATE integrations SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(id.0)
                .bind(at.millis())
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM integration_tokens WHERE integration_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn set_integration_secret(
                &self,
                id: ketnoi_core::IntegrationId,
                sealed: &str,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE integrations SET secret_sealed = $2 WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(id.0)
                .bind(sealed)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn put_integration_tokens(
                &self,
                id: ketnoi_core::IntegrationId,
                access: &$crate::TokenGrant,
                refresh: &$crate::TokenGrant,
                replace: bool,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                if replace {
                    sqlx::query("DELETE FROM integration_tokens WHERE integration_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                }
                for (grant, kind) in
                    [(access, $crate::TokenKind::Access), (refresh, $crate::TokenKind::Refresh)]
                {
                    sqlx::query(
                        "INSERT INTO integration_tokens (token_hash, integration_id, kind, \
                         expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&grant.hash)
                    .bind(id.0)
                    .bind(kind.as_str())
                    .bind(grant.expires_at.millis())
                    .bind(now.millis())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::classify("integration"))?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn integration_token(
                &self,
                hash: &str,
            ) -> $crate::Result<Option<$crate::FoundToken>> {
                let found: Option<(i64, String, i64)> = sqlx::query_as(
                    "SELECT integration_id, kind, expires_at FROM integration_tokens \
                     WHERE token_hash = $1",
                )
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?;
                let Some((id, kind, expires_at)) = found else { return Ok(None) };
                let Some(integration) =
                    $crate::IntegrationStore::integration(self, ketnoi_core::IntegrationId(id))
                        .await?
                else {
                    return Ok(None);
                };
                if integration.revoked_at.is_some() {
                    return Ok(None);
                }
                let kind = if kind == "refresh" {
                    $crate::TokenKind::Refresh
                } else {
                    $crate::TokenKind::Access
                };
                Ok(Some($crate::FoundToken {
                    integration,
                    kind,
                    expires_at: ketnoi_core::Timestamp(expires_at),
                }))
            }

            async fn take_refresh_token(
                &self,
                id: ketnoi_core::IntegrationId,
                hash: &str,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let taken: Option<String> = sqlx::query_scalar(
                    "DELETE FROM integration_tokens WHERE token_hash = $1 AND integration_id = $2 \
                     AND kind = 'refresh' AND expires_at > $3 RETURNING token_hash",
                )
                .bind(hash)
                .bind(id.0)
                .bind(now.millis())
                .fetch_optional(&self.pool)
                .await?;
                Ok(taken.is_some())
            }

            async fn purge_integration_tokens(
                &self,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<u64> {
                let done = sqlx::query("DELETE FROM integration_tokens WHERE expires_at <= $1")
                    .bind(now.millis())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn account_user_id(
                &self,
                account: ketnoi_core::AccountId,
                citizen: ketnoi_core::CitizenId,
                candidate: &str,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<String> {
                let read = || {
                    sqlx::query_scalar::<_, String>(
                        "SELECT user_id FROM account_user_ids WHERE account_id = $1 AND citizen_id = $2",
                    )
                    .bind(account.0)
                    .bind(citizen.0)
                };
                if let Some(id) = read().fetch_optional(&self.pool).await? {
                    return Ok(id);
                }
                sqlx::query(
                    "INSERT INTO account_user_ids (account_id, citizen_id, user_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(account.0)
                .bind(citizen.0)
                .bind(candidate)
                .bind(now.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("citizen"))?;
                read().fetch_optional(&self.pool).await?.ok_or($crate::StoreError::Conflict("user id"))
            }

            async fn citizen_by_user_id(
                &self,
                account: ketnoi_core::AccountId,
                user_id: &str,
            ) -> $crate::Result<Option<ketnoi_core::CitizenId>> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT citizen_id FROM account_user_ids WHERE account_id = $1 AND user_id = $2",
                )
                .bind(account.0)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.map(ketnoi_core::CitizenId))
            }

            async fn followers_page(
                &self,
                account: ketnoi_core::AccountId,
                tag: Option<&ketnoi_core::Tag>,
                offset: i64,
                count: i64,
            ) -> $crate::Result<(i64, Vec<(ketnoi_core::CitizenId, ketnoi_core::Timestamp)>)> {
                let filter = if tag.is_some() {
                    " AND EXISTS (SELECT 1 FROM follower_tags t WHERE t.account_id = f.account_id \
                     AND t.citizen_id = f.citizen_id AND t.tag = $2)"
                } else {
                    " AND $2 = $2"
                };
                let tag_word = tag.map(|t| t.as_str().to_owned()).unwrap_or_default();
                let total: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM follows f WHERE f.account_id = $1{filter}"
                ))
                .bind(account.0)
                .bind(&tag_word)
                .fetch_one(&self.pool)
                .await?;
                let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
                    "SELECT f.citizen_id, f.created_at FROM follows f WHERE f.account_id = $1{filter} \
                     ORDER BY f.created_at DESC, f.citizen_id DESC LIMIT $3 OFFSET $4"
                ))
                .bind(account.0)
                .bind(&tag_word)
                .bind(count.clamp(0, 1000))
                .bind(offset.max(0))
                .fetch_all(&self.pool)
                .await?;
                Ok((
                    total,
                    rows.into_iter()
                        .map(|(c, at)| (ketnoi_core::CitizenId(c), ketnoi_core::Timestamp(at)))
                        .collect(),
                ))
            }

            async fn put_integration_upload(
                &self,
                upload: &$crate::IntegrationUpload,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO integration_uploads (token, integration_id, kind, media_type, name, \
                     size, width, height, blob_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&upload.token)
                .bind(upload.integration.0)
                .bind(upload.kind.as_str())
                .bind(&upload.media_type)
                .bind(&upload.name)
                .bind(upload.size)
                .bind(upload.dimensions.map(|d| i64::from(d.0)))
                .bind(upload.dimensions.map(|d| i64::from(d.1)))
                .bind(&upload.blob_key)
                .bind(upload.created_at.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("integration"))?;
                Ok(())
            }

            async fn integration_upload(
                &self,
                integration: ketnoi_core::IntegrationId,
                token: &str,
            ) -> $crate::Result<Option<$crate::IntegrationUpload>> {
                let row: Option<(String, String, String, i64, Option<i64>, Option<i64>, String, i64)> =
                    sqlx::query_as(
                        "SELECT kind, media_type, name, size, width, height, blob_key, created_at \
                         FROM integration_uploads WHERE integration_id = $1 AND token = $2",
                    )
                    .bind(integration.0)
                    .bind(token)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some((kind, media_type, name, size, width, height, blob_key, at)) = row else {
                    return Ok(None);
                };
                let kind = kind.parse::<ketnoi_core::MessageKind>()?;
                Ok(Some($crate::IntegrationUpload {
                    token: token.to_owned(),
                    integration,
                    kind,
                    media_type,
                    name,
                    size,
                    dimensions: match (width, height) {
                        (Some(w), Some(h)) => Some((w as u32, h as u32)),
                        _ => None,
                    },
                    blob_key,
                    created_at: ketnoi_core::Timestamp(at),
                }))
            }

            async fn remove_account_tag(
                &self,
                account: ketnoi_core::AccountId,
                tag: &ketnoi_core::Tag,
            ) -> $crate::Result<u64> {
                let done =
                    sqlx::query("DELETE FROM follower_tags WHERE account_id = $1 AND tag = $2")
                        .bind(account.0)
                        .bind(tag.as_str())
                        .execute(&self.pool)
                        .await?;
                Ok(done.rows_affected())
            }
        }
    };
}
pub(crate) use impl_integration;
