-- Two-way SMS (SQLite): consent state, the consent ledger, messages, conversations,
-- durable webhook events and editable settings.

ALTER TABLE contacts ADD COLUMN opted_out INTEGER NOT NULL DEFAULT 0;
-- Free text that read as an opt-out: sending is suppressed until a person reviews it.
ALTER TABLE contacts ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
-- ok | invalid | landline (set from permanent carrier errors)
ALTER TABLE contacts ADD COLUMN number_status TEXT NOT NULL DEFAULT 'ok';

-- Append-only: rows are never updated or deleted by the application.
CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    message_sid TEXT,
    note TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    status_rank INTEGER NOT NULL,
    provider_sid TEXT UNIQUE,
    error_code INTEGER,
    error_message TEXT,
    segments INTEGER NOT NULL DEFAULT 1,
    encoding TEXT NOT NULL DEFAULT 'gsm7',
    kind TEXT NOT NULL DEFAULT 'manual',
    marketing INTEGER NOT NULL DEFAULT 0,
    decision TEXT,
    send_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX messages_contact ON messages (contact_id, id);
CREATE INDEX messages_due ON messages (status, send_at);

CREATE TABLE conversations (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    assigned_to INTEGER REFERENCES users (id) ON DELETE SET NULL,
    last_message_id INTEGER,
    last_message_at INTEGER NOT NULL,
    unread INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_recent ON conversations (last_message_at);

-- Every webhook is stored before it is processed; dedupe_key makes retries no-ops.
CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    message_sid TEXT,
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX webhook_events_pending ON webhook_events (processed_at, id);
CREATE INDEX webhook_events_sid ON webhook_events (message_sid);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
