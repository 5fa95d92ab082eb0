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
                let terms = query.text.as_deref().map(ketnoi_text::search_terms).unwrap_or_default();
                let mut sql = format!(
                    "SELECT {} FROM conversations c WHERE c.account_id = $1 AND c.status = $2 \
                     AND c.last_seq > 0",
                    $crate::sql::qualified($crate::sql::chat::CONVERSATION_COLUMNS, "c")
                );
                match query.bot {
                    // Literal, so that the planner can use the partial index of conversations
                    // that need a person.
                    Some(true) => sql.push_str(" AND c.bot_state = 'active'"),
                    Some(false) => sql.push_str(" AND c.bot_state <> 'active'"),
                    None => {}
                }
                let mut n = 3;
                match query.assignee {
                    Some($crate::AssigneeFilter::Staff(_)) => {
                        sql.push_str(&format!(" AND c.assignee_id = ${n}"));
                        n += 1;
                    }
                    Some($crate::AssigneeFilter::Nobody) => {
                        sql.push_str(" AND c.assignee_id IS NULL");
                    }
                    None => {}
                }
                let label = query.label.as_deref().map(ketnoi_text::fold);
                if label.is_some() {
                    // The labels' primary key (conversation, key) answers this per row.
                    sql.push_str(&format!(
                        " AND EXISTS (SELECT 1 FROM conversation_labels l \
                         WHERE l.conversation_id = c.id AND l.label_key = ${n})"
                    ));
                    n += 1;
                }
                for _ in &terms {
                    sql.push_str(&format!(
                        " AND (c.citizen_label LIKE ${n} OR EXISTS (SELECT 1 FROM messages m \
                         WHERE m.conversation_id = c.id AND m.search_key LIKE ${n}))"
                    ));
                    n += 1;
                }
                if query.before.is_some() {
                    sql.push_str(&format!(
                        " AND (c.last_message_at < ${n} OR (c.last_message_at = ${n} \
                         AND c.id < ${}))",
                        n + 1
                    ));
                    n += 2;
                }
                sql.push_str(&format!(" ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${n}"));
                let mut q = sqlx::query(&sql).bind(query.account.0).bind(query.status.as_str());
                if let Some($crate::AssigneeFilter::Staff(staff)) = query.assignee {
                    q = q.bind(staff.0);
                }
                if let Some(key) = label {
                    q = q.bind(key);
                }
                for t in &terms {
                    q = q.bind(format!("%{t}%"));
                }
                if let Some((at, id)) = query.before {
                    q = q.bind(at.millis()).bind(id.0);
                }
                let found = q.bind(query.limit).fetch_all(&self.pool).await?;
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

            async fn set_assignee(
                &self,
                conversation: ketnoi_core::ConversationId,
                assignee: Option<ketnoi_core::StaffId>,
            ) -> $crate::Result<Option<ketnoi_core::Conversation>> {
                // Only this column: the group-commit writer never writes it back, so an
                // assignment cannot be lost to a batch in flight, nor undo one.
                let sql = format!(
                    "UPDATE conversations SET assignee_id = $1 WHERE id = $2 RETURNING {}",
                    $crate::sql::chat::CONVERSATION_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(assignee.map(|s| s.0))
                    .bind(conversation.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::classify("staff member"))?;
                row.as_ref().map(rows::conversation).transpose()
            }

            async fn inbox_counts(
                &self,
                account: ketnoi_core::AccountId,
                staff: ketnoi_core::StaffId,
            ) -> $crate::Result<$crate::InboxCounts> {
                let (open, need_person, mine, unassigned, unassigned_need_person): (
                    i64,
                    i64,
                    i64,
                    i64,
                    i64,
                ) = sqlx::query_as(
                    "SELECT COUNT(*), \
                     COALESCE(SUM(CASE WHEN bot_state <> 'active' THEN 1 ELSE 0 END), 0), \
                     COALESCE(SUM(CASE WHEN assignee_id = $2 THEN 1 ELSE 0 END), 0), \
                     COALESCE(SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END), 0), \
                     COALESCE(SUM(CASE WHEN assignee_id IS NULL AND bot_state <> 'active' \
                     THEN 1 ELSE 0 END), 0) \
                     FROM conversations WHERE account_id = $1 AND status = 'open' AND last_seq > 0",
                )
                .bind(account.0)
                .bind(staff.0)
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::InboxCounts { open, need_person, mine, unassigned, unassigned_need_person })
            }
        }
    };
}
pub(crate) use impl_chat;
