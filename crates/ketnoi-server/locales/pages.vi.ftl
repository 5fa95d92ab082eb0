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

# Trả lời tự động (bot) trong bảng điều khiển
bot-title = Trả lời tự động
bot-overview = Tổng quan
bot-back = ← Trả lời tự động
bot-back-intents = ← Các câu hỏi của bot
bot-figures = Số liệu
bot-intent-count = Số câu hỏi trong bộ câu hỏi
bot-threshold = Ngưỡng chuyển cho cán bộ
bot-threshold-hint = Bot chỉ tự trả lời khi điểm của câu hỏi đạt ngưỡng; dưới ngưỡng, câu hỏi được chuyển cho cán bộ. Ngưỡng được tính lại mỗi khi bộ câu hỏi thay đổi.
bot-held-out = Thử trên câu mẫu để riêng
bot-held-out-figures = trả lời đúng { $accuracy }
bot-held-out-answered = tự trả lời { $answered }
bot-out-of-scope = Câu hỏi ngoài phạm vi
bot-out-of-scope-figures = chuyển cho cán bộ { $rejected }
bot-questions = { $count ->
   *[other] { $count } câu
}
bot-stats-caption = 7 ngày gần nhất
bot-stats-day = Ngày
bot-stats-answered = Đã trả lời
bot-stats-handed-off = Chuyển cán bộ
bot-stats-helpful = Hữu ích
bot-stats-unhelpful = Chưa đúng
bot-settings = Cài đặt
bot-enabled-label = Bật trả lời tự động
bot-welcome-hint = Gửi cho người dân khi họ bắt đầu theo dõi tài khoản. Để trống nếu không gửi.
bot-away-hint = Gửi kèm khi bot chuyển câu hỏi cho cán bộ ngoài giờ làm việc. Để trống để dùng câu mặc định.
bot-save = Lưu
bot-try = Thử hỏi bot
bot-try-label = Câu hỏi
bot-try-hint = Gõ như người dân gõ, có dấu hoặc không dấu. Câu hỏi thử không được lưu lại.
bot-try-submit = Hỏi thử
bot-try-rule = Trả lời theo từ khoá “{ $keyword }”:
bot-try-answer = Bot trả lời bằng câu: { $intent }
bot-try-score = Điểm: { $score }
bot-try-threshold = ngưỡng: { $threshold }
bot-try-handoff = Bot sẽ chuyển câu hỏi cho cán bộ.
bot-try-reason-unsure = Bot chưa đủ chắc chắn.
bot-try-reason-unknown = Bot không nhận ra từ nào trong câu hỏi.
bot-try-reason-empty = Câu hỏi trống.
bot-try-suggestions = Các câu gợi ý cho người dân:
bot-try-empty-kb = Bộ câu hỏi đang trống nên bot chưa trả lời được. Hãy nhập bộ câu hỏi bên dưới.
bot-handoffs = Câu hỏi đã chuyển cho cán bộ
bot-handoffs-hint = Chọn câu hỏi đúng rồi bấm “Thêm làm câu mẫu” để lần sau bot tự trả lời được những câu như vậy.
bot-handoffs-empty = Không còn câu hỏi nào cần xem.
bot-open-conversation = Xem cuộc trò chuyện
bot-handoff-intent-label = Câu hỏi đúng
bot-handoff-add = Thêm làm câu mẫu
bot-handoff-dismiss = Bỏ qua
bot-answered = Câu hỏi cán bộ đã trả lời
bot-answered-hint = Cán bộ đã trả lời những câu hỏi này. Gắn từng câu vào câu hỏi đúng của bot (bot đã chọn sẵn câu nó thấy gần nhất) hoặc tạo câu hỏi mới với câu trả lời của cán bộ. Bộ câu hỏi chỉ thay đổi khi cán bộ bấm nút.
bot-answered-empty = Chưa có câu hỏi nào được cán bộ trả lời.
bot-waiting = Câu hỏi chờ cán bộ trả lời
bot-officer-reply = Cán bộ đã trả lời:
bot-ranked-first = Bot xếp đầu: { $intent }
bot-new-intent = Tạo câu hỏi mới từ câu này
bot-new-intent-hint = Câu của người dân thành câu hỏi mới, câu trả lời lấy từ câu cán bộ đã trả lời (có thể sửa).
bot-new-intent-create = Tạo câu hỏi mới
bot-unanswered-title = Câu hỏi chưa trả lời được
bot-unanswered-link = Xem các câu hỏi bot chưa trả lời được, gộp theo nhóm câu giống nhau
bot-unanswered-hint = Những câu hỏi bot đã chuyển cho cán bộ mà chưa được xử lý. Các câu giống nhau (có dấu hay không dấu, gõ sai đôi chút) được gộp một nhóm, nhóm đông nhất đứng đầu: nên thêm câu hỏi hoặc câu mẫu cho những nhóm này trước.
bot-unanswered-empty = Không có câu hỏi nào bot chưa trả lời được trong thời gian này.
bot-unanswered-total = { $count } câu hỏi bot chưa trả lời được trong { $days } ngày qua.
bot-unanswered-act = Xử lý từng câu hỏi ở trang Tổng quan
bot-rules = Trả lời theo từ khoá
bot-rules-hint = Khi tin nhắn trùng hoặc chứa từ khoá (không phân biệt dấu, hoa thường), bot trả lời ngay câu đã định, trước mọi câu hỏi khác.
bot-rules-empty = Chưa có từ khoá nào.
bot-rule-new = Thêm từ khoá
bot-rule-matching-label = Cách so khớp
bot-rule-contains = Tin nhắn chứa từ khoá
bot-rule-exact = Tin nhắn đúng bằng từ khoá
bot-rule-add = Thêm từ khoá
bot-rule-delete = Xoá từ khoá “{ $keyword }”
bot-kb = Bộ câu hỏi
bot-export = Tải bộ câu hỏi về (.jsonl)
bot-default = Dùng bộ câu hỏi mẫu của ketnoi
bot-default-hint = Bộ câu hỏi mẫu gồm các câu người dân hay hỏi công an và ủy ban xã, phường. Bạn có thể sửa lại cho phù hợp.
bot-import-label = Nhập bộ câu hỏi từ tệp
bot-import-hint = Tệp .jsonl, mỗi dòng một câu hỏi. Bộ câu hỏi hiện có sẽ được thay toàn bộ; nếu có dòng sai thì không có gì thay đổi.
bot-import = Nhập tệp
bot-import-empty = Hãy chọn một tệp .jsonl có ít nhất một câu hỏi.
bot-import-not-text = Tệp không phải văn bản UTF-8. Hãy lưu tệp dưới dạng .jsonl (UTF-8).
bot-import-line-error = Dòng { $line }: { $message }. Chưa có gì được nhập.
bot-import-file-error = Tệp: { $message }. Chưa có gì được nhập.
bot-intents-title = Các câu hỏi của bot
bot-intents-count = { $count ->
    [0] Bộ câu hỏi đang trống.
   *[other] { $count } câu hỏi.
}
bot-examples-count = { $count ->
   *[other] { $count } câu mẫu
}
bot-intent-new = Thêm câu hỏi
bot-intent-create = Thêm câu hỏi
bot-intent-delete = Xoá câu hỏi này
bot-intent-delete-hint = Bot sẽ không trả lời câu hỏi này nữa.
bot-field-id = Mã câu hỏi
bot-id-hint = Chữ thường không dấu, chữ số, dấu “.”, “_” hoặc “-”, ví dụ cu_tru.tam_tru. Không đổi được sau khi tạo.
bot-field-topic = Chủ đề
bot-topic-hint = Không bắt buộc, ví dụ: Cư trú.
bot-field-question = Câu hỏi
bot-question-hint = Câu hỏi chuẩn, hiện trên nút gợi ý cho người dân.
bot-field-answer = Câu trả lời
bot-field-example = Câu mẫu
bot-field-examples = Các cách hỏi khác
bot-examples-hint = Mỗi dòng một cách người dân hay hỏi. Càng nhiều cách hỏi, bot càng nhận ra đúng.
bot-field-keyword = Từ khoá
bot-field-welcome = Lời chào người theo dõi mới
bot-field-away_message = Tin nhắn ngoài giờ làm việc
bot-error-intent-id = Mã câu hỏi gồm 1–64 chữ thường không dấu, chữ số, dấu “.”, “_” hoặc “-”.
bot-error-intent-exists = Đã có câu hỏi với mã này. Hãy chọn mã khác hoặc sửa câu hỏi đó.
bot-error-phrasing-taken = “{ $phrasing }” đã là một cách hỏi của câu hỏi { $intent }: một câu hỏi chỉ dẫn tới một câu trả lời. Hãy sửa câu này, hoặc thêm nó vào { $intent }.
bot-error-no-intent = Câu hỏi được chọn không còn trong bộ câu hỏi. Hãy tải lại trang và chọn lại.
bot-error-handoff-gone = Câu hỏi này đã được cán bộ khác xử lý.
bot-error-kb-not-empty = Bộ câu hỏi đã có nội dung nên không nhập bộ mẫu, để không mất những gì đã soạn.
bot-done-settings = Đã lưu cài đặt.
bot-done-example = Đã thêm câu mẫu. Bot sẽ dùng câu này từ bây giờ.
bot-done-handoff-intent = Đã tạo câu hỏi mới. Bot sẽ dùng câu này từ bây giờ.
bot-done-dismissed = Đã bỏ qua câu hỏi.
bot-done-rule-added = Đã thêm từ khoá.
bot-done-rule-deleted = Đã xoá từ khoá.
bot-done-imported = Đã nhập bộ câu hỏi.
bot-done-intent-created = Đã thêm câu hỏi.
bot-done-intent-saved = Đã lưu câu hỏi.
bot-done-intent-deleted = Đã xoá câu hỏi.

# Tra cứu
lookup-account-heading = Tra cứu trực tuyến
lookup-list-title = Tra cứu
lookup-list-empty = Tài khoản này chưa có dữ liệu tra cứu nào.
lookup-records = { $count ->
   *[other] { $count } bản ghi
}
lookup-updated = cập nhật lúc { $time }
lookup-find-title = Tra cứu
lookup-find-lead = Nhập { $field } rồi bấm “Tra cứu”.
lookup-find-lead-verify = Để bảo vệ thông tin cá nhân, kết quả chỉ hiện khi bạn nhập đúng cả: { $fields }.
lookup-find-submit = Tra cứu
lookup-date-hint = Ví dụ: 15/03/2008. Có thể gõ liền 8 chữ số: 15032008.
lookup-search-title = Tìm kiếm
lookup-search-lead = Chưa biết mã? Hãy tìm theo tên.
lookup-search-lead-verify = Chưa biết { $field }? Hãy tìm theo tên, rồi tra cứu ở trên để xem đầy đủ.
lookup-search-hint = Có thể gõ không dấu, ví dụ: nguyen van duc.
lookup-search-submit = Tìm
lookup-optional = Không bắt buộc.
lookup-or = hoặc
lookup-result-title = Kết quả tra cứu
lookup-hits-title = Kết quả tìm kiếm
lookup-hits = { $count ->
    [0] Không tìm thấy ai phù hợp. Hãy thử bớt từ hoặc kiểm tra lại chính tả.
   *[other] Tìm thấy { $count } kết quả.
}
lookup-hits-more = { $count ->
   *[other] Chỉ hiện { $count } kết quả đầu tiên. Hãy gõ thêm từ (ví dụ đủ họ và tên) hoặc thêm điều kiện để thu hẹp.
}
lookup-enter = Vui lòng nhập { $field }.
lookup-too-long-field = { $field } quá dài. Hãy kiểm tra lại.
lookup-empty-search-field = Vui lòng nhập từ cần tìm.
lookup-page-no-match = Không tìm thấy kết quả phù hợp với { $fields } bạn đã nhập. Hãy kiểm tra lại rồi thử lần nữa.
lookup-page-too-fast = { $count ->
   *[other] Bạn tra cứu quá nhanh. Vui lòng đợi { $count } giây rồi thử lại.
}
lookup-page-locked = { $count ->
   *[other] Mã này đã bị nhập sai quá nhiều lần nên tạm khoá. Vui lòng thử lại sau khoảng { $count } phút.
}
lookup-private-note = Thông tin bạn nhập không hiện trên địa chỉ trang và không được lưu lại.
lookups-title = Dữ liệu tra cứu
lookups-back = ← Dữ liệu tra cứu
lookups-public-page = Xem trang tra cứu công khai
lookups-datasets = Các bộ dữ liệu
lookups-datasets-empty = Tài khoản chưa có bộ dữ liệu nào. Hãy nạp tệp CSV đầu tiên bên dưới.
lookups-versions = { $count ->
   *[other] { $count } phiên bản
}
lookups-not-live = Chưa công bố
lookups-live-version = Đang công bố phiên bản { $version }
lookups-scheduled-version = Hẹn công bố phiên bản { $version } lúc { $time }
lookups-import = Nạp tệp CSV
lookups-import-hint = Mỗi lần nạp tạo một phiên bản mới của bộ dữ liệu. Tệp được kiểm tra từng dòng trước khi lưu: nếu có lỗi, bạn sẽ thấy danh sách lỗi theo dòng và không có gì thay đổi.
lookups-import-submit = Kiểm tra và nạp tệp
lookups-field-file = Tệp CSV
lookups-hint-file = Tệp CSV mã UTF-8, dòng đầu là tên cột. Tối đa 200 MB.
lookups-field-dataset = Tên đường dẫn của bộ dữ liệu
lookups-hint-dataset = Chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ diem-thi-2026. Trùng với bộ dữ liệu đã có thì tệp thành phiên bản mới của bộ đó.
lookups-field-title = Tiêu đề
lookups-hint-title = Người dân thấy tiêu đề này, ví dụ: Tra cứu điểm thi tốt nghiệp THPT 2026. Để trống để giữ tiêu đề hiện có.
lookups-field-key = Cột mã tra cứu
lookups-hint-key = Tên cột dùng để tra cứu chính xác, ví dụ so_bao_danh. Mỗi dòng phải có mã riêng, không trùng, không trống.
lookups-field-verify = Cột xác minh
lookups-hint-verify = Các cột người dân phải nhập đúng thêm, cách nhau bằng dấu phẩy, ví dụ ngay_sinh. Để trống nếu không cần.
lookups-field-search = Cột tìm theo tên
lookups-hint-search = Các cột tìm được bằng từ, có dấu hoặc không dấu, cách nhau bằng dấu phẩy, ví dụ ho_ten, que_quan.
lookups-field-filters = Cột lọc
lookups-hint-filters = Các cột dùng để thu hẹp kết quả tìm kiếm, cách nhau bằng dấu phẩy, ví dụ nam_sinh.
lookups-field-command = Lệnh trong tin nhắn
lookups-hint-command = Người dân nhắn lệnh này kèm mã để tra cứu trong cuộc trò chuyện, ví dụ: diem. Để trống để giữ lệnh hiện có.
lookups-field-show = Các cột hiển thị và nhãn
lookups-hint-show = Mỗi dòng một cột, theo dạng cột=Nhãn, ví dụ toan=Toán. Để trống để hiện mọi cột với tên cột làm nhãn.
lookups-field-publication = Công bố
lookups-publication-draft = Lưu bản nháp, chưa công bố
lookups-publication-now = Công bố ngay
lookups-publication-at = Hẹn giờ công bố
lookups-field-at = Thời điểm công bố
lookups-hint-at = Giờ Việt Nam, ví dụ 16/07/2026 08:00. Chỉ dùng khi chọn hẹn giờ.
lookups-report-title = { $count ->
   *[other] Tệp có { $count } lỗi. Chưa có gì được lưu hay công bố.
}
lookups-preview = Xem trước
lookups-preview-line = Dòng
lookups-preview-upload = { $count ->
   *[other] Tệp vừa gửi: dòng tiêu đề và { $count } dòng đầu
}
lookups-preview-version = Phiên bản { $version }: dòng tiêu đề và các dòng đầu
lookups-error-no-file = Hãy chọn tệp CSV cần nạp.
lookups-error-no-key = Hãy nhập tên cột mã tra cứu.
lookups-error-title = { $count ->
   *[other] Tiêu đề không được để trống, không dài quá { $count } ký tự và không chứa ký tự điều khiển.
}
lookups-error-command = { $count ->
   *[other] Lệnh không dài quá { $count } ký tự.
}
lookups-error-limit = { $count ->
   *[other] Nhập số nguyên từ 0 đến { $count }, hoặc để trống.
}
lookups-error-moment = Không hiểu thời điểm này. Hãy nhập như 16/07/2026 08:00.
lookups-error-past = Thời điểm này đã qua. Hãy chọn một thời điểm sắp tới.
lookups-api = Địa chỉ API:
lookups-none = Không có
lookups-fact-slug = Tên đường dẫn
lookups-fact-live = Đang công bố
lookups-fact-scheduled = Hẹn công bố
lookups-fact-key = Cột mã tra cứu
lookups-fact-verify = Cột xác minh
lookups-fact-search = Cột tìm theo tên
lookups-fact-filters = Cột lọc
lookups-fact-command = Lệnh trong tin nhắn
lookups-fact-limit = Giới hạn mỗi người
lookups-limit-default = { $count ->
   *[other] Mặc định: { $count } lượt mỗi phút
}
lookups-limit-off = Không giới hạn
lookups-limit-per-minute = { $count ->
   *[other] { $count } lượt mỗi phút
}
lookups-versions-title = Các phiên bản
lookups-versions-hint = Công bố một phiên bản thì người dân thấy ngay phiên bản đó, thay cho phiên bản cũ. Có thể khôi phục phiên bản cũ bất cứ lúc nào.
lookups-version = Phiên bản { $version }
lookups-state-live = Đang công bố
lookups-state-scheduled = Đã hẹn giờ
lookups-state-previous = Đã công bố trước đây
lookups-state-draft = Bản nháp
lookups-imported-at = nạp lúc { $time }
lookups-scheduled-at = hẹn công bố lúc { $time }
lookups-publish-now = Công bố phiên bản { $version } ngay
lookups-restore = Khôi phục phiên bản { $version }
lookups-cancel = Huỷ hẹn giờ phiên bản { $version }
lookups-schedule = Hẹn giờ công bố phiên bản { $version }
lookups-schedule-label = Thời điểm công bố phiên bản { $version }
lookups-settings = Cài đặt
lookups-setting-title = Tiêu đề
lookups-setting-hint-title = Người dân thấy tiêu đề này trên trang tra cứu.
lookups-setting-command = Lệnh trong tin nhắn
lookups-setting-hint-command = Ví dụ: diem. Để trống nếu không tra cứu qua tin nhắn.
lookups-setting-per_minute = Số lượt tra cứu mỗi phút của một người
lookups-setting-hint-per_minute = Để trống để dùng mức mặc định của máy chủ; 0 là không giới hạn.
lookups-save = Lưu cài đặt
lookups-done-imported = Đã nạp tệp thành một phiên bản mới.
lookups-done-settings = Đã lưu cài đặt.
lookups-done-publish = Đã công bố phiên bản. Người dân thấy phiên bản này từ bây giờ.
lookups-done-schedule = Đã hẹn giờ công bố.
lookups-done-cancel = Đã huỷ hẹn giờ công bố.

# Tin báo
console-tips-new = { $count } tin báo mới ở { $unit }
console-tips-none = Không có tin báo mới ở { $unit }
tip-form-title = Gửi tin báo, tố giác
tip-form-lead = Tin báo về tội phạm, an ninh trật tự gửi tới { $unit } và đơn vị công an nơi xảy ra sự việc.
tip-privacy-title = Thông tin của bạn được bảo vệ thế nào
tip-privacy-browser = Nội dung được niêm phong (mã hóa) ngay trên máy của bạn trước khi gửi: chỉ cán bộ giữ khóa của đơn vị nhận mới mở được. Máy chủ và người vận hành không đọc được. Ảnh được vẽ lại trên máy bạn nên mất thông tin vị trí (GPS) và thiết bị.
tip-privacy-server = Trình duyệt này không tự niêm phong được (JavaScript bị tắt hoặc trang không chạy qua HTTPS), nên máy chủ sẽ niêm phong nội dung ngay khi nhận: nội dung chỉ nằm trong bộ nhớ trong lúc đó, không được ghi lại hay ghi nhật ký. Ảnh JPEG, PNG, WebP được xóa thông tin vị trí; video và tài liệu vẫn giữ thông tin đi kèm (metadata) của chúng.
tip-privacy-clear = Để chuyển đúng đơn vị và thống kê, ba thông tin sau không được niêm phong: loại sự việc, địa bàn, thời gian xảy ra.
tip-privacy-sealed = Được niêm phong: mô tả, địa điểm cụ thể, tệp đính kèm và tên tệp. Khi gửi ẩn danh, không lưu tài khoản, số điện thoại hay địa chỉ IP của bạn.
tip-in-clear = không niêm phong
tip-sealed = được niêm phong
tip-category = Loại sự việc
tip-category-theft = Trộm cắp tài sản
tip-category-fraud = Lừa đảo, lừa đảo qua mạng
tip-category-drugs = Ma túy
tip-category-gambling = Cờ bạc
tip-category-violence = Bạo lực, gây thương tích
tip-category-traffic = Giao thông
tip-category-public-order = Trật tự công cộng
tip-category-other = Việc khác
tip-area = Địa bàn
tip-area-hint = Nơi xảy ra sự việc: tin báo được chuyển tới công an địa bàn này.
tip-occurred = Thời gian xảy ra
tip-occurred-hint = Ngày xảy ra; giờ nếu bạn biết.
tip-occurred-time = Giờ (không bắt buộc)
tip-description = Mô tả sự việc
tip-description-hint = Chuyện gì đã xảy ra, ai liên quan, phương tiện, số tài khoản lừa đảo…
tip-place = Địa điểm cụ thể
tip-place-hint = Số nhà, đường, thôn, xóm… (không bắt buộc).
tip-files = Ảnh, video, tài liệu
tip-files-hint = { $count ->
    [one] Tối đa 5 tệp, mỗi tệp không quá { $count } MB.
   *[other] Tối đa 5 tệp, mỗi tệp không quá { $count } MB.
}
tip-files-server = Ảnh được xóa thông tin vị trí trên máy chủ; video và tài liệu giữ nguyên thông tin đi kèm.
tip-files-browser = Ảnh được vẽ lại trên máy của bạn nên mất thông tin vị trí. Video và tài liệu được niêm phong nguyên vẹn, kể cả thông tin đi kèm của chúng.
tip-mode = Danh tính người báo
tip-mode-anonymous = Ẩn danh
tip-mode-anonymous-hint = Không ai biết bạn là ai, kể cả máy chủ. Bạn theo dõi bằng mã theo dõi.
tip-mode-identified = Ghi danh
tip-mode-identified-hint = Đơn vị thấy tên và số điện thoại tài khoản của bạn để liên hệ lại.
tip-mode-identified-sign-in = Muốn ghi danh, hãy đăng nhập trước.
tip-receipt-warning-title = Ghi lại mã theo dõi.
tip-receipt-warning = Sau khi gửi, bạn nhận một mã theo dõi. Chỉ mã này mở được trạng thái và phản hồi của đơn vị. Nếu mất mã, không ai khôi phục được, kể cả đơn vị và người quản trị.
tip-submit = Niêm phong và gửi
tip-sealing = Đang niêm phong trên máy của bạn…
tip-sending = Đang gửi…
tip-done-title = Đã gửi tin báo
tip-done-lead = Mã theo dõi của bạn (hãy chép lại ngay, mã chỉ hiện lần này):
tip-sent-units = Tin báo đã được niêm phong và gửi tới: { $units }.
tip-sent-server-note = Tin báo này được niêm phong trên máy chủ vì trình duyệt không tự niêm phong được.
tip-follow-link = Theo dõi tin báo bằng mã
tip-follow-have-code = Đã gửi tin báo? Theo dõi bằng mã theo dõi
tip-follow-title = Theo dõi tin báo
tip-follow-lead = Nhập mã theo dõi nhận được khi gửi tin báo để xem trạng thái và phản hồi của đơn vị.
tip-code = Mã theo dõi
tip-code-hint = 16 ký tự, ví dụ ABCD-EFGH-JKMN-PQRS; không phân biệt chữ hoa, chữ thường.
tip-follow-submit = Xem
tip-status-title = Trạng thái
tip-status-line = Trạng thái: { $status }
tip-status-new = Đang chờ xử lý
tip-status-handled = Đã xử lý
tip-from-unit = Đơn vị
tip-from-you = Bạn
tip-message-unreadable = (không đọc được)
tip-add-label = Bổ sung thông tin
tip-add-submit = Gửi bổ sung
tip-added = Đã gửi thông tin bổ sung.
tips-inbox-title = Tin báo
tips-keys-link = Khóa tin báo
tips-no-unit-key = Đơn vị chưa có khóa tin báo nên chưa nhận được tin báo trực tuyến.
tips-inbox-empty = Không có tin báo nào.
tips-tab-new = Chờ xử lý
tips-tab-handled = Đã xử lý
tips-tab-all = Tất cả
tips-received = Nhận lúc
tips-status = Trạng thái
tips-older = Tin báo cũ hơn
tip-view-title = Tin báo
tip-reporter = Ghi danh: { $who }
tips-needs-js = Trang này cần JavaScript: tin báo chỉ được mở trên máy của bạn, máy chủ không giữ khóa.
tips-passphrase = Cụm mật khẩu khóa
tips-passphrase-hint = Cụm mật khẩu khóa tin báo của bạn (không phải mật khẩu đăng nhập). Khóa chỉ được mở trên máy này.
tips-unlock = Mở tin báo
tips-unlocking = Đang mở khóa…
tips-wrong-passphrase = Cụm mật khẩu không đúng.
tips-no-copy = Bạn chưa được cấp khóa của đơn vị. Hãy nhờ một cán bộ đang giữ khóa cấp cho bạn.
tip-content-title = Nội dung
tip-messages-title = Trao đổi với người báo
tip-reply-label = Trả lời người báo
tip-reply-hint = Được niêm phong: chỉ người giữ mã theo dõi đọc được.
tip-reply-submit = Gửi trả lời
tips-mark-handled = Đánh dấu đã xử lý
tips-mark-new = Đánh dấu chờ xử lý
tips-export = Tải bản niêm phong (JSON)
tips-export-hint = Để mở ngoại tuyến bằng lệnh ketnoi tips decrypt.
tips-keys-title = Khóa tin báo
tips-keys-lead = Tin báo được niêm phong bằng khóa của đơn vị. Mỗi cán bộ giữ một bản khóa đơn vị, bọc bằng khóa cá nhân của mình; khóa cá nhân được khóa bằng cụm mật khẩu chỉ cán bộ biết. Mọi thao tác khóa diễn ra trên trình duyệt.
tips-my-key = Khóa cá nhân của bạn
tips-my-key-yes = Bạn đã có khóa cá nhân, mã khóa { $kid }.
tips-my-key-no = Bạn chưa có khóa cá nhân.
tips-my-key-create = Tạo khóa cá nhân
tips-my-key-replace = Thay khóa cá nhân
tips-new-passphrase = Cụm mật khẩu khóa mới
tips-new-passphrase-hint = Ít nhất 12 ký tự, khác mật khẩu đăng nhập. Quên cụm này thì phải được cấp lại khóa đơn vị.
tips-new-passphrase-again = Nhập lại cụm mật khẩu
tips-passphrase-short = Cụm mật khẩu phải có ít nhất 12 ký tự.
tips-passphrase-mismatch = Hai lần nhập không khớp.
tips-unit-key = Khóa đơn vị
tips-unit-key-none = Đơn vị chưa có khóa.
tips-key-current = đang dùng
tips-key-retired = đã thay (vẫn mở được tin báo cũ)
tips-create-unit-key = Tạo khóa đơn vị
tips-rotate = Thay khóa đơn vị
tips-rotate-hint = Tin báo mới sẽ dùng khóa mới; tin báo cũ vẫn mở bằng khóa cũ. Nên thay khóa sau khi thu hồi khóa của một cán bộ.
tips-key-file = Tải tệp khóa đơn vị
tips-key-file-hint = Tệp chứa khóa bí mật của đơn vị, dùng với lệnh ketnoi tips decrypt. Cất giữ như tài liệu mật.
tips-officers = Cán bộ xử lý tin báo
tips-officer = Cán bộ
tips-officer-state = Khóa
tips-officer-holds = đang giữ khóa đơn vị
tips-officer-ready = có khóa cá nhân, chưa được cấp
tips-officer-no-key = chưa tạo khóa cá nhân
tips-grant = Cấp khóa
tips-revoke = Thu hồi
tips-grant-passphrase = Cụm mật khẩu của bạn (để cấp khóa)
tips-done = Đã xong.
tips-settings = Cài đặt
tips-copy-parent = Gửi bản sao mỗi tin báo tới đơn vị cấp trên
tips-save = Lưu
tips-settings-saved = Đã lưu cài đặt.
tip-from-reporter = Người báo
account-tip-heading = Tin báo, tố giác tội phạm
account-tip-lead = Báo tin về tội phạm, an ninh trật tự. Nội dung được niêm phong ngay trên máy của bạn; có thể gửi ẩn danh và theo dõi bằng mã.
account-tip-button = Gửi tin báo
chat-tip-note = Tin nhắn trò chuyện không được niêm phong. Để báo tin bí mật hoặc ẩn danh, hãy dùng trang tin báo:
tips-officer-former = không còn vai trò ở đơn vị, vẫn giữ bản khóa
tips-revoked-rotate = Đã thu hồi. Người đó có thể đã giữ lại khóa đã mở: hãy thay khóa đơn vị để tin báo mới không mở được bằng khóa cũ.
tips-key-id = mã khóa
tips-officers-hint = Trước khi cấp khóa, hãy đối chiếu trực tiếp mã khóa với đồng nghiệp (mã hiện trên trang khóa của họ): như vậy máy chủ không thể đánh tráo khóa.
tip-sealed-by-browser = Tin báo được niêm phong trên máy của người báo.
tip-sealed-by-server = Tin báo được niêm phong trên máy chủ (trình duyệt của người báo không tự niêm phong được); video và tài liệu có thể còn thông tin đi kèm.

# Tin tức, thông báo, cảnh báo khẩn cấp (issue 15)
nav-feed = Bảng tin
console-news = Tin tức
console-broadcasts = Gửi thông báo
account-news = Tin tức của tài khoản
account-news-all = Xem tất cả tin
news-list-title = Tin tức – { $account }
news-back-to-account = ← Về trang tài khoản
news-none = Chưa có tin nào.
news-older = Tin cũ hơn
news-atom = Theo dõi bằng trình đọc tin (Atom)
news-broadcast = Thông báo
news-open = Xem thông báo
news-public-page = Trang tin công khai
news-console-title = Tin tức
news-new = Viết tin mới
news-field-title = Tiêu đề
news-field-summary = Tóm tắt
news-hint-summary = Một hai câu hiện trên thẻ tin và khi chia sẻ đường dẫn. Để trống thì lấy đầu bài viết.
news-field-body = Nội dung
news-hint-body = Viết theo Markdown: # tiêu đề, **đậm**, *nghiêng*, - danh sách, [chữ](https://địa-chỉ). Mã HTML và script bị loại bỏ.
news-field-cover = Ảnh bìa
news-hint-cover = Ảnh JPEG, PNG hoặc WebP, tối đa 5 MB. Vị trí chụp (GPS) và thông tin máy ảnh được xoá trước khi lưu.
news-current-cover = Ảnh bìa hiện tại
news-field-state = Trạng thái
news-field-publish-at = Thời điểm đăng
news-hint-publish-at = Chỉ dùng khi chọn “Hẹn giờ đăng”. Giờ Việt Nam.
news-preview = Xem trước
news-preview-title = Bản xem trước
news-save = Lưu
news-view = Xem
news-when = Thời gian
news-actions = Thao tác
news-editor-title = Soạn tin
news-done-saved = Đã lưu bài viết.
article-state-draft = Bản nháp
article-state-scheduled = Hẹn giờ đăng
article-state-published = Đã đăng
article-state-withdrawn = Đã gỡ
article-published = Đăng lúc { $when }
article-edit = Sửa bài
article-withdrawn-title = Bài viết đã được gỡ
article-withdrawn-lead = Cơ quan đã gỡ bài viết này. Bạn có thể xem các tin khác trên trang của tài khoản.
broadcast-title = Thông báo
broadcast-console-title = Gửi thông báo
broadcast-quota-note = { $count } / { $limit } lượt gửi trong tuần này (tính từ thứ Hai). Cảnh báo khẩn cấp không tính vào hạn mức.
broadcast-field-text = Nội dung thông báo
broadcast-field-article = Kèm thẻ bài viết (không bắt buộc)
broadcast-field-buttons = Nút bấm (không bắt buộc)
broadcast-hint-buttons = Mỗi nút gồm chữ hiện trên nút và địa chỉ https:// hoặc đường dẫn trong trang bắt đầu bằng /.
broadcast-field-button-label = Chữ trên nút
broadcast-field-button-url = Địa chỉ của nút
broadcast-field-areas = Gửi tới người theo dõi ở địa bàn
broadcast-hint-areas = Không chọn gì thì gửi tới mọi người theo dõi. Chọn một hoặc nhiều địa bàn (giữ Ctrl để chọn nhiều): người theo dõi đã chọn phường, xã nằm trong các địa bàn này sẽ nhận được.
broadcast-field-tags = Gửi tới người theo dõi có nhãn
broadcast-hint-tags = Các nhãn cách nhau bằng dấu phẩy. Nếu chọn cả địa bàn và nhãn, người nhận phải thoả cả hai. Nhãn đang dùng:
broadcast-field-send-at = Hẹn giờ gửi
broadcast-hint-send-at = Để trống để gửi ngay. Giờ Việt Nam. Có thể huỷ trước giờ gửi.
broadcast-emergency = Cảnh báo khẩn cấp
broadcast-emergency-check = Gửi như cảnh báo khẩn cấp: hiện nổi bật, không tính hạn mức, công bố theo chuẩn CAP 1.2
broadcast-field-event = Sự kiện (ví dụ: Lũ quét)
broadcast-field-expires = Hết hiệu lực lúc
broadcast-count-button = Đếm người nhận
broadcast-count = Thông báo này sẽ tới { $count } người theo dõi.
broadcast-send = Gửi thông báo
broadcast-sent-title = Các thông báo đã gửi
broadcast-none = Chưa gửi thông báo nào.
broadcast-cancel = Huỷ gửi
broadcast-audience-all = Mọi người theo dõi
broadcast-state-scheduled = Hẹn giờ
broadcast-state-sent = Đã gửi
broadcast-state-cancelled = Đã huỷ
broadcast-stats = Tới { $audience } người · { $delivered } nhận ngay khi đang trực tuyến · { $opened } người đã mở
broadcast-done-sent = Đã gửi thông báo.
broadcast-done-scheduled = Đã hẹn giờ gửi thông báo.
broadcast-done-cancelled = Đã huỷ thông báo.
feed-title = Bảng tin
feed-area = Bạn nhận thông báo cho địa bàn: { $area }.
feed-no-area = Bạn chưa chọn phường, xã nơi mình sống nên chưa nhận được thông báo gửi riêng cho địa bàn.
feed-change-area = Chọn địa bàn
feed-empty = Chưa có tin nào từ các tài khoản bạn theo dõi.
area-title = Nơi bạn sống
area-lead = Chọn phường, xã nơi bạn sống để nhận thông báo và cảnh báo các cơ quan gửi riêng cho địa bàn đó. Thông tin này chỉ dùng để chọn người nhận thông báo.
area-current = Địa bàn hiện tại
area-show-wards = Hiện các phường, xã
area-ward-label = Phường, xã
area-save = Lưu địa bàn
area-clear = Bỏ chọn địa bàn
area-saved = Đã lưu địa bàn của bạn.
area-choose-ward = Hãy chọn phường, xã.
alert-label = Cảnh báo khẩn cấp
alert-cap = Bản tin cảnh báo theo chuẩn CAP 1.2 (XML)
alerts-title = Cảnh báo khẩn cấp
alerts-lead = Các cảnh báo khẩn cấp cơ quan nhà nước phát trong 30 ngày qua. Hệ thống cảnh báo khác có thể nhận qua nguồn Atom và bản tin CAP 1.2.
alerts-none = Không có cảnh báo nào trong 30 ngày qua.
alerts-atom = Nguồn cảnh báo (Atom, kèm bản tin CAP)
push-turn-on = Bật thông báo trên thiết bị này
push-turn-off = Tắt thông báo trên thiết bị này
push-on = Đã bật: bạn sẽ nhận thông báo cả khi đã đóng trang.
push-off = Thông báo đang tắt trên thiết bị này.
push-denied = Trình duyệt đang chặn thông báo của trang này. Hãy cho phép trong phần cài đặt trang web.
push-failed = Chưa bật được thông báo. Vui lòng thử lại.
push-reply-title = Bạn có phản hồi mới
push-reply-body = Đơn vị đã trả lời tin báo của bạn. Mở trang tra cứu tin báo và nhập mã tiếp nhận để xem.
chat-notices = Thông báo từ tài khoản
chat-follower-tags = Nhãn của người theo dõi này
chat-follower-tags-hint = Các nhãn cách nhau bằng dấu phẩy, ví dụ: hộ kinh doanh, CCCD. Dùng để gửi thông báo riêng cho một nhóm; người dân không thấy nhãn.
chat-follower-tags-save = Lưu nhãn
chat-notes-title = Ghi chú nội bộ
chat-notes-hint = Chỉ cán bộ xử lý cuộc trò chuyện này thấy các ghi chú. Người dân không bao giờ thấy.
chat-notes-empty = Chưa có ghi chú nội bộ nào.
chat-notes-label = Ghi chú mới
chat-notes-label-hint = Tối đa 2.000 ký tự. Ghi chú được lưu kèm tên bạn và không thể xoá.
chat-notes-add = Lưu ghi chú
chat-notes-added = Đã lưu ghi chú nội bộ.
chat-notes-error-length = Ghi chú phải có từ { $min } đến { $max } ký tự.
chat-notes-error-control = Ghi chú chứa ký tự điều khiển không được phép.

inbox-mine = Giao cho tôi
inbox-unassigned = Chưa giao
inbox-assigned-to = Giao cho:
inbox-duty-legend = Trạng thái của bạn
inbox-duty-on = Đang trực
inbox-duty-away = Vắng mặt
inbox-duty-save = Lưu trạng thái
inbox-duty-saved = Đã lưu trạng thái trực của bạn.
chat-assign-title = Người phụ trách
chat-assign-current = Đang giao cho:
chat-assign-nobody = Cuộc trò chuyện chưa được giao cho ai. Mọi cán bộ của tài khoản vẫn xem và trả lời được.
chat-assign-label = Giao cho
chat-assign-none = (chưa giao)
chat-assign-me = Tôi
chat-assign-away = vắng mặt
chat-assign-submit = Giao
chat-assign-saved = Đã cập nhật người phụ trách.
chat-labels-title = Nhãn
chat-labels-hint = Nhãn giúp cán bộ phân loại và lọc hộp thư. Người dân không thấy nhãn.
chat-labels-empty = Cuộc trò chuyện chưa có nhãn nào.
chat-labels-label = Thêm nhãn
chat-labels-label-hint = Tối đa 40 ký tự, ví dụ: CCCD, cư trú, khiếu nại. Mỗi cuộc trò chuyện có tối đa 10 nhãn.
chat-labels-add = Thêm nhãn
chat-labels-remove = Bỏ nhãn { $label }
chat-labels-added = Đã thêm nhãn.
chat-labels-removed = Đã bỏ nhãn.
chat-labels-error-invalid = Nhãn phải có từ 1 đến 40 ký tự và không chứa ký tự điều khiển.
chat-labels-error-too-many = Mỗi cuộc trò chuyện chỉ có tối đa 10 nhãn. Hãy bỏ bớt một nhãn trước.
inbox-labels = Lọc theo nhãn
inbox-labels-clear = Bỏ lọc nhãn
