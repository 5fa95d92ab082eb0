-- Officers' internal notes on conversations. A table of their own, never `messages`: nothing
-- that reads messages for a citizen (history, previews, live frames, search) can reach them.
CREATE TABLE conversation_notes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id       INTEGER NOT NULL REFERENCES staff (id),
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX conversation_notes_conversation ON conversation_notes (conversation_id, id);
