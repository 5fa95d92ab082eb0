//! The SQL of an officer's inbox views, built in one place for two readers: the store, which
//! runs it on `conversations` and `messages`, and `ketnoi bench inbox`, which runs the very same
//! text on copies of those tables to tell the query's cost from the server's.

use crate::{AssigneeFilter, InboxQuery};

/// The tables an inbox query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxTables<'a> {
    /// Where the conversations are.
    pub conversations: &'a str,
    /// Where their messages are (read by text search only).
    pub messages: &'a str,
    /// Where their labels are (read by the label filter only).
    pub labels: &'a str,
}

impl InboxTables<'static> {
    /// The store's own tables.
    pub const STORE: Self = Self {
        conversations: "conversations",
        messages: "messages",
        labels: "conversation_labels",
    };
}

/// A parameter of an inbox statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxParam {
    /// An integer: an id, a time, a limit.
    Int(i64),
    /// Text: a status, a search pattern.
    Text(String),
}

/// An inbox statement and its parameters, in the order of its placeholders (`$1`, `$2`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxSql {
    /// The statement.
    pub sql: String,
    /// What it binds.
    pub params: Vec<InboxParam>,
}

impl InboxSql {
    /// The statement with its parameters bound, for any backend.
    pub fn query<'q, DB: sqlx::Database>(
        &'q self,
    ) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
    where
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        let mut q = sqlx::query(&self.sql);
        for param in &self.params {
            q = match param {
                InboxParam::Int(v) => q.bind(*v),
                InboxParam::Text(t) => q.bind(t.as_str()),
            };
        }
        q
    }
}

/// One page of an inbox view ([`crate::ChatStore::inbox`]).
pub fn inbox_sql(query: &InboxQuery, tables: InboxTables<'_>) -> InboxSql {
    let terms = query.text.as_deref().map(ketnoi_text::search_terms).unwrap_or_default();
    let mut sql = format!(
        "SELECT {} FROM {} c WHERE c.handler_id = $1 AND c.status = $2 AND c.last_seq > 0",
        super::qualified(super::chat::CONVERSATION_COLUMNS, "c"),
        tables.conversations
    );
    let mut params =
        vec![InboxParam::Int(query.account.0), InboxParam::Text(query.status.as_str().to_owned())];
    match query.bot {
        // Literal, so that the planner can use the partial index of conversations that need a
        // person.
        Some(true) => sql.push_str(" AND c.bot_state = 'active'"),
        Some(false) => sql.push_str(" AND c.bot_state <> 'active'"),
        None => {}
    }
    match query.assignee {
        Some(AssigneeFilter::Staff(staff)) => {
            params.push(InboxParam::Int(staff.0));
            sql.push_str(&format!(" AND c.assignee_id = ${}", params.len()));
        }
        Some(AssigneeFilter::Nobody) => sql.push_str(" AND c.assignee_id IS NULL"),
        None => {}
    }
    if let Some(before) = query.waiting_before {
        params.push(InboxParam::Int(before.millis()));
        sql.push_str(&format!(" AND c.waiting_since < ${}", params.len()));
    }
    if let Some(label) = &query.label {
        // The labels' primary key (conversation, key) answers this per row.
        params.push(InboxParam::Text(ketnoi_text::fold(label)));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM {} l WHERE l.conversation_id = c.id AND l.label_key = ${})",
            tables.labels,
            params.len()
        ));
    }
    for t in terms {
        params.push(InboxParam::Text(format!("%{t}%")));
        let n = params.len();
        sql.push_str(&format!(
            " AND (c.citizen_label LIKE ${n} OR EXISTS (SELECT 1 FROM {} m \
             WHERE m.conversation_id = c.id AND m.search_key LIKE ${n}))",
            tables.messages
        ));
    }
    if let Some((at, id)) = query.before {
        params.push(InboxParam::Int(at.millis()));
        params.push(InboxParam::Int(id.0));
        let n = params.len() - 1;
        sql.push_str(&format!(
            " AND (c.last_message_at < ${n} OR (c.last_message_at = ${n} AND c.id < ${}))",
            n + 1
        ));
    }
    params.push(InboxParam::Int(query.limit));
    sql.push_str(&format!(" ORDER BY c.last_message_at DESC, c.id DESC LIMIT ${}", params.len()));
    InboxSql { sql, params }
}

/// How many open conversations each view of an account's inbox lists, for one officer, with
/// the overdue cut-off ([`crate::ChatStore::inbox_counts`]): open, needing a person, the
/// officer's, unassigned, unassigned needing a person, overdue, overdue needing a person.
pub fn inbox_counts_sql(
    account: ketnoi_core::AccountId,
    staff: ketnoi_core::StaffId,
    overdue_before: ketnoi_core::Timestamp,
    tables: InboxTables<'_>,
) -> InboxSql {
    let sql = format!(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN bot_state <> 'active' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN assignee_id = $2 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN assignee_id IS NULL AND bot_state <> 'active' \
         THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN waiting_since < $3 THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN waiting_since < $3 AND bot_state <> 'active' \
         THEN 1 ELSE 0 END), 0) \
         FROM {} WHERE handler_id = $1 AND status = 'open' AND last_seq > 0",
        tables.conversations
    );
    let params = vec![
        InboxParam::Int(account.0),
        InboxParam::Int(staff.0),
        InboxParam::Int(overdue_before.millis()),
    ];
    InboxSql { sql, params }
}

#[cfg(test)]
mod tests {
    use ketnoi_core::{AccountId, ConversationId, ConversationStatus, StaffId, Timestamp};

    use super::*;

    fn open_list() -> InboxQuery {
        InboxQuery {
            account: AccountId(7),
            status: ConversationStatus::Open,
            text: None,
            bot: None,
            assignee: None,
            waiting_before: None,
            label: None,
            before: None,
            limit: 30,
        }
    }

    #[test]
    fn placeholders_follow_the_parameters_they_bind() {
        let query = InboxQuery {
            text: Some("Căn cước".to_owned()),
            bot: Some(false),
            assignee: Some(AssigneeFilter::Staff(StaffId(3))),
            before: Some((Timestamp(100), ConversationId(9))),
            ..open_list()
        };
        let built = inbox_sql(&query, InboxTables::STORE);
        assert_eq!(built.params.len(), 8);
        assert_eq!(built.params[3], InboxParam::Text("%can%".to_owned()));
        assert!(built.sql.contains("c.assignee_id = $3"));
        assert!(built.sql.contains("m.search_key LIKE $5"));
        assert!(built.sql.contains("c.id < $7"));
        assert!(built.sql.ends_with("LIMIT $8"));
    }

    #[test]
    fn other_tables_change_only_the_names() {
        let query = InboxQuery {
            status: ConversationStatus::Closed,
            text: Some("xe".to_owned()),
            ..open_list()
        };
        let copy = InboxTables { conversations: "bare_c", messages: "bare_m", labels: "bare_l" };
        let (store, bare) = (inbox_sql(&query, InboxTables::STORE), inbox_sql(&query, copy));
        assert_eq!(store.params, bare.params);
        let renamed = store.sql.replace("FROM conversations c", "FROM bare_c c");
        assert_eq!(renamed.replace("FROM messages m", "FROM bare_m m"), bare.sql);
    }
}
