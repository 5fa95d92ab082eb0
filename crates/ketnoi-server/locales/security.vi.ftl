## Bảo mật tài khoản cán bộ: xác thực hai lớp (TOTP), mã khôi phục.

what-second-factor = xác thực hai lớp
second-factor-needed = Tài khoản này bật xác thực hai lớp: hãy nhập mã 6 chữ số trong ứng dụng xác thực (hoặc một mã khôi phục).
second-factor-wrong = { $reason ->
    [replayed] Mã này đã được dùng rồi. Hãy chờ mã mới trong ứng dụng xác thực (mỗi mã chỉ dùng được một lần).
   *[wrong] Mã xác thực hai lớp không đúng (hoặc đã hết hạn). Không có gì bị thay đổi.
}
second-factor-required = Bạn cần bật xác thực hai lớp trước khi xem tin báo, giữ khóa tin báo hoặc dùng trang quản trị của cơ quan mình. Hãy bật tại trang Bảo mật tài khoản: /console/bao-mat. (Two-factor sign-in is required: turn it on at /console/bao-mat.)
second-factor-still-required = Bạn không thể tắt xác thực hai lớp: công việc của bạn (tin báo, khóa tin báo hoặc quy định của cơ quan) bắt buộc phải có.
second-factor-not-pending = Chưa có yêu cầu bật xác thực hai lớp nào đang chờ xác nhận. Hãy bắt đầu lại.
security-go = Đến trang Bảo mật tài khoản để bật xác thực hai lớp
security-title = Bảo mật tài khoản
security-lead = Xác thực hai lớp: sau mật khẩu, bạn nhập mã 6 chữ số do ứng dụng xác thực (Google Authenticator, Microsoft Authenticator, FreeOTP…) tạo ra mỗi 30 giây.
security-required-notice = Cơ quan của bạn yêu cầu mọi cán bộ bật xác thực hai lớp. Hãy bật ngay để tiếp tục làm việc.
security-obliged = Bạn bắt buộc phải có xác thực hai lớp (do xem tin báo, giữ khóa tin báo hoặc theo quy định của cơ quan).
security-on = Đang bật từ { $since }. Còn { $left } mã khôi phục chưa dùng.
security-off = Chưa bật.
security-start = Bật xác thực hai lớp
security-scan = Quét mã QR này bằng ứng dụng xác thực, hoặc nhập khóa bí mật dưới đây.
security-secret = Khóa bí mật (nhập tay)
security-qr = Mã QR để thêm tài khoản vào ứng dụng xác thực
security-code = Mã 6 chữ số
security-confirm = Xác nhận
security-codes-title = Mã khôi phục của bạn
security-codes-lead = Hãy cất giữ các mã này ở nơi an toàn. Mỗi mã dùng được một lần để đăng nhập khi bạn mất điện thoại. Chúng chỉ hiện một lần này.
security-renew = Tạo mã khôi phục mới
security-disable = Tắt xác thực hai lớp
security-code-or-recovery = Mã 6 chữ số hoặc mã khôi phục
security-done = Xong
security-agencies = Cơ quan bạn quản lý
security-agency-required = Bắt buộc mọi cán bộ của { $agency } (và các cơ quan trực thuộc) bật xác thực hai lớp
security-save = Lưu
security-saved = Đã lưu.
security-reset-title = Đặt lại xác thực hai lớp của cán bộ
security-reset-username = Tên đăng nhập của cán bộ
security-reset = Đặt lại
security-reset-done = Đã đặt lại xác thực hai lớp của cán bộ đó; họ cần bật lại khi đăng nhập.
staff-code-title = Xác thực hai lớp
staff-code-lead = Nhập mã 6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục.
staff-code-expired = Phiên đăng nhập chờ mã đã hết hạn. Hãy nhập lại mật khẩu.
