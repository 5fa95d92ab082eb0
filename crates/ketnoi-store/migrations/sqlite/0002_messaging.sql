-- Conversations between citizens and accounts, their messages, attachments, and each account's
-- numbered inbox events.

CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    citizen_id       INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    citizen_label    TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'open',
    last_seq         INTEGER NOT NULL DEFAULT 0,
    last_message_at  INTEGER NOT NULL,
    preview          TEXT NOT NULL DEFAULT '',
    citizen_read_seq INTEGER NOT NULL DEFAULT 0,
    account_read_seq INTEGER NOT NULL DEFAULT 0,
    citizen_unread   INTEGER NOT NULL DEFAULT 0,
    account_unread   INTEGER NOT NULL DEFAULT 0,
    assignee_id      INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    UNIQUE (account_id, citizen_id)
);
CREATE INDEX conversations_inbox ON conversations (account_id, status, last_message_at DESC, id DESC);
CREATE INDEX conversations_citizen ON conversations (citizen_id, last_message_at DESC);

-- Files belong to the (account, citizen) pair they were sent between, so a citizen can upload
-- before their first message opens the conversation.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    citizen_id  INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    author_kind TEXT NOT NULL,
    author_id   INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    width       INTEGER,
    height      INTEGER,
    blob_key    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX attachments_pair ON attachments (account_id, citizen_id);

-- A message is known by its conversation and its place there. `author_id` is 0 for the bot.
CREATE TABLE messages (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    author_kind     TEXT NOT NULL,
    author_id       INTEGER NOT NULL,
    author_name     TEXT NOT NULL DEFAULT '',
    client_msg_id   TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    attachment_id   INTEGER REFERENCES attachments (id),
    buttons         TEXT,
    search_key      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE UNIQUE INDEX messages_client_id
    ON messages (conversation_id, author_kind, author_id, client_msg_id);

-- Each account numbers what happens in its inbox, so officers' screens can resume exactly.
CREATE TABLE inbox_heads (
    account_id INTEGER PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    last_seq   INTEGER NOT NULL
);
CREATE TABLE inbox_events (
    account_id      INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    message_seq     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (account_id, seq)
) WITHOUT ROWID;
CREATE INDEX inbox_events_age ON inbox_events (created_at);
