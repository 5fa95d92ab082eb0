-- News: articles, broadcasts addressed to an audience (never one row per follower), the ward
-- each citizen chose, the tags officers put on followers, and browsers asking for notifications.

-- The ward a citizen chose in their profile, and a copy on each of their follows, kept in step,
-- so that an audience is counted from one index on (account, ward).
ALTER TABLE citizens ADD COLUMN area_code TEXT REFERENCES areas (code);
ALTER TABLE follows ADD COLUMN area_code TEXT;
CREATE INDEX follows_account_area ON follows (account_id, area_code);

CREATE TABLE follower_tags (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    citizen_id INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, tag, citizen_id)
);
CREATE INDEX follower_tags_citizen ON follower_tags (citizen_id, account_id);

CREATE TABLE articles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL,
    title      TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    cover_key  TEXT,
    cover_type TEXT,
    state      TEXT NOT NULL,
    publish_at INTEGER,
    author_id  INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (account_id, slug)
);
CREATE INDEX articles_account_published ON articles (account_id, publish_at);

CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    article_id    INTEGER REFERENCES articles (id) ON DELETE SET NULL,
    buttons       TEXT,
    alert         TEXT,
    emergency     BOOLEAN NOT NULL DEFAULT FALSE,
    area_count    INTEGER NOT NULL DEFAULT 0,
    tag_count     INTEGER NOT NULL DEFAULT 0,
    state         TEXT NOT NULL,
    send_at       INTEGER NOT NULL,
    sent_at       INTEGER,
    audience_size INTEGER NOT NULL DEFAULT 0,
    delivered     INTEGER NOT NULL DEFAULT 0,
    opened        INTEGER NOT NULL DEFAULT 0,
    author_id     INTEGER REFERENCES staff (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX broadcasts_account_sent ON broadcasts (account_id, state, sent_at);
CREATE INDEX broadcasts_emergency ON broadcasts (emergency, sent_at);

-- An audience: areas (any level of the tree) and tags.
CREATE TABLE broadcast_targets (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (broadcast_id, kind, value)
);
-- A reader's feed asks "is this broadcast addressed to one of my areas": found from the areas.
CREATE INDEX broadcast_targets_value ON broadcast_targets (kind, value, broadcast_id);

-- Who opened a broadcast: a row per reader who did, so each is counted once.
CREATE TABLE broadcast_opens (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    citizen_id   INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    opened_at    INTEGER NOT NULL,
    PRIMARY KEY (broadcast_id, citizen_id)
);

-- The operator's weekly allowance for an account, where it differs from the server's default.
CREATE TABLE broadcast_quotas (
    account_id INTEGER PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    per_week   INTEGER NOT NULL
);

CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    citizen_id INTEGER NOT NULL REFERENCES citizens (id) ON DELETE CASCADE,
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_citizen ON push_subscriptions (citizen_id);
