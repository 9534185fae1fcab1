-- The approval queue (SQLite): suggested messages grouped in batches, each approved by a
-- person before it is scheduled and handed to the one outbound pipeline, with an audit trail.

CREATE TABLE suggestion_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- retention, welcome, vip_promo, or a user's own type.
    campaign_type TEXT NOT NULL,
    -- Who suggested: template, ai, user:<id>, api:<key id>.
    suggested_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id INTEGER NOT NULL REFERENCES suggestion_batches (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    campaign_type TEXT NOT NULL,
    -- Why this message: a JSON object (days since the last visit, preferred category, ...).
    context TEXT NOT NULL DEFAULT '{}',
    suggested_by TEXT NOT NULL,
    -- suggested | approved | scheduled | sent | rejected | cancelled | failed
    status TEXT NOT NULL,
    approved_by TEXT,
    approved_at INTEGER,
    send_at INTEGER,
    sent_at INTEGER,
    message_id INTEGER,
    -- The reason given for a rejection, or why the pipeline gave up.
    reason TEXT,
    -- The scheduler's claim while it hands the item to the pipeline.
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX suggestions_batch ON suggestions (batch_id, id);
CREATE INDEX suggestions_due ON suggestions (status, send_at);
CREATE INDEX suggestions_contact ON suggestions (contact_id, created_at);

-- Every transition, with who and when: suggested, edited (old and new text), approved,
-- rejected (reason), scheduled, rescheduled, cancelled, sent, failed.
CREATE TABLE suggestion_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    suggestion_id INTEGER NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    old_text TEXT,
    new_text TEXT,
    note TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX suggestion_events_item ON suggestion_events (suggestion_id, id);
