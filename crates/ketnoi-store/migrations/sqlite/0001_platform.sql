-- ketnoi platform core, SQLite. Times are Unix milliseconds (UTC) in INTEGER columns, the same
-- representation as on PostgreSQL, so both backends compare and index them alike.

CREATE TABLE areas (
    code          TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    level         TEXT NOT NULL,
    division_type TEXT NOT NULL DEFAULT '',
    parent_code   TEXT REFERENCES areas (code) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX areas_parent ON areas (parent_code);

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    area_code  TEXT NOT NULL REFERENCES areas (code),
    parent_id  INTEGER REFERENCES agencies (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    slug           TEXT NOT NULL UNIQUE,
    agency_id      INTEGER NOT NULL REFERENCES agencies (id),
    display_name   TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    avatar_url     TEXT,
    kind           TEXT NOT NULL,
    verified       BOOLEAN NOT NULL DEFAULT FALSE,
    area_code      TEXT NOT NULL REFERENCES areas (code),
    office_hours   TEXT NOT NULL DEFAULT '',
    contact_phone  TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    search_key     TEXT NOT NULL,
    follower_count INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE INDEX accounts_area ON accounts (area_code);
CREATE INDEX accounts_agency ON accounts (agency_id);

CREATE TABLE staff (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     INTEGER NOT NULL
);

CREATE TABLE staff_grants (
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    agency_id INTEGER NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    PRIMARY KEY (staff_id, agency_id)
);

CREATE TABLE citizens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    phone        TEXT NOT NULL UNIQUE,
    display_name TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE follows (
    citizen_id INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (citizen_id, account_id)
);
CREATE INDEX follows_account ON follows (account_id);

-- One pending one-time code per phone; a new request replaces the old one.
CREATE TABLE otp_challenges (
    phone      TEXT PRIMARY KEY NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0
);

-- Sessions and API tokens. Only a SHA-256 of the token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER
);
CREATE INDEX sessions_subject ON sessions (subject_kind, subject_id);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    queue            TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    run_at           INTEGER NOT NULL,
    lease_expires_at INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX jobs_ready ON jobs (queue, state, run_at);
