//! The front desk's SQL: menus, guides, their legal basis and forms, overrides.
//!
//! Reads take the reader's agency ancestry (its own agency first) and keep, of everything its
//! line offers, the nearest owner's item for each code; the SQL selects the candidates (the
//! agency's own rows and the templates above) and Rust keeps the nearest. Flagging the guides
//! that cite a replaced document is one `UPDATE` through `procedure_legal (legal_doc_id, …)`,
//! however many agencies the guides belong to.

use ketnoi_core::{AgencyId, desk::LegalRef};

use crate::StoreError;

/// The columns read for a [`crate::Procedure`] (`p` is `procedures`).
pub(crate) const PROCEDURE_COLUMNS: &str = "p.id, p.agency_id, p.body, p.reviewed_at, \
     p.stale_since, p.updated_at, (SELECT number FROM legal_docs WHERE id = p.stale_doc_id) AS stale_number";
/// The columns read for a [`crate::LegalDoc`] (`d` is the document, `s` its replacement).
pub(crate) const LEGAL_COLUMNS: &str = "d.id, d.number, d.title, d.issuer, d.effective_on, \
     d.expires_on, d.superseded_on, d.agency_id, s.number AS superseded_number";
/// The columns read for a [`crate::Form`] (`f` is `desk_forms`), but for `stale`.
pub(crate) const FORM_COLUMNS: &str = "f.id, f.agency_id, f.body, f.blob_key, f.content_type, \
     f.file_name, f.size, f.reviewed_at";
/// The columns read for a [`crate::MenuVersion`].
pub(crate) const MENU_COLUMNS: &str = "account_id, agency_id, version, body, author_id, created_at";

/// Where `id` stands in the ancestry: 0 for the reader's own agency, more the further up, and
/// past the end for an agency off the line.
pub(crate) fn rank(ancestry: &[AgencyId], id: AgencyId) -> usize {
    ancestry.iter().position(|a| *a == id).unwrap_or(usize::MAX)
}

/// Keeps, of items keyed by code, the one whose owner is nearest in the ancestry.
pub(crate) fn nearest<T>(
    ancestry: &[AgencyId],
    items: Vec<T>,
    code: impl Fn(&T) -> &str,
    owner: impl Fn(&T) -> AgencyId,
) -> Vec<T> {
    let mut best: std::collections::HashMap<String, T> = std::collections::HashMap::new();
    for item in items {
        let key = code(&item).to_owned();
        match best.get(&key) {
            Some(kept) if rank(ancestry, owner(kept)) <= rank(ancestry, owner(&item)) => {}
            _ => {
                best.insert(key, item);
            }
        }
    }
    best.into_values().collect()
}

/// The folded words of a search, each kept as it will be matched with `LIKE '%word%'` (a
/// search key holds only letters, digits and spaces, so no word holds a wildcard).
pub(crate) fn query_words(query: Option<&str>) -> Vec<String> {
    query
        .map(ketnoi_text::search_key)
        .unwrap_or_default()
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("%{w}%"))
        .collect()
}

/// Decoding JSON kept in a column.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Encoding a value for a JSON column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))
}

/// Replaces each cited document of a guide by the document as it stands now, keeping the
/// guide's order.
pub(crate) fn refresh_basis(basis: &mut [LegalRef], current: &[crate::LegalDoc]) {
    for cited in basis.iter_mut() {
        if let Some(now) = current.iter().find(|d| d.doc.number == cited.number) {
            *cited = now.doc.clone();
        }
    }
}

macro_rules! push_ids {
    ($qb:expr, $ids:expr) => {{
        let mut list = $qb.separated(", ");
        for id in $ids {
            list.push_bind(id.0);
        }
    }};
}
pub(crate) use push_ids;

macro_rules! impl_desk {
    ($store:ty, $db:ty, $row:ty) => {
        mod desk_rows {
            use ketnoi_core::desk::*;
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;
            use $crate::sql::desk::from_json;

            pub(crate) fn legal(r: &$row) -> Result<$crate::LegalDoc, StoreError> {
                let day = |s: Option<&str>| s.map(Day::parse).transpose();
                Ok($crate::LegalDoc {
                    id: LegalDocId(r.try_get("id")?),
                    doc: LegalRef {
                        number: r.try_get("number")?,
                        title: r.try_get("title")?,
                        issuer: r.try_get("issuer")?,
                        effective: Day::parse(r.try_get("effective_on")?)?,
                        expires: day(r.try_get("expires_on")?)?,
                        superseded_by: r.try_get("superseded_number")?,
                        superseded_on: day(r.try_get("superseded_on")?)?,
                    },
                    agency: AgencyId(r.try_get("agency_id")?),
                })
            }

            pub(crate) fn procedure(r: &$row) -> Result<$crate::Procedure, StoreError> {
                Ok($crate::Procedure {
                    id: ProcedureId(r.try_get("id")?),
                    agency: AgencyId(r.try_get("agency_id")?),
                    doc: from_json(r.try_get("body")?)?,
                    reviewed_at: Timestamp(r.try_get("reviewed_at")?),
                    stale_since: r.try_get::<Option<i64>, _>("stale_since")?.map(Timestamp),
                    stale_doc: r.try_get("stale_number")?,
                    updated_at: Timestamp(r.try_get("updated_at")?),
                })
            }

            pub(crate) fn form(r: &$row) -> Result<$crate::Form, StoreError> {
                Ok($crate::Form {
                    id: FormId(r.try_get("id")?),
                    agency: AgencyId(r.try_get("agency_id")?),
                    doc: from_json(r.try_get("body")?)?,
                    blob_key: r.try_get("blob_key")?,
                    content_type: r.try_get("content_type")?,
                    file_name: r.try_get("file_name")?,
                    size: r.try_get("size")?,
                    reviewed_at: Timestamp(r.try_get("reviewed_at")?),
                    stale: r.try_get("stale")?,
                })
            }

            pub(crate) fn menu(r: &$row) -> Result<$crate::MenuVersion, StoreError> {
                let account: Option<i64> = r.try_get("account_id")?;
                let agency: Option<i64> = r.try_get("agency_id")?;
                let owner = match (account, agency) {
                    (Some(a), _) => $crate::MenuOwner::Account(AccountId(a)),
                    (None, g) => $crate::MenuOwner::Agency(AgencyId(g.unwrap_or_default())),
                };
                Ok($crate::MenuVersion {
                    owner,
                    version: r.try_get("version")?,
                    menu: from_json(r.try_get("body")?)?,
                    author: r.try_get::<Option<i64>, _>("author_id")?.map(StaffId),
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }
        }

        impl $store {
            /// Runs a `DELETE … WHERE … = $1`; whether it removed anything.
            async fn delete_by(&self, sql: &str, id: i64) -> $crate::Result<bool> {
                let done = sqlx::query(sql).bind(id).execute(&self.pool).await?;
                Ok(done.rows_affected() > 0)
            }

            /// The documents the guides cite, as they stand now.
            async fn cited_docs(
                &self,
                ids: &[ketnoi_core::desk::ProcedureId],
            ) -> $crate::Result<Vec<(i64, $crate::LegalDoc)>> {
                use sqlx::Row as _;
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT pl.procedure_id, {} FROM procedure_legal pl \
                     JOIN legal_docs d ON d.id = pl.legal_doc_id \
                     LEFT JOIN legal_docs s ON s.id = d.superseded_by WHERE pl.procedure_id IN (",
                    $crate::sql::desk::LEGAL_COLUMNS
                ));
                $crate::sql::desk::push_ids!(qb, ids);
                qb.push(")");
                let rows = qb.build().fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| Ok((r.try_get::<i64, _>("procedure_id")?, desk_rows::legal(r)?)))
                    .collect()
            }

            /// Guides read with `sql`, their legal basis brought up to date.
            async fn procedures_with_basis(
                &self,
                mut found: Vec<$crate::Procedure>,
            ) -> $crate::Result<Vec<$crate::Procedure>> {
                let ids: Vec<_> = found.iter().map(|p| p.id).collect();
                let cited = self.cited_docs(&ids).await?;
                for p in &mut found {
                    let mine: Vec<$crate::LegalDoc> = cited
                        .iter()
                        .filter(|(id, _)| *id == p.id.0)
                        .map(|(_, d)| d.clone())
                        .collect();
                    $crate::sql::desk::refresh_basis(&mut p.doc.legal_basis, &mine);
                }
                Ok(found)
            }

            /// Flags every guide citing the document that is not flagged yet.
            async fn flag_citing(
                tx: &mut sqlx::Transaction<'static, $db>,
                doc: i64,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<u64> {
                let done = sqlx::query(
                    "UPDATE procedures SET stale_since = $1, stale_doc_id = $2 \
                     WHERE stale_since IS NULL AND id IN \
                     (SELECT procedure_id FROM procedure_legal WHERE legal_doc_id = $2)",
                )
                .bind(at.millis())
                .bind(doc)
                .execute(&mut **tx)
                .await?;
                Ok(done.rows_affected())
            }

            /// Whether following replacements from `from` comes back to `to` (or runs on for
            /// longer than any honest chain).
            async fn reaches(
                tx: &mut sqlx::Transaction<'static, $db>,
                from: i64,
                to: i64,
            ) -> $crate::Result<bool> {
                let mut at = Some(from);
                for _ in 0..1000 {
                    match at {
                        None => return Ok(false),
                        Some(id) if id == to => return Ok(true),
                        Some(id) => {
                            at = sqlx::query_scalar::<_, Option<i64>>(
                                "SELECT superseded_by FROM legal_docs WHERE id = $1",
                            )
                            .bind(id)
                            .fetch_optional(&mut **tx)
                            .await?
                            .flatten();
                        }
                    }
                }
                Ok(true)
            }

            /// Marks `doc` replaced by `by` on `on` inside a transaction, refusing a circle;
            /// flags the guides citing it if it was not replaced before.
            async fn supersede_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                doc: (i64, &str),
                by: Option<&str>,
                on: &ketnoi_core::desk::Day,
                index: Option<usize>,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Result<u64, $crate::DeskRefusal>> {
                let by_id = match by {
                    None => None,
                    Some(number) => {
                        let id: Option<i64> =
                            sqlx::query_scalar("SELECT id FROM legal_docs WHERE number = $1")
                                .bind(number)
                                .fetch_optional(&mut **tx)
                                .await?;
                        let Some(id) = id else {
                            return Ok(Err($crate::DeskRefusal::UnknownDocument {
                                index,
                                number: number.to_owned(),
                            }));
                        };
                        if Self::reaches(tx, id, doc.0).await? {
                            return Ok(Err($crate::DeskRefusal::Cycle {
                                index,
                                number: doc.1.to_owned(),
                            }));
                        }
                        Some(id)
                    }
                };
                let before: Option<String> =
                    sqlx::query_scalar("SELECT superseded_on FROM legal_docs WHERE id = $1")
                        .bind(doc.0)
                        .fetch_one(&mut **tx)
                        .await?;
                sqlx::query(
                    "UPDATE legal_docs SET superseded_by = $1, superseded_on = $2, updated_at = $3 \
                     WHERE id = $4",
                )
                .bind(by_id)
                .bind(before.clone().unwrap_or_else(|| on.as_str().to_owned()))
                .bind(at.millis())
                .bind(doc.0)
                .execute(&mut **tx)
                .await?;
                let flagged = Self::flag_citing(tx, doc.0, at).await?;
                Ok(Ok(flagged))
            }

            /// Adds a cited document, or updates it where the agency entered it; returns its id.
            async fn upsert_legal(
                tx: &mut sqlx::Transaction<'static, $db>,
                doc: &ketnoi_core::desk::LegalRef,
                agency: ketnoi_core::AgencyId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<i64> {
                use sqlx::Row as _;
                let found = sqlx::query("SELECT id, agency_id FROM legal_docs WHERE number = $1")
                    .bind(doc.number.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
                let expires = doc.expires.as_ref().map(|d| d.as_str().to_owned());
                match found {
                    Some(r) => {
                        let id: i64 = r.try_get("id")?;
                        if r.try_get::<i64, _>("agency_id")? == agency.0 {
                            sqlx::query(
                                "UPDATE legal_docs SET title = $1, issuer = $2, effective_on = $3, \
                                 expires_on = $4, updated_at = $5 WHERE id = $6",
                            )
                            .bind(doc.title.as_str())
                            .bind(doc.issuer.as_str())
                            .bind(doc.effective.as_str())
                            .bind(expires)
                            .bind(at.millis())
                            .bind(id)
                            .execute(&mut **tx)
                            .await?;
                        }
                        Ok(id)
                    }
                    None => Ok(sqlx::query_scalar(
                        "INSERT INTO legal_docs (number, title, issuer, effective_on, expires_on, \
                         agency_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(doc.number.as_str())
                    .bind(doc.title.as_str())
                    .bind(doc.issuer.as_str())
                    .bind(doc.effective.as_str())
                    .bind(expires)
                    .bind(agency.0)
                    .bind(at.millis())
                    .fetch_one(&mut **tx)
                    .await?),
                }
            }

            /// The body of [`crate::DeskStore::save_procedures`], inside its transaction.
            async fn save_procedures_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                agency: ketnoi_core::AgencyId,
                ancestry: &[ketnoi_core::AgencyId],
                docs: &[ketnoi_core::desk::ProcedureDoc],
                today: &ketnoi_core::desk::Day,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Result<Vec<ketnoi_core::desk::ProcedureId>, $crate::DeskRefusal>> {
                use $crate::DeskRefusal;
                let mut codes = std::collections::HashSet::new();
                for (index, doc) in docs.iter().enumerate() {
                    if !codes.insert(doc.code.as_str()) {
                        return Ok(Err(DeskRefusal::DuplicateCode { index, code: doc.code.clone() }));
                    }
                }
                // Every cited document first, then the replacements between them, so a batch may
                // name a replacement it introduces further down.
                let mut doc_ids: std::collections::HashMap<String, i64> = Default::default();
                for doc in docs {
                    for law in &doc.legal_basis {
                        if !doc_ids.contains_key(&law.number) {
                            let id = Self::upsert_legal(tx, law, agency, at).await?;
                            doc_ids.insert(law.number.clone(), id);
                        }
                    }
                }
                let mut replaced = std::collections::HashSet::new();
                for (index, doc) in docs.iter().enumerate() {
                    for law in &doc.legal_basis {
                        let said = law.superseded_by.is_some() || law.superseded_on.is_some();
                        if !said || !replaced.insert(law.number.clone()) {
                            continue;
                        }
                        let owner: i64 =
                            sqlx::query_scalar("SELECT agency_id FROM legal_docs WHERE number = $1")
                                .bind(law.number.as_str())
                                .fetch_one(&mut **tx)
                                .await?;
                        if owner != agency.0 {
                            continue;
                        }
                        let on = law.superseded_on.clone().unwrap_or_else(|| today.clone());
                        let id = doc_ids[&law.number];
                        if let Err(refusal) = Self::supersede_in(
                            tx,
                            (id, law.number.as_str()),
                            law.superseded_by.as_deref(),
                            &on,
                            Some(index),
                            at,
                        )
                        .await?
                        {
                            return Ok(Err(refusal));
                        }
                    }
                }
                let mut ids = Vec::with_capacity(docs.len());
                for (index, doc) in docs.iter().enumerate() {
                    for code in &doc.forms {
                        let mut qb = sqlx::QueryBuilder::<$db>::new(
                            "SELECT COUNT(*) FROM desk_forms WHERE code = ",
                        );
                        qb.push_bind(code.as_str()).push(" AND agency_id IN (");
                        $crate::sql::desk::push_ids!(qb, ancestry);
                        qb.push(")");
                        let n: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
                        if n == 0 {
                            return Ok(Err(DeskRefusal::UnknownForm { index, code: code.clone() }));
                        }
                    }
                    let cited: Vec<i64> = doc.legal_basis.iter().map(|l| doc_ids[&l.number]).collect();
                    let mut lapsed: Option<i64> = None;
                    for id in &cited {
                        let gone: bool = sqlx::query_scalar(
                            "SELECT superseded_on IS NOT NULL OR (expires_on IS NOT NULL AND expires_on <= $2) \
                             FROM legal_docs WHERE id = $1",
                        )
                        .bind(*id)
                        .bind(today.as_str())
                        .fetch_one(&mut **tx)
                        .await?;
                        if gone {
                            lapsed = Some(*id);
                            break;
                        }
                    }
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO procedures (agency_id, code, name, search_key, template, body, \
                         reviewed_at, stale_since, stale_doc_id, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7) \
                         ON CONFLICT (agency_id, code) DO UPDATE SET name = excluded.name, \
                         search_key = excluded.search_key, template = excluded.template, \
                         body = excluded.body, reviewed_at = excluded.reviewed_at, \
                         stale_since = excluded.stale_since, stale_doc_id = excluded.stale_doc_id, \
                         updated_at = excluded.updated_at RETURNING id",
                    )
                    .bind(agency.0)
                    .bind(doc.code.as_str())
                    .bind(doc.name.as_str())
                    .bind(ketnoi_text::search_key(&format!("{} {}", doc.name, doc.code)))
                    .bind(doc.template)
                    .bind($crate::sql::desk::to_json(doc)?)
                    .bind(at.millis())
                    .bind(lapsed.map(|_| at.millis()))
                    .bind(lapsed)
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(crate::error::classify("agency"))?;
                    for table in ["procedure_legal", "procedure_forms"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE procedure_id = $1"))
                            .bind(id)
                            .execute(&mut **tx)
                            .await?;
                    }
                    for law in cited.iter().collect::<std::collections::BTreeSet<_>>() {
                        sqlx::query(
                            "INSERT INTO procedure_legal (procedure_id, legal_doc_id) VALUES ($1, $2)",
                        )
                        .bind(id)
                        .bind(*law)
                        .execute(&mut **tx)
                        .await?;
                    }
                    for code in &doc.forms {
                        sqlx::query(
                            "INSERT INTO procedure_forms (procedure_id, form_code) VALUES ($1, $2)",
                        )
                        .bind(id)
                        .bind(code.as_str())
                        .execute(&mut **tx)
                        .await?;
                    }
                    ids.push(ketnoi_core::desk::ProcedureId(id));
                }
                Ok(Ok(ids))
            }

            /// Candidate guides of an ancestry: the first agency's own and the templates above.
            fn push_candidates(
                qb: &mut sqlx::QueryBuilder<'_, $db>,
                ancestry: &[ketnoi_core::AgencyId],
            ) {
                qb.push(" (p.agency_id = ").push_bind(ancestry.first().map(|a| a.0).unwrap_or(0));
                if ancestry.len() > 1 {
                    qb.push(" OR (p.template = TRUE AND p.agency_id IN (");
                    $crate::sql::desk::push_ids!(qb, &ancestry[1..]);
                    qb.push("))");
                }
                qb.push(")");
            }
        }

        #[async_trait::async_trait]
        impl $crate::DeskStore for $store {
            async fn publish_menu(
                &self,
                owner: $crate::MenuOwner,
                menu: &ketnoi_core::desk::Menu,
                author: Option<ketnoi_core::StaffId>,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<i64> {
                let (account, agency, column) = match owner {
                    $crate::MenuOwner::Account(a) => (Some(a.0), None, "account_id"),
                    $crate::MenuOwner::Agency(g) => (None, Some(g.0), "agency_id"),
                };
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let next: i64 = sqlx::query_scalar(&format!(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM menus WHERE {column} = $1"
                ))
                .bind(account.or(agency))
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO menus (account_id, agency_id, version, body, author_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(account)
                .bind(agency)
                .bind(next)
                .bind($crate::sql::desk::to_json(menu)?)
                .bind(author.map(|s| s.0))
                .bind(at.millis())
                .execute(&mut *tx)
                .await
                .map_err(crate::error::classify("menu"))?;
                tx.commit().await?;
                Ok(next)
            }

            async fn menu_versions(
                &self,
                owner: $crate::MenuOwner,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::MenuVersion>> {
                let (id, column) = match owner {
                    $crate::MenuOwner::Account(a) => (a.0, "account_id"),
                    $crate::MenuOwner::Agency(g) => (g.0, "agency_id"),
                };
                let sql = format!(
                    "SELECT {} FROM menus WHERE {column} = $1 ORDER BY version DESC LIMIT $2",
                    $crate::sql::desk::MENU_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(id).bind(limit).fetch_all(&self.pool).await?;
                rows.iter().map(desk_rows::menu).collect()
            }

            async fn drop_account_menu(
                &self,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<bool> {
                self.delete_by("DELETE FROM menus WHERE account_id = $1", account.0).await
            }

            async fn menu_for(
                &self,
                account: ketnoi_core::AccountId,
                ancestry: &[ketnoi_core::AgencyId],
            ) -> $crate::Result<Option<$crate::MenuVersion>> {
                let sql = format!(
                    "SELECT {} FROM menus WHERE account_id = $1 ORDER BY version DESC LIMIT 1",
                    $crate::sql::desk::MENU_COLUMNS
                );
                if let Some(row) = sqlx::query(&sql).bind(account.0).fetch_optional(&self.pool).await? {
                    return desk_rows::menu(&row).map(Some);
                }
                if ancestry.is_empty() {
                    return Ok(None);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM menus m WHERE m.agency_id IN (",
                    $crate::sql::desk::MENU_COLUMNS
                ));
                $crate::sql::desk::push_ids!(qb, ancestry);
                qb.push(
                    ") AND m.version = (SELECT MAX(version) FROM menus x WHERE x.agency_id = m.agency_id)",
                );
                let rows = qb.build().fetch_all(&self.pool).await?;
                let mut found = rows.iter().map(desk_rows::menu).collect::<$crate::Result<Vec<_>>>()?;
                found.sort_by_key(|m| match m.owner {
                    $crate::MenuOwner::Agency(g) => $crate::sql::desk::rank(ancestry, g),
                    $crate::MenuOwner::Account(_) => usize::MAX,
                });
                Ok(found.into_iter().next())
            }

            async fn save_procedures(
                &self,
                agency: ketnoi_core::AgencyId,
                ancestry: &[ketnoi_core::AgencyId],
                docs: &[ketnoi_core::desk::ProcedureDoc],
                today: &ketnoi_core::desk::Day,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Result<Vec<ketnoi_core::desk::ProcedureId>, $crate::DeskRefusal>> {
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let done = Self::save_procedures_in(&mut tx, agency, ancestry, docs, today, at).await?;
                if done.is_ok() {
                    tx.commit().await?;
                }
                Ok(done)
            }

            async fn procedure(
                &self,
                id: ketnoi_core::desk::ProcedureId,
            ) -> $crate::Result<Option<$crate::Procedure>> {
                let sql = format!(
                    "SELECT {} FROM procedures p WHERE p.id = $1",
                    $crate::sql::desk::PROCEDURE_COLUMNS
                );
                let Some(row) = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await? else {
                    return Ok(None);
                };
                let found = self.procedures_with_basis(vec![desk_rows::procedure(&row)?]).await?;
                Ok(found.into_iter().next())
            }

            async fn delete_procedure(
                &self,
                id: ketnoi_core::desk::ProcedureId,
            ) -> $crate::Result<bool> {
                self.delete_by("DELETE FROM procedures WHERE id = $1", id.0).await
            }

            async fn agency_procedures(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<$crate::Procedure>> {
                let sql = format!(
                    "SELECT {} FROM procedures p WHERE p.agency_id = $1 ORDER BY p.search_key, p.id",
                    $crate::sql::desk::PROCEDURE_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(agency.0).fetch_all(&self.pool).await?;
                let found = rows.iter().map(desk_rows::procedure).collect::<$crate::Result<Vec<_>>>()?;
                self.procedures_with_basis(found).await
            }

            async fn procedures_for(
                &self,
                account: ketnoi_core::AccountId,
                ancestry: &[ketnoi_core::AgencyId],
                query: Option<&str>,
                with_hidden: bool,
            ) -> $crate::Result<Vec<$crate::ProcedureLine>> {
                use sqlx::Row as _;
                if ancestry.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT p.id, p.agency_id, p.code, p.name, p.search_key, p.template, \
                     p.stale_since, p.reviewed_at, o.body AS over_body, o.hidden \
                     FROM procedures p LEFT JOIN procedure_overrides o \
                     ON o.procedure_id = p.id AND o.account_id = ",
                );
                qb.push_bind(account.0).push(" WHERE");
                Self::push_candidates(&mut qb, ancestry);
                for word in $crate::sql::desk::query_words(query) {
                    qb.push(" AND p.search_key LIKE ").push_bind(word);
                }
                let rows = qb.build().fetch_all(&self.pool).await?;
                let mut lines = Vec::with_capacity(rows.len());
                for r in &rows {
                    let agency = ketnoi_core::AgencyId(r.try_get("agency_id")?);
                    let over: Option<ketnoi_core::desk::Override> = r
                        .try_get::<Option<&str>, _>("over_body")?
                        .map($crate::sql::desk::from_json)
                        .transpose()?;
                    let key: String = r.try_get("search_key")?;
                    lines.push((key, $crate::ProcedureLine {
                        id: ketnoi_core::desk::ProcedureId(r.try_get("id")?),
                        agency,
                        code: r.try_get("code")?,
                        name: r.try_get("name")?,
                        template: r.try_get("template")?,
                        inherited: agency != ancestry[0],
                        overridden: over.as_ref().is_some_and(|o| !o.fields.is_empty() || !o.extra_steps.is_empty()),
                        hidden: r.try_get::<Option<bool>, _>("hidden")?.unwrap_or(false),
                        stale_since: r.try_get::<Option<i64>, _>("stale_since")?.map(ketnoi_core::Timestamp),
                        reviewed_at: ketnoi_core::Timestamp(r.try_get("reviewed_at")?),
                    }));
                }
                let mut lines = $crate::sql::desk::nearest(ancestry, lines, |l| &l.1.code, |l| l.1.agency);
                lines.retain(|l| with_hidden || !l.1.hidden);
                lines.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
                Ok(lines.into_iter().map(|l| l.1).collect())
            }

            async fn guides_using_form(
                &self,
                account: ketnoi_core::AccountId,
                ancestry: &[ketnoi_core::AgencyId],
                form_code: &str,
            ) -> $crate::Result<Vec<$crate::ProcedureLine>> {
                use sqlx::Row as _;
                if ancestry.is_empty() {
                    return Ok(vec![]);
                }
                // The guides of the line that name the form; of the catalogue as the account
                // sees it (the nearest owner's guide for each code), those that are among them.
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT pf.procedure_id FROM procedure_forms pf \
                     JOIN procedures p ON p.id = pf.procedure_id WHERE pf.form_code = ",
                );
                qb.push_bind(form_code).push(" AND");
                Self::push_candidates(&mut qb, ancestry);
                let naming: std::collections::HashSet<i64> = qb
                    .build()
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get("procedure_id"))
                    .collect::<Result<_, _>>()?;
                if naming.is_empty() {
                    return Ok(vec![]);
                }
                let mut found = self.procedures_for(account, ancestry, None, false).await?;
                found.retain(|line| naming.contains(&line.id.0));
                Ok(found)
            }

            async fn procedure_for(
                &self,
                account: ketnoi_core::AccountId,
                ancestry: &[ketnoi_core::AgencyId],
                code: &str,
            ) -> $crate::Result<Option<$crate::ShownProcedure>> {
                if ancestry.is_empty() {
                    return Ok(None);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {} FROM procedures p WHERE p.code = ",
                    $crate::sql::desk::PROCEDURE_COLUMNS
                ));
                qb.push_bind(code).push(" AND");
                Self::push_candidates(&mut qb, ancestry);
                let rows = qb.build().fetch_all(&self.pool).await?;
                let found = rows.iter().map(desk_rows::procedure).collect::<$crate::Result<Vec<_>>>()?;
                let Some(best) = found
                    .into_iter()
                    .min_by_key(|p| $crate::sql::desk::rank(ancestry, p.agency))
                else {
                    return Ok(None);
                };
                let procedure = self.procedures_with_basis(vec![best]).await?.remove(0);
                let over: Option<String> = sqlx::query_scalar(
                    "SELECT body FROM procedure_overrides WHERE procedure_id = $1 AND account_id = $2",
                )
                .bind(procedure.id.0)
                .bind(account.0)
                .fetch_optional(&self.pool)
                .await?;
                let over: Option<ketnoi_core::desk::Override> =
                    over.as_deref().map($crate::sql::desk::from_json).transpose()?;
                let inherited = procedure.agency != ancestry[0];
                Ok(Some($crate::ShownProcedure { procedure, over, inherited }))
            }

            async fn set_override(
                &self,
                procedure: ketnoi_core::desk::ProcedureId,
                account: ketnoi_core::AccountId,
                over: &ketnoi_core::desk::Override,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<()> {
                if over.is_empty() {
                    sqlx::query(
                        "DELETE FROM procedure_overrides WHERE procedure_id = $1 AND account_id = $2",
                    )
                    .bind(procedure.0)
                    .bind(account.0)
                    .execute(&self.pool)
                    .await?;
                    return Ok(());
                }
                sqlx::query(
                    "INSERT INTO procedure_overrides (procedure_id, account_id, body, hidden, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (procedure_id, account_id) DO UPDATE \
                     SET body = excluded.body, hidden = excluded.hidden, updated_at = excluded.updated_at",
                )
                .bind(procedure.0)
                .bind(account.0)
                .bind($crate::sql::desk::to_json(over)?)
                .bind(over.hidden)
                .bind(at.millis())
                .execute(&self.pool)
                .await
                .map_err(crate::error::classify("procedure or account"))?;
                Ok(())
            }

            async fn overrides_of(
                &self,
                procedure: ketnoi_core::desk::ProcedureId,
            ) -> $crate::Result<Vec<(ketnoi_core::AccountId, ketnoi_core::desk::Override)>> {
                use sqlx::Row as _;
                let rows = sqlx::query(
                    "SELECT account_id, body FROM procedure_overrides WHERE procedure_id = $1 \
                     ORDER BY account_id",
                )
                .bind(procedure.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            ketnoi_core::AccountId(r.try_get("account_id")?),
                            $crate::sql::desk::from_json(r.try_get("body")?)?,
                        ))
                    })
                    .collect()
            }

            async fn review_procedure(
                &self,
                id: ketnoi_core::desk::ProcedureId,
                today: &ketnoi_core::desk::Day,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Result<(), String>> {
                let lapsed: Option<String> = sqlx::query_scalar(
                    "SELECT d.number FROM procedure_legal pl JOIN legal_docs d ON d.id = pl.legal_doc_id \
                     WHERE pl.procedure_id = $1 AND (d.superseded_on IS NOT NULL OR \
                     (d.expires_on IS NOT NULL AND d.expires_on <= $2)) ORDER BY d.number LIMIT 1",
                )
                .bind(id.0)
                .bind(today.as_str())
                .fetch_optional(&self.pool)
                .await?;
                if let Some(number) = lapsed {
                    return Ok(Err(number));
                }
                let done = sqlx::query(
                    "UPDATE procedures SET reviewed_at = $1, stale_since = NULL, stale_doc_id = NULL \
                     WHERE id = $2",
                )
                .bind(at.millis())
                .bind(id.0)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("procedure"));
                }
                Ok(Ok(()))
            }

            async fn legal_doc(&self, number: &str) -> $crate::Result<Option<$crate::LegalDoc>> {
                let sql = format!(
                    "SELECT {} FROM legal_docs d LEFT JOIN legal_docs s ON s.id = d.superseded_by \
                     WHERE d.number = $1",
                    $crate::sql::desk::LEGAL_COLUMNS
                );
                let row = sqlx::query(&sql).bind(number).fetch_optional(&self.pool).await?;
                row.as_ref().map(desk_rows::legal).transpose()
            }

            async fn legal_docs_cited(
                &self,
                agency: ketnoi_core::AgencyId,
            ) -> $crate::Result<Vec<$crate::LegalDoc>> {
                let sql = format!(
                    "SELECT {} FROM legal_docs d LEFT JOIN legal_docs s ON s.id = d.superseded_by \
                     WHERE d.agency_id = $1 OR d.id IN (SELECT pl.legal_doc_id FROM procedure_legal pl \
                     JOIN procedures p ON p.id = pl.procedure_id WHERE p.agency_id = $1) \
                     ORDER BY d.number",
                    $crate::sql::desk::LEGAL_COLUMNS
                );
                let rows = sqlx::query(&sql).bind(agency.0).fetch_all(&self.pool).await?;
                rows.iter().map(desk_rows::legal).collect()
            }

            async fn supersede_legal(
                &self,
                number: &str,
                by: Option<&str>,
                on: &ketnoi_core::desk::Day,
                agency: ketnoi_core::AgencyId,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<Result<u64, $crate::DeskRefusal>> {
                use sqlx::Row as _;
                let mut tx =
                    self.pool.begin_with(<$store as $crate::sql::Dialect>::BEGIN_WRITE).await?;
                let found = sqlx::query("SELECT id, agency_id FROM legal_docs WHERE number = $1")
                    .bind(number)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(found) = found else {
                    return Err($crate::StoreError::NotFound("legal document"));
                };
                if found.try_get::<i64, _>("agency_id")? != agency.0 {
                    return Ok(Err($crate::DeskRefusal::NotOwner { number: number.to_owned() }));
                }
                let id: i64 = found.try_get("id")?;
                let done = Self::supersede_in(&mut tx, (id, number), by, on, None, at).await?;
                if done.is_ok() {
                    tx.commit().await?;
                }
                Ok(done)
            }

            async fn stale_below(
                &self,
                agency: ketnoi_core::AgencyId,
                limit: i64,
            ) -> $crate::Result<Vec<(String, String, String)>> {
                use sqlx::Row as _;
                let rows = sqlx::query(
                    "WITH RECURSIVE sub(id) AS (SELECT id FROM agencies WHERE parent_id = $1 \
                     UNION SELECT a.id FROM agencies a JOIN sub s ON a.parent_id = s.id) \
                     SELECT g.name AS agency_name, p.code, p.name FROM procedures p \
                     JOIN agencies g ON g.id = p.agency_id \
                     WHERE p.stale_since IS NOT NULL AND p.agency_id IN (SELECT id FROM sub) \
                     ORDER BY g.name, p.search_key, p.id LIMIT $2",
                )
                .bind(agency.0)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| Ok((r.try_get("agency_name")?, r.try_get("code")?, r.try_get("name")?)))
                    .collect()
            }

            async fn flag_lapsed(
                &self,
                today: &ketnoi_core::desk::Day,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<u64> {
                let lapsed = "SELECT MIN(pl.legal_doc_id) FROM procedure_legal pl \
                     JOIN legal_docs d ON d.id = pl.legal_doc_id WHERE pl.procedure_id = procedures.id \
                     AND (d.superseded_on IS NOT NULL OR (d.expires_on IS NOT NULL AND d.expires_on <= $2))";
                let done = sqlx::query(&format!(
                    "UPDATE procedures SET stale_since = $1, stale_doc_id = ({lapsed}) \
                     WHERE stale_since IS NULL AND ({lapsed}) IS NOT NULL"
                ))
                .bind(at.millis())
                .bind(today.as_str())
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn save_form(
                &self,
                form: &$crate::NewForm,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<ketnoi_core::desk::FormId> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO desk_forms (agency_id, code, title, search_key, body, blob_key, \
                     content_type, file_name, size, reviewed_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
                     ON CONFLICT (agency_id, code) DO UPDATE SET title = excluded.title, \
                     search_key = excluded.search_key, body = excluded.body, \
                     blob_key = excluded.blob_key, content_type = excluded.content_type, \
                     file_name = excluded.file_name, size = excluded.size, \
                     reviewed_at = excluded.reviewed_at, updated_at = excluded.updated_at RETURNING id",
                )
                .bind(form.agency.0)
                .bind(form.doc.code.as_str())
                .bind(form.doc.title.as_str())
                .bind(ketnoi_text::search_key(&format!(
                    "{} {} {}",
                    form.doc.title, form.doc.code, form.doc.description
                )))
                .bind($crate::sql::desk::to_json(&form.doc)?)
                .bind(form.blob_key.as_str())
                .bind(form.content_type.as_str())
                .bind(form.file_name.as_str())
                .bind(form.size)
                .bind(at.millis())
                .fetch_one(&self.pool)
                .await
                .map_err(crate::error::classify("agency"))?;
                Ok(ketnoi_core::desk::FormId(id))
            }

            async fn form(
                &self,
                id: ketnoi_core::desk::FormId,
            ) -> $crate::Result<Option<$crate::Form>> {
                let sql = format!(
                    "SELECT {}, EXISTS (SELECT 1 FROM procedure_forms pf JOIN procedures p \
                     ON p.id = pf.procedure_id WHERE pf.form_code = f.code \
                     AND p.stale_since IS NOT NULL) AS stale FROM desk_forms f WHERE f.id = $1",
                    $crate::sql::desk::FORM_COLUMNS
                );
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.as_ref().map(desk_rows::form).transpose()
            }

            async fn forms_for(
                &self,
                ancestry: &[ketnoi_core::AgencyId],
                query: Option<&str>,
            ) -> $crate::Result<Vec<$crate::Form>> {
                use sqlx::Row as _;
                if ancestry.is_empty() {
                    return Ok(vec![]);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {}, f.search_key, EXISTS (SELECT 1 FROM procedure_forms pf JOIN procedures p \
                     ON p.id = pf.procedure_id WHERE pf.form_code = f.code \
                     AND p.stale_since IS NOT NULL AND p.agency_id IN (",
                    $crate::sql::desk::FORM_COLUMNS
                ));
                $crate::sql::desk::push_ids!(qb, ancestry);
                qb.push(")) AS stale FROM desk_forms f WHERE f.agency_id IN (");
                $crate::sql::desk::push_ids!(qb, ancestry);
                qb.push(")");
                for word in $crate::sql::desk::query_words(query) {
                    qb.push(" AND f.search_key LIKE ").push_bind(word);
                }
                let rows = qb.build().fetch_all(&self.pool).await?;
                let mut found = Vec::with_capacity(rows.len());
                for r in &rows {
                    found.push((r.try_get::<String, _>("search_key")?, desk_rows::form(r)?));
                }
                let mut found =
                    $crate::sql::desk::nearest(ancestry, found, |f| &f.1.doc.code, |f| f.1.agency);
                found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
                Ok(found.into_iter().map(|f| f.1).collect())
            }

            async fn delete_form(&self, id: ketnoi_core::desk::FormId) -> $crate::Result<bool> {
                self.delete_by("DELETE FROM desk_forms WHERE id = $1", id.0).await
            }
        }
    };
}
pub(crate) use impl_desk;
