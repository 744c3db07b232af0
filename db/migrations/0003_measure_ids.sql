-- Schema 3: a deleted measure stays as a row marked deleted, so its id is never given to a new
-- measure (an old button naming it must not act on another one) and "deleted" can be told apart
-- from "never existed".
ALTER TABLE measures ADD COLUMN deleted_at TEXT;
CREATE INDEX measures_live ON measures(assignment_id, position) WHERE deleted_at IS NULL;
