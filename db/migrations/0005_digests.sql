-- Schema 5: a digest of each campaign's definition (the parsed definition is cached by it, and a
-- start compares it with the file's), and a value the person typed that waits for their
-- confirmation (a due date before the campaign's start, a unit name the bot does not know).
ALTER TABLE campaigns ADD COLUMN digest TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN pending TEXT;
