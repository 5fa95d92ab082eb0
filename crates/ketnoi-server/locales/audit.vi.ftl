## Nhật ký kiểm toán (audit log): its pages and messages.
console-role-auditor = Kiểm toán viên
