-- Contact search: a trigram index (pg_trgm) over each contact's name, email and phone digits,
-- so any fragment of three or more characters is found without reading every contact. The
-- searched text is a generated column: PostgreSQL keeps it in step with the contact.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE contacts ADD COLUMN search_doc TEXT GENERATED ALWAYS AS (
    LOWER(COALESCE(first_name, '') || ' ' || COALESCE(last_name, '') || ' ' || COALESCE(email, '') || ' ' || REPLACE(phone, '+', ''))
) STORED;

CREATE INDEX contacts_search ON contacts USING gin (search_doc gin_trgm_ops);
