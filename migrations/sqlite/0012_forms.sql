-- Lead capture forms: public pages at /f/{slug}, their submissions with the proof of consent,
-- and where each contact came from (first and last touch).

CREATE TABLE forms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    headline TEXT NOT NULL,
    -- one benefit a line
    benefits TEXT NOT NULL DEFAULT '',
    -- JSON: [{"key", "label", "kind", "required"}]
    fields TEXT NOT NULL,
    consent_text TEXT NOT NULL,
    thank_you TEXT NOT NULL,
    list_id INTEGER REFERENCES lists (id) ON DELETE SET NULL,
    -- comma-separated
    tags TEXT NOT NULL DEFAULT '',
    drip_campaign_id INTEGER REFERENCES campaigns (id) ON DELETE SET NULL,
    -- origins allowed to post JSON from a browser (CORS), one a line
    allowed_origins TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE form_submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    form_id INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    -- the normalised phone, for the per-phone rate limit
    phone TEXT NOT NULL,
    -- JSON object of the submitted fields
    answers TEXT NOT NULL,
    consent_text TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    page_url TEXT NOT NULL DEFAULT '',
    referrer TEXT NOT NULL DEFAULT '',
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_term TEXT,
    utm_content TEXT,
    gclid TEXT,
    fbclid TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX form_submissions_form ON form_submissions (form_id, id);
CREATE INDEX form_submissions_ip ON form_submissions (ip, created_at);
CREATE INDEX form_submissions_phone ON form_submissions (phone, created_at);

-- The proof of an opt-in given on a form: the exact text, the page, the address and browser.
ALTER TABLE consent_events ADD COLUMN consent_text TEXT;
ALTER TABLE consent_events ADD COLUMN page_url TEXT;
ALTER TABLE consent_events ADD COLUMN ip TEXT;
ALTER TABLE consent_events ADD COLUMN user_agent TEXT;

-- Where a contact came from: the first and the latest form submission (JSON of the source
-- fields), and the first touch's utm_source (or referrer host) for filtering.
ALTER TABLE contacts ADD COLUMN first_touch TEXT;
ALTER TABLE contacts ADD COLUMN last_touch TEXT;
ALTER TABLE contacts ADD COLUMN source TEXT;
