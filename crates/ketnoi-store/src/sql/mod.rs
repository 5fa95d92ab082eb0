//! The SQL both backends share.
//!
//! Each backend is a struct holding a `sqlx::Pool` of its database; [`impl_store!`] writes the
//! storage traits for it from one body of SQL. The body is compiled once per backend, against
//! that backend's concrete types, so there are no generic database bounds to fight and each
//! backend remains free to add engine-specific paths of its own. Placeholders are `$1`-style,
//! which SQLite and PostgreSQL both accept; where the engines truly differ the body reads a
//! constant from [`Dialect`].

mod accounts;
pub(crate) mod audit;
pub(crate) mod bot;
pub(crate) mod chat;
pub(crate) mod chat_store;
pub(crate) mod chat_write;
pub(crate) mod desk;
pub(crate) mod inbox;
pub(crate) mod inbox_sql;
pub(crate) mod integration;
mod jobs;
pub(crate) mod lookup;
pub(crate) mod news;
mod people;
pub(crate) mod second_factor;
mod sessions;
pub(crate) mod tip;
pub(crate) mod tip_case;
pub(crate) mod webhook;

/// What differs between the engines in otherwise shared SQL.
pub(crate) trait Dialect {
    /// Appended to the job-lease subquery: PostgreSQL skips rows other workers have locked;
    /// SQLite has one writer at a time and needs nothing.
    const LEASE_LOCK: &'static str;
    /// Appended to a select of a row the transaction will update: PostgreSQL locks it against
    /// other nodes; SQLite's write transaction already excludes every other writer.
    const ROW_LOCK: &'static str;
    /// [`Self::ROW_LOCK`] for a join whose rows from the table aliased `c` will be updated.
    const JOIN_ROW_LOCK: &'static str;
    /// Opens a transaction that will write: SQLite takes the write lock at once (so it never
    /// fails to upgrade a read halfway), PostgreSQL begins normally.
    const BEGIN_WRITE: &'static str;
    /// Opens a transaction whose reads all see one snapshot: PostgreSQL needs REPEATABLE READ
    /// (each statement of a READ COMMITTED transaction sees the latest commits); a SQLite read
    /// transaction in WAL mode already reads one snapshot from its first statement on.
    const BEGIN_SNAPSHOT: &'static str;
    /// Run first in the transaction that appends to the audit log: PostgreSQL takes a
    /// transaction-scoped advisory lock that every node's append waits for; SQLite's write
    /// transaction already excludes every other writer.
    const AUDIT_LOCK: Option<&'static str>;
}

/// The columns read for an [`ketnoi_core::Account`], in the order `account_from_row` expects.
pub(crate) const ACCOUNT_COLUMNS: &str = "id, slug, agency_id, display_name, description, \
     avatar_url, kind, verified, area_code, office_hours, contact_phone, address, \
     follower_count, created_at";
/// The columns read for an [`ketnoi_core::Agency`].
pub(crate) const AGENCY_COLUMNS: &str = "id, code, name, kind, area_code, parent_id";
/// The columns read for an [`ketnoi_core::Area`].
pub(crate) const AREA_COLUMNS: &str = "code, name, level, division_type, parent_code";
/// The columns read for a [`crate::Job`].
pub(crate) const JOB_COLUMNS: &str =
    "id, queue, payload, state, attempts, max_attempts, run_at, lease_expires_at, last_error";
/// The columns read for a [`ketnoi_core::StaffMember`].
pub(crate) const STAFF_COLUMNS: &str = "id, username, display_name, platform_admin, created_at";

/// A column list with each column prefixed by a table name or alias, for joins.
pub(crate) fn qualified(columns: &str, table: &str) -> String {
    columns.split(", ").map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ")
}

/// The text an account is found by: its name, its slug's words and its area's name, folded.
pub(crate) fn account_search_key(display_name: &str, slug: &str, area_name: &str) -> String {
    ketnoi_text::search_key(&format!("{display_name} {} {area_name}", slug.replace('-', " ")))
}

/// Writes every storage trait for a backend struct with a `pool` field of `sqlx::Pool<$db>`.
macro_rules! impl_store {
    ($store:ty, $db:ty, $row:ty) => {
        mod rows {
            use super::*;
            use ketnoi_core::*;
            use sqlx::Row as _;
            use $crate::StoreError;

            pub(crate) fn area(r: &$row) -> Result<Area, StoreError> {
                let parent: Option<String> = r.try_get("parent_code")?;
                Ok(Area {
                    code: AreaCode::parse(r.try_get("code")?)?,
                    name: r.try_get("name")?,
                    level: r.try_get::<&str, _>("level")?.parse()?,
                    division_type: r.try_get("division_type")?,
                    parent: parent.as_deref().map(AreaCode::parse).transpose()?,
                })
            }

            pub(crate) fn agency(r: &$row) -> Result<Agency, StoreError> {
                Ok(Agency {
                    id: AgencyId(r.try_get("id")?),
                    code: AgencyCode::parse(r.try_get("code")?)?,
                    name: r.try_get("name")?,
                    kind: r.try_get::<&str, _>("kind")?.parse()?,
                    area: AreaCode::parse(r.try_get("area_code")?)?,
                    parent: r.try_get::<Option<i64>, _>("parent_id")?.map(AgencyId),
                })
            }

            pub(crate) fn account(r: &$row) -> Result<Account, StoreError> {
                Ok(Account {
                    id: AccountId(r.try_get("id")?),
                    slug: Slug::parse(r.try_get("slug")?)?,
                    agency: AgencyId(r.try_get("agency_id")?),
                    display_name: r.try_get("display_name")?,
                    description: r.try_get("description")?,
                    avatar_url: r.try_get("avatar_url")?,
                    kind: r.try_get::<&str, _>("kind")?.parse()?,
                    verified: r.try_get("verified")?,
                    area: AreaCode::parse(r.try_get("area_code")?)?,
                    office_hours: r.try_get("office_hours")?,
                    contact_phone: r.try_get("contact_phone")?,
                    address: r.try_get("address")?,
                    follower_count: r.try_get("follower_count")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn staff(r: &$row) -> Result<StaffMember, StoreError> {
                Ok(StaffMember {
                    id: StaffId(r.try_get("id")?),
                    username: Username::parse(r.try_get("username")?)?,
                    display_name: DisplayName::parse(r.try_get("display_name")?)?,
                    platform_admin: r.try_get("platform_admin")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn citizen(r: &$row) -> Result<Citizen, StoreError> {
                Ok(Citizen {
                    id: CitizenId(r.try_get("id")?),
                    phone: Phone::parse(r.try_get("phone")?)?,
                    display_name: r.try_get("display_name")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn conversation(r: &$row) -> Result<Conversation, StoreError> {
                Ok(Conversation {
                    id: ConversationId(r.try_get("id")?),
                    account: AccountId(r.try_get("account_id")?),
                    handler: AccountId(r.try_get("handler_id")?),
                    citizen: CitizenId(r.try_get("citizen_id")?),
                    citizen_label: r.try_get("citizen_label")?,
                    status: r.try_get::<&str, _>("status")?.parse()?,
                    bot: r.try_get::<&str, _>("bot_state")?.parse()?,
                    last_seq: r.try_get("last_seq")?,
                    last_message_at: Timestamp(r.try_get("last_message_at")?),
                    preview: r.try_get("preview")?,
                    citizen_read_seq: r.try_get("citizen_read_seq")?,
                    account_read_seq: r.try_get("account_read_seq")?,
                    citizen_unread: r.try_get("citizen_unread")?,
                    account_unread: r.try_get("account_unread")?,
                    assignee: r.try_get::<Option<i64>, _>("assignee_id")?.map(StaffId),
                    waiting_since: r.try_get::<Option<i64>, _>("waiting_since")?.map(Timestamp),
                    first_response_at: r
                        .try_get::<Option<i64>, _>("first_response_at")?
                        .map(Timestamp),
                    resolved_at: r.try_get::<Option<i64>, _>("resolved_at")?.map(Timestamp),
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn rating(r: &$row) -> Result<StoredRating, StoreError> {
                let stars: i64 = r.try_get("stars")?;
                Ok(StoredRating {
                    conversation: ConversationId(r.try_get("conversation_id")?),
                    resolved_at: Timestamp(r.try_get("resolved_at")?),
                    handler: AccountId(r.try_get("handler_id")?),
                    rating: Rating::new(stars, r.try_get("comment")?)?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn transfer(r: &$row) -> Result<$crate::TransferRecord, StoreError> {
                Ok($crate::TransferRecord {
                    conversation: ConversationId(r.try_get("conversation_id")?),
                    from: AccountId(r.try_get("from_account_id")?),
                    to: AccountId(r.try_get("to_account_id")?),
                    kind: r.try_get::<&str, _>("kind")?.parse()?,
                    by: r.try_get::<Option<i64>, _>("staff_id")?.map(StaffId),
                    reason: r.try_get("reason")?,
                    keep_read: r.try_get("keep_read")?,
                    message_seq: r.try_get("message_seq")?,
                    at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn message(r: &$row) -> Result<Message, StoreError> {
                let buttons: Option<&str> = r.try_get("buttons")?;
                let buttons = match buttons {
                    Some(json) => serde_json::from_str(json)
                        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?,
                    None => Vec::new(),
                };
                Ok(Message {
                    conversation: ConversationId(r.try_get("conversation_id")?),
                    seq: r.try_get("seq")?,
                    author: Author::from_parts(r.try_get("author_kind")?, r.try_get("author_id")?)?,
                    author_name: r.try_get("author_name")?,
                    client_msg_id: ClientMsgId::parse(r.try_get("client_msg_id")?)?,
                    content: Content::from_stored(
                        r.try_get::<&str, _>("kind")?.parse()?,
                        r.try_get("body")?,
                        r.try_get::<Option<i64>, _>("attachment_id")?.map(AttachmentId),
                        buttons,
                    ),
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn attachment(r: &$row) -> Result<$crate::StoredAttachment, StoreError> {
                let width: Option<i64> = r.try_get("width")?;
                let height: Option<i64> = r.try_get("height")?;
                let dimensions = match (width, height) {
                    (Some(w), Some(h)) => u32::try_from(w).ok().zip(u32::try_from(h).ok()),
                    _ => None,
                };
                Ok($crate::StoredAttachment {
                    attachment: Attachment {
                        id: AttachmentId(r.try_get("id")?),
                        uploader: Author::from_parts(
                            r.try_get("author_kind")?,
                            r.try_get("author_id")?,
                        )?,
                        media_type: r.try_get("media_type")?,
                        kind: r.try_get::<&str, _>("kind")?.parse()?,
                        name: r.try_get("name")?,
                        size: r.try_get("size")?,
                        dimensions,
                        blob_key: r.try_get("blob_key")?,
                        created_at: Timestamp(r.try_get("created_at")?),
                    },
                    account: AccountId(r.try_get("account_id")?),
                    citizen: CitizenId(r.try_get("citizen_id")?),
                })
            }

            pub(crate) fn note(r: &$row) -> Result<Note, StoreError> {
                Ok(Note {
                    id: NoteId(r.try_get("id")?),
                    conversation: ConversationId(r.try_get("conversation_id")?),
                    author: StaffId(r.try_get("author_id")?),
                    author_name: r.try_get("author_name")?,
                    body: NoteBody::parse(r.try_get("body")?)?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn inbox_event(r: &$row) -> Result<$crate::InboxEvent, StoreError> {
                let kind: &str = r.try_get("kind")?;
                Ok($crate::InboxEvent {
                    account: AccountId(r.try_get("account_id")?),
                    seq: r.try_get("seq")?,
                    conversation: ConversationId(r.try_get("conversation_id")?),
                    kind: $crate::InboxEventKind::parse(kind).ok_or_else(|| {
                        StoreError::Database(sqlx::Error::Decode(
                            format!("unknown inbox event {kind:?}").into(),
                        ))
                    })?,
                    message_seq: r.try_get("message_seq")?,
                    at: Timestamp(r.try_get("created_at")?),
                })
            }

            pub(crate) fn job(r: &$row) -> Result<$crate::Job, StoreError> {
                let state: &str = r.try_get("state")?;
                let payload: &str = r.try_get("payload")?;
                Ok($crate::Job {
                    id: $crate::JobId(r.try_get("id")?),
                    queue: r.try_get("queue")?,
                    payload: serde_json::from_str(payload)
                        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?,
                    state: $crate::JobState::parse(state).ok_or_else(|| {
                        StoreError::Database(sqlx::Error::Decode(
                            format!("unknown job state {state:?}").into(),
                        ))
                    })?,
                    attempt: r.try_get("attempts")?,
                    max_attempts: r.try_get("max_attempts")?,
                    run_at: Timestamp(r.try_get("run_at")?),
                    lease_expires_at: r
                        .try_get::<Option<i64>, _>("lease_expires_at")?
                        .map(Timestamp),
                    last_error: r.try_get("last_error")?,
                })
            }
        }

        $crate::sql::impl_accounts!($store, $db);
        $crate::sql::impl_people!($store, $db);
        $crate::sql::impl_sessions!($store, $db);
        $crate::sql::impl_jobs!($store, $db);
        $crate::sql::impl_chat!($store, $db);
        $crate::sql::impl_bot!($store, $db, $row);
        $crate::sql::impl_lookup!($store, $db, $row);
        $crate::sql::impl_tip!($store, $db, $row);
        $crate::sql::impl_tip_case!($store, $db, $row);
        $crate::sql::impl_news!($store, $db, $row);
        $crate::sql::impl_desk!($store, $db, $row);
        $crate::sql::impl_inbox!($store, $db);
        $crate::sql::impl_integration!($store, $db);
        $crate::sql::impl_webhook!($store, $db);
        $crate::sql::impl_second_factor!($store, $db);
        $crate::sql::impl_audit!($store, $db);
    };
}
pub(crate) use accounts::impl_accounts;
pub(crate) use audit::impl_audit;
pub(crate) use bot::impl_bot;
pub(crate) use chat_store::impl_chat;
pub(crate) use desk::impl_desk;
pub(crate) use impl_store;
pub(crate) use inbox::impl_inbox;
pub(crate) use integration::impl_integration;
pub(crate) use jobs::impl_jobs;
pub(crate) use lookup::impl_lookup;
pub(crate) use news::impl_news;
pub(crate) use people::impl_people;
pub(crate) use second_factor::impl_second_factor;
pub(crate) use sessions::impl_sessions;
pub(crate) use tip::impl_tip;
pub(crate) use tip_case::impl_tip_case;
pub(crate) use webhook::impl_webhook;
