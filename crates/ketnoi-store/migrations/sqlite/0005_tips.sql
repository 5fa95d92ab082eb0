-- Confidential police tips. A tip is sealed in the citizen's browser to the current public key of
-- each receiving unit (a police agency); the server keeps the sealed envelope and only the few
-- fields that route and count it. Unit keys' private halves are kept only wrapped to officers'
-- personal keys, which are themselves sealed under a passphrase the server never sees.
--
-- Nothing here identifies the sender's device or connection: no column holds an IP address, a
-- user agent, a session, or the receipt code (only a lookup value derived from it and a hash).

-- One row per unit that has changed its tip settings; a unit without a row has the defaults.
-- `copy_parent`: tips sent to the unit go to its parent agency as well.
CREATE TABLE tip_settings (
    agency_id   INTEGER PRIMARY KEY NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
    copy_parent BOOLEAN NOT NULL DEFAULT FALSE
);

-- Each unit's key pairs, public halves only. Rotating retires the current key (`retired_at`)
-- rather than deleting it: tips sealed to it must stay readable. `kid` names a key inside the
-- envelopes and wrapped copies (a hash of the public key, so unique across units too).
CREATE TABLE tip_unit_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    kid        TEXT NOT NULL UNIQUE,
    public_key TEXT NOT NULL,
    created_by INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);
CREATE INDEX tip_unit_keys_agency ON tip_unit_keys (agency_id, id);
-- Citizens seal to the one current key; two would leave which one ambiguous.
CREATE UNIQUE INDEX tip_unit_keys_current ON tip_unit_keys (agency_id)
    WHERE retired_at IS NULL;

-- Each officer's personal key: `sealed` is the JSON holding the public key and the private key
-- encrypted under the officer's passphrase. One per staff member; a new one replaces it.
-- The (staff_id, kid) pair is unique so that key copies can refer to the exact key they were
-- wrapped to.
CREATE TABLE tip_officer_keys (
    staff_id   INTEGER PRIMARY KEY NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kid        TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (staff_id, kid)
);

-- A unit key's private half wrapped to one officer's key (`wrapped` is the Wrapped JSON): what
-- lets that officer open the unit's tips. A copy must name the officer's current key, so a new
-- officer key cannot be put while copies wrapped to the old one remain; replacing an officer key
-- deletes them first.
CREATE TABLE tip_key_copies (
    unit_kid    TEXT NOT NULL REFERENCES tip_unit_keys (kid) ON DELETE CASCADE,
    staff_id    INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    officer_kid TEXT NOT NULL,
    wrapped     TEXT NOT NULL,
    granted_by  INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (unit_kid, staff_id),
    FOREIGN KEY (staff_id, officer_kid) REFERENCES tip_officer_keys (staff_id, kid)
        ON DELETE CASCADE
);
CREATE INDEX tip_key_copies_staff ON tip_key_copies (staff_id, officer_kid);

-- The tips. `envelope` is the sealed report (JSON); `category`, `area_code`, `occurred` and
-- `anonymous` repeat its clear fields for routing and counting. `citizen_id` is set only for a
-- tip the citizen chose to identify, and the check keeps an anonymous tip from ever naming one.
-- `receipt_lookup` finds the tip from a receipt code; `receipt_hash` (Argon2id of the code's
-- auth value) proves the holder. `status` is not checked, so that new states need no table
-- rebuild on SQLite.
CREATE TABLE tips (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    category       TEXT NOT NULL,
    area_code      TEXT NOT NULL REFERENCES areas (code),
    -- As the citizen gave it: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, local time.
    occurred       TEXT NOT NULL,
    anonymous      BOOLEAN NOT NULL,
    citizen_id     INTEGER REFERENCES citizens (id) ON DELETE SET NULL,
    status         TEXT NOT NULL DEFAULT 'new',
    envelope       TEXT NOT NULL,
    receipt_lookup TEXT NOT NULL UNIQUE,
    receipt_hash   TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CHECK (citizen_id IS NULL OR NOT anonymous)
);

-- The units a tip was sent to, `position` 0 for the primary one. The second index is each
-- unit's inbox, newest first.
CREATE TABLE tip_units (
    tip_id    INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (tip_id, agency_id)
);
CREATE INDEX tip_units_inbox ON tip_units (agency_id, tip_id DESC);

-- A tip's encrypted attachments, in the order of the sealed body's list; the ciphertext is in
-- the blob store under `blob_key`, and `size` is the ciphertext's length in bytes.
CREATE TABLE tip_attachments (
    tip_id   INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    blob_key TEXT NOT NULL,
    size     INTEGER NOT NULL,
    PRIMARY KEY (tip_id, idx)
);

-- Replies from the unit and additions from the reporter, each sealed under the receipt's reply
-- key. `staff_id` is the officer who replied; reporters' messages have none.
CREATE TABLE tip_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tip_id     INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    from_unit  BOOLEAN NOT NULL,
    staff_id   INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    sealed     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tip_messages_tip ON tip_messages (tip_id, id);
