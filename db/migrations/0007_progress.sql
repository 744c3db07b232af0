-- The follow-through of submitted plans: one report per plan per reporting period, one entry per
-- measure in it, and immutable submitted versions (like plans).
CREATE TABLE period_reports (
    id                 INTEGER PRIMARY KEY,
    plan_id            INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    period             TEXT NOT NULL,            -- the campaign's period key, e.g. 2026-Q1
    revision           INTEGER NOT NULL DEFAULT 0,
    submitted_revision INTEGER,
    updated_at         TEXT,
    returned_at        TEXT,
    return_reason      TEXT,
    UNIQUE (plan_id, period)
);

CREATE TABLE progress (
    report_id    INTEGER NOT NULL REFERENCES period_reports(id) ON DELETE CASCADE,
    measure_id   INTEGER NOT NULL REFERENCES measures(id),
    status       TEXT CHECK (status IN ('done', 'on_track', 'late', 'not_started')),
    result       TEXT,
    reason       TEXT,
    new_due_text TEXT,
    new_due      TEXT,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (report_id, measure_id)
);

CREATE TABLE period_submissions (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES period_reports(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES users(id),
    late_days    INTEGER NOT NULL DEFAULT 0,
    snapshot     TEXT NOT NULL,                 -- the report as submitted, JSON; never updated
    UNIQUE (report_id, version)
);

-- The period a person is reporting on, with their step.
ALTER TABLE conversations ADD COLUMN period TEXT;
