-- The one outbound pipeline: leases on claimed work, and the rate limit every server shares.

-- A queued message is held by the server sending it until lease_until; after that the recovery
-- sweep of any server may take it over (asking the provider before any resend).
ALTER TABLE messages ADD COLUMN lease_owner TEXT;
ALTER TABLE messages ADD COLUMN lease_until BIGINT;
-- The number it goes out from when not the default one (a campaign's own number).
ALTER TABLE messages ADD COLUMN sender TEXT;
CREATE INDEX messages_unsent ON messages (status, lease_until) WHERE provider_sid IS NULL;

-- A running farming batch is sent by one server at a time.
ALTER TABLE farming_batches ADD COLUMN lease_owner TEXT;
ALTER TABLE farming_batches ADD COLUMN lease_until BIGINT;

-- Per sender: the earliest instant (microseconds since the epoch) the next message may go to the provider. Each send
-- takes the next slot, so all servers together keep to SEND_RATE_MPS.
CREATE TABLE send_slots (
    sender TEXT PRIMARY KEY,
    next_at_us BIGINT NOT NULL
);

-- Webhook events retried by the sweep: inbound before status, with backoff, attempts capped.
ALTER TABLE webhook_events ADD COLUMN next_attempt_at BIGINT;
CREATE INDEX webhook_events_retry ON webhook_events (source, id) WHERE processed_at IS NULL;
