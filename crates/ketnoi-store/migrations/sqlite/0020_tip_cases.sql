-- Tips as cases (issue 20): a workflow (received → verifying → handling → closed), an officer in
-- charge, a deadline with extensions a second officer approves, internal notes sealed like the
-- tip, transfers between units, and the case's history.
--
-- `deadline_at` is fixed when the tip arrives, from the deployment's configured period, and
-- moves only by approved extensions: changing the setting later does not rewrite the deadlines
-- of tips already received. Tips received before this migration get the Criminal Procedure
-- Code's 20 days from their receipt (the code's default setting). `closing` is the reason a
-- closed case was closed (a word of `TipClosing`); the old states map to the new: `new` is
-- `received`, and `handled`, which said the unit had dealt with it, is `closed` as acted on.
ALTER TABLE tips ADD COLUMN assignee_id INTEGER REFERENCES staff (id) ON DELETE SET NULL;
ALTER TABLE tips ADD COLUMN deadline_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tips ADD COLUMN closing TEXT;
ALTER TABLE tips ADD COLUMN closed_at INTEGER;
UPDATE tips SET deadline_at = created_at + 20 * 86400000;
UPDATE tips SET status = 'received' WHERE status = 'new';
UPDATE tips SET status = 'closed', closing = 'acted-on', closed_at = updated_at
    WHERE status = 'handled';
CREATE INDEX tips_assignee ON tips (assignee_id) WHERE assignee_id IS NOT NULL;

-- What happened to a case, oldest first: the clear facts a unit's officers and (filtered) the
-- reporter see. `kind` is `status`, `assigned`, `extension-requested`, `extension-approved`,
-- `extension-refused` or `transferred`; `detail` is a small JSON object of clear words and ids
-- (statuses, a closing reason, days, units), never anything of the tip's content. `agency_id`
-- is the unit that acted; `staff_id` the officer, shown to officers only.
CREATE TABLE tip_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tip_id    INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    agency_id INTEGER REFERENCES agencies (id) ON DELETE SET NULL,
    staff_id  INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX tip_events_tip ON tip_events (tip_id, id);

-- Officers' internal notes on a case, sealed in the browser under a key derived from the
-- tip's report key (docs/SECURITY.md, "Notes"): whoever can open the tip can read them, the
-- reporter and the server cannot.
CREATE TABLE tip_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tip_id     INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    agency_id  INTEGER REFERENCES agencies (id) ON DELETE SET NULL,
    staff_id   INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    sealed     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tip_notes_tip ON tip_notes (tip_id, id);

-- Requests to extend a case's deadline. One may be pending per tip; a second officer decides
-- it, never the one who asked (the check holds even if the code forgot). `state` is `pending`,
-- `approved` or `refused`.
CREATE TABLE tip_extensions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tip_id       INTEGER NOT NULL REFERENCES tips (id) ON DELETE CASCADE,
    reason       TEXT NOT NULL,
    days         INTEGER NOT NULL CHECK (days > 0),
    requested_by INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    requested_at INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',
    decided_by   INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    decided_at   INTEGER,
    CHECK (decided_by IS NULL OR requested_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX tip_extensions_tip ON tip_extensions (tip_id, id);
CREATE UNIQUE INDEX tip_extensions_pending ON tip_extensions (tip_id) WHERE state = 'pending';
