-- Contact search: a trigram index (FTS5) over each contact's name, email and phone digits, so
-- any fragment of three or more characters is found without reading every contact. Kept in
-- step with the contacts table by the triggers below; contentless (it stores only the index).

CREATE VIRTUAL TABLE contact_search USING fts5(doc, tokenize = 'trigram', content = '', contentless_delete = 1);

INSERT INTO contact_search (rowid, doc)
SELECT id, COALESCE(first_name, '') || ' ' || COALESCE(last_name, '') || ' ' || COALESCE(email, '') || ' ' || REPLACE(phone, '+', '') FROM contacts;

CREATE TRIGGER contact_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_search (rowid, doc)
    VALUES (new.id, COALESCE(new.first_name, '') || ' ' || COALESCE(new.last_name, '') || ' ' || COALESCE(new.email, '') || ' ' || REPLACE(new.phone, '+', ''));
END;

CREATE TRIGGER contact_search_update AFTER UPDATE OF first_name, last_name, email, phone ON contacts BEGIN
    DELETE FROM contact_search WHERE rowid = old.id;
    INSERT INTO contact_search (rowid, doc)
    VALUES (new.id, COALESCE(new.first_name, '') || ' ' || COALESCE(new.last_name, '') || ' ' || COALESCE(new.email, '') || ' ' || REPLACE(new.phone, '+', ''));
END;

CREATE TRIGGER contact_search_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_search WHERE rowid = old.id;
END;
