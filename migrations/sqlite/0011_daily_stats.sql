-- Daily analytics counters (SQLite): the hourly counters summed per day of the organisation's
-- time zone, kept in the same transaction as the hourly ones, so a report of any number of
-- whole days reads one row per day and key instead of one per hour.

-- The organisation's days as hours: day (days since 1970-01-01 of the local date) starts at
-- start_hour and ends before end_hour (epoch hours). Filled for a range round today when the
-- analytics first run and whenever the zone changes (the settings row analytics.days says for
-- which zone and range); an hour outside the range has no daily row and reports fall back to
-- the hourly counters.
CREATE TABLE stat_days (
    day INTEGER PRIMARY KEY,
    start_hour INTEGER NOT NULL UNIQUE,
    end_hour INTEGER NOT NULL
);

CREATE TABLE message_stats_daily (
    day INTEGER NOT NULL,
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
    PRIMARY KEY (day, kind, campaign_id, step, sender, member)
);

-- A team member's message that answered a contact: the time from the first of the contact's
-- messages it answered (those since the last outbound message that was not an automatic
-- reply) to it.
ALTER TABLE messages ADD COLUMN response_ms INTEGER;
-- Team members' messages by time: summing them into days again after a zone change.
CREATE INDEX messages_member ON messages (created_at) WHERE sent_by IS NOT NULL;

-- Per team member and day of the organisation's zone (the days of stat_days), kept in the same
-- transaction as the message: messages they sent, conversations they handled (contacts written
-- to: member_day_contacts holds each once) and the response times of their answers.
CREATE TABLE member_days (
    day INTEGER NOT NULL,
    member INTEGER NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    conversations INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, member)
);
CREATE TABLE member_day_contacts (
    day INTEGER NOT NULL,
    member INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (day, member, contact_id)
);
CREATE TABLE member_responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    day INTEGER NOT NULL,
    member INTEGER NOT NULL,
    response_ms INTEGER NOT NULL
);
CREATE INDEX member_responses_day ON member_responses (day, member);
