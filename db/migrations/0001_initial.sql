-- Schema 1: campaigns, agencies, plans, measures, submissions, users, invites, conversations, audit.
-- Timestamps are ISO 8601 in UTC; dates are ISO 8601 (yyyy-mm-dd).

CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL
);

CREATE TABLE campaigns (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    title             TEXT NOT NULL,
    definition        TEXT NOT NULL,          -- the validated campaign file, as JSON
    plans_due         TEXT NOT NULL,
    consolidation_due TEXT NOT NULL,
    consolidator_id   INTEGER NOT NULL REFERENCES agencies(id),
    is_active         INTEGER NOT NULL DEFAULT 0 CHECK (is_active IN (0, 1)),
    loaded_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX one_active_campaign ON campaigns(is_active) WHERE is_active = 1;

CREATE TABLE campaign_agencies (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    agency_id   INTEGER NOT NULL REFERENCES agencies(id),
    position    INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, agency_id)
);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    group_no    INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    UNIQUE (campaign_id, key)
);

-- One plan per agency per campaign; revision grows with every change.
CREATE TABLE plans (
    id                 INTEGER PRIMARY KEY,
    campaign_id        INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    agency_id          INTEGER NOT NULL REFERENCES agencies(id),
    revision           INTEGER NOT NULL DEFAULT 0,
    submitted_revision INTEGER,
    updated_at         TEXT,
    returned_at        TEXT,
    return_reason      TEXT,
    UNIQUE (campaign_id, agency_id)
);

-- An agency's own copy of a shortcoming: the answer to one assignment.
CREATE TABLE assignments (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    objective  TEXT,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    UNIQUE (plan_id, item_id)
);

CREATE TABLE measures (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    content       TEXT NOT NULL,
    lead_unit     TEXT,
    partners      TEXT,                      -- JSON list of names; NULL = not answered yet
    timeline      TEXT,
    due_date      TEXT,
    recurring     INTEGER NOT NULL DEFAULT 0,
    output        TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX measures_by_assignment ON measures(assignment_id, position);

CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES users(id),
    late_days    INTEGER NOT NULL DEFAULT 0,
    measures     INTEGER NOT NULL,
    snapshot     TEXT NOT NULL,               -- the plan as submitted, JSON; never updated
    UNIQUE (plan_id, version)
);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    locale       TEXT,
    blocked_at   TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE memberships (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    role       TEXT NOT NULL CHECK (role IN ('dau-moi', 'tong-hop', 'quan-tri')),
    created_at TEXT NOT NULL,
    UNIQUE (user_id, agency_id, role)
);

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    code_hash  TEXT NOT NULL UNIQUE,
    agency_id  INTEGER NOT NULL REFERENCES agencies(id),
    role       TEXT NOT NULL CHECK (role IN ('dau-moi', 'tong-hop', 'quan-tri')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    used_at    TEXT,
    used_by    INTEGER REFERENCES users(id)
);

-- Where each user is in the conversation; written in the same transaction as the answer.
CREATE TABLE conversations (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    step          TEXT NOT NULL DEFAULT 'idle',
    agency_id     INTEGER REFERENCES agencies(id),
    assignment_id INTEGER REFERENCES assignments(id) ON DELETE SET NULL,
    measure_id    INTEGER REFERENCES measures(id) ON DELETE SET NULL,
    wizard        INTEGER NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
);

CREATE TABLE processed_updates (
    channel   TEXT NOT NULL,
    update_id INTEGER NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (channel, update_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    detail    TEXT NOT NULL DEFAULT '{}'
);
