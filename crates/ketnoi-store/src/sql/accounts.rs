//! Areas, agencies, accounts, the directory and follows.

macro_rules! impl_accounts {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::AreaStore for $store {
            async fn upsert_areas(&self, areas: &[ketnoi_core::Area]) -> $crate::Result<u64> {
                let mut tx = self.pool.begin().await?;
                for a in areas {
                    sqlx::query(
                        "INSERT INTO areas (code, name, level, division_type, parent_code) \
                         VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                         level = excluded.level, division_type = excluded.division_type, \
                         parent_code = excluded.parent_code",
                    )
                    .bind(a.code.as_str())
                    .bind(&a.name)
                    .bind(a.level.as_str())
                    .bind(&a.division_type)
                    .bind(a.parent.as_ref().map(|p| p.as_str()))
                    .execute(&mut *tx)
                    .await?;
                }
                // Parent references are checked at commit, so a batch may list children first.
                tx.commit().await.map_err($crate::error::classify("parent area"))?;
                Ok(areas.len() as u64)
            }

            async fn area(
                &self,
                code: &ketnoi_core::AreaCode,
            ) -> $crate::Result<Option<ketnoi_core::Area>> {
                let sql = format!("SELECT {} FROM areas WHERE code = $1", $crate::sql::AREA_COLUMNS);
                let row = sqlx::query(&sql).bind(code.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::area).transpose()
            }

            async fn area_children(
                &self,
                parent: Option<&ketnoi_core::AreaCode>,
            ) -> $crate::Result<Vec<ketnoi_core::Area>> {
                let cols = $crate::sql::AREA_COLUMNS;
                let found = match parent {
                    Some(p) => {
                        let sql = format!(
                            "SELECT {cols} FROM areas WHERE parent_code = $1 ORDER BY name, code"
                        );
                        sqlx::query(&sql).bind(p.as_str()).fetch_all(&self.pool).await?
                    }
                    None => {
                        let sql = format!(
                            "SELECT {cols} FROM areas WHERE parent_code IS NULL ORDER BY name, code"
                        );
                        sqlx::query(&sql).fetch_all(&self.pool).await?
                    }
                };
                found.iter().map(rows::area).collect()
            }

            async fn area_ancestry(
                &self,
                code: &ketnoi_core::AreaCode,
            ) -> $crate::Result<Vec<ketnoi_core::Area>> {
                // UNION (not UNION ALL) ends the walk even if hand-edited data holds a cycle.
                let sql = format!(
                    "WITH RECURSIVE up(code, depth) AS ( \
                         SELECT code, 0 FROM areas WHERE code = $1 \
                         UNION SELECT a.parent_code, up.depth + 1 FROM areas a \
                         JOIN up ON a.code = up.code WHERE a.parent_code IS NOT NULL AND up.depth < 64) \
                     SELECT {} FROM areas JOIN up ON areas.code = up.code ORDER BY up.depth",
                    $crate::sql::qualified($crate::sql::AREA_COLUMNS, "areas")
                );
                let found = sqlx::query(&sql).bind(code.as_str()).fetch_all(&self.pool).await?;
                found.iter().map(rows::area).collect()
            }

            async fn area_count(&self) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM areas").fetch_one(&self.pool).await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::AgencyStore for $store {
            async fn create_agency(
                &self,
                a: &ketnoi_core::NewAgency,
            ) -> $crate::Result<ketnoi_core::Agency> {
                let sql = format!(
                    "INSERT INTO agencies (code, name, kind, area_code, parent_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {}",
                    $crate::sql::AGENCY_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(a.code.as_str())
                    .bind(&a.name)
                    .bind(a.kind.as_str())
                    .bind(a.area.as_str())
                    .bind(a.parent.map(|p| p.0))
                    .bind(ketnoi_core::Timestamp::now().millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("agency"))?;
                rows::agency(&row)
            }

            async fn agency(
                &self,
                id: ketnoi_core::AgencyId,
            ) -> $crate::Result<Option<ketnoi_core::Agency>> {
                let sql =
                    format!("SELECT {} FROM agencies WHERE id = $1", $crate::sql::AGENCY_COLUMNS);
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::agency).transpose()
            }

            async fn agency_by_code(
                &self,
                code: &ketnoi_core::AgencyCode,
            ) -> $crate::Result<Option<ketnoi_core::Agency>> {
                let sql =
                    format!("SELECT {} FROM agencies WHERE code = $1", $crate::sql::AGENCY_COLUMNS);
                let row = sqlx::query(&sql).bind(code.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::agency).transpose()
            }

            async fn agencies(&self) -> $crate::Result<Vec<ketnoi_core::Agency>> {
                // Agencies are created under existing parents, so id order is parents-first.
                let sql = format!("SELECT {} FROM agencies ORDER BY id", $crate::sql::AGENCY_COLUMNS);
                let found = sqlx::query(&sql).fetch_all(&self.pool).await?;
                found.iter().map(rows::agency).collect()
            }

            async fn agency_ancestry(
                &self,
                id: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<ketnoi_core::AgencyId>> {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "WITH RECURSIVE up(id, depth) AS ( \
                         SELECT id, 0 FROM agencies WHERE id = $1 \
                         UNION SELECT a.parent_id, up.depth + 1 FROM agencies a \
                         JOIN up ON a.id = up.id WHERE a.parent_id IS NOT NULL AND up.depth < 64) \
                     SELECT id FROM up ORDER BY depth",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(ids.into_iter().map(ketnoi_core::AgencyId).collect())
            }

            async fn agency_subtree(
                &self,
                id: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<ketnoi_core::Agency>> {
                let sql = format!(
                    "WITH RECURSIVE down(id) AS ( \
                         SELECT id FROM agencies WHERE id = $1 \
                         UNION SELECT a.id FROM agencies a JOIN down ON a.parent_id = down.id) \
                     SELECT {} FROM agencies WHERE id IN (SELECT id FROM down) ORDER BY id",
                    $crate::sql::AGENCY_COLUMNS
                );
                let found = sqlx::query(&sql).bind(id.0).fetch_all(&self.pool).await?;
                found.iter().map(rows::agency).collect()
            }
        }

        #[async_trait::async_trait]
        impl $crate::AccountStore for $store {
            async fn create_account(
                &self,
                a: &ketnoi_core::NewAccount,
            ) -> $crate::Result<ketnoi_core::Account> {
                let area_name: Option<String> =
                    sqlx::query_scalar("SELECT name FROM areas WHERE code = $1")
                        .bind(a.area.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                let area_name = area_name.ok_or($crate::StoreError::MissingReference("area"))?;
                let key = $crate::sql::account_search_key(&a.display_name, a.slug.as_str(), &area_name);
                let sql = format!(
                    "INSERT INTO accounts (slug, agency_id, display_name, description, avatar_url, \
                     kind, area_code, office_hours, contact_phone, address, search_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {}",
                    $crate::sql::ACCOUNT_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(a.slug.as_str())
                    .bind(a.agency.0)
                    .bind(&a.display_name)
                    .bind(&a.description)
                    .bind(a.avatar_url.as_deref())
                    .bind(a.kind.as_str())
                    .bind(a.area.as_str())
                    .bind(&a.office_hours)
                    .bind(&a.contact_phone)
                    .bind(&a.address)
                    .bind(key)
                    .bind(ketnoi_core::Timestamp::now().millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("account"))?;
                rows::account(&row)
            }

            async fn account_by_slug(
                &self,
                slug: &ketnoi_core::Slug,
            ) -> $crate::Result<Option<ketnoi_core::Account>> {
                let sql =
                    format!("SELECT {} FROM accounts WHERE slug = $1", $crate::sql::ACCOUNT_COLUMNS);
                let row = sqlx::query(&sql).bind(slug.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::account).transpose()
            }

            async fn account(
                &self,
                id: ketnoi_core::AccountId,
            ) -> $crate::Result<Option<ketnoi_core::Account>> {
                let sql =
                    format!("SELECT {} FROM accounts WHERE id = $1", $crate::sql::ACCOUNT_COLUMNS);
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::account).transpose()
            }

            async fn set_account_verified(
                &self,
                id: ketnoi_core::AccountId,
                verified: bool,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE accounts SET verified = $1 WHERE id = $2")
                    .bind(verified)
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("account"));
                }
                Ok(())
            }

            async fn accounts_of_agencies(
                &self,
                agencies: &[ketnoi_core::AgencyId],
            ) -> $crate::Result<Vec<ketnoi_core::Account>> {
                if agencies.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM accounts WHERE agency_id IN (",
                    $crate::sql::ACCOUNT_COLUMNS
                ));
                let mut list = qb.separated(", ");
                for a in agencies {
                    list.push_bind(a.0);
                }
                qb.push(") ORDER BY search_key, id");
                let found = qb.build().fetch_all(&self.pool).await?;
                found.iter().map(rows::account).collect()
            }

            async fn search_accounts(
                &self,
                q: &$crate::DirectoryQuery,
            ) -> $crate::Result<$crate::DirectoryPage> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                if let Some(area) = &q.area {
                    qb.push(
                        "WITH RECURSIVE within(code) AS (SELECT code FROM areas WHERE code = ",
                    );
                    qb.push_bind(area.as_str().to_owned());
                    qb.push(
                        " UNION SELECT a.code FROM areas a JOIN within ON a.parent_code = within.code) ",
                    );
                }
                qb.push(format!("SELECT {} FROM accounts WHERE 1 = 1", $crate::sql::ACCOUNT_COLUMNS));
                if q.area.is_some() {
                    qb.push(" AND area_code IN (SELECT code FROM within)");
                }
                if let Some(kind) = q.kind {
                    qb.push(" AND kind = ").push_bind(kind.as_str());
                }
                if q.verified_only {
                    qb.push(" AND verified = ").push_bind(true);
                }
                let key = q.text.as_deref().map(ketnoi_text::search_key).unwrap_or_default();
                // Each word of the query must begin a word of the key: "an" finds "công an",
                // not "ban"; search terms hold only letters and digits, so no LIKE escaping.
                for term in key.split(' ').filter(|t| !t.is_empty()) {
                    qb.push(" AND (' ' || search_key) LIKE ").push_bind(format!("% {term}%"));
                }
                qb.push(" ORDER BY CASE WHEN search_key LIKE ")
                    .push_bind(format!("{key}%"))
                    .push(" THEN 0 ELSE 1 END, verified DESC, follower_count DESC, search_key, id");
                let limit = q.limit.clamp(1, 100);
                qb.push(" LIMIT ").push_bind(limit + 1);
                qb.push(" OFFSET ").push_bind(q.offset.max(0));
                let found = qb.build().fetch_all(&self.pool).await?;
                let mut accounts =
                    found.iter().map(rows::account).collect::<$crate::Result<Vec<_>>>()?;
                let has_more = accounts.len() as i64 > limit;
                accounts.truncate(limit as usize);
                Ok($crate::DirectoryPage { accounts, has_more })
            }

            async fn follow(
                &self,
                citizen: ketnoi_core::CitizenId,
                account: ketnoi_core::AccountId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let mut tx = self.pool.begin().await?;
                let added = sqlx::query(
                    "INSERT INTO follows (citizen_id, account_id, created_at, area_code) \
                     VALUES ($1, $2, $3, (SELECT area_code FROM citizens WHERE id = $1)) \
                     ON CONFLICT (citizen_id, account_id) DO NOTHING",
                )
                .bind(citizen.0)
                .bind(account.0)
                .bind(at.millis())
                .execute(&mut *tx)
                .await
                .map_err($crate::error::classify("account"))?
                .rows_affected()
                    == 1;
                if added {
                    sqlx::query("UPDATE accounts SET follower_count = follower_count + 1 WHERE id = $1")
                        .bind(account.0)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(added)
            }

            async fn unfollow(
                &self,
                citizen: ketnoi_core::CitizenId,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<bool> {
                let mut tx = self.pool.begin().await?;
                let removed =
                    sqlx::query("DELETE FROM follows WHERE citizen_id = $1 AND account_id = $2")
                        .bind(citizen.0)
                        .bind(account.0)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        == 1;
                if removed {
                    sqlx::query("UPDATE accounts SET follower_count = follower_count - 1 WHERE id = $1")
                        .bind(account.0)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(removed)
            }

            async fn is_following(
                &self,
                citizen: ketnoi_core::CitizenId,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<bool> {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM follows WHERE citizen_id = $1 AND account_id = $2",
                )
                .bind(citizen.0)
                .bind(account.0)
                .fetch_one(&self.pool)
                .await?;
                Ok(n > 0)
            }

            async fn followed_accounts(
                &self,
                citizen: ketnoi_core::CitizenId,
            ) -> $crate::Result<Vec<ketnoi_core::Account>> {
                let cols = $crate::sql::qualified($crate::sql::ACCOUNT_COLUMNS, "a");
                let sql = format!(
                    "SELECT {cols} FROM accounts a JOIN follows f ON f.account_id = a.id \
                     WHERE f.citizen_id = $1 ORDER BY f.created_at DESC, a.id"
                );
                let found = sqlx::query(&sql).bind(citizen.0).fetch_all(&self.pool).await?;
                found.iter().map(rows::account).collect()
            }
        }
    };
}
pub(crate) use impl_accounts;
