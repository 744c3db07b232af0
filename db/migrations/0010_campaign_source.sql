-- A digest of the campaign file's bytes as last loaded at start: an unchanged file is not parsed
-- again (TOML parsing of 3,800 agencies took most of the start-up).
ALTER TABLE campaigns ADD COLUMN source_digest TEXT NOT NULL DEFAULT '';
