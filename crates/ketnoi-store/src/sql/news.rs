//! Articles, broadcasts and their audiences, follower tags and push subscriptions.
//!
//! An audience is matched in SQL, never expanded into rows: counting it walks
//! `follows (account_id, area_code)` over the target areas' subtree (a recursive walk of the
//! area tree), and `follower_tags (account_id, tag, citizen_id)` for tags; a reader's feed
//! keeps the broadcasts whose targets name an area of the reader's ancestry or a tag they carry.

/// The columns read for a [`crate::Article`].
pub(crate) const ARTICLE_COLUMNS: &str = "id, account_id, slug, title, summary, body, body_html, \
     cover_key, cover_type, state, publish_at, author_id, created_at, updated_at";
/// The columns read for a [`crate::Broadcast`] (its targets come from a second query).
pub(crate) const BROADCAST_COLUMNS: &str = "id, account_id, kind, body, article_id, buttons, \
     alert, state, send_at, sent_at, audience_size, delivered, opened, author_id, created_at";
/// The columns read for a [`crate::PushSubscription`].
pub(crate) const PUSH_COLUMNS: &str = "id, citizen_id, endpoint, p256dh, auth, created_at";

/// Counts an account's broadcasts that use its allowance in a window: not alerts, not
/// cancelled (binds: account, window start, window end).
pub(crate) const COUNTED_IN_WINDOW: &str = "SELECT COUNT(*) FROM broadcasts WHERE account_id = $1 \
     AND emergency = FALSE AND state <> 'cancelled' AND send_at >= $2 AND send_at < $3";

/// Appends to a query on `follows f` the conditions that keep the audience's members: a ward in
/// the subtree `sub` (a CTE the query declares, see [`push_subtree`]) and one of the tags.
macro_rules! push_audience_filter {
    ($qb:expr, $audience:expr) => {{
        let audience: &ketnoi_core::Audience = $audience;
        if !audience.areas.is_empty() {
            $qb.push(" AND f.area_code IN (SELECT code FROM sub)");
        }
        if !audience.tags.is_empty() {
            $qb.push(
                " AND EXISTS (SELECT 1 FROM follower_tags ft WHERE ft.account_id = f.account_id \
                 AND ft.citizen_id = f.citizen_id AND ft.tag IN (",
            );
            let mut list = $qb.separated(", ");
            for tag in &audience.tags {
                list.push_bind(tag.as_str().to_owned());
            }
            $qb.push("))");
        }
    }};
}
pub(crate) use push_audience_filter;

/// Starts a query with the CTE `sub`: the audience's target areas and every area below them.
macro_rules! push_subtree {
    ($qb:expr, $audience:expr) => {{
        let audience: &ketnoi_core::Audience = $audience;
        if !audience.areas.is_empty() {
            $qb.push("WITH RECURSIVE sub(code) AS (SELECT code FROM areas WHERE code IN (");
            let mut list = $qb.separated(", ");
            for area in &audience.areas {
                list.push_bind(area.as_str().to_owned());
            }
            $qb.push(") UNION SELECT a.code FROM areas a JOIN sub s ON a.parent_code = s.code) ");
        }
    }};
}
pub(crate) use push_subtree;

macro_rules! impl_news {
    ($store:ty, $db:ty, $row:ty) => {
        mod news_rows {
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;

            fn decode(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
                StoreError::Database(sqlx::Error::Decode(Box::new(e)))
            }

            pub(crate) fn article(r: &$row) -> Result<$crate::Article, StoreError> {
                let key: Option<String> = r.try_get("cover_key")?;
                let kind: Option<String> = r.try_get("cover_type")?;
                Ok($crate::Article {
                    id: ArticleId(r.try_get("id")?),
                    account: AccountId(r.try_get("account_id")?),
                    slug: r.try_get("slug")?,
                    title: r.try_get("title")?,
                    summary: r.try_get("summary")?,
                    body: r.try_get("body")?,
                    body_html: r.try_get("body_html")?,
                    cover: key.zip(kind),
                    state: r.try_get::<&str, _>("state")?.parse()?,
                    publish_at: r.try_get::<Option<i64>, _>("publish_at")?.map(Timestamp),
                    author: r.try_get::<Option<i64>, _>("author_id")?.map(StaffId),
                    created_at: Timestamp(r.try_get("created_at")?),
                    updated_at: Timestamp(r.try_get("updated_at")?),
                })
            }

            /// A broadcast without its audience, which [`super::NewsTargets`] fills in.
            pub(crate) fn broadcast(r: &$row) -> Result<$crate::Broadcast, StoreError> {
                let text: String = r.try_get("body")?;
                let buttons: Option<&str> = r.try_get("buttons")?;
                let buttons: Vec<Button> =
                    serde_json::from_str(buttons.unwrap_or("[]")).map_err(decode)?;
                let body = match r.try_get::<&str, _>("kind")? {
                    "article" => $crate::BroadcastBody::Article {
                        text,
                        article: ArticleId(
                            r.try_get::<Option<i64>, _>("article_id")?.unwrap_or_default(),
                        ),
                        buttons,
                    },
                    "structured" => $crate::BroadcastBody::Structured { text, buttons },
                    _ => $crate::BroadcastBody::Text { text },
                };
                let alert: Option<&str> = r.try_get("alert")?;
                Ok($crate::Broadcast {
                    id: BroadcastId(r.try_get("id")?),
                    account: AccountId(r.try_get("account_id")?),
                    body,
                    audience: Audience::default(),
                    alert: alert.map(serde_json::from_str).transpose().map_err(decode)?,
                    state: r.try_get::<&str, _>("state")?.parse()?,
                    send_at: Timestamp(r.try_get("send_at")?),
                    sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(Timestamp),
                    audience_size: r.try_get("audience_size")?,
                    delivered: r.try_get("delivered")?,
                    opened: r.try_get("opened")?,
                    author: r.try_get::<Option<i64>, _>("author_id")?.map(StaffId),
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn push(r: &$row) -> Result<$crate::PushSubscription, StoreError> {
                Ok($crate::PushSubscription {
                    id: r.try_get("id")?,
                    citizen: CitizenId(r.try_get("citizen_id")?),
                    endpoint: r.try_get("endpoint")?,
                    p256dh: r.try_get("p256dh")?,
                    auth: r.try_get("auth")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }
        }

        impl $store {
            /// Fills in the audiences of broadcasts read without them.
            async fn with_targets(
                &self,
                mut found: Vec<$crate::Broadcast>,
            ) -> $crate::Result<Vec<$crate::Broadcast>> {
                use sqlx::Row as _;
                if found.is_empty() {
                    return Ok(found);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT broadcast_id, kind, value FROM broadcast_targets WHERE broadcast_id IN (",
                );
                let mut list = qb.separated(", ");
                for b in &found {
                    list.push_bind(b.id.0);
                }
                qb.push(") ORDER BY broadcast_id, kind, value");
                let rows = qb.build().fetch_all(&self.pool).await?;
                let mut by_id: std::collections::HashMap<i64, ketnoi_core::Audience> =
                    std::collections::HashMap::new();
                for r in &rows {
                    let id: i64 = r.try_get("broadcast_id")?;
                    let value: &str = r.try_get("value")?;
                    let entry = by_id.entry(id).or_default();
                    match r.try_get::<&str, _>("kind")? {
                        "area" => entry.areas.push(ketnoi_core::AreaCode::parse(value)?),
                        _ => entry.tags.push(ketnoi_core::Tag::parse(value)?),
                    }
                }
                for b in &mut found {
                    if let Some(audience) = by_id.remove(&b.id.0) {
                        b.audience = audience;
                    }
                }
                Ok(found)
            }

            /// Broadcasts a `WHERE`-and-`ORDER BY` tail selects, with their audiences.
            async fn broadcasts_where(
                &self,
                tail: &str,
                binds: &[i64],
            ) -> $crate::Result<Vec<$crate::Broadcast>> {
                let sql = format!(
                    "SELECT {} FROM broadcasts {tail}",
                    $crate::sql::news::BROADCAST_COLUMNS
                );
                let mut query = sqlx::query(&sql);
                for value in binds {
                    query = query.bind(*value);
                }
                let found = query.fetch_all(&self.pool).await?;
                let found = found.iter().map(news_rows::broadcast).collect::<$crate::Result<_>>()?;
                self.with_targets(found).await
            }

            /// Counts the audience inside a transaction or on the pool.
            async fn count_audience<'e, E>(
                executor: E,
                account: ketnoi_core::AccountId,
                audience: &ketnoi_core::Audience,
            ) -> $crate::Result<i64>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                if audience.is_everyone() {
                    let n: i64 =
                        sqlx::query_scalar("SELECT follower_count FROM accounts WHERE id = $1")
                            .bind(account.0)
                            .fetch_optional(executor)
                            .await?
                            .unwrap_or(0);
                    return Ok(n);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                $crate::sql::news::push_subtree!(qb, audience);
                qb.push("SELECT COUNT(*) FROM follows f WHERE f.account_id = ").push_bind(account.0);
                $crate::sql::news::push_audience_filter!(qb, audience);
                let n: i64 = qb.build_query_scalar().fetch_one(executor).await?;
                Ok(n)
            }

            async fn create_broadcast_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                b: &$crate::NewBroadcast,
                quota: Option<$crate::Quota>,
            ) -> $crate::Result<Result<$crate::Broadcast, $crate::BroadcastRefusal>> {
                // One account's sends are ordered by a lock on its row, so two officers sending
                // at once cannot both take the last one of the week.
                let lock = format!(
                    "SELECT id FROM accounts WHERE id = $1{}",
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let found: Option<i64> =
                    sqlx::query_scalar(&lock).bind(b.account.0).fetch_optional(&mut **tx).await?;
                if found.is_none() {
                    return Err($crate::StoreError::MissingReference("account"));
                }
                if !b.audience.areas.is_empty() {
                    let mut qb =
                        sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM areas WHERE code IN (");
                    let mut list = qb.separated(", ");
                    for area in &b.audience.areas {
                        list.push_bind(area.as_str().to_owned());
                    }
                    qb.push(")");
                    let known: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
                    if known != b.audience.areas.len() as i64 {
                        return Err($crate::StoreError::MissingReference("area"));
                    }
                }
                if let Some(q) = quota {
                    let used: i64 = sqlx::query_scalar($crate::sql::news::COUNTED_IN_WINDOW)
                    .bind(b.account.0)
                    .bind(q.window.0.millis())
                    .bind(q.window.1.millis())
                    .fetch_one(&mut **tx)
                    .await?;
                    if used >= q.limit {
                        return Ok(Err($crate::BroadcastRefusal::OverQuota { used }));
                    }
                }
                let now = b.send_at <= b.created_at;
                let audience_size = if now {
                    Self::count_audience(&mut **tx, b.account, &b.audience).await?
                } else {
                    0
                };
                let article = match &b.body {
                    $crate::BroadcastBody::Article { article, .. } => Some(article.0),
                    _ => None,
                };
                let buttons = Some(b.body.buttons())
                    .filter(|buttons| !buttons.is_empty())
                    .map(|buttons| serde_json::to_string(buttons).unwrap_or_else(|_| "[]".to_owned()));
                let alert = b
                    .alert
                    .as_ref()
                    .map(|a| serde_json::to_string(a).unwrap_or_else(|_| "{}".to_owned()));
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO broadcasts (account_id, kind, body, article_id, buttons, alert, \
                     emergency, area_count, tag_count, state, send_at, sent_at, audience_size, \
                     author_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     RETURNING id",
                )
                .bind(b.account.0)
                .bind(b.body.kind())
                .bind(b.body.text())
                .bind(article)
                .bind(buttons)
                .bind(alert)
                .bind(b.alert.is_some())
                .bind(b.audience.areas.len() as i64)
                .bind(b.audience.tags.len() as i64)
                .bind(if now { "sent" } else { "scheduled" })
                .bind(if now { b.created_at.millis() } else { b.send_at.millis() })
                .bind(now.then_some(b.created_at.millis()))
                .bind(audience_size)
                .bind(b.author.map(|s| s.0))
                .bind(b.created_at.millis())
                .fetch_one(&mut **tx)
                .await
                .map_err($crate::sql::tip::classify_apart("broadcast", "article"))?;
                let targets = b
                    .audience
                    .areas
                    .iter()
                    .map(|a| ("area", a.as_str()))
                    .chain(b.audience.tags.iter().map(|t| ("tag", t.as_str())));
                for (kind, value) in targets {
                    sqlx::query(
                        "INSERT INTO broadcast_targets (broadcast_id, kind, value) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(kind)
                    .bind(value)
                    .execute(&mut **tx)
                    .await?;
                }
                let sql = format!(
                    "SELECT {} FROM broadcasts WHERE id = $1",
                    $crate::sql::news::BROADCAST_COLUMNS
                );
                let row = sqlx::query(&sql).bind(id).fetch_one(&mut **tx).await?;
                let mut stored = news_rows::broadcast(&row)?;
                stored.audience = b.audience.clone();
                Ok(Ok(stored))
            }

            /// The feed's articles part: one arm per account, each read newest first from the
            /// account's own index and cut at the page size, joined with `UNION ALL` (an
            /// `account_id IN (…)` would make the engine sort every article of those accounts).
            async fn feed_articles(
                &self,
                q: &$crate::FeedQuery,
                accounts: &[i64],
            ) -> $crate::Result<Vec<$crate::FeedItem>> {
                let cols = $crate::sql::qualified($crate::sql::news::ARTICLE_COLUMNS, "a");
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                for (i, account) in accounts.iter().enumerate() {
                    if i > 0 {
                        qb.push(" UNION ALL ");
                    }
                    qb.push(format!(
                        "SELECT * FROM (SELECT {cols} FROM articles a WHERE a.account_id = "
                    ))
                    .push_bind(*account)
                    .push(" AND a.state IN ('published', 'scheduled') AND a.publish_at <= ")
                    .push_bind(q.now.millis());
                    if let Some(c) = q.before {
                        // (publish_at, 0, id) < (at, rank, id), spelt out for both engines.
                        qb.push(" AND (a.publish_at < ").push_bind(c.at.millis());
                        qb.push(" OR (a.publish_at = ").push_bind(c.at.millis());
                        if c.rank > 0 {
                            qb.push("))");
                        } else {
                            qb.push(" AND a.id < ").push_bind(c.id).push("))");
                        }
                    }
                    qb.push(" ORDER BY a.publish_at DESC, a.id DESC LIMIT ")
                        .push_bind(q.limit.clamp(1, 100))
                        .push(") arm");
                }
                let found = qb.build().fetch_all(&self.pool).await?;
                found
                    .iter()
                    .map(|r| news_rows::article(r).map($crate::FeedItem::Article))
                    .collect()
            }

            /// The feed's broadcasts part: those addressed to the reader, one arm per account
            /// as for articles.
            async fn feed_broadcasts(
                &self,
                q: &$crate::FeedQuery,
                accounts: &[i64],
                citizen: ketnoi_core::CitizenId,
                ancestry: &[String],
            ) -> $crate::Result<Vec<$crate::FeedItem>> {
                let cols = $crate::sql::qualified($crate::sql::news::BROADCAST_COLUMNS, "b");
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                for (i, account) in accounts.iter().enumerate() {
                    if i > 0 {
                        qb.push(" UNION ALL ");
                    }
                    qb.push(format!(
                        "SELECT * FROM (SELECT {cols} FROM broadcasts b WHERE b.account_id = "
                    ))
                    .push_bind(*account)
                    .push(" AND b.state = 'sent'");
                    if let Some(c) = q.before {
                        qb.push(" AND (b.sent_at < ").push_bind(c.at.millis());
                        if c.rank > 0 {
                            qb.push(" OR (b.sent_at = ").push_bind(c.at.millis());
                            qb.push(" AND b.id < ").push_bind(c.id).push("))");
                        } else {
                            qb.push(")");
                        }
                    }
                    qb.push(
                        " AND (b.area_count = 0 OR EXISTS (SELECT 1 FROM broadcast_targets t \
                         WHERE t.broadcast_id = b.id AND t.kind = 'area' AND t.value IN (",
                    );
                    if ancestry.is_empty() {
                        qb.push("NULL");
                    } else {
                        let mut list = qb.separated(", ");
                        for code in ancestry {
                            list.push_bind(code.clone());
                        }
                    }
                    qb.push(")))");
                    qb.push(
                        " AND (b.tag_count = 0 OR EXISTS (SELECT 1 FROM broadcast_targets t \
                         JOIN follower_tags ft ON ft.tag = t.value AND ft.account_id = b.account_id \
                         WHERE t.broadcast_id = b.id AND t.kind = 'tag' AND ft.citizen_id = ",
                    )
                    .push_bind(citizen.0)
                    .push("))");
                    qb.push(" ORDER BY b.sent_at DESC, b.id DESC LIMIT ")
                        .push_bind(q.limit.clamp(1, 100))
                        .push(") arm");
                }
                let found = qb.build().fetch_all(&self.pool).await?;
                let found = found.iter().map(news_rows::broadcast).collect::<$crate::Result<_>>()?;
                Ok(self
                    .with_targets(found)
                    .await?
                    .into_iter()
                    .map($crate::FeedItem::Broadcast)
                    .collect())
            }

            /// The reader's ward and every area above it, nearest first, in one query.
            async fn reader_ancestry(&self, citizen: ketnoi_core::CitizenId) -> $crate::Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "WITH RECURSIVE up(code, parent_code, depth) AS ( \
                       SELECT a.code, a.parent_code, 0 FROM citizens c JOIN areas a ON a.code = c.area_code \
                       WHERE c.id = $1 \
                       UNION ALL SELECT a.code, a.parent_code, up.depth + 1 FROM areas a \
                       JOIN up ON a.code = up.parent_code WHERE up.depth < 16) \
                     SELECT code FROM up ORDER BY depth",
                )
                .bind(citizen.0)
                .fetch_all(&self.pool)
                .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::NewsStore for $store {
            async fn create_article(
                &self,
                account: ketnoi_core::AccountId,
                slug: &str,
                draft: &$crate::ArticleDraft,
                author: Option<ketnoi_core::StaffId>,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::Article> {
                let publish_at = $crate::sql::news::publish_time(draft, None, at);
                let (cover_key, cover_type) = draft.cover.clone().unzip();
                // A title used before on the account gets the next free number.
                for n in 1..=50 {
                    let candidate = if n == 1 { slug.to_owned() } else { format!("{slug}-{n}") };
                    let sql = format!(
                        "INSERT INTO articles (account_id, slug, title, summary, body, body_html, \
                         cover_key, cover_type, state, publish_at, author_id, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
                         ON CONFLICT (account_id, slug) DO NOTHING RETURNING {}",
                        $crate::sql::news::ARTICLE_COLUMNS
                    );
                    let row = sqlx::query(&sql)
                        .bind(account.0)
                        .bind(&candidate)
                        .bind(&draft.title)
                        .bind(&draft.summary)
                        .bind(&draft.body)
                        .bind(&draft.body_html)
                        .bind(&cover_key)
                        .bind(&cover_type)
                        .bind(draft.state.as_str())
                        .bind(publish_at.map(|t| t.millis()))
                        .bind(author.map(|s| s.0))
                        .bind(at.millis())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($crate::error::classify("account"))?;
                    if let Some(row) = row {
                        return news_rows::article(&row);
                    }
                }
                Err($crate::StoreError::Conflict("article"))
            }

            async fn update_article(
                &self,
                id: ketnoi_core::ArticleId,
                draft: &$crate::ArticleDraft,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::Article> {
                let current = self.article(id).await?.ok_or($crate::StoreError::NotFound("article"))?;
                let publish_at = $crate::sql::news::publish_time(draft, Some(&current), at);
                let cover = draft.cover.clone().or(current.cover);
                let (cover_key, cover_type) = cover.unzip();
                let sql = format!(
                    "UPDATE articles SET title = $2, summary = $3, body = $4, body_html = $5, \
                     cover_key = $6, cover_type = $7, state = $8, publish_at = $9, updated_at = $10 \
                     WHERE id = $1 RETURNING {}",
                    $crate::sql::news::ARTICLE_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(id.0)
                    .bind(&draft.title)
                    .bind(&draft.summary)
                    .bind(&draft.body)
                    .bind(&draft.body_html)
                    .bind(cover_key)
                    .bind(cover_type)
                    .bind(draft.state.as_str())
                    .bind(publish_at.map(|t| t.millis()))
                    .bind(at.millis())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or($crate::StoreError::NotFound("article"))?;
                news_rows::article(&row)
            }

            async fn set_article_state(
                &self,
                id: ketnoi_core::ArticleId,
                state: ketnoi_core::ArticleState,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                // Publishing now gives the article its time; other changes keep it.
                let done = sqlx::query(
                    "UPDATE articles SET state = $2, updated_at = $3, publish_at = CASE \
                     WHEN $2 = 'published' AND (publish_at IS NULL OR publish_at > $3) THEN $3 \
                     ELSE publish_at END WHERE id = $1",
                )
                .bind(id.0)
                .bind(state.as_str())
                .bind(at.millis())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn article(
                &self,
                id: ketnoi_core::ArticleId,
            ) -> $crate::Result<Option<$crate::Article>> {
                let sql =
                    format!("SELECT {} FROM articles WHERE id = $1", $crate::sql::news::ARTICLE_COLUMNS);
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(news_rows::article).transpose()
            }

            async fn article_by_slug(
                &self,
                account: ketnoi_core::AccountId,
                slug: &str,
            ) -> $crate::Result<Option<$crate::Article>> {
                let sql = format!(
                    "SELECT {} FROM articles WHERE account_id = $1 AND slug = $2",
                    $crate::sql::news::ARTICLE_COLUMNS
                );
                let row =
                    sqlx::query(&sql).bind(account.0).bind(slug).fetch_optional(&self.pool).await?;
                row.as_ref().map(news_rows::article).transpose()
            }

            async fn account_articles(
                &self,
                account: ketnoi_core::AccountId,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::Article>> {
                let sql = format!(
                    "SELECT {} FROM articles WHERE account_id = $1 \
                     ORDER BY updated_at DESC, id DESC LIMIT $2",
                    $crate::sql::news::ARTICLE_COLUMNS
                );
                let found = sqlx::query(&sql)
                    .bind(account.0)
                    .bind(limit.clamp(1, 500))
                    .fetch_all(&self.pool)
                    .await?;
                found.iter().map(news_rows::article).collect()
            }

            async fn create_broadcast(
                &self,
                broadcast: &$crate::NewBroadcast,
                quota: Option<$crate::Quota>,
            ) -> $crate::Result<Result<$crate::Broadcast, $crate::BroadcastRefusal>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = Self::create_broadcast_in(&mut tx, broadcast, quota).await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn broadcast(
                &self,
                id: ketnoi_core::BroadcastId,
            ) -> $crate::Result<Option<$crate::Broadcast>> {
                Ok(self.broadcasts_where("WHERE id = $1", &[id.0]).await?.pop())
            }

            async fn fire_broadcast(
                &self,
                id: ketnoi_core::BroadcastId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Option<$crate::Broadcast>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = async {
                    let fired: Option<i64> = sqlx::query_scalar(
                        "UPDATE broadcasts SET state = 'sent', sent_at = $2 \
                         WHERE id = $1 AND state = 'scheduled' RETURNING account_id",
                    )
                    .bind(id.0)
                    .bind(at.millis())
                    .fetch_optional(&mut *tx)
                    .await?;
                    Ok::<_, $crate::StoreError>(fired)
                }
                .await;
                let Some(_) = $crate::sql::tip::finish(tx, outcome).await? else {
                    return Ok(None);
                };
                let Some(mut fired) = self.broadcast(id).await? else { return Ok(None) };
                fired.audience_size = Self::count_audience(&self.pool, fired.account, &fired.audience).await?;
                sqlx::query("UPDATE broadcasts SET audience_size = $2 WHERE id = $1")
                    .bind(id.0)
                    .bind(fired.audience_size)
                    .execute(&self.pool)
                    .await?;
                Ok(Some(fired))
            }

            async fn cancel_broadcast(&self, id: ketnoi_core::BroadcastId) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE broadcasts SET state = 'cancelled' WHERE id = $1 AND state = 'scheduled'",
                )
                .bind(id.0)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn account_broadcasts(
                &self,
                account: ketnoi_core::AccountId,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::Broadcast>> {
                self.broadcasts_where(
                    "WHERE account_id = $1 ORDER BY send_at DESC, id DESC LIMIT $2",
                    &[account.0, limit.clamp(1, 500)],
                )
                .await
            }

            async fn counted_broadcasts(
                &self,
                account: ketnoi_core::AccountId,
                window: (ketnoi_core::Timestamp, ketnoi_core::Timestamp),
            ) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar($crate::sql::news::COUNTED_IN_WINDOW)
                    .bind(account.0)
                    .bind(window.0.millis())
                    .bind(window.1.millis())
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn audience_size(
                &self,
                account: ketnoi_core::AccountId,
                audience: &ketnoi_core::Audience,
            ) -> $crate::Result<i64> {
                Self::count_audience(&self.pool, account, audience).await
            }

            async fn audience_members(
                &self,
                account: ketnoi_core::AccountId,
                audience: &ketnoi_core::Audience,
                among: &[ketnoi_core::CitizenId],
            ) -> $crate::Result<Vec<ketnoi_core::CitizenId>> {
                let mut out = Vec::new();
                for chunk in among.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("");
                    $crate::sql::news::push_subtree!(qb, audience);
                    qb.push("SELECT f.citizen_id FROM follows f WHERE f.account_id = ")
                        .push_bind(account.0);
                    $crate::sql::news::push_audience_filter!(qb, audience);
                    qb.push(" AND f.citizen_id IN (");
                    let mut list = qb.separated(", ");
                    for c in chunk {
                        list.push_bind(c.0);
                    }
                    qb.push(")");
                    let found: Vec<i64> = qb.build_query_scalar().fetch_all(&self.pool).await?;
                    out.extend(found.into_iter().map(ketnoi_core::CitizenId));
                }
                Ok(out)
            }

            async fn audience_subscriptions(
                &self,
                account: ketnoi_core::AccountId,
                audience: &ketnoi_core::Audience,
                after_id: i64,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::PushSubscription>> {
                let cols = $crate::sql::qualified($crate::sql::news::PUSH_COLUMNS, "p");
                let mut qb = sqlx::QueryBuilder::<$db>::new("");
                $crate::sql::news::push_subtree!(qb, audience);
                qb.push(format!(
                    "SELECT {cols} FROM push_subscriptions p \
                     JOIN follows f ON f.citizen_id = p.citizen_id WHERE f.account_id = "
                ))
                .push_bind(account.0);
                $crate::sql::news::push_audience_filter!(qb, audience);
                qb.push(" AND p.id > ").push_bind(after_id);
                qb.push(" ORDER BY p.id LIMIT ").push_bind(limit.clamp(1, 1000));
                let found = qb.build().fetch_all(&self.pool).await?;
                found.iter().map(news_rows::push).collect()
            }

            async fn add_delivered(
                &self,
                id: ketnoi_core::BroadcastId,
                count: i64,
            ) -> $crate::Result<()> {
                sqlx::query("UPDATE broadcasts SET delivered = delivered + $2 WHERE id = $1")
                    .bind(id.0)
                    .bind(count)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn record_open(
                &self,
                id: ketnoi_core::BroadcastId,
                citizen: ketnoi_core::CitizenId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<bool> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = async {
                    let added = sqlx::query(
                        "INSERT INTO broadcast_opens (broadcast_id, citizen_id, opened_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (broadcast_id, citizen_id) DO NOTHING",
                    )
                    .bind(id.0)
                    .bind(citizen.0)
                    .bind(at.millis())
                    .execute(&mut *tx)
                    .await
                    .map_err($crate::error::classify("broadcast"))?
                    .rows_affected()
                        == 1;
                    if added {
                        sqlx::query("UPDATE broadcasts SET opened = opened + 1 WHERE id = $1")
                            .bind(id.0)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Ok(added)
                }
                .await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn emergency_alerts(
                &self,
                since: ketnoi_core::Timestamp,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::Broadcast>> {
                self.broadcasts_where(
                    "WHERE emergency = TRUE AND state = 'sent' AND sent_at >= $1 \
                     ORDER BY sent_at DESC, id DESC LIMIT $2",
                    &[since.millis(), limit.clamp(1, 500)],
                )
                .await
            }

            async fn feed(&self, q: &$crate::FeedQuery) -> $crate::Result<Vec<$crate::FeedItem>> {
                let accounts: Vec<i64> = match (q.account, q.citizen) {
                    (Some(account), _) => vec![account.0],
                    (None, Some(citizen)) => {
                        sqlx::query_scalar("SELECT account_id FROM follows WHERE citizen_id = $1")
                            .bind(citizen.0)
                            .fetch_all(&self.pool)
                            .await?
                    }
                    (None, None) => return Ok(Vec::new()),
                };
                let mut items = Vec::new();
                // A few hundred arms a statement at most: engines bound how many terms a
                // compound select may have.
                for chunk in accounts.chunks(200) {
                    if q.articles {
                        items.extend(self.feed_articles(q, chunk).await?);
                    }
                }
                if q.broadcasts && let Some(citizen) = q.citizen && !accounts.is_empty() {
                    let ancestry = self.reader_ancestry(citizen).await?;
                    for chunk in accounts.chunks(200) {
                        items.extend(self.feed_broadcasts(q, chunk, citizen, &ancestry).await?);
                    }
                }
                items.sort_by_key(|i| std::cmp::Reverse(i.cursor()));
                items.truncate(q.limit.clamp(1, 100) as usize);
                Ok(items)
            }

            async fn set_citizen_area(
                &self,
                citizen: ketnoi_core::CitizenId,
                area: Option<&ketnoi_core::AreaCode>,
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = async {
                    let code = area.map(|a| a.as_str().to_owned());
                    let done = sqlx::query("UPDATE citizens SET area_code = $2 WHERE id = $1")
                        .bind(citizen.0)
                        .bind(&code)
                        .execute(&mut *tx)
                        .await
                        .map_err($crate::error::classify("area"))?;
                    if done.rows_affected() == 0 {
                        return Err($crate::StoreError::NotFound("citizen"));
                    }
                    sqlx::query("UPDATE follows SET area_code = $2 WHERE citizen_id = $1")
                        .bind(citizen.0)
                        .bind(&code)
                        .execute(&mut *tx)
                        .await?;
                    Ok(())
                }
                .await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn citizen_area(
                &self,
                citizen: ketnoi_core::CitizenId,
            ) -> $crate::Result<Option<ketnoi_core::AreaCode>> {
                let code: Option<Option<String>> =
                    sqlx::query_scalar("SELECT area_code FROM citizens WHERE id = $1")
                        .bind(citizen.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(code.flatten().as_deref().map(ketnoi_core::AreaCode::parse).transpose()?)
            }

            async fn set_follower_tags(
                &self,
                account: ketnoi_core::AccountId,
                citizen: ketnoi_core::CitizenId,
                tags: &[ketnoi_core::Tag],
            ) -> $crate::Result<()> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let outcome = async {
                    let follows: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM follows WHERE account_id = $1 AND citizen_id = $2",
                    )
                    .bind(account.0)
                    .bind(citizen.0)
                    .fetch_one(&mut *tx)
                    .await?;
                    if follows == 0 {
                        return Err($crate::StoreError::NotFound("follower"));
                    }
                    sqlx::query("DELETE FROM follower_tags WHERE account_id = $1 AND citizen_id = $2")
                        .bind(account.0)
                        .bind(citizen.0)
                        .execute(&mut *tx)
                        .await?;
                    for tag in tags {
                        sqlx::query(
                            "INSERT INTO follower_tags (account_id, tag, citizen_id) VALUES ($1, $2, $3) \
                             ON CONFLICT (account_id, tag, citizen_id) DO NOTHING",
                        )
                        .bind(account.0)
                        .bind(tag.as_str())
                        .bind(citizen.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Ok(())
                }
                .await;
                $crate::sql::tip::finish(tx, outcome).await
            }

            async fn follower_tags(
                &self,
                account: ketnoi_core::AccountId,
                citizen: ketnoi_core::CitizenId,
            ) -> $crate::Result<Vec<ketnoi_core::Tag>> {
                let found: Vec<String> = sqlx::query_scalar(
                    "SELECT tag FROM follower_tags WHERE account_id = $1 AND citizen_id = $2 ORDER BY tag",
                )
                .bind(account.0)
                .bind(citizen.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(found.iter().map(|t| ketnoi_core::Tag::parse(t)).collect::<Result<_, _>>()?)
            }

            async fn account_tags(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Vec<(ketnoi_core::Tag, i64)>> {
                let found: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT tag, COUNT(*) FROM follower_tags WHERE account_id = $1 \
                     GROUP BY tag ORDER BY tag",
                )
                .bind(account.0)
                .fetch_all(&self.pool)
                .await?;
                found
                    .into_iter()
                    .map(|(t, n)| Ok((ketnoi_core::Tag::parse(&t)?, n)))
                    .collect()
            }

            async fn broadcast_quota(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<Option<i64>> {
                Ok(sqlx::query_scalar("SELECT per_week FROM broadcast_quotas WHERE account_id = $1")
                    .bind(account.0)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn set_broadcast_quota(
                &self,
                account: ketnoi_core::AccountId,
                per_week: Option<i64>,
            ) -> $crate::Result<()> {
                match per_week {
                    Some(n) => {
                        sqlx::query(
                            "INSERT INTO broadcast_quotas (account_id, per_week) VALUES ($1, $2) \
                             ON CONFLICT (account_id) DO UPDATE SET per_week = excluded.per_week",
                        )
                        .bind(account.0)
                        .bind(n.max(0))
                        .execute(&self.pool)
                        .await
                        .map_err($crate::error::classify("account"))?;
                    }
                    None => {
                        sqlx::query("DELETE FROM broadcast_quotas WHERE account_id = $1")
                            .bind(account.0)
                            .execute(&self.pool)
                            .await?;
                    }
                }
                Ok(())
            }

            async fn put_push_subscription(
                &self,
                citizen: ketnoi_core::CitizenId,
                endpoint: &str,
                p256dh: &str,
                auth: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::PushSubscription> {
                let sql = format!(
                    "INSERT INTO push_subscriptions (citizen_id, endpoint, p256dh, auth, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (endpoint) DO UPDATE SET \
                     citizen_id = excluded.citizen_id, p256dh = excluded.p256dh, \
                     auth = excluded.auth, created_at = excluded.created_at RETURNING {}",
                    $crate::sql::news::PUSH_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(citizen.0)
                    .bind(endpoint)
                    .bind(p256dh)
                    .bind(auth)
                    .bind(at.millis())
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::error::classify("citizen"))?;
                news_rows::push(&row)
            }

            async fn push_subscriptions(
                &self,
                citizen: ketnoi_core::CitizenId,
            ) -> $crate::Result<Vec<$crate::PushSubscription>> {
                let sql = format!(
                    "SELECT {} FROM push_subscriptions WHERE citizen_id = $1 ORDER BY id",
                    $crate::sql::news::PUSH_COLUMNS
                );
                let found = sqlx::query(&sql).bind(citizen.0).fetch_all(&self.pool).await?;
                found.iter().map(news_rows::push).collect()
            }

            async fn delete_push_subscription(&self, endpoint: &str) -> $crate::Result<bool> {
                let done = sqlx::query("DELETE FROM push_subscriptions WHERE endpoint = $1")
                    .bind(endpoint)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}
pub(crate) use impl_news;

/// When an article saved in `draft`'s state is published: a scheduled one at its time, a
/// published one when it was first published (or now), a draft or withdrawn one keeps any
/// earlier time so a republished article keeps its place.
pub(crate) fn publish_time(
    draft: &crate::ArticleDraft,
    current: Option<&crate::Article>,
    now: ketnoi_core::Timestamp,
) -> Option<ketnoi_core::Timestamp> {
    use ketnoi_core::ArticleState::*;
    let earlier = current.and_then(|a| a.publish_at);
    match draft.state {
        Scheduled => draft.publish_at.or(earlier),
        Published => match earlier {
            Some(t) if t <= now => Some(t),
            _ => Some(now),
        },
        Draft | Withdrawn => earlier,
    }
}
