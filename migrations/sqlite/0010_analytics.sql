-- Analytics (SQLite): what each outbound message led to, hourly counters kept in step with the
-- messages in the same transaction (rebuildable from them), and the rate alarms.

-- Set once, on the last outbound message a contact received before they replied, opted out or
-- became a warm lead: the reply, opt-out and warm-lead figures are attributed to that message's
-- campaign, step, sender and team member.
ALTER TABLE messages ADD COLUMN replied_at INTEGER;
ALTER TABLE messages ADD COLUMN opted_out_at INTEGER;
ALTER TABLE messages ADD COLUMN warm_at INTEGER;
-- The real price the provider charged, in millionths of the currency unit, when it said.
ALTER TABLE messages ADD COLUMN price_micros INTEGER;
-- The alarms' rolling windows read a campaign's and a sender's latest sends.
CREATE INDEX messages_campaign_recent ON messages (campaign_id, id);
CREATE INDEX messages_sender ON messages (sender, id);

-- One row per UTC hour and (kind, campaign, step, sender, team member); 0, -1 and '' stand for
-- "none", so the key has no NULLs. Hours let a range in any time zone be summed exactly.
CREATE TABLE message_stats (
    hour INTEGER NOT NULL,
    kind TEXT NOT NULL,
    campaign_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    sender TEXT NOT NULL,
    member INTEGER NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL DEFAULT 0,
    delivered INTEGER NOT NULL DEFAULT 0,
    undelivered INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    filtered INTEGER NOT NULL DEFAULT 0,
    segments INTEGER NOT NULL DEFAULT 0,
    priced INTEGER NOT NULL DEFAULT 0,
    price_micros INTEGER NOT NULL DEFAULT 0,
    priced_segments INTEGER NOT NULL DEFAULT 0,
    replied INTEGER NOT NULL DEFAULT 0,
    opted_out INTEGER NOT NULL DEFAULT 0,
    warm INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, kind, campaign_id, step, sender, member)
);

-- Warnings and automatic pauses raised by the opt-out and error rates of a campaign or sender.
CREATE TABLE alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- campaign | sender
    scope TEXT NOT NULL,
    -- the campaign id or the sender number
    scope_key TEXT NOT NULL,
    label TEXT NOT NULL,
    -- warn | pause
    level TEXT NOT NULL,
    -- opt_outs | errors
    metric TEXT NOT NULL,
    sends INTEGER NOT NULL,
    opt_outs INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    filtered INTEGER NOT NULL,
    rate REAL NOT NULL,
    threshold REAL NOT NULL,
    -- active until a person resumes (pause) or acknowledges (warn)
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX alarms_scope ON alarms (scope, scope_key, active);
CREATE INDEX alarms_recent ON alarms (created_at);
