-- Labels officers put on conversations ("CCCD", "cư trú"). Staff-only: a table of its own that
-- no citizen path reads. `label_key` is the folded form (lowercase, no diacritics): one label
-- per key on a conversation, and the inbox filter matches on it.
CREATE TABLE conversation_labels (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    label           TEXT NOT NULL,
    label_key       TEXT NOT NULL,
    PRIMARY KEY (conversation_id, label_key)
);
-- The conversations carrying a label, for the inbox filter and the counts of labels in use.
CREATE INDEX conversation_labels_key ON conversation_labels (label_key, conversation_id);
