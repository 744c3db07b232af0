-- Which document a report job builds: the consolidated plan, the period's results, or the
-- proposals.
ALTER TABLE jobs ADD COLUMN document TEXT NOT NULL DEFAULT 'plan'
    CHECK (document IN ('plan', 'progress', 'proposals'));
