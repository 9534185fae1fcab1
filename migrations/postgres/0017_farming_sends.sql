-- The dashboard's warm-lead widget counts today's and the week's farming sends: a partial
-- index over just those messages, so the count does not read every message.

CREATE INDEX messages_farming_sent ON messages (created_at) WHERE kind = 'farming';
