//! [`crate::InboxStore`] per backend: labels on conversations, in `conversation_labels`, and
//! canned replies, in `canned_replies`.
//!
//! Orders are made here rather than by `ORDER BY` on text, so that both backends answer alike
//! whatever PostgreSQL's collation is.

/// Reads a stored label back. What the table holds passed [`ketnoi_core::Label::parse`] on
/// the way in.
pub(crate) fn label(raw: &str) -> crate::Result<ketnoi_core::Label> {
    Ok(ketnoi_core::Label::parse(raw)?)
}

/// Sorts labels by key, then spelling.
pub(crate) fn by_key<T>(items: &mut [(String, T)]) {
    items.sort_by(|a, b| a.0.cmp(&b.0));
}

/// The columns read for a canned reply.
pub(crate) const CANNED_COLUMNS: &str =
    "id, account_id, agency_id, shortcut, title, body, updated_at";

/// A canned reply from its columns.
pub(crate) fn canned(
    (id, account, agency, shortcut, title, body, at): CannedRow,
) -> crate::Result<ketnoi_core::CannedReply> {
    let owner = match (account, agency) {
        (Some(a), _) => ketnoi_core::CannedOwner::Account(ketnoi_core::AccountId(a)),
        (None, Some(g)) => ketnoi_core::CannedOwner::Agency(ketnoi_core::AgencyId(g)),
        (None, None) => return Err(crate::StoreError::NotFound("canned-reply")),
    };
    Ok(ketnoi_core::CannedReply {
        id: ketnoi_core::CannedReplyId(id),
        owner,
        text: ketnoi_core::CannedText::parse(&shortcut, &title, &body)?,
        updated_at: ketnoi_core::Timestamp(at),
    })
}

/// A canned reply's row.
pub(crate) type CannedRow = (i64, Option<i64>, Option<i64>, String, String, String, i64);

/// The owner's two columns.
pub(crate) fn owner_columns(owner: ketnoi_core::CannedOwner) -> (Option<i64>, Option<i64>) {
    match owner {
        ketnoi_core::CannedOwner::Account(a) => (Some(a.0), None),
        ketnoi_core::CannedOwner::Agency(g) => (None, Some(g.0)),
    }
}

macro_rules! impl_inbox {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::InboxStore for $store {
            async fn labels(
                &self,
                conversation: ketnoi_core::ConversationId,
            ) -> $crate::Result<Vec<ketnoi_core::Label>> {
                let found: Vec<(String, String)> = sqlx::query_as(
                    "SELECT label_key, label FROM conversation_labels WHERE conversation_id = $1",
                )
                .bind(conversation.0)
                .fetch_all(&self.pool)
                .await?;
                let mut found = found;
                $crate::sql::inbox::by_key(&mut found);
                found.iter().map(|(_, l)| $crate::sql::inbox::label(l)).collect()
            }

            async fn set_labels(
                &self,
                conversation: ketnoi_core::ConversationId,
                labels: &[ketnoi_core::Label],
            ) -> $crate::Result<Vec<ketnoi_core::Label>> {
                let mut kept: Vec<(String, &ketnoi_core::Label)> = Vec::new();
                for l in labels {
                    let key = l.key();
                    if !kept.iter().any(|(k, _)| *k == key) {
                        kept.push((key, l));
                    }
                }
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                sqlx::query("DELETE FROM conversation_labels WHERE conversation_id = $1")
                    .bind(conversation.0)
                    .execute(&mut *tx)
                    .await?;
                for (key, l) in &kept {
                    sqlx::query(
                        "INSERT INTO conversation_labels (conversation_id, label, label_key) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(conversation.0)
                    .bind(l.as_str())
                    .bind(key.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::classify("conversation"))?;
                }
                tx.commit().await?;
                let mut out: Vec<(String, ketnoi_core::Label)> =
                    kept.into_iter().map(|(k, l)| (k, l.clone())).collect();
                $crate::sql::inbox::by_key(&mut out);
                Ok(out.into_iter().map(|(_, l)| l).collect())
            }

            async fn labels_of(
                &self,
                conversations: &[ketnoi_core::ConversationId],
            ) -> $crate::Result<Vec<(ketnoi_core::ConversationId, ketnoi_core::Label)>> {
                if conversations.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT conversation_id, label_key, label FROM conversation_labels \
                     WHERE conversation_id IN ({})",
                    $crate::sql::chat::list(conversations.len())
                );
                let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql);
                for c in conversations {
                    q = q.bind(c.0);
                }
                let mut found = q.fetch_all(&self.pool).await?;
                found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
                found
                    .iter()
                    .map(|(c, _, l)| {
                        Ok((ketnoi_core::ConversationId(*c), $crate::sql::inbox::label(l)?))
                    })
                    .collect()
            }

            async fn labels_in_use(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Vec<(ketnoi_core::Label, i64)>> {
                // One row per spelling; the commonest spelling of a key names it.
                let found: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT l.label_key, l.label, COUNT(*) FROM conversation_labels l \
                     JOIN conversations c ON c.id = l.conversation_id \
                     WHERE c.account_id = $1 AND c.status = 'open' AND c.last_seq > 0 \
                     GROUP BY l.label_key, l.label",
                )
                .bind(account.0)
                .fetch_all(&self.pool)
                .await?;
                let mut keys: Vec<(String, (String, i64, i64))> = Vec::new();
                for (key, spelling, n) in found {
                    match keys.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, (best, best_n, total))) => {
                            *total += n;
                            if n > *best_n || (n == *best_n && spelling < *best) {
                                (*best, *best_n) = (spelling, n);
                            }
                        }
                        None => keys.push((key, (spelling, n, n))),
                    }
                }
                $crate::sql::inbox::by_key(&mut keys);
                keys.into_iter()
                    .map(|(_, (spelling, _, total))| {
                        Ok(($crate::sql::inbox::label(&spelling)?, total))
                    })
                    .collect()
            }

            async fn canned_replies(
                &self,
                owners: &[ketnoi_core::CannedOwner],
            ) -> $crate::Result<Vec<ketnoi_core::CannedReply>> {
                let (accounts, agencies): (Vec<_>, Vec<_>) =
                    owners.iter().map(|o| $crate::sql::inbox::owner_columns(*o)).unzip();
                let accounts: Vec<i64> = accounts.into_iter().flatten().collect();
                let agencies: Vec<i64> = agencies.into_iter().flatten().collect();
                let mut within = Vec::new();
                if !accounts.is_empty() {
                    within.push(format!("account_id IN ({})", $crate::sql::chat::list(accounts.len())));
                }
                if !agencies.is_empty() {
                    let from = accounts.len() + 1;
                    let marks: Vec<String> =
                        (from..from + agencies.len()).map(|i| format!("${i}")).collect();
                    within.push(format!("agency_id IN ({})", marks.join(", ")));
                }
                if within.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "SELECT {} FROM canned_replies WHERE {} ORDER BY id",
                    $crate::sql::inbox::CANNED_COLUMNS,
                    within.join(" OR ")
                );
                let mut q = sqlx::query_as::<_, $crate::sql::inbox::CannedRow>(&sql);
                for id in accounts.iter().chain(&agencies) {
                    q = q.bind(*id);
                }
                let found = q.fetch_all(&self.pool).await?;
                found.into_iter().map($crate::sql::inbox::canned).collect()
            }

            async fn canned_reply(
                &self,
                id: ketnoi_core::CannedReplyId,
            ) -> $crate::Result<Option<ketnoi_core::CannedReply>> {
                let sql = format!(
                    "SELECT {} FROM canned_replies WHERE id = $1",
                    $crate::sql::inbox::CANNED_COLUMNS
                );
                let found: Option<$crate::sql::inbox::CannedRow> =
                    sqlx::query_as(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                found.map($crate::sql::inbox::canned).transpose()
            }

            async fn create_canned_reply(
                &self,
                owner: ketnoi_core::CannedOwner,
                text: &ketnoi_core::CannedText,
                limit: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<ketnoi_core::CannedReply>> {
                let (account, agency) = $crate::sql::inbox::owner_columns(owner);
                // The count and the insert in one statement, so that a full owner stays full.
                let sql = format!(
                    "INSERT INTO canned_replies \
                     (account_id, agency_id, shortcut, title, body, updated_at) \
                     SELECT $1, $2, $3, $4, $5, $6 WHERE (SELECT COUNT(*) FROM canned_replies \
                     WHERE account_id = $1 OR agency_id = $2) < $7 RETURNING {}",
                    $crate::sql::inbox::CANNED_COLUMNS
                );
                let found: Option<$crate::sql::inbox::CannedRow> = sqlx::query_as(&sql)
                    .bind(account)
                    .bind(agency)
                    .bind(text.shortcut.as_str())
                    .bind(text.title.as_str())
                    .bind(text.body.as_str())
                    .bind(at.millis())
                    .bind(limit)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(db) if db.is_unique_violation() => {
                            $crate::StoreError::Conflict("shortcut")
                        }
                        _ => $crate::error::classify("agency")(e),
                    })?;
                found.map($crate::sql::inbox::canned).transpose()
            }

            async fn update_canned_reply(
                &self,
                id: ketnoi_core::CannedReplyId,
                text: &ketnoi_core::CannedText,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<ketnoi_core::CannedReply>> {
                let sql = format!(
                    "UPDATE canned_replies SET shortcut = $1, title = $2, body = $3, \
                     updated_at = $4 WHERE id = $5 RETURNING {}",
                    $crate::sql::inbox::CANNED_COLUMNS
                );
                let found: Option<$crate::sql::inbox::CannedRow> = sqlx::query_as(&sql)
                    .bind(text.shortcut.as_str())
                    .bind(text.title.as_str())
                    .bind(text.body.as_str())
                    .bind(at.millis())
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::error::classify("shortcut"))?;
                found.map($crate::sql::inbox::canned).transpose()
            }

            async fn delete_canned_reply(
                &self,
                id: ketnoi_core::CannedReplyId,
            ) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}
pub(crate) use impl_inbox;
