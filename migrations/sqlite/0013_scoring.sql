-- Lead scoring: each contact's score (0-100), band and the rules that produced it (JSON), and
-- the recompute jobs a rule change starts (claimed with a lease, resumable by contact id).

ALTER TABLE contacts ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN score_band TEXT NOT NULL DEFAULT 'unqualified';
ALTER TABLE contacts ADD COLUMN score_reasons TEXT NOT NULL DEFAULT '[]';
CREATE INDEX contacts_score ON contacts (score, id);
CREATE INDEX contacts_band ON contacts (score_band, score, id);
CREATE INDEX contacts_source ON contacts (source);
CREATE INDEX form_submissions_contact ON form_submissions (contact_id, created_at);

CREATE TABLE score_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- queued | running | done | cancelled
    state TEXT NOT NULL DEFAULT 'queued',
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    last_contact_id INTEGER NOT NULL DEFAULT 0,
    -- the clock the decay is judged by (epoch ms), fixed when the job is queued
    as_of INTEGER NOT NULL,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX score_jobs_state ON score_jobs (state, id);
