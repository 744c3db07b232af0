-- Schema 4: nothing decided is lost (the outbox), documents built off the event loop (report
-- jobs and documents), failed scheduled jobs remembered, update ids as text (Zalo's are strings)
-- kept for a bounded window, and the state a channel without buttons needs (the numbered menu).

CREATE TABLE processed_updates_new (
    channel   TEXT NOT NULL,
    update_id TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
) WITHOUT ROWID;
INSERT INTO processed_updates_new (channel, update_id, at)
    SELECT channel, CAST(update_id AS TEXT), at FROM processed_updates;
DROP TABLE processed_updates;
ALTER TABLE processed_updates_new RENAME TO processed_updates;
CREATE INDEX processed_updates_at ON processed_updates(at);

-- Files made for people (the consolidated plan); sent by the outbox, served by signed links.
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    filename   TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Every message the bot decided to send, written in the transaction of the change that caused
-- it. priority: 0 a reply to the person's own message, 1 a notice to someone else, 2 a broadcast.
-- A recipient's messages of one priority go out in id order; failed_at marks a dead letter.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    channel         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    priority        INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    document_id     INTEGER REFERENCES documents(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at         TEXT,
    failed_at       TEXT,
    error           TEXT
);
CREATE INDEX outbox_pending ON outbox(channel, priority, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_queue ON outbox(channel, recipient, priority, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;

-- Work asked for that must not run inside an update: a consolidated document (docx, xlsx: built
-- by a worker process from a read snapshot) or a reminder to every agency (remind); each is then
-- delivered through the outbox to its recipients.
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('docx', 'xlsx', 'remind')),
    draft       INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
    purpose     TEXT NOT NULL,
    recipients  TEXT NOT NULL,           -- JSON: [[channel, external id, locale], ...]
    created_at  TEXT NOT NULL,
    started_at  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    done_at     TEXT,
    failed_at   TEXT,
    error       TEXT
);
CREATE INDEX jobs_open ON jobs(kind, id) WHERE done_at IS NULL AND failed_at IS NULL;

-- A scheduled job (the daily summary...) that failed: retried on the next tick; reported to the
-- administrators when its slot ended without it going out.
CREATE TABLE job_failures (
    kind        TEXT NOT NULL,
    campaign_id INTEGER NOT NULL,
    slot        TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    reported_at TEXT,
    PRIMARY KEY (kind, campaign_id, slot)
);

-- The ledger now records any scheduled message kind (reminders, summaries, alerts, nudges).
CREATE TABLE deliveries_new (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    agency_id   INTEGER NOT NULL DEFAULT 0,
    slot        TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    sent_at     TEXT,
    recipients  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, campaign_id, agency_id, slot)
);
INSERT INTO deliveries_new SELECT * FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;

-- The numbered choices in force for a channel without buttons (JSON list of packed payloads),
-- and the campaign a step belongs to (a campaign switched mid-answer is noticed).
ALTER TABLE conversations ADD COLUMN menu TEXT;
ALTER TABLE conversations ADD COLUMN campaign_id INTEGER;
