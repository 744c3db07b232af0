-- Proposals and obstacles (kiến nghị, đề xuất): filed by an agency, routed by the consolidator
-- to the department that answers, answered within a deadline.
CREATE TABLE proposals (
    id                    INTEGER PRIMARY KEY,
    campaign_id           INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    number                INTEGER,                  -- given when filed
    from_agency_id        INTEGER NOT NULL REFERENCES agencies(id),
    created_by            INTEGER NOT NULL REFERENCES users(id),
    field                 TEXT NOT NULL,
    content               TEXT,
    asked_agency_id       INTEGER REFERENCES agencies(id),
    responsible_agency_id INTEGER REFERENCES agencies(id),
    period                TEXT,
    filed_at              TEXT,
    routed_at             TEXT,
    due_date              TEXT,
    answer                TEXT CHECK (answer IN ('resolved', 'in_progress', 'declined')),
    answer_text           TEXT,
    expected_text         TEXT,
    expected              TEXT,
    answered_at           TEXT,
    answered_by           INTEGER REFERENCES users(id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    UNIQUE (campaign_id, number)
);
CREATE INDEX proposals_by_campaign ON proposals(campaign_id, responsible_agency_id);

-- The proposal a person is writing or answering, with their step.
ALTER TABLE conversations ADD COLUMN proposal_id INTEGER;
