//! Tips, the keys that seal them, and their messages.
//!
//! Every write of more than one statement runs in a transaction that [`finish`] ends: committed
//! if the body succeeded, rolled back at once if it failed, never left to a drop (a PostgreSQL
//! pool being closed waits for a transaction nobody ended).
//!
//! Concurrent writers are ordered by a row lock taken first (PostgreSQL) or by SQLite's single
//! writer: rotations of one unit's key lock the unit's agency row, so the second retires the
//! first's key instead of colliding with it; replacing an officer key locks that key's row, so a
//! grant wrapped to the old key either lands before and is deleted with the others, or lands
//! after and is refused by the foreign key that ties a copy to its holder's current key.

use crate::StoreError;

/// The columns read for a [`crate::UnitKey`].
pub(crate) const UNIT_KEY_COLUMNS: &str =
    "id, agency_id, kid, public_key, created_by, created_at, retired_at";
/// The columns read for an [`crate::OfficerKey`].
pub(crate) const OFFICER_KEY_COLUMNS: &str = "staff_id, kid, sealed, created_at";
/// The columns read for a [`crate::KeyCopy`].
pub(crate) const KEY_COPY_COLUMNS: &str =
    "unit_kid, staff_id, officer_kid, wrapped, granted_by, created_at";
/// What is read for a [`crate::TipSummary`], from `tips t`. The counts are subselects on the
/// tables' `(tip_id, …)` keys, so a page costs one probe of each per tip.
pub(crate) const SUMMARY_SELECT: &str = "t.id, t.account_id, t.category, t.area_code, \
     t.occurred, t.anonymous, t.status, t.assignee_id, t.deadline_at, t.closing, t.closed_at, \
     t.created_at, t.updated_at, \
     (SELECT COUNT(*) FROM tip_messages m WHERE m.tip_id = t.id) AS message_count, \
     (SELECT COUNT(*) FROM tip_attachments a WHERE a.tip_id = t.id) AS attachment_count";
/// What a [`crate::Tip`] reads beyond its summary, from `tips t`.
pub(crate) const TIP_EXTRA_COLUMNS: &str = "t.citizen_id, t.envelope, t.receipt_hash";
/// The columns read for a [`crate::TipMessage`].
pub(crate) const MESSAGE_COLUMNS: &str = "id, tip_id, from_unit, staff_id, sealed, created_at";

/// Commits a transaction whose body succeeded, or rolls it back and returns the body's error.
pub(crate) async fn finish<DB: sqlx::Database, T>(
    tx: sqlx::Transaction<'static, DB>,
    outcome: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match outcome {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            // The body's error is the one worth reporting; a failed rollback means the
            // connection is gone, and the server discards the transaction with it.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// [`crate::error::classify`] for a statement whose unique and foreign-key violations name
/// different things.
pub(crate) fn classify_apart(
    unique: &'static str,
    reference: &'static str,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match crate::error::classify(unique)(e) {
        StoreError::MissingReference(_) => StoreError::MissingReference(reference),
        other => other,
    }
}

/// The condition a [`crate::TipFilter`] adds to a unit's list, binding from `$4`.
pub(crate) fn filter_condition(filter: crate::TipFilter) -> &'static str {
    match filter {
        crate::TipFilter::All => "",
        crate::TipFilter::Status(_) => " AND t.status = $4",
        crate::TipFilter::Open => " AND t.status <> $4",
        crate::TipFilter::Overdue(_) => " AND t.status <> $4 AND t.deadline_at < $5",
        crate::TipFilter::AssignedTo(_) => " AND t.status <> $4 AND t.assignee_id = $5",
    }
}

/// The units a tip goes to, each once, at its first place.
pub(crate) fn distinct_units(units: &[ketnoi_core::AgencyId]) -> Vec<ketnoi_core::AgencyId> {
    let mut seen = std::collections::HashSet::with_capacity(units.len());
    units.iter().copied().filter(|u| seen.insert(*u)).collect()
}

macro_rules! impl_tip {
    ($store:ty, $db:ty, $row:ty) => {
        mod tip_rows {
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;

            pub(crate) fn unit_key(r: &$row) -> Result<$crate::UnitKey, StoreError> {
                Ok($crate::UnitKey {
                    id: r.try_get("id")?,
                    agency: AgencyId(r.try_get("agency_id")?),
                    kid: r.try_get("kid")?,
                    public_key: r.try_get("public_key")?,
                    created_by: r.try_get::<Option<i64>, _>("created_by")?.map(StaffId),
                    created_at: Timestamp(r.try_get("created_at")?),
                    retired_at: r.try_get::<Option<i64>, _>("retired_at")?.map(Timestamp),
                })
            }

            pub(crate) fn officer_key(r: &$row) -> Result<$crate::OfficerKey, StoreError> {
                Ok($crate::OfficerKey {
                    staff: StaffId(r.try_get("staff_id")?),
                    kid: r.try_get("kid")?,
                    sealed: r.try_get("sealed")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn key_copy(r: &$row) -> Result<$crate::KeyCopy, StoreError> {
                Ok($crate::KeyCopy {
                    unit_kid: r.try_get("unit_kid")?,
                    staff: StaffId(r.try_get("staff_id")?),
                    officer_kid: r.try_get("officer_kid")?,
                    wrapped: r.try_get("wrapped")?,
                    granted_by: r.try_get::<Option<i64>, _>("granted_by")?.map(StaffId),
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn summary(r: &$row) -> Result<$crate::TipSummary, StoreError> {
                Ok($crate::TipSummary {
                    id: $crate::TipId(r.try_get("id")?),
                    account: AccountId(r.try_get("account_id")?),
                    category: r.try_get("category")?,
                    area: AreaCode::parse(r.try_get("area_code")?)?,
                    occurred: r.try_get("occurred")?,
                    anonymous: r.try_get("anonymous")?,
                    status: r.try_get::<&str, _>("status")?.parse()?,
                    assignee: r.try_get::<Option<i64>, _>("assignee_id")?.map(StaffId),
                    deadline_at: Timestamp(r.try_get("deadline_at")?),
                    closing: r
                        .try_get::<Option<&str>, _>("closing")?
                        .map(str::parse)
                        .transpose()?,
                    closed_at: r.try_get::<Option<i64>, _>("closed_at")?.map(Timestamp),
                    created_at: Timestamp(r.try_get("created_at")?),
                    updated_at: Timestamp(r.try_get("updated_at")?),
                    messages: r.try_get("message_count")?,
                    attachments: r.try_get("attachment_count")?,
                })
            }

            pub(crate) fn message(r: &$row) -> Result<$crate::TipMessage, StoreError> {
                Ok($crate::TipMessage {
                    id: r.try_get("id")?,
                    tip: $crate::TipId(r.try_get("tip_id")?),
                    from_unit: r.try_get("from_unit")?,
                    staff: r.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
                    sealed: r.try_get("sealed")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }
        }

        impl $store {
            /// The tip a `WHERE` clause on `tips t` finds (binding `$1`), with its units and
            /// attachments.
            async fn tip_where(
                &self,
                condition: &str,
                bind: impl for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db> + Send,
            ) -> $crate::Result<Option<$crate::Tip>> {
                use sqlx::Row as _;
                let sql = format!(
                    "SELECT {}, {} FROM tips t WHERE {condition}",
                    $crate::sql::tip::SUMMARY_SELECT,
                    $crate::sql::tip::TIP_EXTRA_COLUMNS
                );
                let Some(r) = sqlx::query(&sql).bind(bind).fetch_optional(&self.pool).await?
                else {
                    return Ok(None);
                };
                let summary = tip_rows::summary(&r)?;
                let units: Vec<i64> = sqlx::query_scalar(
                    "SELECT agency_id FROM tip_units WHERE tip_id = $1 ORDER BY position",
                )
                .bind(summary.id.0)
                .fetch_all(&self.pool)
                .await?;
                let attachments = sqlx::query(
                    "SELECT idx, blob_key, size FROM tip_attachments WHERE tip_id = $1 \
                     ORDER BY idx",
                )
                .bind(summary.id.0)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|a| {
                    Ok($crate::TipAttachment {
                        index: a.try_get("idx")?,
                        blob_key: a.try_get("blob_key")?,
                        size: a.try_get("size")?,
                    })
                })
                .collect::<$crate::Result<Vec<_>>>()?;
                Ok(Some($crate::Tip {
                    summary,
                    units: units.into_iter().map(ketnoi_core::AgencyId).collect(),
                    citizen: r.try_get::<Option<i64>, _>("citizen_id")?.map(ketnoi_core::CitizenId),
                    envelope: r.try_get("envelope")?,
                    attachments,
                    receipt_hash: r.try_get("receipt_hash")?,
                }))
            }

            /// Inserts key copies, replacing a copy of the same unit key held by the same
            /// officer when `replace`.
            async fn insert_key_copies(
                tx: &mut sqlx::Transaction<'static, $db>,
                copies: &[$crate::KeyCopy],
                replace: bool,
            ) -> $crate::Result<()> {
                let sql = format!(
                    "INSERT INTO tip_key_copies ({}) VALUES ($1, $2, $3, $4, $5, $6){}",
                    $crate::sql::tip::KEY_COPY_COLUMNS,
                    if replace {
                        " ON CONFLICT (unit_kid, staff_id) DO UPDATE SET \
                         officer_kid = excluded.officer_kid, wrapped = excluded.wrapped, \
                         granted_by = excluded.granted_by, created_at = excluded.created_at"
                    } else {
                        ""
                    }
                );
                for copy in copies {
                    sqlx::query(&sql)
                        .bind(copy.unit_kid.as_str())
                        .bind(copy.staff.0)
                        .bind(copy.officer_kid.as_str())
                        .bind(copy.wrapped.as_str())
                        .bind(copy.granted_by.map(|s| s.0))
                        .bind(copy.created_at.millis())
                        .execute(&mut **tx)
                        .await
                        .map_err($crate::sql::tip::classify_apart(
                            "key copy",
                            "unit key or officer key",
                        ))?;
                }
                Ok(())
            }

            /// The body of [`crate::TipStore::put_officer_key`], inside its transaction.
            async fn put_officer_key_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                key: &$crate::OfficerKey,
            ) -> $crate::Result<()> {
                let lock = format!(
                    "SELECT staff_id FROM tip_officer_keys WHERE staff_id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                sqlx::query(&lock).bind(key.staff.0).fetch_optional(&mut **tx).await?;
                // Before the key changes: the foreign key from a copy to the exact officer key
                // it was wrapped to would refuse the change while such copies remain.
                sqlx::query(
                    "DELETE FROM tip_key_copies WHERE staff_id = $1 AND officer_kid <> $2",
                )
                .bind(key.staff.0)
                .bind(key.kid.as_str())
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO tip_officer_keys (staff_id, kid, sealed, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (staff_id) DO UPDATE SET \
                     kid = excluded.kid, sealed = excluded.sealed, created_at = excluded.created_at",
                )
                .bind(key.staff.0)
                .bind(key.kid.as_str())
                .bind(key.sealed.as_str())
                .bind(key.created_at.millis())
                .execute(&mut **tx)
                .await
                .map_err($crate::error::classify("staff"))?;
                Ok(())
            }

            /// The body of [`crate::TipStore::add_unit_key`], inside its transaction.
            async fn add_unit_key_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                agency: ketnoi_core::AgencyId,
                kid: &str,
                public_key: &str,
                created_by: Option<ketnoi_core::StaffId>,
                copies: &[$crate::KeyCopy],
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::UnitKey> {
                let lock = format!(
                    "SELECT id FROM agencies WHERE id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let exists: Option<i64> =
                    sqlx::query_scalar(&lock).bind(agency.0).fetch_optional(&mut **tx).await?;
                if exists.is_none() {
                    return Err($crate::StoreError::MissingReference("agency"));
                }
                sqlx::query(
                    "UPDATE tip_unit_keys SET retired_at = $2 \
                     WHERE agency_id = $1 AND retired_at IS NULL",
                )
                .bind(agency.0)
                .bind(at.millis())
                .execute(&mut **tx)
                .await?;
                let sql = format!(
                    "INSERT INTO tip_unit_keys (agency_id, kid, public_key, created_by, \
                     created_at) VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                    $crate::sql::tip::UNIT_KEY_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(agency.0)
                    .bind(kid)
                    .bind(public_key)
                    .bind(created_by.map(|s| s.0))
                    .bind(at.millis())
                    .fetch_one(&mut **tx)
                    .await
                    .map_err($crate::sql::tip::classify_apart("unit key", "staff"))?;
                let key = tip_rows::unit_key(&row)?;
                Self::insert_key_copies(tx, copies, false).await?;
                Ok(key)
            }

            /// The body of [`crate::TipStore::create_tip`], inside its transaction.
            async fn create_tip_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: &$crate::NewTip,
                units: &[ketnoi_core::AgencyId],
            ) -> $crate::Result<$crate::TipId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tips (account_id, category, area_code, occurred, anonymous, \
                     citizen_id, status, envelope, receipt_lookup, receipt_hash, created_at, \
                     updated_at, deadline_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id",
                )
                .bind(tip.account.0)
                .bind(tip.category.as_str())
                .bind(tip.area.as_str())
                .bind(tip.occurred.as_str())
                .bind(tip.anonymous)
                .bind(tip.citizen.map(|c| c.0))
                .bind($crate::TipStatus::Received.as_str())
                .bind(tip.envelope.as_str())
                .bind(tip.receipt_lookup.as_str())
                .bind(tip.receipt_hash.as_str())
                .bind(tip.at.millis())
                .bind(tip.deadline_at.millis())
                .fetch_one(&mut **tx)
                .await
                .map_err($crate::sql::tip::classify_apart(
                    "receipt",
                    "account, area or citizen",
                ))?;
                for (position, unit) in units.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO tip_units (tip_id, agency_id, position) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(unit.0)
                    .bind(position as i64)
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::error::classify("agency"))?;
                }
                for (idx, attachment) in tip.attachments.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO tip_attachments (tip_id, idx, blob_key, size) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id)
                    .bind(idx as i64)
                    .bind(attachment.blob_key.as_str())
                    .bind(attachment.size)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok($crate::TipId(id))
            }

            /// The body of [`crate::TipStore::add_tip_message`], inside its transaction.
            async fn add_tip_message_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
                from_unit: bool,
                staff: Option<ketnoi_core::StaffId>,
                sealed: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::TipMessage> {
                // First, so that the tip's row is locked while its message goes in.
                let changed = sqlx::query("UPDATE tips SET updated_at = $2 WHERE id = $1")
                    .bind(tip.0)
                    .bind(at.millis())
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if changed == 0 {
                    return Err($crate::StoreError::NotFound("tip"));
                }
                let sql = format!(
                    "INSERT INTO tip_messages (tip_id, from_unit, staff_id, sealed, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                    $crate::sql::tip::MESSAGE_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(tip.0)
                    .bind(from_unit)
                    .bind(staff.map(|s| s.0))
                    .bind(sealed)
                    .bind(at.millis())
                    .fetch_one(&mut **tx)
                    .await
                    .map_err($crate::error::classify("staff"))?;
                tip_rows::message(&row)
            }
        }

        #[async_trait::async_trait]
        impl $crate::TipStore for $store {
            async fn put_officer_key(&self, key: &$crate::OfficerKey) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::put_officer_key_in(&mut tx, key).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn officer_key(
                &self,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<Option<$crate::OfficerKey>> {
                let sql = format!(
                    "SELECT {} FROM tip_officer_keys WHERE staff_id = $1",
                    $crate::sql::tip::OFFICER_KEY_COLUMNS
                );
                let row = sqlx::query(&sql).bind(staff.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(tip_rows::officer_key).transpose()
            }

            async fn add_unit_key(
                &self,
                agency: ketnoi_core::AgencyId,
                kid: &str,
                public_key: &str,
                created_by: Option<ketnoi_core::StaffId>,
                copies: &[$crate::KeyCopy],
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::UnitKey> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome =
                    Self::add_unit_key_in(&mut tx, agency, kid, public_key, created_by, copies, at)
                        .await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn unit_keys(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<$crate::UnitKey>> {
                let sql = format!(
                    "SELECT {} FROM tip_unit_keys WHERE agency_id = $1 ORDER BY id DESC",
                    $crate::sql::tip::UNIT_KEY_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(agency.0).fetch_all(&self.pool).await?;
                rows.iter().map(tip_rows::unit_key).collect()
            }

            async fn current_unit_key(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<Option<$crate::UnitKey>> {
                let sql = format!(
                    "SELECT {} FROM tip_unit_keys WHERE agency_id = $1 AND retired_at IS NULL",
                    $crate::sql::tip::UNIT_KEY_COLUMNS
                );
                let row = sqlx::query(&sql).bind(agency.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(tip_rows::unit_key).transpose()
            }

            async fn put_key_copies(&self, copies: &[$crate::KeyCopy]) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::insert_key_copies(&mut tx, copies, true).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn delete_key_copies(
                &self,
                agency: ketnoi_core::AgencyId,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<u64> {
                Ok(sqlx::query(
                    "DELETE FROM tip_key_copies WHERE staff_id = $2 \
                     AND unit_kid IN (SELECT kid FROM tip_unit_keys WHERE agency_id = $1)",
                )
                .bind(agency.0)
                .bind(staff.0)
                .execute(&self.pool)
                .await?
                .rows_affected())
            }

            async fn key_copies(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<$crate::KeyCopy>> {
                let sql = format!(
                    "SELECT {} FROM tip_key_copies c JOIN tip_unit_keys k ON k.kid = c.unit_kid \
                     WHERE k.agency_id = $1 ORDER BY k.id DESC, c.staff_id",
                    $crate::sql::qualified($crate::sql::tip::KEY_COPY_COLUMNS, "c")
                );
                let rows = sqlx::query(&sql).bind(agency.0).fetch_all(&self.pool).await?;
                rows.iter().map(tip_rows::key_copy).collect()
            }

            async fn tip_settings(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<$crate::TipSettings> {
                let copy_parent: Option<bool> =
                    sqlx::query_scalar("SELECT copy_parent FROM tip_settings WHERE agency_id = $1")
                        .bind(agency.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok($crate::TipSettings { agency, copy_parent: copy_parent.unwrap_or(false) })
            }

            async fn set_tip_settings(&self, settings: &$crate::TipSettings) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO tip_settings (agency_id, copy_parent) VALUES ($1, $2) \
                     ON CONFLICT (agency_id) DO UPDATE SET copy_parent = excluded.copy_parent",
                )
                .bind(settings.agency.0)
                .bind(settings.copy_parent)
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("agency"))?;
                Ok(())
            }

            async fn create_tip(&self, tip: &$crate::NewTip) -> $crate::Result<$crate::TipId> {
                let units = $crate::sql::tip::distinct_units(&tip.units);
                if units.is_empty() {
                    return Err($crate::StoreError::MissingReference("agency"));
                }
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::create_tip_in(&mut tx, tip, &units).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn tips_for_unit(
                &self,
                agency: ketnoi_core::AgencyId,
                filter: $crate::TipFilter,
                before: Option<$crate::TipId>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::TipSummary>> {
                // Walks the unit's inbox index from `before` down; the first page starts above
                // every id rather than taking another query shape.
                let condition = $crate::sql::tip::filter_condition(filter);
                let sql = format!(
                    "SELECT {} FROM tip_units u JOIN tips t ON t.id = u.tip_id \
                     WHERE u.agency_id = $1 AND u.tip_id < $2{condition} \
                     ORDER BY u.tip_id DESC LIMIT $3",
                    $crate::sql::tip::SUMMARY_SELECT,
                );
                let q = sqlx::query(&sql)
                    .bind(agency.0)
                    .bind(before.map_or(i64::MAX, |t| t.0))
                    .bind(limit);
                let q = match filter {
                    $crate::TipFilter::All => q,
                    $crate::TipFilter::Status(status) => q.bind(status.as_str()),
                    $crate::TipFilter::Open => q.bind($crate::TipStatus::Closed.as_str()),
                    $crate::TipFilter::Overdue(now) => {
                        q.bind($crate::TipStatus::Closed.as_str()).bind(now.millis())
                    }
                    $crate::TipFilter::AssignedTo(staff) => {
                        q.bind($crate::TipStatus::Closed.as_str()).bind(staff.0)
                    }
                };
                let rows = q.fetch_all(&self.pool).await?;
                rows.iter().map(tip_rows::summary).collect()
            }

            async fn tip(&self, id: $crate::TipId) -> $crate::Result<Option<$crate::Tip>> {
                self.tip_where("t.id = $1", id.0).await
            }

            async fn tip_by_receipt(&self, lookup: &str) -> $crate::Result<Option<$crate::Tip>> {
                self.tip_where("t.receipt_lookup = $1", lookup.to_owned()).await
            }

            async fn add_tip_message(
                &self,
                tip: $crate::TipId,
                from_unit: bool,
                staff: Option<ketnoi_core::StaffId>,
                sealed: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::TipMessage> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome =
                    Self::add_tip_message_in(&mut tx, tip, from_unit, staff, sealed, at).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn tip_messages(
                &self,
                tip: $crate::TipId,
            ) -> $crate::Result<Vec<$crate::TipMessage>> {
                let sql = format!(
                    "SELECT {} FROM tip_messages WHERE tip_id = $1 ORDER BY id",
                    $crate::sql::tip::MESSAGE_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(tip.0).fetch_all(&self.pool).await?;
                rows.iter().map(tip_rows::message).collect()
            }

            async fn count_new_tips(&self, agency: ketnoi_core::AgencyId) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM tip_units u JOIN tips t ON t.id = u.tip_id \
                     WHERE u.agency_id = $1 AND t.status = $2",
                )
                .bind(agency.0)
                .bind($crate::TipStatus::Received.as_str())
                .fetch_one(&self.pool)
                .await?)
            }
        }
    };
}
pub(crate) use impl_tip;
