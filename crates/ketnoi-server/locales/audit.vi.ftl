## Nhật ký kiểm toán (audit log): its pages and messages.
