//! The write path of a chat batch, per backend: conversations and inbox heads loaded (and on
//! PostgreSQL locked) once, idempotent sends resolved, messages and events inserted in a few
//! multi-row statement shapes, touched conversations written back once. Called from
//! [`crate::ChatStore::apply_chat`] in `chat_store.rs`; the bookkeeping is [`super::chat::Batch`].

macro_rules! impl_chat_write {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Loads a conversation into the batch (locking its row on PostgreSQL).
            async fn load_conversation(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                id: ketnoi_core::ConversationId,
            ) -> $crate::Result<Option<ketnoi_core::Conversation>> {
                if let Some((c, _)) = batch.convs.get(&id) {
                    return Ok(Some(c.clone()));
                }
                if batch.looked_up.contains(&id) {
                    return Ok(None);
                }
                let sql = format!(
                    "SELECT {} FROM conversations WHERE id = $1{}",
                    $crate::sql::chat::CONVERSATION_COLUMNS,
                    <$store as $crate::sql::Dialect>::ROW_LOCK
                );
                let row = sqlx::query(&sql).bind(id.0).fetch_optional(&mut **tx).await?;
                let Some(conv) = row.as_ref().map(rows::conversation).transpose()? else {
                    return Ok(None);
                };
                batch.pairs.insert((conv.account, conv.citizen), conv.id);
                batch.convs.insert(id, (conv.clone(), false));
                Ok(Some(conv))
            }

            /// The citizen's conversation with an account, opened if there is none.
            async fn open_conversation(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                account: ketnoi_core::AccountId,
                citizen: ketnoi_core::CitizenId,
                label: &str,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<ketnoi_core::ConversationId> {
                if let Some(id) = batch.pairs.get(&(account, citizen)) {
                    return Ok(*id);
                }
                let cols = $crate::sql::chat::CONVERSATION_COLUMNS;
                let row = if batch.looked_up_pairs.contains(&(account, citizen)) {
                    None
                } else {
                    let sql = format!(
                        "SELECT {cols} FROM conversations WHERE account_id = $1 \
                         AND citizen_id = $2{}",
                        <$store as $crate::sql::Dialect>::ROW_LOCK
                    );
                    sqlx::query(&sql)
                        .bind(account.0)
                        .bind(citizen.0)
                        .fetch_optional(&mut **tx)
                        .await?
                };
                let (row, fresh) = match row {
                    Some(row) => (row, false),
                    None => {
                        let sql = format!(
                            "INSERT INTO conversations (account_id, handler_id, citizen_id, \
                             citizen_label, last_message_at, created_at) \
                             VALUES ($1, $1, $2, $3, $4, $4) RETURNING {cols}"
                        );
                        let row = sqlx::query(&sql)
                            .bind(account.0)
                            .bind(citizen.0)
                            .bind(label)
                            .bind(at.millis())
                            .fetch_one(&mut **tx)
                            .await
                            .map_err($crate::error::classify("conversation"))?;
                        (row, true)
                    }
                };
                let conv = rows::conversation(&row)?;
                let id = conv.id;
                if fresh {
                    batch.fresh.insert(id);
                }
                batch.pairs.insert((account, citizen), id);
                batch.convs.insert(id, (conv, false));
                Ok(id)
            }

            /// Whether the account and the citizen both exist.
            async fn pair_exists(
                tx: &mut sqlx::Transaction<'static, $db>,
                account: ketnoi_core::AccountId,
                citizen: ketnoi_core::CitizenId,
            ) -> $crate::Result<bool> {
                let found: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM accounts a, citizens c WHERE a.id = $1 AND c.id = $2",
                )
                .bind(account.0)
                .bind(citizen.0)
                .fetch_one(&mut **tx)
                .await?;
                Ok(found > 0)
            }

            /// Reads (and locks) an account's inbox head into the batch.
            async fn load_head(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                account: ketnoi_core::AccountId,
            ) -> $crate::Result<()> {
                if batch.heads.contains_key(&account) {
                    return Ok(());
                }
                // An upsert that changes nothing still locks the row on PostgreSQL.
                let last: i64 = sqlx::query_scalar(
                    "INSERT INTO inbox_heads (account_id, last_seq) VALUES ($1, 0) \
                     ON CONFLICT (account_id) DO UPDATE SET last_seq = inbox_heads.last_seq \
                     RETURNING last_seq",
                )
                .bind(account.0)
                .fetch_one(&mut **tx)
                .await?;
                batch.heads.insert(account, (last, false));
                Ok(())
            }

            /// Inserts the waiting messages.
            async fn flush_messages(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
            ) -> $crate::Result<()> {
                let waiting = std::mem::take(&mut batch.messages);
                batch.keys.clear();
                let mut rest = waiting.as_slice();
                for size in $crate::sql::chat::chunk_sizes(waiting.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "INSERT INTO messages ({}) VALUES {}",
                        $crate::sql::chat::MESSAGE_INSERT_COLUMNS,
                        $crate::sql::chat::placeholders(size, 12)
                    );
                    let mut q = sqlx::query(&sql);
                    for (m, key) in chunk {
                        q = q
                            .bind(m.conversation.0)
                            .bind(m.seq)
                            .bind(m.author.kind_str())
                            .bind(m.author.id())
                            .bind(m.author_name.as_str())
                            .bind(m.client_msg_id.as_str())
                            .bind(m.content.kind().as_str())
                            .bind(m.content.body())
                            .bind(m.content.attachment_id().map(|a| a.0))
                            .bind($crate::sql::chat::buttons_json(&m.content))
                            .bind(key.as_str())
                            .bind(m.created_at.millis());
                    }
                    q.execute(&mut **tx).await.map_err($crate::error::classify("message"))?;
                }
                Ok(())
            }

            /// Writes back everything the batch changed.
            async fn flush(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
            ) -> $crate::Result<()> {
                Self::flush_messages(tx, batch).await?;
                let dirty: Vec<ketnoi_core::Conversation> = batch
                    .convs
                    .values_mut()
                    .filter(|(_, dirty)| *dirty)
                    .map(|(conv, dirty)| {
                        *dirty = false;
                        conv.clone()
                    })
                    .collect();
                let mut rest = dirty.as_slice();
                for size in $crate::sql::chat::chunk_sizes(dirty.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "WITH v (id, status, bot_state, last_seq, last_message_at, preview, \
                         citizen_read_seq, account_read_seq, citizen_unread, account_unread, \
                         waiting_since, first_response_at, resolved_at) \
                         AS (VALUES {}) \
                         UPDATE conversations SET status = v.status, bot_state = v.bot_state, \
                         last_seq = v.last_seq, \
                         last_message_at = v.last_message_at, preview = v.preview, \
                         citizen_read_seq = v.citizen_read_seq, \
                         account_read_seq = v.account_read_seq, \
                         citizen_unread = v.citizen_unread, account_unread = v.account_unread, \
                         waiting_since = v.waiting_since, \
                         first_response_at = v.first_response_at, resolved_at = v.resolved_at \
                         FROM v WHERE conversations.id = v.id",
                        $crate::sql::chat::placeholders(size, 13)
                    );
                    let mut q = sqlx::query(&sql);
                    for conv in chunk {
                        q = q
                            .bind(conv.id.0)
                            .bind(conv.status.as_str())
                            .bind(conv.bot.as_str())
                            .bind(conv.last_seq)
                            .bind(conv.last_message_at.millis())
                            .bind(conv.preview.as_str())
                            .bind(conv.citizen_read_seq)
                            .bind(conv.account_read_seq)
                            .bind(conv.citizen_unread)
                            .bind(conv.account_unread)
                            .bind(conv.waiting_since.map(|t| t.millis()))
                            .bind(conv.first_response_at.map(|t| t.millis()))
                            .bind(conv.resolved_at.map(|t| t.millis()));
                    }
                    q.execute(&mut **tx).await?;
                }
                for (account, (last, dirty)) in batch.heads.iter_mut() {
                    if *dirty {
                        sqlx::query("UPDATE inbox_heads SET last_seq = $2 WHERE account_id = $1")
                            .bind(account.0)
                            .bind(*last)
                            .execute(&mut **tx)
                            .await?;
                        *dirty = false;
                    }
                }
                let events = std::mem::take(&mut batch.events);
                let mut rest = events.as_slice();
                for size in $crate::sql::chat::chunk_sizes(events.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "INSERT INTO inbox_events ({}) VALUES {}",
                        $crate::sql::chat::EVENT_COLUMNS,
                        $crate::sql::chat::placeholders(size, 6)
                    );
                    let mut q = sqlx::query(&sql);
                    for e in chunk {
                        q = q
                            .bind(e.account.0)
                            .bind(e.seq)
                            .bind(e.conversation.0)
                            .bind(e.kind.as_str())
                            .bind(e.message_seq)
                            .bind(e.at.millis());
                    }
                    q.execute(&mut **tx).await?;
                }
                Ok(())
            }

            /// Reads, in a few statements, every conversation and idempotency key the batch
            /// names, so that applying it needs the database only for what is new.
            async fn prefetch(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                writes: &[$crate::ChatWrite],
            ) -> $crate::Result<()> {
                use $crate::{ChatWrite, Recipient};
                let mut ids = Vec::new();
                let mut pairs = Vec::new();
                for w in writes {
                    match w {
                        ChatWrite::Send { to: Recipient::Conversation(id), .. }
                        | ChatWrite::Read { conversation: id, .. }
                        | ChatWrite::SetStatus { conversation: id, .. }
                        | ChatWrite::SetBot { conversation: id, .. }
                        | ChatWrite::Assign { conversation: id, .. }
                        | ChatWrite::Transfer($crate::Transfer { conversation: id, .. }) => {
                            ids.push(*id)
                        }
                        ChatWrite::Send {
                            to: Recipient::Account { account, .. },
                            author: ketnoi_core::Author::Citizen(citizen),
                            ..
                        } => pairs.push((*account, *citizen)),
                        ChatWrite::Send {
                            to: Recipient::Open { account, citizen, .. },
                            author,
                            ..
                        } if author.side() == ketnoi_core::Side::Account => {
                            pairs.push((*account, *citizen))
                        }
                        ChatWrite::Send { .. } => {}
                    }
                }
                ids.sort_unstable();
                ids.dedup();
                pairs.sort_unstable();
                pairs.dedup();
                let cols = $crate::sql::chat::CONVERSATION_COLUMNS;
                let mut found = Vec::new();
                let mut rest = ids.as_slice();
                for size in $crate::sql::chat::chunk_sizes(ids.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "SELECT {cols} FROM conversations WHERE id IN ({}){}",
                        $crate::sql::chat::list(size),
                        <$store as $crate::sql::Dialect>::ROW_LOCK
                    );
                    let mut q = sqlx::query(&sql);
                    for id in chunk {
                        q = q.bind(id.0);
                    }
                    found.extend(q.fetch_all(&mut **tx).await?);
                }
                let mut rest = pairs.as_slice();
                for size in $crate::sql::chat::chunk_sizes(pairs.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "WITH k (account_id, citizen_id) AS (VALUES {}) SELECT {} \
                         FROM k JOIN conversations c ON c.account_id = k.account_id \
                         AND c.citizen_id = k.citizen_id{}",
                        $crate::sql::chat::placeholders(size, 2),
                        $crate::sql::qualified(cols, "c"),
                        <$store as $crate::sql::Dialect>::JOIN_ROW_LOCK
                    );
                    let mut q = sqlx::query(&sql);
                    for (account, citizen) in chunk {
                        q = q.bind(account.0).bind(citizen.0);
                    }
                    found.extend(q.fetch_all(&mut **tx).await?);
                }
                for row in &found {
                    let conv = rows::conversation(row)?;
                    batch.pairs.insert((conv.account, conv.citizen), conv.id);
                    batch.convs.insert(conv.id, (conv, false));
                }
                batch.looked_up.extend(ids);
                batch.looked_up_pairs.extend(pairs);

                let mut keys = Vec::new();
                for w in writes {
                    if let ChatWrite::Send { to, author, client_msg_id, .. } = w {
                        let conv = match (to, author) {
                            (Recipient::Conversation(id), _) => Some(*id),
                            (Recipient::Account { account, .. }, ketnoi_core::Author::Citizen(c)) => {
                                batch.pairs.get(&(*account, *c)).copied()
                            }
                            (Recipient::Open { account, citizen, .. }, a)
                                if a.side() == ketnoi_core::Side::Account =>
                            {
                                batch.pairs.get(&(*account, *citizen)).copied()
                            }
                            _ => None,
                        };
                        if let Some(conv) = conv.filter(|c| batch.convs.contains_key(c)) {
                            keys.push($crate::sql::chat::Batch::key(conv, *author, client_msg_id));
                        }
                    }
                }
                keys.sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3.as_str()).cmp(&(b.0, b.1, b.2, b.3.as_str())));
                keys.dedup();
                let mut rest = keys.as_slice();
                for size in $crate::sql::chat::chunk_sizes(keys.len()) {
                    let (chunk, tail) = rest.split_at(size);
                    rest = tail;
                    let sql = format!(
                        "WITH k (conversation_id, author_kind, author_id, client_msg_id) \
                         AS (VALUES {}) SELECT {} FROM k JOIN messages m \
                         ON m.conversation_id = k.conversation_id \
                         AND m.author_kind = k.author_kind AND m.author_id = k.author_id \
                         AND m.client_msg_id = k.client_msg_id",
                        $crate::sql::chat::placeholders(size, 4),
                        $crate::sql::qualified($crate::sql::chat::MESSAGE_COLUMNS, "m")
                    );
                    let mut q = sqlx::query(&sql);
                    for (conv, kind, id, client) in chunk {
                        q = q.bind(conv.0).bind(*kind).bind(*id).bind(client.as_str());
                    }
                    for row in q.fetch_all(&mut **tx).await? {
                        let m = rows::message(&row)?;
                        let key = $crate::sql::chat::Batch::key(m.conversation, m.author, &m.client_msg_id);
                        batch.checked.insert(key, Some(m));
                    }
                    for key in chunk {
                        batch.checked.entry(key.clone()).or_insert(None);
                    }
                }
                Ok(())
            }

            /// One send, inside the batch.
            #[allow(clippy::too_many_arguments)]
            async fn apply_send(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                to: &$crate::Recipient,
                author: ketnoi_core::Author,
                author_name: &str,
                client_msg_id: &ketnoi_core::ClientMsgId,
                content: &ketnoi_core::Content,
                at: ketnoi_core::Timestamp,
                bot: Option<ketnoi_core::BotState>,
            ) -> $crate::Result<$crate::ChatOutcome> {
                use $crate::ChatRefusal;
                let conv_id = match (to, author) {
                    ($crate::Recipient::Conversation(id), _) => *id,
                    (
                        $crate::Recipient::Account { account, citizen_label },
                        ketnoi_core::Author::Citizen(citizen),
                    ) => {
                        Self::open_conversation(tx, batch, *account, citizen, citizen_label, at)
                            .await?
                    }
                    ($crate::Recipient::Account { .. }, _)
                    | ($crate::Recipient::Open { .. }, ketnoi_core::Author::Citizen(_)) => {
                        return Ok(Err(ChatRefusal::NoConversation));
                    }
                    ($crate::Recipient::Open { account, citizen, citizen_label }, _) => {
                        // The citizen comes from the caller, not from a signed-in session: a
                        // missing one is this write's refusal, not the whole batch's failure.
                        if !batch.pairs.contains_key(&(*account, *citizen))
                            && !Self::pair_exists(tx, *account, *citizen).await?
                        {
                            return Ok(Err(ChatRefusal::NoConversation));
                        }
                        Self::open_conversation(tx, batch, *account, *citizen, citizen_label, at)
                            .await?
                    }
                };
                let Some(conv) = Self::load_conversation(tx, batch, conv_id).await? else {
                    return Ok(Err(ChatRefusal::NoConversation));
                };
                if let ketnoi_core::Author::Citizen(c) = author
                    && c != conv.citizen
                {
                    return Ok(Err(ChatRefusal::NoConversation));
                }
                let key = $crate::sql::chat::Batch::key(conv_id, author, client_msg_id);
                if let Some(&i) = batch.keys.get(&key) {
                    let existing = batch.messages[i].0.clone();
                    return Ok($crate::sql::chat::Batch::replay(&existing, content, &conv));
                }
                let stored = match batch.checked.get(&key) {
                    Some(found) => found.clone(),
                    None if batch.fresh.contains(&conv_id) => None,
                    None => {
                        let sql = format!(
                            "SELECT {} FROM messages WHERE conversation_id = $1 \
                             AND author_kind = $2 AND author_id = $3 AND client_msg_id = $4",
                            $crate::sql::chat::MESSAGE_COLUMNS
                        );
                        let row = sqlx::query(&sql)
                            .bind(conv_id.0)
                            .bind(author.kind_str())
                            .bind(author.id())
                            .bind(client_msg_id.as_str())
                            .fetch_optional(&mut **tx)
                            .await?;
                        row.as_ref().map(rows::message).transpose()?
                    }
                };
                if let Some(existing) = stored {
                    return Ok($crate::sql::chat::Batch::replay(&existing, content, &conv));
                }
                if let Some(attachment) = content.attachment_id() {
                    let sql = format!(
                        "SELECT {} FROM attachments WHERE id = $1",
                        $crate::sql::chat::ATTACHMENT_COLUMNS
                    );
                    let row = sqlx::query(&sql).bind(attachment.0).fetch_optional(&mut **tx).await?;
                    let usable = match row.as_ref().map(rows::attachment).transpose()? {
                        Some(a) => {
                            a.account == conv.account
                                && a.citizen == conv.citizen
                                && a.attachment.uploader == author
                                && a.attachment.kind == content.kind()
                        }
                        None => false,
                    };
                    if !usable {
                        return Ok(Err(ChatRefusal::BadAttachment));
                    }
                }
                Self::load_head(tx, batch, conv.handler).await?;
                batch
                    .append(conv_id, author, author_name, client_msg_id, content, at, bot)
                    .map(Ok)
                    .ok_or($crate::StoreError::NotFound("conversation"))
            }

            /// A read mark or a status change, inside the batch.
            async fn apply_change(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                write: &$crate::ChatWrite,
            ) -> $crate::Result<$crate::ChatOutcome> {
                use ketnoi_core::{ConversationStatus, Side};
                use $crate::{ChatApplied, ChatRefusal, ChatWrite, InboxEventKind};
                use ketnoi_core::BotState;
                let (id, at) = match write {
                    ChatWrite::Read { conversation, at, .. }
                    | ChatWrite::SetStatus { conversation, at, .. }
                    | ChatWrite::SetBot { conversation, at, .. } => (*conversation, *at),
                    _ => return Err($crate::StoreError::NotFound("write")),
                };
                let Some(mut conv) = Self::load_conversation(tx, batch, id).await? else {
                    return Ok(Err(ChatRefusal::NoConversation));
                };
                // A bot change, and a close that finds the conversation closed but not handed
                // back to the bot, change the row without an inbox event.
                let quiet_bot_change = match write {
                    ChatWrite::SetBot { state, .. } => Some(*state),
                    ChatWrite::SetStatus { status: ConversationStatus::Closed, .. }
                        if conv.status == ConversationStatus::Closed =>
                    {
                        Some(BotState::Active)
                    }
                    _ => None,
                };
                if let Some(state) = quiet_bot_change {
                    if conv.bot != state {
                        conv.bot = state;
                        batch.convs.insert(id, (conv.clone(), true));
                    }
                    return Ok(Ok(ChatApplied::Changed { conversation: conv, event: None }));
                }
                let (kind, message_seq) = match write {
                    ChatWrite::Read { side, seq, .. } => {
                        let read = (*seq).min(conv.last_seq).max(conv.read_seq(*side));
                        if read == conv.read_seq(*side) {
                            return Ok(Ok(ChatApplied::Changed { conversation: conv, event: None }));
                        }
                        // Count what the reader still has not read, including messages
                        // waiting in this batch.
                        Self::flush_messages(tx, batch).await?;
                        let op = if *side == Side::Citizen { "<>" } else { "=" };
                        let sql = format!(
                            "SELECT COUNT(*) FROM messages WHERE conversation_id = $1 \
                             AND seq > $2 AND author_kind {op} 'citizen'"
                        );
                        let unread: i64 = sqlx::query_scalar(&sql)
                            .bind(id.0)
                            .bind(read)
                            .fetch_one(&mut **tx)
                            .await?;
                        match side {
                            Side::Citizen => {
                                conv.citizen_read_seq = read;
                                conv.citizen_unread = unread;
                            }
                            Side::Account => {
                                conv.account_read_seq = read;
                                conv.account_unread = unread;
                            }
                        }
                        (InboxEventKind::read_by(*side), read)
                    }
                    ChatWrite::SetStatus { status, .. } => {
                        if conv.status == *status {
                            return Ok(Ok(ChatApplied::Changed { conversation: conv, event: None }));
                        }
                        conv.status = *status;
                        let kind = match status {
                            ConversationStatus::Closed => {
                                conv.bot = BotState::Active;
                                conv.waiting_since = None;
                                conv.resolved_at = Some(at);
                                InboxEventKind::Closed
                            }
                            ConversationStatus::Open => {
                                conv.resolved_at = None;
                                InboxEventKind::Reopened
                            }
                        };
                        (kind, conv.last_seq)
                    }
                    _ => return Err($crate::StoreError::NotFound("write")),
                };
                Self::load_head(tx, batch, conv.handler).await?;
                batch.convs.insert(id, (conv.clone(), true));
                let event = batch.next_event(conv.handler, id, kind, message_seq, at);
                Ok(Ok(ChatApplied::Changed { conversation: conv, event: Some(event) }))
            }

            /// Whether a row with this id exists in `table` (a fixed name, never input).
            async fn row_exists(
                tx: &mut sqlx::Transaction<'static, $db>,
                table: &'static str,
                id: i64,
            ) -> $crate::Result<bool> {
                let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
                let found: i64 = sqlx::query_scalar(&sql).bind(id).fetch_one(&mut **tx).await?;
                Ok(found > 0)
            }

            /// Sets the handler and assignee of a loaded conversation, in the database at once
            /// (the batch's write-back never touches these two columns) and in the batch.
            async fn place(
                tx: &mut sqlx::Transaction<'static, $db>,
                conv: &ketnoi_core::Conversation,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE conversations SET handler_id = $2, assignee_id = $3 WHERE id = $1",
                )
                .bind(conv.id.0)
                .bind(conv.handler.0)
                .bind(conv.assignee.map(|s| s.0))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// An assignment, inside the batch.
            async fn apply_assign(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                id: ketnoi_core::ConversationId,
                assignee: Option<ketnoi_core::StaffId>,
                only_if_unassigned: bool,
                at: ketnoi_core::Timestamp,
            ) -> $crate::Result<$crate::ChatOutcome> {
                use $crate::{ChatApplied, ChatRefusal, InboxEventKind};
                let Some(mut conv) = Self::load_conversation(tx, batch, id).await? else {
                    return Ok(Err(ChatRefusal::NoConversation));
                };
                if conv.assignee == assignee || (only_if_unassigned && conv.assignee.is_some()) {
                    return Ok(Ok(ChatApplied::Changed { conversation: conv, event: None }));
                }
                if let Some(staff) = assignee
                    && !Self::row_exists(tx, "staff", staff.0).await?
                {
                    return Ok(Err(ChatRefusal::NoStaff));
                }
                conv.assignee = assignee;
                Self::place(tx, &conv).await?;
                Self::load_head(tx, batch, conv.handler).await?;
                let dirty = batch.convs.get(&id).is_some_and(|(_, d)| *d);
                batch.convs.insert(id, (conv.clone(), dirty));
                let event =
                    batch.next_event(conv.handler, id, InboxEventKind::Assigned, conv.last_seq, at);
                Ok(Ok(ChatApplied::Changed { conversation: conv, event: Some(event) }))
            }

            /// A handover, inside the batch: see [`crate::Transfer`].
            async fn apply_transfer(
                tx: &mut sqlx::Transaction<'static, $db>,
                batch: &mut $crate::sql::chat::Batch,
                t: &$crate::Transfer,
            ) -> $crate::Result<$crate::ChatOutcome> {
                use $crate::{ChatApplied, ChatRefusal, InboxEventKind};
                let Some(mut conv) = Self::load_conversation(tx, batch, t.conversation).await?
                else {
                    return Ok(Err(ChatRefusal::NoConversation));
                };
                if conv.handler == t.to {
                    return Ok(Err(ChatRefusal::AlreadyThere));
                }
                if !Self::row_exists(tx, "accounts", t.to.0).await? {
                    return Ok(Err(ChatRefusal::NoAccount));
                }
                if let Some(staff) = t.assignee
                    && !Self::row_exists(tx, "staff", staff.0).await?
                {
                    return Ok(Err(ChatRefusal::NoStaff));
                }
                let from = conv.handler;
                Self::load_head(tx, batch, from).await?;
                Self::load_head(tx, batch, t.to).await?;
                conv.handler = t.to;
                conv.assignee = t.assignee;
                conv.status = ketnoi_core::ConversationStatus::Open;
                conv.resolved_at = None;
                Self::place(tx, &conv).await?;
                batch.convs.insert(conv.id, (conv.clone(), true));
                let left = batch.next_event(
                    from,
                    conv.id,
                    InboxEventKind::TransferredOut,
                    conv.last_seq,
                    t.at,
                );
                let client_msg_id = ketnoi_core::ClientMsgId::parse(&format!(
                    "handover-{}",
                    conv.last_seq + 1
                ))?;
                let Some(ChatApplied::Sent { message, conversation, event: Some(event) }) = batch
                    .append(
                        conv.id,
                        ketnoi_core::Author::Bot,
                        "",
                        &client_msg_id,
                        &t.notice,
                        t.at,
                        Some(ketnoi_core::BotState::Waiting),
                    )
                else {
                    return Err($crate::StoreError::NotFound("conversation"));
                };
                sqlx::query(
                    "INSERT INTO conversation_transfers (conversation_id, from_account_id, \
                     to_account_id, kind, staff_id, reason, keep_read, message_seq, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(conv.id.0)
                .bind(from.0)
                .bind(t.to.0)
                .bind(t.kind.as_str())
                .bind(t.by.map(|s| s.0))
                .bind(t.reason.as_str())
                .bind(t.keep_read)
                .bind(message.seq)
                .bind(t.at.millis())
                .execute(&mut **tx)
                .await
                .map_err($crate::error::classify("staff member"))?;
                Ok(Ok(ChatApplied::Transferred { message, conversation, event, left }))
            }

            async fn event_items(
                &self,
                events: Vec<$crate::InboxEvent>,
            ) -> $crate::Result<Vec<$crate::InboxItem>> {
                let mut convs: std::collections::HashMap<_, ketnoi_core::Conversation> =
                    std::collections::HashMap::new();
                let mut items = Vec::with_capacity(events.len());
                for event in events {
                    let conversation = match convs.get(&event.conversation) {
                        Some(c) => c.clone(),
                        None => {
                            let Some(c) =
                                $crate::ChatStore::conversation(self, event.conversation).await?
                            else {
                                continue;
                            };
                            convs.insert(c.id, c.clone());
                            c
                        }
                    };
                    let message = if event.kind == $crate::InboxEventKind::Message {
                        let sql = format!(
                            "SELECT {} FROM messages WHERE conversation_id = $1 AND seq = $2",
                            $crate::sql::chat::MESSAGE_COLUMNS
                        );
                        let row = sqlx::query(&sql)
                            .bind(event.conversation.0)
                            .bind(event.message_seq)
                            .fetch_optional(&self.pool)
                            .await?;
                        row.as_ref().map(rows::message).transpose()?
                    } else {
                        None
                    };
                    items.push($crate::InboxItem { event, conversation, message });
                }
                Ok(items)
            }
        }
    };
}
pub(crate) use impl_chat_write;
