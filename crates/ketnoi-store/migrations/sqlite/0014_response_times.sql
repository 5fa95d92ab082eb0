-- Response times: when the citizen started waiting for an answer (cleared by an officer's
-- reply), the first officer's reply, and when the conversation was last settled; each account's
-- working week and its response target in working minutes.

ALTER TABLE conversations ADD COLUMN waiting_since INTEGER;
ALTER TABLE conversations ADD COLUMN first_response_at INTEGER;
ALTER TABLE conversations ADD COLUMN resolved_at INTEGER;
-- Overdue conversations: those of an inbox waiting since before a cut-off.
CREATE INDEX conversations_waiting
    ON conversations (handler_id, status, waiting_since)
    WHERE waiting_since IS NOT NULL;

-- Empty: the civil service's hours (Monday to Friday, 07:30-11:30 and 13:30-17:00).
ALTER TABLE accounts ADD COLUMN office_schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN response_target_minutes INTEGER NOT NULL DEFAULT 240;
