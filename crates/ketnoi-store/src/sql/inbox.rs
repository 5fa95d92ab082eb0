//! [`crate::InboxStore`] per backend: labels on conversations, in `conversation_labels`.
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
        }
    };
}
pub(crate) use impl_inbox;
