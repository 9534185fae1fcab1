-- A launch can wait for a chosen time: no step of the campaign is claimed before starts_at.
ALTER TABLE campaigns ADD COLUMN starts_at INTEGER;
