-- Lead unlock (SQLite): service providers, leads whose client details are encrypted at rest,
-- one offer per lead and provider with its state machine and timeline, and the Stripe events
-- stored under their id before they are acted on.

CREATE TABLE providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The provider's SMS thread is a normal conversation with this contact.
    contact_id INTEGER NOT NULL UNIQUE REFERENCES contacts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    -- JSON arrays of lower-case names.
    cities TEXT NOT NULL DEFAULT '[]',
    service_types TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    -- Replied STOP (or was opted out by a person): no more lead offers.
    offers_opted_out INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    city TEXT NOT NULL,
    service_type TEXT NOT NULL,
    time_window TEXT NOT NULL DEFAULT '',
    budget_range TEXT NOT NULL DEFAULT '',
    notes_snippet TEXT NOT NULL DEFAULT '',
    -- The client's name, phone, email, address and notes: AES-256-GCM with LEAD_SECRET_KEY.
    locked TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    ttl_hours INTEGER NOT NULL,
    -- NULL: any number of providers may buy it; 1: exclusive.
    max_buyers INTEGER,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX leads_created ON leads (created_at);

CREATE TABLE lead_offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id TEXT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    -- Why it expired (declined, ttl, taken, checkout expired, ...).
    reason TEXT,
    price_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    payment_url TEXT,
    checkout_session_id TEXT UNIQUE,
    payment_intent TEXT,
    amount_paid INTEGER,
    paid_at INTEGER,
    unlocked_at INTEGER,
    -- When the provider first answered the teaser.
    responded_at INTEGER,
    refund_id TEXT,
    refunded_at INTEGER,
    refund_reason TEXT,
    -- Something a person must look at (a payment that did not match, a reveal that kept failing).
    attention TEXT,
    reveal_attempts INTEGER NOT NULL DEFAULT 0,
    reveal_message_id INTEGER,
    teaser_message_id INTEGER,
    -- The background task's claim while it works on the offer.
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (lead_id, provider_id)
);
CREATE INDEX lead_offers_state ON lead_offers (state, expires_at);
CREATE INDEX lead_offers_provider ON lead_offers (provider_id, state);

-- Every transition and payment event of an offer, in order: its timeline.
CREATE TABLE lead_offer_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    offer_id INTEGER NOT NULL REFERENCES lead_offers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    note TEXT,
    actor TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX lead_offer_events_offer ON lead_offer_events (offer_id, id);

-- Stripe webhook events, stored under Stripe's event id before anything is done with them.
CREATE TABLE stripe_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX stripe_events_pending ON stripe_events (processed_at, received_at);
