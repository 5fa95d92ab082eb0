-- Canned replies: an account's own (account_id), or an agency's templates (agency_id), which
-- every account of the agency's subtree inherits. A shortcut is unique per owner.
CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    agency_id  INTEGER REFERENCES agencies (id) ON DELETE CASCADE,
    shortcut   TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((account_id IS NULL) <> (agency_id IS NULL))
);
CREATE UNIQUE INDEX canned_replies_account ON canned_replies (account_id, shortcut);
CREATE UNIQUE INDEX canned_replies_agency ON canned_replies (agency_id, shortcut);
