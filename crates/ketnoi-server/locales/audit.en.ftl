## The audit log: its pages and messages.
console-role-auditor = Auditor
