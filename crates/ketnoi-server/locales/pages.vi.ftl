# Chữ trên các trang web (tiếng Việt). Mỗi khoá phải có trong pages.en.ftl.

site-name = ketnoi
site-tagline = Kết nối công dân với cơ quan nhà nước
skip-link = Bỏ qua, đến nội dung chính
nav-home = Trang chủ
nav-directory = Danh bạ tài khoản
nav-my-accounts = Tài khoản tôi theo dõi
nav-sign-in = Đăng nhập
nav-sign-out = Đăng xuất
nav-staff = Dành cho cán bộ
nav-console = Bảng điều khiển
lang-switch = English
footer-text = ketnoi là phần mềm nguồn mở. Dữ liệu được lưu tại nơi cơ quan quyết định.
footer-api = Tài liệu API

error-summary-title = Có lỗi cần sửa
error-prefix = Lỗi:
field-error-prefix = Lỗi:

home-title = Tìm cơ quan nhà nước để hỏi, theo dõi và nhận tin
home-lead = Tìm tài khoản chính thức của công an, ủy ban nhân dân, đoàn thanh niên và các cơ quan khác nơi bạn sống. Bạn có thể gõ không dấu.
home-search-label = Tìm tài khoản chính thức
home-search-hint = Ví dụ: công an Vị Xuyên, ubnd xa vi xuyen
home-search-button = Tìm kiếm
home-verified-title = Tài khoản đã xác minh
home-signed-in-as = Bạn đang đăng nhập với số { $phone }.

directory-title = Danh bạ tài khoản chính thức
directory-search-label = Tên cơ quan hoặc tài khoản
directory-province-label = Tỉnh, thành phố
directory-commune-label = Xã, phường
directory-any-province = Tất cả tỉnh, thành phố
directory-any-commune = Cả tỉnh, thành phố
directory-kind-label = Loại tài khoản
directory-any-kind = Tất cả các loại
directory-submit = Tìm
directory-results = { $count ->
    [0] Không tìm thấy tài khoản nào.
   *[other] Đang hiện { $count } tài khoản.
}
directory-no-results-hint = Hãy thử bớt từ, bỏ bộ lọc địa bàn, hoặc kiểm tra chính tả.
directory-previous = Trang trước
directory-next = Trang sau
directory-choose-province-first = Chọn tỉnh, thành phố rồi bấm “Tìm” để chọn xã, phường.

kind-police = Công an
kind-e-government = Chính quyền điện tử
kind-youth = Đoàn thanh niên
kind-public-service = Dịch vụ công
kind-other = Khác

verified-badge = Đã xác minh
verified-explainer = Nền tảng đã xác nhận tài khoản này thuộc về cơ quan có tên trên.
unverified-note = Tài khoản chưa được xác minh.

account-about = Giới thiệu
account-contact = Liên hệ
account-phone = Điện thoại
account-address = Địa chỉ
account-hours = Giờ làm việc
account-area = Địa bàn
account-agency = Cơ quan
account-followers = { $count ->
    [0] Chưa có người theo dõi
   *[other] { $count } người theo dõi
}
account-since = Tham gia ketnoi từ { $date }
account-follow = Theo dõi
account-unfollow = Bỏ theo dõi
account-following = Bạn đang theo dõi tài khoản này.
account-sign-in-to-follow = Đăng nhập để theo dõi
account-followed = Bạn đã theo dõi { $name }.
account-unfollowed = Bạn đã bỏ theo dõi { $name }.

sign-in-title = Đăng nhập bằng số điện thoại
sign-in-lead = Chúng tôi sẽ gửi một mã gồm 6 chữ số tới điện thoại của bạn. Mã có hiệu lực trong 5 phút.
sign-in-phone-label = Số điện thoại di động
sign-in-phone-hint = Ví dụ: 0912 345 678
sign-in-send-code = Gửi mã
code-title = Nhập mã xác thực
code-lead = Chúng tôi đã gửi mã tới số { $phone }.
code-label = Mã gồm 6 chữ số
code-submit = Đăng nhập
code-resend = Chưa nhận được mã? Gửi lại mã
code-demo = Chế độ trình diễn: mã của bạn là { $code }. Trên hệ thống thật, mã chỉ được gửi qua tin nhắn.
code-no-pending = Hãy nhập số điện thoại trước để nhận mã.

my-accounts-title = Tài khoản tôi theo dõi
my-accounts-empty = Bạn chưa theo dõi tài khoản nào.
my-accounts-find = Tìm tài khoản để theo dõi

staff-sign-in-title = Đăng nhập dành cho cán bộ
staff-username-label = Tên đăng nhập
staff-password-label = Mật khẩu
staff-sign-in-submit = Đăng nhập

console-title = Bảng điều khiển
console-welcome = Xin chào, { $name }.
console-agencies = Cơ quan bạn quản lý
console-accounts = Tài khoản chính thức
console-none = Bạn chưa được giao quyền ở cơ quan nào. Hãy liên hệ quản trị viên.
console-role-platform-admin = Quản trị nền tảng
console-role-administrator = Quản trị
console-role-officer = Cán bộ
console-role-viewer = Chỉ xem
console-inbox = Hộp thư
console-bot = Trả lời tự động
console-lookups = Tra cứu
console-tips = Tin báo
console-content = Tin tức
console-coming = sắp có
console-open-page = Xem trang công khai

not-found-title = Không tìm thấy trang
not-found-lead = Địa chỉ có thể bị gõ sai hoặc trang đã bị chuyển đi.
forbidden-title = Bạn không có quyền xem trang này
error-title = Đã có lỗi
error-lead = Đã có lỗi phía máy chủ. Chúng tôi đã ghi nhận và sẽ khắc phục. Vui lòng thử lại sau.
back-home = Về trang chủ

# Conversations
nav-conversations = Tin nhắn
account-message = Nhắn tin
account-sign-in-to-message = Đăng nhập để nhắn tin
chat-citizen-subtitle = Tin nhắn của bạn được lưu an toàn và chỉ cán bộ phụ trách tài khoản này đọc được.
chat-back-account = ← Trang của tài khoản
chat-back-inbox = ← Hộp thư
chat-back-console = ← Bảng điều khiển
chat-history = Các tin nhắn
chat-older = Xem tin nhắn cũ hơn
chat-empty = Chưa có tin nhắn nào. Hãy viết câu hỏi của bạn bên dưới.
chat-you = Bạn
chat-bot = Trợ lý tự động
chat-image = Ảnh đính kèm
chat-message-label = Tin nhắn
chat-file-label = Ảnh hoặc tệp đính kèm (không bắt buộc)
chat-file-hint = { $count ->
    *[other] Ảnh JPEG, PNG, WebP; PDF; Word, Excel, PowerPoint. Tối đa { $count } MB. Vị trí chụp (GPS) trong ảnh được xoá trước khi lưu.
}
chat-send = Gửi
chat-sending = Đang gửi…
chat-sent = Đã gửi
chat-seen = Đã xem
chat-failed = Chưa gửi được.
chat-retry = Gửi lại
chat-reconnecting = Mất kết nối, đang kết nối lại…
chat-read-only = Bạn chỉ có quyền xem cuộc trò chuyện này.
chat-close = Đóng cuộc trò chuyện
chat-reopen = Mở lại cuộc trò chuyện
chat-closed-note = Cuộc trò chuyện đã đóng. Nếu người dân nhắn tiếp, nó sẽ tự mở lại.
chat-closed-badge = Đã đóng
chat-unread = { $count ->
    *[other] { $count } tin chưa đọc
}
conversations-title = Tin nhắn của tôi
conversations-empty = Bạn chưa nhắn tin với tài khoản nào.
inbox-title = Hộp thư
inbox-open = Đang mở
inbox-needs-person = Cần cán bộ trả lời
inbox-bot-tab = Bot đang trả lời
inbox-closed = Đã đóng
inbox-search-label = Tìm trong hộp thư
inbox-search-hint = Nội dung tin nhắn (có dấu hoặc không dấu) hoặc số điện thoại đã che, ví dụ 091 hoặc 678.
inbox-empty = Không có cuộc trò chuyện nào.
