-- Conversations handed over between accounts: to another account of the same agency, up to an
-- account of an agency above, or back down. The conversation stays the citizen's with the account
-- they wrote to (`account_id`); `handler_id` is the account whose inbox holds it now.

ALTER TABLE conversations ADD COLUMN handler_id INTEGER REFERENCES accounts (id);
UPDATE conversations SET handler_id = account_id;

-- The inbox indexes follow the handler, not the account written to.
DROP INDEX conversations_inbox;
CREATE INDEX conversations_inbox
    ON conversations (handler_id, status, last_message_at DESC, id DESC);
DROP INDEX conversations_need_person;
CREATE INDEX conversations_need_person
    ON conversations (handler_id, status, last_message_at DESC, id DESC)
    WHERE bot_state <> 'active';
DROP INDEX conversations_assignee;
CREATE INDEX conversations_assignee
    ON conversations (handler_id, status, assignee_id, last_message_at DESC, id DESC);

-- Every handover, for the record and for read access: the sending side keeps reading the
-- conversation when `keep_read` is set. `kind` is transfer, escalate or return; `reason` is the
-- officer's internal word to the receiving side, never shown to the citizen.
CREATE TABLE conversation_transfers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    from_account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    to_account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('transfer', 'escalate', 'return')),
    staff_id        INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    reason          TEXT NOT NULL DEFAULT '',
    keep_read       BOOLEAN NOT NULL,
    message_seq     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX conversation_transfers_conversation ON conversation_transfers (conversation_id, id);

-- Round-robin assignment: on for an account, and the officer it last chose.
ALTER TABLE accounts ADD COLUMN auto_assign BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE assign_cursors (
    account_id INTEGER PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    last_staff_id INTEGER NOT NULL
);
