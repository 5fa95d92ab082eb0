-- Officers' messages by conversation and time: how a hand-off's answer is found (the first
-- officer's message after it) without reading the whole conversation. Partial, so the
-- citizens' and the bot's messages, most of them, do not pay for it.
CREATE INDEX messages_staff ON messages (conversation_id, created_at) WHERE author_kind = 'staff';
