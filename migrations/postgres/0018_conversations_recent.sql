-- The inbox reads conversations newest first and, when a search matches many contacts, tests
-- each conversation's contact id against them. With the contact id in the index that walk
-- reads only the index (SQLite's index already holds it: there it is the rowid).

DROP INDEX conversations_recent;
CREATE INDEX conversations_recent ON conversations (last_message_at, contact_id);
