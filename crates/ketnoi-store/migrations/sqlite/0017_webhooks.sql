-- Webhooks (issue 19): one endpoint per integration, the events recorded for it (each body fixed
-- when recorded, so a redelivery sends the same bytes) and every attempt to deliver them.
-- `inbox_cursor` is the last event of the account's inbox (inbox_events.seq) turned into
-- webhook events; it only moves by compare-and-set, in the transaction that records them.
CREATE TABLE webhooks (
    integration_id  INTEGER PRIMARY KEY NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('on', 'off', 'disabled')),
    failures        INTEGER NOT NULL DEFAULT 0,
    disabled_at     INTEGER,
    disabled_reason TEXT,
    inbox_cursor    INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhooks_state ON webhooks (state);
CREATE TABLE webhook_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    event_name     TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    delivered_at   INTEGER,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed'))
);
CREATE INDEX webhook_events_latest ON webhook_events (integration_id, id);
CREATE TABLE webhook_deliveries (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    attempt  INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    status   INTEGER,
    error    TEXT,
    answer   TEXT NOT NULL DEFAULT '',
    millis   INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id, id);
