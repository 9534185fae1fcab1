-- Inbox search over message text: a trigram index (FTS5) over each message's body, so a
-- fragment of three or more characters is found without reading every message. Kept in step
-- with the messages table by the triggers below; contentless (it stores only the index).

CREATE VIRTUAL TABLE message_search USING fts5(body, tokenize = 'trigram', content = '', contentless_delete = 1);

INSERT INTO message_search (rowid, body) SELECT id, body FROM messages;

CREATE TRIGGER message_search_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_search (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER message_search_update AFTER UPDATE OF body ON messages BEGIN
    DELETE FROM message_search WHERE rowid = old.id;
    INSERT INTO message_search (rowid, body) VALUES (new.id, new.body);
END;

CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
    DELETE FROM message_search WHERE rowid = old.id;
END;
