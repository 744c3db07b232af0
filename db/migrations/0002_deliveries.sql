-- Schema 2: the ledger of scheduled messages (reminders, daily summaries), for exactly-once.
-- A row is claimed before sending and marked sent after; a claim never marked is retried once
-- after a restart. agency_id is 0 for messages that are not about one agency (the summary).
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('reminder', 'summary', 'manual')),
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    agency_id   INTEGER NOT NULL DEFAULT 0,
    slot        TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    sent_at     TEXT,
    recipients  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, campaign_id, agency_id, slot)
);
