## Bảo mật tài khoản cán bộ: xác thực hai lớp (TOTP), mã khôi phục.
