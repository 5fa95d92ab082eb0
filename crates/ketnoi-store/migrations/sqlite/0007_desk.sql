-- The front desk: legal documents, procedure guides, forms, what accounts change of the guides
-- they inherit, and menus (an account's own, or an agency's template for its subtree), each
-- published version kept.

-- Legal documents are the country's, keyed by their number; the agency that entered one may
-- mark it replaced. Days are `yyyy-mm-dd` text, so they compare as text.
CREATE TABLE legal_docs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    number        TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    effective_on  TEXT NOT NULL,
    expires_on    TEXT,
    superseded_by INTEGER REFERENCES legal_docs (id),
    superseded_on TEXT,
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    updated_at    INTEGER NOT NULL
);
CREATE INDEX legal_docs_expiry ON legal_docs (expires_on) WHERE expires_on IS NOT NULL;

-- A procedure guide belongs to an agency; `template` offers it to the agency's subtree.
-- `body` is the guide as JSON; `search_key` its name and code folded. `stale_since` is set when
-- a document it rests on is replaced or lapses, and cleared when an officer reviews it.
CREATE TABLE procedures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id    INTEGER NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    search_key   TEXT NOT NULL,
    template     BOOLEAN NOT NULL,
    body         TEXT NOT NULL,
    reviewed_at  INTEGER NOT NULL,
    stale_since  INTEGER,
    stale_doc_id INTEGER REFERENCES legal_docs (id),
    updated_at   INTEGER NOT NULL,
    UNIQUE (agency_id, code)
);
CREATE INDEX procedures_stale ON procedures (stale_since) WHERE stale_since IS NOT NULL;

CREATE TABLE procedure_legal (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    legal_doc_id INTEGER NOT NULL REFERENCES legal_docs (id),
    PRIMARY KEY (procedure_id, legal_doc_id)
) WITHOUT ROWID;
CREATE INDEX procedure_legal_doc ON procedure_legal (legal_doc_id, procedure_id);

-- A downloadable form of an agency's library, offered down its subtree like its guides; its
-- file is in the blob store.
CREATE TABLE desk_forms (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id     INTEGER NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    code          TEXT NOT NULL,
    title         TEXT NOT NULL,
    search_key    TEXT NOT NULL,
    body          TEXT NOT NULL,
    blob_key      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    size          INTEGER NOT NULL,
    reviewed_at   INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (agency_id, code)
);

-- A guide's forms, by code within the guide owner's reach (resolved when read).
CREATE TABLE procedure_forms (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    form_code    TEXT NOT NULL,
    PRIMARY KEY (procedure_id, form_code)
) WITHOUT ROWID;
CREATE INDEX procedure_forms_code ON procedure_forms (form_code, procedure_id);

-- What one account changes of a guide it shows: replaced fields and extra steps (JSON), or
-- hidden.
CREATE TABLE procedure_overrides (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    hidden       BOOLEAN NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (procedure_id, account_id)
) WITHOUT ROWID;
CREATE INDEX procedure_overrides_account ON procedure_overrides (account_id);

-- Every published version of a menu; the newest is in force. A menu is an account's own or an
-- agency's template for the accounts of its subtree.
CREATE TABLE menus (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    agency_id  INTEGER REFERENCES agencies (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    author_id  INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    CHECK ((account_id IS NULL) <> (agency_id IS NULL))
);
CREATE UNIQUE INDEX menus_account ON menus (account_id, version) WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX menus_agency ON menus (agency_id, version) WHERE agency_id IS NOT NULL;

-- A bot answer may come from a procedure guide: it links to the guide and is flagged with it.
ALTER TABLE bot_intents ADD COLUMN procedure_code TEXT;
-- An account may offer its knowledge base to the accounts of its agency's subtree: their bots
-- answer from their own intents and the offered ones (their own win on a shared id).
ALTER TABLE bot_settings ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE;
