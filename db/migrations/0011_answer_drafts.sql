-- A proposal's revision: bumped by every change (routing, answering), so an answer written
-- against an older state of the proposal is refused instead of stored.
ALTER TABLE proposals ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

-- The answer a department's focal person is writing (its kind, text, the proposal's revision
-- and agency when it was begun): kept with the person's step, not in the proposal, until whole.
ALTER TABLE conversations ADD COLUMN answer TEXT;
