-- Integrations: programs driving an official account through the API (issue 19). The secret is
-- kept wrapped under the server's key (it signs webhooks, so it cannot be only a hash); the
-- tokens are kept as SHA-256 hashes only.
CREATE TABLE integrations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id        TEXT NOT NULL UNIQUE,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    created_by    INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE INDEX integrations_account ON integrations (account_id, id);

-- Access and refresh tokens. A refresh token is used once: refreshing deletes it.
CREATE TABLE integration_tokens (
    token_hash     TEXT PRIMARY KEY,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX integration_tokens_integration ON integration_tokens (integration_id);

-- The opaque id each account's integrations know a citizen by: different for every account, so
-- two integrators cannot match their citizens up. Made the first time it is shown.
CREATE TABLE account_user_ids (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    citizen_id INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, citizen_id)
);
CREATE UNIQUE INDEX account_user_ids_user ON account_user_ids (account_id, user_id);

-- Files an integration uploaded before sending them (the platform's attachment_id / token):
-- checked and cleaned like every upload, kept in the blob store, and made an attachment of a
-- conversation when a message carries them.
CREATE TABLE integration_uploads (
    token          TEXT PRIMARY KEY,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    name           TEXT NOT NULL,
    size           INTEGER NOT NULL,
    width          INTEGER,
    height         INTEGER,
    blob_key       TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
