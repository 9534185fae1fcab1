-- Inbox search over message text: a trigram index (pg_trgm, created by 0015) over each
-- message's lower-cased body, so a fragment of three or more characters is found without
-- reading every message.

CREATE INDEX messages_body_search ON messages USING gin (LOWER(body) gin_trgm_ops);
