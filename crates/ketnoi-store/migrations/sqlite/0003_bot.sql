-- The accounts' automatic assistants: where each conversation stands with the bot, each
-- account's bot settings, knowledge base (intents), keyword rules, hand-offs to officers and
-- daily counts.

ALTER TABLE conversations ADD COLUMN bot_state TEXT NOT NULL DEFAULT 'active'
    CHECK (bot_state IN ('active', 'waiting', 'paused'));
-- Officers mostly look at the conversations the bot cannot settle; most are ones it can.
CREATE INDEX conversations_need_person
    ON conversations (account_id, status, last_message_at DESC, id DESC)
    WHERE bot_state <> 'active';

-- One row per account that has ever touched its bot. `kb_version` counts every change to the
-- account's intents: the server keeps the engine it built for each (account, kb_version).
-- `threshold` is the hand-off threshold last calibrated for the knowledge base, for display.
CREATE TABLE bot_settings (
    account_id   INTEGER PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    enabled      BOOLEAN NOT NULL DEFAULT FALSE,
    welcome      TEXT NOT NULL DEFAULT '',
    away_message TEXT NOT NULL DEFAULT '',
    kb_version   INTEGER NOT NULL DEFAULT 0,
    threshold    REAL,
    updated_at   INTEGER NOT NULL
);

-- An account's knowledge base, in the order it was written. `examples` is a JSON array of
-- strings.
CREATE TABLE bot_intents (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    intent_id  TEXT NOT NULL,
    position   INTEGER NOT NULL,
    topic      TEXT NOT NULL,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    examples   TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, intent_id)
);
CREATE INDEX bot_intents_order ON bot_intents (account_id, position);

-- Fixed answers to keywords. `keyword_key` is the keyword folded as messages are for search.
CREATE TABLE bot_rules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    keyword     TEXT NOT NULL,
    keyword_key TEXT NOT NULL,
    matching    TEXT NOT NULL CHECK (matching IN ('exact', 'contains')),
    answer      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX bot_rules_account ON bot_rules (account_id, id);

-- Questions the bot passed to officers, with the intents it thought closest (a JSON array of
-- intent ids): the material for teaching it.
CREATE TABLE bot_handoffs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    question        TEXT NOT NULL,
    suggestions     TEXT NOT NULL DEFAULT '[]',
    at              INTEGER NOT NULL,
    resolved        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX bot_handoffs_open ON bot_handoffs (account_id, resolved, at DESC, id DESC);
CREATE INDEX bot_handoffs_all ON bot_handoffs (account_id, at DESC, id DESC);
CREATE INDEX bot_handoffs_conversation ON bot_handoffs (conversation_id);

-- What the bot did, per account and day (days since the Unix epoch, in Vietnam time).
CREATE TABLE bot_stats (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day        INTEGER NOT NULL,
    answered   INTEGER NOT NULL DEFAULT 0,
    handed_off INTEGER NOT NULL DEFAULT 0,
    helpful    INTEGER NOT NULL DEFAULT 0,
    unhelpful  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day)
) WITHOUT ROWID;
