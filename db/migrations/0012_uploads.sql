-- A table a focal person sent (the plan, or a period's progress, as a filled template): read and
-- checked, shown as the changes it would make, and kept here until the person saves or cancels
-- it. ``revision`` is the plan's when the file was read: a plan changed meanwhile is not
-- overwritten by an older file. ``content`` is what was read (JSON), never the file itself.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    revision INTEGER NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decision TEXT
);
CREATE INDEX uploads_user ON uploads(user_id, created_at);

-- A document made for one agency (its template): readable through a link by that agency's focal
-- persons (and consolidators, administrators); NULL for the consolidated documents.
ALTER TABLE documents ADD COLUMN agency_id INTEGER REFERENCES agencies(id);
