-- The audit log (issue 20): append-only and hash-chained. `seq` runs 1, 2, 3… with no gaps
-- (appends are serialised by a transaction-scoped advisory lock); `hash` is the SHA-256 of the
-- entry's canonical encoding (ketnoi-store's audit.rs), which includes `prev_hash`, the hash of
-- the entry before. No foreign keys: the log outlives the staff, agencies and tips it names.
-- The triggers refuse UPDATE, DELETE and TRUNCATE; the chain is what catches someone with the
-- rights to drop them.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY NOT NULL CHECK (seq > 0),
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    agency_id  BIGINT,
    request_id TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_agency ON audit_log (agency_id, seq);
CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
