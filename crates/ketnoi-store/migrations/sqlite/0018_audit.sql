-- The audit log (issue 20): append-only and hash-chained. `seq` runs 1, 2, 3… with no gaps;
-- `hash` is the SHA-256 of the entry's canonical encoding (ketnoi-store's audit.rs), which
-- includes `prev_hash`, the hash of the entry before. No foreign keys: the log outlives the
-- staff, agencies and tips it names. The triggers make the table append-only for everyone who
-- goes through SQLite; the chain is what catches someone who edits the file itself.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    agency_id  INTEGER,
    request_id TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
