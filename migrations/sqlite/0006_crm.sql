-- CRM basics: conversation status, contact notes, the opt-out record that outlives a deleted
-- contact, and the warm-lead pipeline.

ALTER TABLE conversations ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;

CREATE TABLE contact_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX contact_notes_contact ON contact_notes (contact_id, id);

-- A deleted contact that had opted out leaves its number here; a contact created again with
-- that number (by hand, import or an inbound text) starts opted out.
CREATE TABLE suppressions (
    phone TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE pipeline_stages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO pipeline_stages (name, position, created_at) VALUES ('New', 0, 0), ('Contacted', 1, 0), ('Quoted', 2, 0), ('Won', 3, 0), ('Lost', 4, 0);
ALTER TABLE contacts ADD COLUMN stage_id INTEGER REFERENCES pipeline_stages (id) ON DELETE SET NULL;
CREATE INDEX contacts_stage ON contacts (stage_id);
