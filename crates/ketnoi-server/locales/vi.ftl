# Thông báo lỗi của API ketnoi (tiếng Việt). Mỗi khoá phải có trong en.ftl.

invalid-phone = Số điện thoại không hợp lệ. Hãy nhập số di động Việt Nam, ví dụ 0912 345 678.
invalid-slug = Tên đường dẫn chỉ gồm 3–64 chữ thường không dấu, chữ số và dấu gạch ngang đơn ở giữa.
invalid-area-code = Mã địa bàn chỉ gồm 1–16 chữ cái hoặc chữ số.
invalid-agency-code = Mã cơ quan chỉ gồm 2–64 chữ thường không dấu, chữ số, dấu “-” hoặc “.”.
invalid-username = Tên đăng nhập gồm 3–32 chữ thường không dấu, chữ số, dấu “.”, “_” hoặc “-”.
invalid-length = Trường { $field } phải dài từ { $min } đến { $max } ký tự.
invalid-control-character = Trường { $field } chứa ký tự điều khiển không được phép.
invalid-choice = Giá trị của { $field } phải là một trong: { $choices }.
invalid-client-msg-id = Mã tin nhắn của ứng dụng (client_msg_id) gồm 1–64 chữ cái, chữ số, dấu “-” hoặc “_”.
invalid-intent-id = Mã câu hỏi gồm 1–64 chữ thường không dấu, chữ số, dấu “.”, “_” hoặc “-” (ví dụ cccd.cap_moi).
invalid-button-url = Liên kết của nút phải bắt đầu bằng https:// hoặc là một đường dẫn trong trang, bắt đầu bằng /.
invalid-code = Mã xác thực gồm đúng 6 chữ số.
invalid-limit = Tham số limit phải từ 1 đến 100, offset không được âm.
malformed-request = Yêu cầu không đọc được: { $reason }
unsupported-media-type = Nội dung gửi lên phải là JSON (Content-Type: application/json).
payload-too-large = Nội dung gửi lên quá lớn.
unauthenticated = Bạn cần đăng nhập để làm việc này.
forbidden = Bạn không có quyền làm việc này.
csrf-rejected = Yêu cầu bị từ chối vì không đến từ trang của ketnoi.
not-found = Không tìm thấy { $what }.
conflict = { $what } đã tồn tại.
missing-reference = { $what } được nhắc tới không tồn tại.
method-not-allowed = Phương thức này không dùng được ở địa chỉ này.
too-many-requests = Bạn thao tác quá nhanh. Vui lòng thử lại sau { $seconds } giây.
otp-wrong = Mã xác thực không đúng. Bạn còn { $remaining } lần thử.
otp-expired = Mã xác thực đã hết hạn hoặc đã được dùng. Hãy yêu cầu mã mới.
otp-locked = Bạn đã nhập sai quá nhiều lần. Hãy yêu cầu mã mới.
otp-send-failed = Chưa gửi được mã xác thực. Vui lòng thử lại sau ít phút.
wrong-credentials = Tên đăng nhập hoặc mật khẩu không đúng.
not-ready = Cơ sở dữ liệu chưa sẵn sàng.
internal = Đã có lỗi phía máy chủ. Chúng tôi đã ghi nhận và sẽ khắc phục.

# Tên các đối tượng, dùng trong not-found / conflict / missing-reference.
what-account = tài khoản chính thức
what-agency = cơ quan
what-area = địa bàn
what-staff = cán bộ
what-page = trang
what-session = phiên đăng nhập
what-parent-area = địa bàn cấp trên
what-conversation = cuộc trò chuyện
what-attachment = tệp đính kèm
what-thing = đối tượng

# Conversations
client-msg-id-reused = Mã tin nhắn (client_msg_id) này đã được dùng cho một tin nhắn có nội dung khác. Hãy tạo mã mới cho tin nhắn mới.
upload-too-large = Tệp quá lớn. Dung lượng tối đa là { $megabytes } MB.
upload-empty = Tệp gửi lên không có nội dung.
upload-unsupported = Loại tệp này không được nhận. Hãy gửi ảnh (JPEG, PNG, WebP), PDF hoặc tài liệu văn phòng (Word, Excel, PowerPoint, OpenDocument).
upload-mismatch = Nội dung tệp không khớp với loại tệp được khai báo (Content-Type).
upload-malformed = Tệp bị hỏng hoặc không đọc được.
bad-attachment = Tệp đính kèm không tồn tại hoặc không thuộc cuộc trò chuyện này.
invalid-range = Chỉ dùng một trong hai tham số before hoặc after.
invalid-cursor = Tham số before không hợp lệ; hãy dùng giá trị next của trang trước.

# Tra cứu
lookup-bad-key = Mã tra cứu (số báo danh, mã hồ sơ…) không hợp lệ: không được để trống và không dài quá 128 ký tự.
lookup-too-long = Giá trị của { $field } quá dài.
lookup-missing-verify = Vui lòng nhập { $field } để xác minh.
lookup-unknown-filter = Không thể lọc theo { $field }.
lookup-bad-limit = Số kết quả phải là số nguyên từ 1 đến 50.
lookup-not-searchable = Bộ dữ liệu này chỉ tra cứu theo mã, không tìm theo tên.
lookup-empty-search = Vui lòng nhập từ cần tìm.
lookup-no-match = Không tìm thấy kết quả phù hợp. Vui lòng kiểm tra lại thông tin đã nhập.
lookup-locked = Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng { $minutes } phút.
what-dataset = bộ dữ liệu tra cứu
what-version = phiên bản dữ liệu
lookup-problem-too_large = Tệp quá lớn ({ $detail }).
lookup-problem-empty = Tệp trống, không có dòng tiêu đề.
lookup-problem-malformed = Không đọc được tệp CSV từ đây ({ $detail }).
lookup-problem-invalid_utf8 = Chữ không đúng mã UTF-8 (hãy lưu tệp dưới dạng CSV UTF-8) { $detail }.
lookup-problem-ragged = Số ô khác dòng tiêu đề ({ $detail }).
lookup-problem-missing_column = Thiếu cột { $detail }.
lookup-problem-duplicate_column = Cột { $detail } xuất hiện hai lần.
lookup-problem-empty_key = Ô mã tra cứu để trống.
lookup-problem-duplicate_key = Mã tra cứu trùng với dòng { $detail }.
lookup-problem-overflow = Dữ liệu quá lớn để phục vụ ({ $detail }).
lookup-report-line = Dòng { $line }: { $problem }
lookup-report-omitted = … và { $count } lỗi khác.
