//! [`crate::ChatStore`] per backend: `apply_chat`, which runs a whole batch in one transaction
//! through the write path in `chat_write.rs`, and the reads (conversations, history, inboxes,
//! attachments); and officers' notes, which stay out of that path and out of `messages`.

macro_rules! impl_chat {
    ($store:ty, $db:ty) => {
        $crate::sql::chat_write::impl_chat_write!($store, $db);

        #[async_trait::async_trait]
        impl $crate::ChatStore for $store {
            async fn apply_chat(
                &self,
                writes: &[$crate::ChatWrite],
            ) -> $crate::Result<Vec<$crate::ChatOutcome>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let mut batch = $crate::sql::chat::Batch::default();
                Self::prefetch(&mut tx, &mut batch, writes).await?;
                let mut outcomes = Vec::with_capacity(writes.len());
                for write in writes {
                    let outcome = match write {
                        $crate::ChatWrite::Send {
                            to,
                            author,
                            author_name,
                            client_msg_id,
                            content,
                            at,
                            bot,
                        } => {
                            Self::apply_send(
                                &mut tx,
                                &mut batch,
                                to,
                                *author,
                                author_name,
                                client_msg_id,
                                content,
                                *at,
                                *bot,
                            )
                            .await?
                        }
                        $crate::ChatWrite::Assign {
                            conversation,
                            assignee,
                            only_if_unassigned,
                            at,
                        } => {
                            Self::apply_assign(
                                &mut tx,
                                &mut batch,
                                *conversation,
                                *assignee,
                                *only_if_unassigned,
                                *at,
                            )
                            .await?
                        }
                        $crate::ChatWrite::Transfer(t) => {
                            Self::apply_transfer(&mut tx, &mut batch, t).await?
                        }
                        other => Self::apply_change(&mut tx, &mut batch, other).await?,
                    };
                    outcomes.push(outcome);
                }
                Self::flush(&mut tx, &mut batch).await?;
                tx.commit().await?;
                Ok(outcomes)
            }

            async fn conversation(
                &self,
                id: ketnoi_core::ConversationId,
            ) -> $crate::Result<Option<ketnoi_core::Conversation>> {
                let sql = format!(
                    "SELECT {} FROM conversations WHERE id = $1",
                    $crate::sql::chat::CONVERSATION_COLUMNS
                );
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::conversation).transpose()
            }

            async fn conversation_between(
                &self,
                account: ketnoi_core::AccountId,
                citizen: ketnoi_core::CitizenId,
            ) -> $crate::Result<Option<ketnoi_core::Conversation>> {
                let sql = format!(
                    "SELECT {} FROM conversations WHERE account_id = $1 AND citizen_id = $2",
                    $crate::sql::chat::CONVERSATION_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(citizen.0)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(rows::conversation).transpose()
            }

            async fn citizen_conversations(
                &self,
                citizen: ketnoi_core::CitizenId,
                limit: i64,
            ) -> $crate::Result<Vec<ketnoi_core::Conversation>> {
                let sql = format!(
                    "SELECT {} FROM conversations WHERE citizen_id = $1 AND last_seq > 0 \
                     ORDER BY last_message_at DESC, id DESC LIMIT $2",
                    $crate::sql::chat::CONVERSATION_COLUMNS
                );
                let found =
                    sqlx::query(&sql).bind(citizen.0).bind(limit).fetch_all(&self.pool).await?;
                found.iter().map(rows::conversation).collect()
            }

            async fn inbox(
                &self,
                query: &$crate::InboxQuery,
            ) -> $crate::Result<Vec<ketnoi_core::Conversation>> {
                let built = $crate::sql::inbox_sql::inbox_sql(query, $crate::InboxTables::STORE);
                let found = built.query::<$db>().fetch_all(&self.pool).await?;
                found.iter().map(rows::conversation).collect()
            }

            async fn messages(
                &self,
                conversation: ketnoi_core::ConversationId,
                range: $crate::MessageRange,
            ) -> $crate::Result<Vec<ketnoi_core::Message>> {
                let cols = $crate::sql::chat::MESSAGE_COLUMNS;
                let (sql, seq, limit, newest_first) = match range {
                    $crate::MessageRange::Latest { limit } => (
                        format!(
                            "SELECT {cols} FROM messages WHERE conversation_id = $1 \
                             AND seq > $2 ORDER BY seq DESC LIMIT $3"
                        ),
                        0,
                        limit,
                        true,
                    ),
                    $crate::MessageRange::After { seq, limit } => (
                        format!(
                            "SELECT {cols} FROM messages WHERE conversation_id = $1 \
                             AND seq > $2 ORDER BY seq LIMIT $3"
                        ),
                        seq,
                        limit,
                        false,
                    ),
                    $crate::MessageRange::Before { seq, limit } => (
                        format!(
                            "SELECT {cols} FROM messages WHERE conversation_id = $1 \
                             AND seq < $2 ORDER BY seq DESC LIMIT $3"
                        ),
                        seq,
                        limit,
                        true,
                    ),
                };
                let found = sqlx::query(&sql)
                    .bind(conversation.0)
                    .bind(seq)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                let mut messages =
                    found.iter().map(rows::message).collect::<$crate::Result<Vec<_>>>()?;
                if newest_first {
                    messages.reverse();
                }
                Ok(messages)
            }

            async fn inbox_events_after(
                &self,
                account: ketnoi_core::AccountId,
                seq: i64,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::InboxItem>> {
                let sql = format!(
                    "SELECT {} FROM inbox_events WHERE account_id = $1 AND seq > $2 \
                     ORDER BY seq LIMIT $3",
                    $crate::sql::chat::EVENT_COLUMNS
                );
                let found = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(seq)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                let events =
                    found.iter().map(rows::inbox_event).collect::<$crate::Result<Vec<_>>>()?;
                self.event_items(events).await
            }

            async fn inbox_bounds(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<(i64, i64)> {
                let last: Option<i64> =
                    sqlx::query_scalar("SELECT last_seq FROM inbox_heads WHERE account_id = $1")
                        .bind(account.0)
                        .fetch_optional(&self.pool)
                        .await?;
                let oldest: Option<i64> =
                    sqlx::query_scalar("SELECT MIN(seq) FROM inbox_events WHERE account_id = $1")
                        .bind(account.0)
                        .fetch_one(&self.pool)
                        .await?;
                let last = last.unwrap_or(0);
                Ok((last, oldest.unwrap_or(last + 1)))
            }

            async fn prune_inbox_events(&self, before: ketnoi_core::Timestamp) -> $crate::Result<u64> {
                let done = sqlx::query("DELETE FROM inbox_events WHERE created_at < $1")
                    .bind(before.millis())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn create_attachment(
                &self,
                a: &$crate::NewAttachment,
            ) -> $crate::Result<ketnoi_core::Attachment> {
                let sql = format!(
                    "INSERT INTO attachments (account_id, citizen_id, author_kind, author_id, \
                     media_type, kind, name, size, width, height, blob_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {}",
                    $crate::sql::chat::ATTACHMENT_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(a.account.0)
                    .bind(a.citizen.0)
                    .bind(a.uploader.kind_str())
                    .bind(a.uploader.id())
                    .bind(a.media_type.as_str())
                    .bind(a.kind.as_str())
                    .bind(a.name.as_str())
                    .bind(a.size)
                    .bind(a.dimensions.map(|d| i64::from(d.0)))
                    .bind(a.dimensions.map(|d| i64::from(d.1)))
                    .bind(a.blob_key.as_str())
                    .bind(a.at.millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("attachment"))?;
                Ok(rows::attachment(&row)?.attachment)
            }

            async fn attachment(
                &self,
                id: ketnoi_core::AttachmentId,
            ) -> $crate::Result<Option<$crate::StoredAttachment>> {
                let sql = format!(
                    "SELECT {} FROM attachments WHERE id = $1",
                    $crate::sql::chat::ATTACHMENT_COLUMNS
                );
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(rows::attachment).transpose()
            }

            async fn add_note(
                &self,
                conversation: ketnoi_core::ConversationId,
                author: ketnoi_core::StaffId,
                body: &ketnoi_core::NoteBody,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<ketnoi_core::Note> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO conversation_notes (conversation_id, author_id, body, created_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(conversation.0)
                .bind(author.0)
                .bind(body.as_str())
                .bind(at.millis())
                .fetch_one(&self.pool)
                .await
                .map_err($crate::error::classify("conversation"))?;
                let sql = format!(
                    "SELECT {} FROM conversation_notes n JOIN staff s ON s.id = n.author_id \
                     WHERE n.id = $1",
                    $crate::sql::chat::NOTE_COLUMNS
                );
                let row = sqlx::query(&sql).bind(id).fetch_one(&self.pool).await?;
                rows::note(&row)
            }

            async fn notes(
                &self,
                conversation: ketnoi_core::ConversationId,
                limit: i64,
            ) -> $crate::Result<Vec<ketnoi_core::Note>> {
                let sql = format!(
                    "SELECT {} FROM conversation_notes n JOIN staff s ON s.id = n.author_id \
                     WHERE n.conversation_id = $1 ORDER BY n.id DESC LIMIT $2",
                    $crate::sql::chat::NOTE_COLUMNS
                );
                let found = sqlx::query(&sql)
                    .bind(conversation.0)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                let mut notes = found.iter().map(rows::note).collect::<$crate::Result<Vec<_>>>()?;
                notes.reverse();
                Ok(notes)
            }

            async fn rate(
                &self,
                conversation: ketnoi_core::ConversationId,
                resolved_at: ketnoi_core::Timestamp,
                handler: ketnoi_core::AccountId,
                rating: &ketnoi_core::Rating,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<ketnoi_core::StoredRating> {
                sqlx::query(
                    "INSERT INTO conversation_ratings (conversation_id, resolved_at, handler_id, \
                     stars, comment, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(conversation.0)
                .bind(resolved_at.millis())
                .bind(handler.0)
                .bind(i64::from(rating.stars))
                .bind(rating.comment.as_str())
                .bind(at.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("rating"))?;
                Ok(ketnoi_core::StoredRating {
                    conversation,
                    resolved_at,
                    handler,
                    rating: rating.clone(),
                    created_at: at,
                })
            }

            async fn ratings(
                &self,
                conversation: ketnoi_core::ConversationId,
            ) -> $crate::Result<Vec<ketnoi_core::StoredRating>> {
                let found = sqlx::query(
                    "SELECT conversation_id, resolved_at, handler_id, stars, comment, created_at \
                     FROM conversation_ratings WHERE conversation_id = $1 ORDER BY id",
                )
                .bind(conversation.0)
                .fetch_all(&self.pool)
                .await?;
                found.iter().map(rows::rating).collect()
            }

            async fn transfers(
                &self,
                conversation: ketnoi_core::ConversationId,
            ) -> $crate::Result<Vec<$crate::TransferRecord>> {
                let found = sqlx::query(
                    "SELECT conversation_id, from_account_id, to_account_id, kind, staff_id, \
                     reason, keep_read, message_seq, created_at FROM conversation_transfers \
                     WHERE conversation_id = $1 ORDER BY id",
                )
                .bind(conversation.0)
                .fetch_all(&self.pool)
                .await?;
                found.iter().map(rows::transfer).collect()
            }

            async fn inbox_settings(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Option<$crate::InboxSettings>> {
                let row: Option<(bool, String, i64)> = sqlx::query_as(
                    "SELECT auto_assign, office_schedule, response_target_minutes \
                     FROM accounts WHERE id = $1",
                )
                .bind(account.0)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|(auto_assign, schedule, target)| {
                    Ok($crate::InboxSettings {
                        auto_assign,
                        office_hours: ketnoi_core::OfficeHours::parse(&schedule)?,
                        response_target_minutes: target,
                    })
                })
                .transpose()
            }

            async fn set_inbox_settings(
                &self,
                account: ketnoi_core::AccountId,
                settings: &$crate::InboxSettings,
            ) -> $crate::Result<()> {
                let done = sqlx::query(
                    "UPDATE accounts SET auto_assign = $2, office_schedule = $3, \
                     response_target_minutes = $4 WHERE id = $1",
                )
                .bind(account.0)
                .bind(settings.auto_assign)
                .bind(settings.office_hours.to_text())
                .bind(settings.response_target_minutes)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("account"));
                }
                Ok(())
            }

            async fn next_in_turn(
                &self,
                account: ketnoi_core::AccountId,
                candidates: &[ketnoi_core::StaffId],
            ) -> $crate::Result<Option<ketnoi_core::StaffId>> {
                let Some(first) = candidates.first() else {
                    return Ok(None);
                };
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let sql = format!(
                    "SELECT last_staff_id FROM assign_cursors WHERE account_id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let last: Option<i64> =
                    sqlx::query_scalar(&sql).bind(account.0).fetch_optional(&mut *tx).await?;
                let next = last
                    .and_then(|last| candidates.iter().find(|s| s.0 > last))
                    .unwrap_or(first);
                sqlx::query(
                    "INSERT INTO assign_cursors (account_id, last_staff_id) VALUES ($1, $2) \
                     ON CONFLICT (account_id) DO UPDATE SET last_staff_id = excluded.last_staff_id",
                )
                .bind(account.0)
                .bind(next.0)
                .execute(&mut *tx)
                .await
                .map_err($crate::error::classify("account"))?;
                tx.commit().await?;
                Ok(Some(*next))
            }

            async fn inbox_counts(
                &self,
                account: ketnoi_core::AccountId,
                staff: ketnoi_core::StaffId,
                overdue_before: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::InboxCounts> {
                let built = $crate::sql::inbox_sql::inbox_counts_sql(
                    account,
                    staff,
                    overdue_before,
                    $crate::InboxTables::STORE,
                );
                let row = built.query::<$db>().fetch_one(&self.pool).await?;
                let count = |i: usize| sqlx::Row::try_get::<i64, _>(&row, i);
                Ok($crate::InboxCounts {
                    open: count(0)?,
                    need_person: count(1)?,
                    mine: count(2)?,
                    unassigned: count(3)?,
                    unassigned_need_person: count(4)?,
                    overdue: count(5)?,
                    overdue_need_person: count(6)?,
                })
            }
        }
    };
}
pub(crate) use impl_chat;
