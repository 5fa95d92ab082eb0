-- Citizens' ratings of how their question was answered: one per settlement of a conversation
-- (a closing; a conversation reopened and closed again may be rated again), 1-5 stars and an
-- optional comment, kept with the account that settled it.
CREATE TABLE conversation_ratings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    resolved_at     INTEGER NOT NULL,
    handler_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    stars           INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment         TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    UNIQUE (conversation_id, resolved_at)
);
CREATE INDEX conversation_ratings_handler ON conversation_ratings (handler_id, created_at);
