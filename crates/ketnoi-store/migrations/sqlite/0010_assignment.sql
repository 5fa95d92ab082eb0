-- Manual assignment of conversations, and officers on duty or away.

-- The "assigned to …" views of the inbox list one officer's open conversations newest first.
CREATE INDEX conversations_assignee
    ON conversations (account_id, status, assignee_id, last_message_at DESC, id DESC);

-- An officer who is away stays assignable; the assignee list shows it beside their name.
ALTER TABLE staff ADD COLUMN away BOOLEAN NOT NULL DEFAULT FALSE;
