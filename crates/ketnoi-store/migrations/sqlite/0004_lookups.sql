-- Lookup datasets: what an account publishes for citizens to look up by key (exam results by
-- candidate number) or search by name (martyrs' graves). Each import is a version; the CSV it
-- came from is kept in the blob store under `blob_key`, and every node builds its in-memory
-- index from it. `live_version` is the version citizens see; a version with `publish_at` set is
-- scheduled to go live at that moment.

CREATE TABLE lookup_datasets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    slug         TEXT NOT NULL,
    title        TEXT NOT NULL,
    -- The chat command that looks a record up (folded, e.g. `diem`), or empty for none.
    command      TEXT NOT NULL DEFAULT '',
    -- Lookups per minute per client; NULL for the server's default, 0 for no limit.
    per_minute   INTEGER,
    live_version INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (account_id, slug)
);

CREATE TABLE lookup_versions (
    dataset_id   INTEGER NOT NULL REFERENCES lookup_datasets (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    -- The import spec, as JSON: key, verification, shown, search and filter columns.
    spec         TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    byte_count   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    publish_at   INTEGER,
    published_at INTEGER,
    PRIMARY KEY (dataset_id, version)
);
CREATE INDEX lookup_versions_scheduled ON lookup_versions (publish_at)
    WHERE publish_at IS NOT NULL;
