-- Drip campaigns (SQLite): campaigns, their ordered steps, enrollments (the runner's work
-- queue, claimed with a lease), per-day send counters, and the campaign event log.
-- Campaign messages live in `messages`, tied to their (enrollment, step) by a unique outbox key.

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    stop_on_reply INTEGER NOT NULL DEFAULT 1,
    stop_on_failure INTEGER NOT NULL DEFAULT 1,
    window_start INTEGER,
    window_end INTEGER,
    daily_cap INTEGER,
    sender TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE campaign_steps (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    delay TEXT NOT NULL,
    template TEXT NOT NULL,
    PRIMARY KEY (campaign_id, position)
);

CREATE TABLE enrollments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'active',
    -- Bumped by an explicit re-enrollment, so the outbox keys of the new run differ.
    generation INTEGER NOT NULL DEFAULT 1,
    next_step INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER,
    last_sent_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    stop_reason TEXT,
    enrolled_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (campaign_id, contact_id)
);
CREATE INDEX enrollments_due ON enrollments (status, next_at);
CREATE INDEX enrollments_contact ON enrollments (contact_id, status);

CREATE TABLE campaign_daily_counts (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    sent INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, day)
);

CREATE TABLE campaign_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    enrollment_id INTEGER,
    contact_id INTEGER,
    step INTEGER,
    kind TEXT NOT NULL,
    detail TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX campaign_events_campaign ON campaign_events (campaign_id, kind, step);
CREATE INDEX campaign_events_contact ON campaign_events (contact_id, id);

ALTER TABLE messages ADD COLUMN campaign_id INTEGER REFERENCES campaigns (id) ON DELETE SET NULL;
ALTER TABLE messages ADD COLUMN enrollment_id INTEGER;
ALTER TABLE messages ADD COLUMN step INTEGER;
ALTER TABLE messages ADD COLUMN outbox_key TEXT;
CREATE UNIQUE INDEX messages_outbox_key ON messages (outbox_key);
CREATE INDEX messages_campaign ON messages (campaign_id, step);
