//! Each account's bot: settings, knowledge base, keyword rules, hand-offs and daily counts.
//!
//! Every write to an account's intents runs in one transaction that first moves the knowledge
//! base's version in `bot_settings` (creating the row if needed). That upsert locks the row on
//! PostgreSQL, so writers of one account's knowledge base queue behind each other and always take
//! their locks in the same order; SQLite's write transaction excludes every other writer anyway.

use crate::StoreError;

/// The columns read for an [`ketnoi_core::Intent`].
pub(crate) const INTENT_COLUMNS: &str =
    "intent_id, topic, question, answer, examples, procedure_code";
/// The columns written for an intent, in the order the inserts bind them.
pub(crate) const INTENT_INSERT_COLUMNS: &str = "account_id, intent_id, position, topic, question, answer, examples, updated_at, procedure_code";
/// The columns read for a [`ketnoi_core::KeywordRule`].
pub(crate) const RULE_COLUMNS: &str = "id, keyword, matching, answer";
/// The columns read for a [`crate::Handoff`].
pub(crate) const HANDOFF_COLUMNS: &str =
    "id, account_id, conversation_id, question, suggestions, at, resolved";
/// The columns read for [`crate::BotDayStats`].
pub(crate) const STATS_COLUMNS: &str = "day, answered, handed_off, helpful, unhelpful";

/// A list of strings as stored: a JSON array.
pub(crate) fn to_json(items: &[impl AsRef<str>]) -> Result<String, StoreError> {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&items)
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

/// A stored JSON array of strings.
pub(crate) fn from_json(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// An example as intents keep them: trimmed and in NFC, so that equal phrasings compare equal.
pub(crate) fn normalise_example(example: &str) -> String {
    ketnoi_text::nfc(example.trim())
}

/// Whether an intent's examples already hold `example` (normalised), comparing in NFC.
pub(crate) fn has_example(examples: &[String], example: &str) -> bool {
    examples.iter().any(|e| e == example || ketnoi_text::nfc(e) == example)
}

/// Whether two intents of a knowledge base share an id.
pub(crate) fn has_duplicate_ids(intents: &[ketnoi_core::Intent]) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(intents.len());
    !intents.iter().all(|i| seen.insert(&i.id))
}

macro_rules! impl_bot {
    ($store:ty, $db:ty, $row:ty) => {
        mod bot_rows {
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;
            use $crate::sql::bot::from_json;

            pub(crate) fn intent(r: &$row) -> Result<Intent, StoreError> {
                // Checked by `Intent::new` on the way in; only the id is parsed again.
                Ok(Intent {
                    id: IntentId::parse(r.try_get("intent_id")?)?,
                    topic: r.try_get("topic")?,
                    question: r.try_get("question")?,
                    answer: r.try_get("answer")?,
                    examples: from_json(r.try_get("examples")?)?,
                    procedure: r.try_get("procedure_code")?,
                })
            }

            pub(crate) fn rule(r: &$row) -> Result<KeywordRule, StoreError> {
                Ok(KeywordRule {
                    id: RuleId(r.try_get("id")?),
                    keyword: r.try_get("keyword")?,
                    matching: r.try_get::<&str, _>("matching")?.parse()?,
                    answer: r.try_get("answer")?,
                })
            }

            pub(crate) fn handoff(r: &$row) -> Result<$crate::Handoff, StoreError> {
                let suggestions = from_json(r.try_get("suggestions")?)?
                    .iter()
                    .map(|s| IntentId::parse(s))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok($crate::Handoff {
                    id: $crate::HandoffId(r.try_get("id")?),
                    account: AccountId(r.try_get("account_id")?),
                    conversation: ConversationId(r.try_get("conversation_id")?),
                    question: r.try_get("question")?,
                    suggestions,
                    at: Timestamp(r.try_get("at")?),
                    resolved: r.try_get("resolved")?,
                })
            }

            pub(crate) fn day(r: &$row) -> Result<$crate::BotDayStats, StoreError> {
                Ok($crate::BotDayStats {
                    day: r.try_get("day")?,
                    answered: r.try_get("answered")?,
                    handed_off: r.try_get("handed_off")?,
                    helpful: r.try_get("helpful")?,
                    unhelpful: r.try_get("unhelpful")?,
                })
            }
        }

        impl $store {
            /// Moves the account's knowledge base to its next version, creating its settings row
            /// if needed (and locking it on PostgreSQL). Returns the new version.
            async fn bump_kb(
                tx: &mut sqlx::Transaction<'static, $db>,
                account: ketnoi_core::AccountId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<i64> {
                let version: i64 = sqlx::query_scalar(
                    "INSERT INTO bot_settings (account_id, kb_version, updated_at) \
                     VALUES ($1, 1, $2) ON CONFLICT (account_id) DO UPDATE \
                     SET kb_version = bot_settings.kb_version + 1, updated_at = excluded.updated_at \
                     RETURNING kb_version",
                )
                .bind(account.0)
                .bind(at.millis())
                .fetch_one(&mut **tx)
                .await
                .map_err($crate::error::classify("account"))?;
                Ok(version)
            }

            /// The knowledge base's version, its settings row locked on PostgreSQL; `None` if
            /// the account never wrote an intent.
            async fn lock_kb(
                tx: &mut sqlx::Transaction<'static, $db>,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Option<i64>> {
                let sql = format!(
                    "SELECT kb_version FROM bot_settings WHERE account_id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                Ok(sqlx::query_scalar(&sql).bind(account.0).fetch_optional(&mut **tx).await?)
            }

            /// Inserts intents at positions `first`, `first + 1`, … in multi-row statements.
            async fn insert_intents(
                tx: &mut sqlx::Transaction<'static, $db>,
                account: ketnoi_core::AccountId,
                intents: &[ketnoi_core::Intent],
                first: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                let mut rest = intents;
                let mut position = first;
                for size in $crate::sql::chat::chunk_sizes(intents.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "INSERT INTO bot_intents ({}) VALUES {}",
                        $crate::sql::bot::INTENT_INSERT_COLUMNS,
                        $crate::sql::chat::placeholders(size, 9)
                    );
                    let mut q = sqlx::query(&sql);
                    for intent in chunk {
                        q = q
                            .bind(account.0)
                            .bind(intent.id.as_str())
                            .bind(position)
                            .bind(intent.topic.as_str())
                            .bind(intent.question.as_str())
                            .bind(intent.answer.as_str())
                            .bind($crate::sql::bot::to_json(&intent.examples)?)
                            .bind(at.millis())
                            .bind(intent.procedure.as_deref());
                        position += 1;
                    }
                    q.execute(&mut **tx).await.map_err($crate::error::classify("intent"))?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::BotStore for $store {
            async fn bot_settings(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<$crate::BotSettings> {
                use sqlx::Row as _;
                let row = sqlx::query(
                    "SELECT enabled, welcome, away_message, kb_version, threshold, shared \
                     FROM bot_settings WHERE account_id = $1",
                )
                .bind(account.0)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else { return Ok($crate::BotSettings::default()) };
                Ok($crate::BotSettings {
                    enabled: r.try_get("enabled")?,
                    welcome: r.try_get("welcome")?,
                    away_message: r.try_get("away_message")?,
                    kb_version: r.try_get("kb_version")?,
                    threshold: r.try_get("threshold")?,
                    shared: r.try_get("shared")?,
                })
            }

            async fn set_bot_shared(
                &self,
                account: ketnoi_core::AccountId,
                shared: bool,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO bot_settings (account_id, shared, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (account_id) DO UPDATE SET shared = excluded.shared, \
                     updated_at = excluded.updated_at",
                )
                .bind(account.0)
                .bind(shared)
                .bind(at.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("account"))?;
                Ok(())
            }

            async fn shared_knowledge(
                &self,
                agencies: &[ketnoi_core::AgencyId],
            ) -> $crate::Result<Vec<(ketnoi_core::AccountId, ketnoi_core::AgencyId, i64)>> {
                use sqlx::Row as _;
                if agencies.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT s.account_id, a.agency_id, s.kb_version FROM bot_settings s \
                     JOIN accounts a ON a.id = s.account_id \
                     WHERE s.shared = TRUE AND s.kb_version > 0 AND a.agency_id IN (",
                );
                $crate::sql::desk::push_ids!(qb, agencies);
                qb.push(")");
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            ketnoi_core::AccountId(r.try_get("account_id")?),
                            ketnoi_core::AgencyId(r.try_get("agency_id")?),
                            r.try_get("kb_version")?,
                        ))
                    })
                    .collect()
            }

            async fn save_bot_settings(
                &self,
                account: ketnoi_core::AccountId,
                update: &$crate::BotSettingsUpdate,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO bot_settings (account_id, enabled, welcome, away_message, \
                     updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE \
                     SET enabled = excluded.enabled, welcome = excluded.welcome, \
                     away_message = excluded.away_message, updated_at = excluded.updated_at",
                )
                .bind(account.0)
                .bind(update.enabled)
                .bind(update.welcome.as_str())
                .bind(update.away_message.as_str())
                .bind(at.millis())
                .execute(&self.pool)
                .await
                .map_err($crate::error::classify("account"))?;
                Ok(())
            }

            async fn set_bot_threshold(
                &self,
                account: ketnoi_core::AccountId,
                kb_version: i64,
                threshold: f64,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE bot_settings SET threshold = $3 \
                     WHERE account_id = $1 AND kb_version = $2",
                )
                .bind(account.0)
                .bind(kb_version)
                .bind(threshold)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn bot_intents(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Vec<ketnoi_core::Intent>> {
                let sql = format!(
                    "SELECT {} FROM bot_intents WHERE account_id = $1 ORDER BY position, intent_id",
                    $crate::sql::bot::INTENT_COLUMNS
                );
                let found = sqlx::query(&sql).bind(account.0).fetch_all(&self.pool).await?;
                found.iter().map(bot_rows::intent).collect()
            }

            async fn bot_intent(
                &self,
                account: ketnoi_core::AccountId,
                id: &ketnoi_core::IntentId,
            ) -> $crate::Result<Option<ketnoi_core::Intent>> {
                let sql = format!(
                    "SELECT {} FROM bot_intents WHERE account_id = $1 AND intent_id = $2",
                    $crate::sql::bot::INTENT_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(id.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(bot_rows::intent).transpose()
            }

            async fn bot_intent_count(&self, account: ketnoi_core::AccountId) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM bot_intents WHERE account_id = $1")
                    .bind(account.0)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn replace_bot_intents(
                &self,
                account: ketnoi_core::AccountId,
                intents: &[ketnoi_core::Intent],
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<i64> {
                if $crate::sql::bot::has_duplicate_ids(intents) {
                    return Err($crate::StoreError::Conflict("intent"));
                }
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let version = Self::bump_kb(&mut tx, account, at).await?;
                sqlx::query("DELETE FROM bot_intents WHERE account_id = $1")
                    .bind(account.0)
                    .execute(&mut *tx)
                    .await?;
                Self::insert_intents(&mut tx, account, intents, 0, at).await?;
                tx.commit().await?;
                Ok(version)
            }

            async fn save_bot_intent(
                &self,
                account: ketnoi_core::AccountId,
                intent: &ketnoi_core::Intent,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<i64> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let version = Self::bump_kb(&mut tx, account, at).await?;
                sqlx::query(
                    "INSERT INTO bot_intents (account_id, intent_id, position, topic, question, \
                     answer, examples, updated_at, procedure_code) VALUES ($1, $2, \
                     (SELECT COALESCE(MAX(position), -1) + 1 FROM bot_intents WHERE account_id = $1), \
                     $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (account_id, intent_id) DO UPDATE SET topic = excluded.topic, \
                     question = excluded.question, answer = excluded.answer, \
                     examples = excluded.examples, updated_at = excluded.updated_at, \
                     procedure_code = excluded.procedure_code",
                )
                .bind(account.0)
                .bind(intent.id.as_str())
                .bind(intent.topic.as_str())
                .bind(intent.question.as_str())
                .bind(intent.answer.as_str())
                .bind($crate::sql::bot::to_json(&intent.examples)?)
                .bind(at.millis())
                .bind(intent.procedure.as_deref())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(version)
            }

            async fn delete_bot_intent(
                &self,
                account: ketnoi_core::AccountId,
                id: &ketnoi_core::IntentId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<i64>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                if Self::lock_kb(&mut tx, account).await?.is_none() {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let done =
                    sqlx::query("DELETE FROM bot_intents WHERE account_id = $1 AND intent_id = $2")
                        .bind(account.0)
                        .bind(id.as_str())
                        .execute(&mut *tx)
                        .await?;
                if done.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(None);
                }
                let version = Self::bump_kb(&mut tx, account, at).await?;
                tx.commit().await?;
                Ok(Some(version))
            }

            async fn add_bot_example(
                &self,
                account: ketnoi_core::AccountId,
                id: &ketnoi_core::IntentId,
                example: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<i64>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let Some(current) = Self::lock_kb(&mut tx, account).await? else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let stored: Option<String> = sqlx::query_scalar(
                    "SELECT examples FROM bot_intents WHERE account_id = $1 AND intent_id = $2",
                )
                .bind(account.0)
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(stored) = stored else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let mut examples = $crate::sql::bot::from_json(&stored)?;
                let example = $crate::sql::bot::normalise_example(example);
                if example.is_empty()
                    || examples.len() >= ketnoi_core::bot::MAX_EXAMPLES
                    || $crate::sql::bot::has_example(&examples, &example)
                {
                    tx.rollback().await?;
                    return Ok(Some(current));
                }
                examples.push(example);
                sqlx::query(
                    "UPDATE bot_intents SET examples = $3, updated_at = $4 \
                     WHERE account_id = $1 AND intent_id = $2",
                )
                .bind(account.0)
                .bind(id.as_str())
                .bind($crate::sql::bot::to_json(&examples)?)
                .bind(at.millis())
                .execute(&mut *tx)
                .await?;
                let version = Self::bump_kb(&mut tx, account, at).await?;
                tx.commit().await?;
                Ok(Some(version))
            }

            async fn bot_rules(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Vec<ketnoi_core::KeywordRule>> {
                let sql = format!(
                    "SELECT {} FROM bot_rules WHERE account_id = $1 ORDER BY id",
                    $crate::sql::bot::RULE_COLUMNS
                );
                let found = sqlx::query(&sql).bind(account.0).fetch_all(&self.pool).await?;
                found.iter().map(bot_rows::rule).collect()
            }

            async fn add_bot_rule(
                &self,
                account: ketnoi_core::AccountId,
                rule: &ketnoi_core::NewKeywordRule,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<ketnoi_core::KeywordRule> {
                let sql = format!(
                    "INSERT INTO bot_rules (account_id, keyword, keyword_key, matching, answer, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {}",
                    $crate::sql::bot::RULE_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(rule.keyword.as_str())
                    .bind(ketnoi_text::search_key(&rule.keyword))
                    .bind(rule.matching.as_str())
                    .bind(rule.answer.as_str())
                    .bind(at.millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("account"))?;
                bot_rows::rule(&row)
            }

            async fn delete_bot_rule(
                &self,
                account: ketnoi_core::AccountId,
                id: ketnoi_core::RuleId,
            ) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM bot_rules WHERE id = $1 AND account_id = $2")
                    .bind(id.0)
                    .bind(account.0)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn record_handoff(
                &self,
                handoff: &$crate::NewHandoff,
            ) -> $crate::Result<$crate::HandoffId> {
                // Inserted from the conversation's row, so a conversation of another account
                // (or none) inserts nothing.
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO bot_handoffs (account_id, conversation_id, question, \
                     suggestions, at, resolved) \
                     SELECT account_id, id, $3, $4, $5, FALSE FROM conversations \
                     WHERE id = $2 AND account_id = $1 RETURNING id",
                )
                .bind(handoff.account.0)
                .bind(handoff.conversation.0)
                .bind(handoff.question.as_str())
                .bind($crate::sql::bot::to_json(&handoff.suggestions)?)
                .bind(handoff.at.millis())
                .fetch_optional(&self.pool)
                .await?;
                id.map($crate::HandoffId).ok_or($crate::StoreError::MissingReference("conversation"))
            }

            async fn bot_handoffs(
                &self,
                account: ketnoi_core::AccountId,
                unresolved_only: bool,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::Handoff>> {
                let filter = if unresolved_only { " AND resolved = FALSE" } else { "" };
                let sql = format!(
                    "SELECT {} FROM bot_handoffs WHERE account_id = $1{filter} \
                     ORDER BY at DESC, id DESC LIMIT $2",
                    $crate::sql::bot::HANDOFF_COLUMNS
                );
                let found = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(limit.clamp(1, 1000))
                    .fetch_all(&self.pool)
                    .await?;
                found.iter().map(bot_rows::handoff).collect()
            }

            async fn bot_handoff(
                &self,
                account: ketnoi_core::AccountId,
                id: $crate::HandoffId,
            ) -> $crate::Result<Option<$crate::Handoff>> {
                let sql = format!(
                    "SELECT {} FROM bot_handoffs WHERE id = $1 AND account_id = $2",
                    $crate::sql::bot::HANDOFF_COLUMNS
                );
                let row =
                    sqlx::query(&sql).bind(id.0).bind(account.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(bot_rows::handoff).transpose()
            }

            async fn open_handoffs(
                &self,
                account: ketnoi_core::AccountId,
                since: ketnoi_core::Timestamp,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::OpenHandoff>> {
                // The answer is looked up through the partial index of officers' messages
                // (migration 0008), one seek per hand-off however long the conversation.
                let sql = format!(
                    "SELECT {}, (SELECT m.body FROM messages m \
                     WHERE m.conversation_id = h.conversation_id AND m.author_kind = 'staff' \
                     AND m.created_at >= h.at AND m.body <> '' \
                     ORDER BY m.created_at, m.seq LIMIT 1) AS reply \
                     FROM bot_handoffs h WHERE h.account_id = $1 AND h.resolved = FALSE \
                     AND h.at >= $2 ORDER BY h.at DESC, h.id DESC LIMIT $3",
                    $crate::sql::qualified($crate::sql::bot::HANDOFF_COLUMNS, "h")
                );
                let found = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(since.millis())
                    .bind(limit.clamp(1, $crate::MAX_OPEN_HANDOFFS))
                    .fetch_all(&self.pool)
                    .await?;
                found
                    .iter()
                    .map(|r| {
                        Ok($crate::OpenHandoff {
                            handoff: bot_rows::handoff(r)?,
                            reply: sqlx::Row::try_get(r, "reply")?,
                        })
                    })
                    .collect()
            }

            async fn resolve_handoff(
                &self,
                account: ketnoi_core::AccountId,
                id: $crate::HandoffId,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE bot_handoffs SET resolved = TRUE \
                     WHERE id = $1 AND account_id = $2 AND resolved = FALSE",
                )
                .bind(id.0)
                .bind(account.0)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn count_bot(
                &self,
                account: ketnoi_core::AccountId,
                day: i64,
                counter: $crate::BotCounter,
            ) -> $crate::Result<()> {
                let column = counter.column();
                let sql = format!(
                    "INSERT INTO bot_stats (account_id, day, {column}) VALUES ($1, $2, 1) \
                     ON CONFLICT (account_id, day) DO UPDATE \
                     SET {column} = bot_stats.{column} + 1"
                );
                sqlx::query(&sql)
                    .bind(account.0)
                    .bind(day)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::error::classify("account"))?;
                Ok(())
            }

            async fn bot_stats(
                &self,
                account: ketnoi_core::AccountId,
                from_day: i64,
            ) -> $crate::Result<Vec<$crate::BotDayStats>> {
                let sql = format!(
                    "SELECT {} FROM bot_stats WHERE account_id = $1 AND day >= $2 ORDER BY day",
                    $crate::sql::bot::STATS_COLUMNS
                );
                let found =
                    sqlx::query(&sql).bind(account.0).bind(from_day).fetch_all(&self.pool).await?;
                found.iter().map(bot_rows::day).collect()
            }
        }
    };
}
pub(crate) use impl_bot;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_compare_in_nfc() {
        // "Hỏi" written with a combining hook above, and precomposed.
        let decomposed = "Ho\u{0309}i giấy tờ";
        let example = normalise_example(&format!("  {decomposed} "));
        assert_eq!(example, "Hỏi giấy tờ");
        assert!(has_example(&[decomposed.to_owned()], &example));
        assert!(!has_example(&["Hỏi giấy".to_owned()], &example));
    }

    #[test]
    fn string_lists_roundtrip_through_json() {
        let json = to_json(&["căn cước", "hộ chiếu \"mới\""]).unwrap_or_else(|e| panic!("{e}"));
        let back = from_json(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, vec!["căn cước", "hộ chiếu \"mới\""]);
        assert!(from_json("{").is_err());
    }
}
