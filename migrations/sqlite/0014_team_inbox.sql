-- The team inbox: members can step away (round robin passes them over), each pool of members
-- that takes turns (a group, or '*' for everyone) remembers whom it gave the last contact to.

ALTER TABLE users ADD COLUMN available INTEGER NOT NULL DEFAULT 1;

CREATE TABLE routing_turns (
    pool TEXT PRIMARY KEY,
    last_user INTEGER NOT NULL
);

-- Saved replies: texts with {{ }} fields a member picks in a conversation.
CREATE TABLE saved_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

-- Lead forms can ask for a code texted to the number before a lead counts: the submission
-- waits as 'pending' with the code's hash until it is confirmed. A number known to be a
-- landline (or not a working number) is flagged on the submission.
ALTER TABLE forms ADD COLUMN confirm_sms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE form_submissions ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted';
ALTER TABLE form_submissions ADD COLUMN confirm_token TEXT;
ALTER TABLE form_submissions ADD COLUMN code_hash TEXT;
ALTER TABLE form_submissions ADD COLUMN code_expires_at INTEGER;
ALTER TABLE form_submissions ADD COLUMN code_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE form_submissions ADD COLUMN phone_flag TEXT;
CREATE UNIQUE INDEX form_submissions_token ON form_submissions (confirm_token);

-- A form can sell its leads: each lead that counts becomes a lead for lead unlock, offered to
-- the providers serving its city and service type.
ALTER TABLE forms ADD COLUMN sell_leads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE form_submissions ADD COLUMN lead_id TEXT;

-- Analytics reads a period's form leads by their source.
CREATE INDEX form_submissions_created ON form_submissions (created_at);
