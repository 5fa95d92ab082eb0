## The audit log: its pages and messages.
