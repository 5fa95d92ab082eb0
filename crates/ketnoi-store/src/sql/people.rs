//! Staff, roles and citizens.

macro_rules! impl_people {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::PeopleStore for $store {
            async fn create_staff(
                &self,
                s: &ketnoi_core::NewStaff,
            ) -> $crate::Result<ketnoi_core::StaffMember> {
                let sql = format!(
                    "INSERT INTO staff (username, display_name, password_hash, platform_admin, \
                     created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                    $crate::sql::STAFF_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(s.username.as_str())
                    .bind(s.display_name.as_str())
                    .bind(&s.password_hash)
                    .bind(s.platform_admin)
                    .bind(ketnoi_core::Timestamp::now().millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("staff member"))?;
                rows::staff(&row)
            }

            async fn staff_by_username(
                &self,
                username: &ketnoi_core::Username,
            ) -> $crate::Result<Option<(ketnoi_core::StaffMember, String)>> {
                let sql = format!(
                    "SELECT {}, password_hash FROM staff WHERE username = $1",
                    $crate::sql::STAFF_COLUMNS
                );
                let row =
                    sqlx::query(&sql).bind(username.as_str()).fetch_optional(&self.pool).await?;
                match row {
                    Some(r) => {
                        use sqlx::Row as _;
                        Ok(Some((rows::staff(&r)?, r.try_get("password_hash")?)))
                    }
                    None => Ok(None),
                }
            }

            async fn staff(
                &self,
                id: ketnoi_core::StaffId,
            ) -> $crate::Result<Option<ketnoi_core::StaffMember>> {
                let sql = format!("SELECT {} FROM staff WHERE id = $1", $crate::sql::STAFF_COLUMNS);
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::staff).transpose()
            }

            async fn grant_role(
                &self,
                staff: ketnoi_core::StaffId,
                agency: ketnoi_core::AgencyId,
                role: ketnoi_core::Role,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO staff_grants (staff_id, agency_id, role) VALUES ($1, $2, $3) \
                     ON CONFLICT (staff_id, agency_id) DO UPDATE SET role = excluded.role",
                )
                .bind(staff.0)
                .bind(agency.0)
                .bind(role.as_str())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("staff member or agency"))?;
                Ok(())
            }

            async fn revoke_role(
                &self,
                staff: ketnoi_core::StaffId,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM staff_grants WHERE staff_id = $1 AND agency_id = $2")
                    .bind(staff.0)
                    .bind(agency.0)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn grants(
                &self,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<Vec<ketnoi_core::Grant>> {
                let found: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT agency_id, role FROM staff_grants WHERE staff_id = $1 ORDER BY agency_id",
                )
                .bind(staff.0)
                .fetch_all(&self.pool)
                .await?;
                found
                    .into_iter()
                    .map(|(agency, role)| {
                        Ok(ketnoi_core::Grant {
                            agency: ketnoi_core::AgencyId(agency),
                            role: role.parse()?,
                        })
                    })
                    .collect()
            }

            async fn agency_staff(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<(ketnoi_core::StaffMember, ketnoi_core::Role)>> {
                let found = sqlx::query(
                    "SELECT s.id, s.username, s.display_name, s.platform_admin, s.created_at, \
                     g.role FROM staff s JOIN staff_grants g ON g.staff_id = s.id \
                     WHERE g.agency_id = $1 ORDER BY s.display_name, s.id",
                )
                .bind(agency.0)
                .fetch_all(&self.pool)
                .await?;
                found
                    .iter()
                    .map(|r| {
                        use sqlx::Row as _;
                        let role: String = r.try_get("role")?;
                        Ok((rows::staff(r)?, role.parse()?))
                    })
                    .collect()
            }

            async fn staff_of_agencies(
                &self,
                agencies: &[ketnoi_core::AgencyId],
            ) -> $crate::Result<Vec<$crate::AgencyStaff>> {
                use sqlx::Row as _;
                let within = if agencies.is_empty() {
                    String::new()
                } else {
                    format!(
                        " OR EXISTS (SELECT 1 FROM staff_grants g WHERE g.staff_id = s.id \
                         AND g.agency_id IN ({}))",
                        $crate::sql::chat::list(agencies.len())
                    )
                };
                let sql = format!(
                    "SELECT {}, s.away FROM staff s WHERE s.platform_admin{within} \
                     ORDER BY s.display_name, s.id",
                    $crate::sql::qualified($crate::sql::STAFF_COLUMNS, "s")
                );
                let mut q = sqlx::query(&sql);
                for a in agencies {
                    q = q.bind(a.0);
                }
                let found = q.fetch_all(&self.pool).await?;
                let mut grants: Vec<(i64, i64, String)> = Vec::new();
                if !agencies.is_empty() {
                    let sql = format!(
                        "SELECT staff_id, agency_id, role FROM staff_grants \
                         WHERE agency_id IN ({}) ORDER BY staff_id, agency_id",
                        $crate::sql::chat::list(agencies.len())
                    );
                    let mut q = sqlx::query_as(&sql);
                    for a in agencies {
                        q = q.bind(a.0);
                    }
                    grants = q.fetch_all(&self.pool).await?;
                }
                found
                    .iter()
                    .map(|r| {
                        let member = rows::staff(r)?;
                        let held = grants
                            .iter()
                            .filter(|(s, _, _)| *s == member.id.0)
                            .map(|(_, agency, role)| {
                                Ok(ketnoi_core::Grant {
                                    agency: ketnoi_core::AgencyId(*agency),
                                    role: role.parse()?,
                                })
                            })
                            .collect::<$crate::Result<Vec<_>>>()?;
                        Ok($crate::AgencyStaff { member, grants: held, away: r.try_get("away")? })
                    })
                    .collect()
            }

            async fn set_staff_away(
                &self,
                staff: ketnoi_core::StaffId,
                away: bool,
            ) -> $crate::Result<bool> {
                let done = sqlx::query("UPDATE staff SET away = $1 WHERE id = $2")
                    .bind(away)
                    .bind(staff.0)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn staff_away(&self, staff: ketnoi_core::StaffId) -> $crate::Result<Option<bool>> {
                Ok(sqlx::query_scalar("SELECT away FROM staff WHERE id = $1")
                    .bind(staff.0)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn citizen_for_phone(
                &self,
                phone: &ketnoi_core::Phone,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<ketnoi_core::Citizen> {
                sqlx::query(
                    "INSERT INTO citizens (phone, created_at) VALUES ($1, $2) \
                     ON CONFLICT (phone) DO NOTHING",
                )
                .bind(phone.e164())
                .bind(at.millis())
                .execute(&self.pool)
                .await?;
                let row = sqlx::query(
                    "SELECT id, phone, display_name, created_at FROM citizens WHERE phone = $1",
                )
                .bind(phone.e164())
                .fetch_one(&self.pool)
                .await?;
                rows::citizen(&row)
            }

            async fn citizen(
                &self,
                id: ketnoi_core::CitizenId,
            ) -> $crate::Result<Option<ketnoi_core::Citizen>> {
                let row = sqlx::query(
                    "SELECT id, phone, display_name, created_at FROM citizens WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(rows::citizen).transpose()
            }

            async fn citizen_count(&self) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM citizens").fetch_one(&self.pool).await?)
            }
        }
    };
}
pub(crate) use impl_people;
