//! Tips as cases: the SQL of [`crate::TipCaseStore`], shared by both backends.
//!
//! Every write locks the tip's row first (PostgreSQL; SQLite's write transaction excludes other
//! writers already), so that a status compared, a deadline moved or a unit list changed is the
//! one the transaction read.

/// The columns read for a [`crate::TipExtension`].
pub(crate) const EXTENSION_COLUMNS: &str =
    "id, tip_id, reason, days, requested_by, requested_at, state, decided_by, decided_at";
/// The columns read for a [`crate::TipNote`].
pub(crate) const NOTE_COLUMNS: &str = "id, tip_id, agency_id, staff_id, sealed, created_at";
/// The columns read for a [`crate::TipEvent`].
pub(crate) const EVENT_COLUMNS: &str = "id, tip_id, at, kind, agency_id, staff_id, detail";

macro_rules! impl_tip_case {
    ($store:ty, $db:ty, $row:ty) => {
        mod tip_case_rows {
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;

            pub(crate) fn extension(r: &$row) -> Result<$crate::TipExtension, StoreError> {
                let state = match r.try_get::<&str, _>("state")? {
                    "approved" => $crate::ExtensionState::Approved,
                    "refused" => $crate::ExtensionState::Refused,
                    _ => $crate::ExtensionState::Pending,
                };
                Ok($crate::TipExtension {
                    id: r.try_get("id")?,
                    tip: $crate::TipId(r.try_get("tip_id")?),
                    reason: r.try_get::<&str, _>("reason")?.parse()?,
                    days: u32::try_from(r.try_get::<i64, _>("days")?).unwrap_or(0),
                    requested_by: r.try_get::<Option<i64>, _>("requested_by")?.map(StaffId),
                    requested_at: Timestamp(r.try_get("requested_at")?),
                    state,
                    decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(StaffId),
                    decided_at: r.try_get::<Option<i64>, _>("decided_at")?.map(Timestamp),
                })
            }

            pub(crate) fn note(r: &$row) -> Result<$crate::TipNote, StoreError> {
                Ok($crate::TipNote {
                    id: r.try_get("id")?,
                    tip: $crate::TipId(r.try_get("tip_id")?),
                    agency: r.try_get::<Option<i64>, _>("agency_id")?.map(AgencyId),
                    staff: r.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
                    sealed: r.try_get("sealed")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn event(r: &$row) -> Result<Option<$crate::TipEvent>, StoreError> {
                // A word a later version wrote is skipped, not an error: the history still
                // shows what this version understands.
                let Some(kind) = $crate::TipEventKind::parse(r.try_get("kind")?) else {
                    return Ok(None);
                };
                Ok(Some($crate::TipEvent {
                    id: r.try_get("id")?,
                    tip: $crate::TipId(r.try_get("tip_id")?),
                    at: Timestamp(r.try_get("at")?),
                    kind,
                    agency: r.try_get::<Option<i64>, _>("agency_id")?.map(AgencyId),
                    staff: r.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
                    detail: serde_json::from_str(r.try_get("detail")?)
                        .unwrap_or(serde_json::Value::Null),
                }))
            }
        }

        impl $store {
            /// Locks a tip's row for the transaction and returns its status and deadline;
            /// `NotFound` if there is none.
            async fn lock_tip(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
            ) -> $crate::Result<(ketnoi_core::TipStatus, i64)> {
                use sqlx::Row as _;
                let sql = format!(
                    "SELECT status, deadline_at FROM tips WHERE id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let row = sqlx::query(&sql)
                    .bind(tip.0)
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or($crate::StoreError::NotFound("tip"))?;
                Ok((row.try_get::<&str, _>("status")?.parse()?, row.try_get("deadline_at")?))
            }

            /// Records a step of a case and moves the tip's `updated_at`.
            async fn tip_event_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
                kind: $crate::TipEventKind,
                by: &$crate::CaseActor,
                detail: serde_json::Value,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO tip_events (tip_id, at, kind, agency_id, staff_id, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(tip.0)
                .bind(by.at.millis())
                .bind(kind.as_str())
                .bind(by.unit.0)
                .bind(by.staff.0)
                .bind(detail.to_string())
                .execute(&mut **tx)
                .await
                .map_err($crate::error::classify("staff or unit"))?;
                sqlx::query("UPDATE tips SET updated_at = $2 WHERE id = $1")
                    .bind(tip.0)
                    .bind(by.at.millis())
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            async fn change_tip_status_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
                from: ketnoi_core::TipStatus,
                to: ketnoi_core::TipStatus,
                closing: Option<ketnoi_core::TipClosing>,
                by: &$crate::CaseActor,
            ) -> $crate::Result<()> {
                let (status, _) = Self::lock_tip(tx, tip).await?;
                if status != from {
                    return Err($crate::StoreError::Conflict("tip status"));
                }
                let closed = to == ketnoi_core::TipStatus::Closed;
                sqlx::query(
                    "UPDATE tips SET status = $2, closing = $3, closed_at = $4 WHERE id = $1",
                )
                .bind(tip.0)
                .bind(to.as_str())
                .bind(if closed { closing.map(|c| c.as_str()) } else { None })
                .bind(closed.then_some(by.at.millis()))
                .execute(&mut **tx)
                .await?;
                let mut detail = serde_json::json!({ "from": from.as_str(), "to": to.as_str() });
                if let (true, Some(c)) = (closed, closing) {
                    detail["closing"] = c.as_str().into();
                }
                Self::tip_event_in(tx, tip, $crate::TipEventKind::Status, by, detail).await
            }

            async fn assign_tip_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
                assignee: Option<ketnoi_core::StaffId>,
                by: &$crate::CaseActor,
            ) -> $crate::Result<()> {
                Self::lock_tip(tx, tip).await?;
                sqlx::query("UPDATE tips SET assignee_id = $2 WHERE id = $1")
                    .bind(tip.0)
                    .bind(assignee.map(|s| s.0))
                    .execute(&mut **tx)
                    .await
                    .map_err($crate::error::classify("staff"))?;
                let detail = serde_json::json!({ "assignee": assignee.map(|s| s.0) });
                Self::tip_event_in(tx, tip, $crate::TipEventKind::Assigned, by, detail).await
            }

            async fn request_tip_extension_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
                reason: ketnoi_core::ExtensionReason,
                days: u32,
                by: &$crate::CaseActor,
            ) -> $crate::Result<$crate::TipExtension> {
                Self::lock_tip(tx, tip).await?;
                let sql = format!(
                    "INSERT INTO tip_extensions (tip_id, reason, days, requested_by, \
                     requested_at) VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                    $crate::sql::tip_case::EXTENSION_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(tip.0)
                    .bind(reason.as_str())
                    .bind(i64::from(days))
                    .bind(by.staff.0)
                    .bind(by.at.millis())
                    .fetch_one(&mut **tx)
                    .await
                    .map_err($crate::error::classify("extension"))?;
                let extension = tip_case_rows::extension(&row)?;
                let detail = serde_json::json!({ "reason": reason.as_str(), "days": days });
                Self::tip_event_in(tx, tip, $crate::TipEventKind::ExtensionRequested, by, detail)
                    .await?;
                Ok(extension)
            }

            async fn decide_tip_extension_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tip: $crate::TipId,
                id: i64,
                approve: bool,
                by: &$crate::CaseActor,
            ) -> $crate::Result<$crate::TipExtension> {
                let (_, deadline) = Self::lock_tip(tx, tip).await?;
                let sql = format!(
                    "SELECT {} FROM tip_extensions WHERE id = $1 AND tip_id = $2 \
                     AND state = 'pending'",
                    $crate::sql::tip_case::EXTENSION_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .bind(tip.0)
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or($crate::StoreError::NotFound("extension"))?;
                let pending = tip_case_rows::extension(&row)?;
                if pending.requested_by == Some(by.staff) {
                    return Err($crate::StoreError::Conflict("approver"));
                }
                let state =
                    if approve { $crate::ExtensionState::Approved } else { $crate::ExtensionState::Refused };
                let sql = format!(
                    "UPDATE tip_extensions SET state = $2, decided_by = $3, decided_at = $4 \
                     WHERE id = $1 RETURNING {}",
                    $crate::sql::tip_case::EXTENSION_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .bind(state.as_str())
                    .bind(by.staff.0)
                    .bind(by.at.millis())
                    .fetch_one(&mut **tx)
                    .await?;
                let decided = tip_case_rows::extension(&row)?;
                let mut detail =
                    serde_json::json!({ "reason": decided.reason.as_str(), "days": decided.days });
                let kind = if approve {
                    let moved = ketnoi_core::TipDeadlines::extend(
                        ketnoi_core::Timestamp(deadline),
                        decided.days,
                    );
                    sqlx::query("UPDATE tips SET deadline_at = $2 WHERE id = $1")
                        .bind(tip.0)
                        .bind(moved.millis())
                        .execute(&mut **tx)
                        .await?;
                    detail["deadline_at"] = moved.millis().into();
                    $crate::TipEventKind::ExtensionApproved
                } else {
                    $crate::TipEventKind::ExtensionRefused
                };
                Self::tip_event_in(tx, tip, kind, by, detail).await?;
                Ok(decided)
            }

            async fn transfer_tip_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                transfer: &$crate::TipTransfer,
                by: &$crate::CaseActor,
            ) -> $crate::Result<()> {
                let tip = transfer.tip;
                Self::lock_tip(tx, tip).await?;
                let held: Option<i64> = sqlx::query_scalar(
                    "SELECT position FROM tip_units WHERE tip_id = $1 AND agency_id = $2",
                )
                .bind(tip.0)
                .bind(by.unit.0)
                .fetch_optional(&mut **tx)
                .await?;
                if held.is_none() {
                    return Err($crate::StoreError::NotFound("tip"));
                }
                let last: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(MAX(position), 0) FROM tip_units WHERE tip_id = $1",
                )
                .bind(tip.0)
                .fetch_one(&mut **tx)
                .await?;
                sqlx::query(
                    "INSERT INTO tip_units (tip_id, agency_id, position) VALUES ($1, $2, $3)",
                )
                .bind(tip.0)
                .bind(transfer.to.0)
                .bind(last + 1)
                .execute(&mut **tx)
                .await
                .map_err($crate::sql::tip::classify_apart("unit", "unit"))?;
                if !transfer.keep {
                    sqlx::query("DELETE FROM tip_units WHERE tip_id = $1 AND agency_id = $2")
                        .bind(tip.0)
                        .bind(by.unit.0)
                        .execute(&mut **tx)
                        .await?;
                }
                sqlx::query("UPDATE tips SET envelope = $2, assignee_id = NULL WHERE id = $1")
                    .bind(tip.0)
                    .bind(transfer.envelope.as_str())
                    .execute(&mut **tx)
                    .await?;
                let detail = serde_json::json!({ "to_unit": transfer.to.0, "kept": transfer.keep });
                Self::tip_event_in(tx, tip, $crate::TipEventKind::Transferred, by, detail).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::TipCaseStore for $store {
            async fn change_tip_status(
                &self,
                tip: $crate::TipId,
                from: ketnoi_core::TipStatus,
                to: ketnoi_core::TipStatus,
                closing: Option<ketnoi_core::TipClosing>,
                by: $crate::CaseActor,
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::change_tip_status_in(&mut tx, tip, from, to, closing, &by).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn assign_tip(
                &self,
                tip: $crate::TipId,
                assignee: Option<ketnoi_core::StaffId>,
                by: $crate::CaseActor,
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::assign_tip_in(&mut tx, tip, assignee, &by).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn add_tip_note(
                &self,
                tip: $crate::TipId,
                sealed: &str,
                by: $crate::CaseActor,
            ) -> $crate::Result<$crate::TipNote> {
                let sql = format!(
                    "INSERT INTO tip_notes (tip_id, agency_id, staff_id, sealed, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING {}",
                    $crate::sql::tip_case::NOTE_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(tip.0)
                    .bind(by.unit.0)
                    .bind(by.staff.0)
                    .bind(sealed)
                    .bind(by.at.millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| match $crate::error::classify("tip")(e) {
                        $crate::StoreError::MissingReference(_) => {
                            $crate::StoreError::NotFound("tip")
                        }
                        other => other,
                    })?;
                tip_case_rows::note(&row)
            }

            async fn tip_notes(
                &self,
                tip: $crate::TipId,
            ) -> $crate::Result<Vec<$crate::TipNote>> {
                let sql = format!(
                    "SELECT {} FROM tip_notes WHERE tip_id = $1 ORDER BY id",
                    $crate::sql::tip_case::NOTE_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(tip.0).fetch_all(&self.pool).await?;
                rows.iter().map(tip_case_rows::note).collect()
            }

            async fn request_tip_extension(
                &self,
                tip: $crate::TipId,
                reason: ketnoi_core::ExtensionReason,
                days: u32,
                by: $crate::CaseActor,
            ) -> $crate::Result<$crate::TipExtension> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::request_tip_extension_in(&mut tx, tip, reason, days, &by).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn decide_tip_extension(
                &self,
                tip: $crate::TipId,
                id: i64,
                approve: bool,
                by: $crate::CaseActor,
            ) -> $crate::Result<$crate::TipExtension> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::decide_tip_extension_in(&mut tx, tip, id, approve, &by).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn tip_extensions(
                &self,
                tip: $crate::TipId,
            ) -> $crate::Result<Vec<$crate::TipExtension>> {
                let sql = format!(
                    "SELECT {} FROM tip_extensions WHERE tip_id = $1 ORDER BY id",
                    $crate::sql::tip_case::EXTENSION_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(tip.0).fetch_all(&self.pool).await?;
                rows.iter().map(tip_case_rows::extension).collect()
            }

            async fn tip_events(
                &self,
                tip: $crate::TipId,
            ) -> $crate::Result<Vec<$crate::TipEvent>> {
                let sql = format!(
                    "SELECT {} FROM tip_events WHERE tip_id = $1 ORDER BY id",
                    $crate::sql::tip_case::EVENT_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(tip.0).fetch_all(&self.pool).await?;
                let mut events = Vec::with_capacity(rows.len());
                for row in &rows {
                    events.extend(tip_case_rows::event(row)?);
                }
                Ok(events)
            }

            async fn transfer_tip(
                &self,
                transfer: &$crate::TipTransfer,
                by: $crate::CaseActor,
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::transfer_tip_in(&mut tx, transfer, &by).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn count_overdue_tips(
                &self,
                agency: ketnoi_core::AgencyId,
                now: ketnoi_core::Timestamp,
            ) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM tip_units u JOIN tips t ON t.id = u.tip_id \
                     WHERE u.agency_id = $1 AND t.status <> $2 AND t.deadline_at < $3",
                )
                .bind(agency.0)
                .bind(ketnoi_core::TipStatus::Closed.as_str())
                .bind(now.millis())
                .fetch_one(&self.pool)
                .await?)
            }
        }
    };
}
pub(crate) use impl_tip_case;
