-- Warm-lead farming (SQLite): farming campaigns, their daily batches, every farming send
-- (the cool-off ledger), warm leads, and the inbound log.

CREATE TABLE farming_campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    template TEXT NOT NULL,
    list_id INTEGER REFERENCES lists (id) ON DELETE SET NULL,
    tag TEXT,
    daily_cap INTEGER NOT NULL,
    cool_off_days INTEGER NOT NULL,
    -- "HH:MM" in the organisation's zone, or NULL for manual batches only.
    send_time TEXT,
    -- Keyset cursor: the last contact id the previous batch reached.
    cursor_contact_id INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE farming_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL REFERENCES farming_campaigns (id) ON DELETE CASCADE,
    -- The organisation-zone day the batch counts against.
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    requested INTEGER NOT NULL,
    selected INTEGER NOT NULL DEFAULT 0,
    template TEXT NOT NULL,
    triggered_by TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
-- At most one running batch per campaign: a second click or the scheduler can't start another.
CREATE UNIQUE INDEX farming_batches_one_running ON farming_batches (campaign_id) WHERE status = 'running';
CREATE INDEX farming_batches_day ON farming_batches (campaign_id, day);

-- One row per contact picked by a batch, written when the batch is selected (so it counts
-- towards the cool-off at once); message_id is set when the message is handed to the gate.
CREATE TABLE farming_sends (
    batch_id INTEGER NOT NULL REFERENCES farming_batches (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    campaign_id INTEGER NOT NULL,
    message_id INTEGER,
    picked_at INTEGER NOT NULL,
    PRIMARY KEY (batch_id, contact_id)
);
CREATE INDEX farming_sends_contact ON farming_sends (contact_id, picked_at);

CREATE TABLE warm_leads (
    contact_id INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    campaign_id INTEGER REFERENCES farming_campaigns (id) ON DELETE SET NULL,
    message_id INTEGER,
    reply_text TEXT NOT NULL,
    replied_at INTEGER NOT NULL
);
CREATE INDEX warm_leads_replied ON warm_leads (replied_at);

CREATE TABLE inbound_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    message_id INTEGER,
    body TEXT NOT NULL,
    intent TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX inbound_log_recent ON inbound_log (created_at);
