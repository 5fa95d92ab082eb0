## Tin báo như hồ sơ vụ việc: trạng thái, thời hạn, gia hạn, chuyển đơn vị, ghi chú.

tip-status-received = Đã tiếp nhận
tip-status-verifying = Đang kiểm tra, xác minh
tip-status-handling = Đang xử lý
tip-status-closed = Đã kết thúc
tips-tab-open = Đang giải quyết
tips-tab-received = Mới tiếp nhận
tips-tab-verifying = Đang xác minh
tips-tab-handling = Đang xử lý
tips-tab-overdue = Quá hạn
tips-tab-mine = Tôi phụ trách
tips-tab-closed = Đã kết thúc
tips-tab-all = Tất cả
tips-overdue-count = { $count ->
    [one] Có 1 tin báo quá hạn giải quyết.
   *[other] Có { $count } tin báo quá hạn giải quyết.
}
tip-deadline = Thời hạn giải quyết
tip-deadline-line = Thời hạn giải quyết: { $deadline }
tip-overdue = Quá hạn
tip-assignee = Cán bộ phụ trách
tip-nobody = Chưa giao
tip-case-title = Giải quyết tin báo
tip-move-to = Chuyển sang bước
tip-move-submit = Cập nhật trạng thái
tip-closing-label = Lý do kết thúc
tip-closing-hint = Bắt buộc khi kết thúc tin báo.
tip-closing-acted-on = Đã xác minh và xử lý theo thẩm quyền
tip-closing-passed-on = Đã chuyển cơ quan khác có thẩm quyền
tip-closing-no-offence = Không có dấu hiệu vi phạm
tip-closing-not-enough-information = Không đủ thông tin để xác minh
tip-closing-false-report = Tin báo sai sự thật
tip-closing-duplicate = Trùng với tin báo khác
tip-assign-submit = Giao việc
tip-extension-title = Gia hạn
tip-extension-reason = Căn cứ gia hạn
tip-extension-reason-complex = Vụ việc có nhiều tình tiết phức tạp
tip-extension-reason-several-places = Phải kiểm tra, xác minh tại nhiều địa điểm
tip-extension-reason-procuracy = Viện kiểm sát gia hạn
tip-extension-days = Số ngày gia hạn
tip-extension-days-hint = { $count ->
    [one] Tối đa 1 ngày.
   *[other] Tối đa { $count } ngày.
}
tip-extension-submit = Đề nghị gia hạn
tip-extension-pending-line = Đang chờ duyệt: gia hạn { $count } ngày — { $reason }.
tip-extension-approve = Duyệt gia hạn
tip-extension-refuse = Không duyệt
tip-extension-wait-other = Đề nghị của bạn cần một cán bộ khác của đơn vị duyệt.
tip-extension-none-left = Đã dùng hết số lần gia hạn được phép.
tip-history-title = Quá trình giải quyết
tip-event-status = Chuyển sang: { $status }
tip-event-assigned = Giao cho { $name }
tip-event-unassigned = Bỏ giao việc
tip-event-extension-requested = Đề nghị gia hạn { $count } ngày — { $reason }
tip-event-extension-approved = Được gia hạn đến { $deadline }
tip-event-extension-refused = Đề nghị gia hạn không được duyệt
tip-event-transferred = Chuyển đến { $unit }
tip-event-transfer-kept = (đơn vị vẫn theo dõi)
tip-event-moved = Tin báo đã được chuyển đến { $unit } để giải quyết theo thẩm quyền.
tip-notes-title = Ghi chú nội bộ
tip-notes-hint = Ghi chú được niêm phong trong trình duyệt như chính tin báo: chỉ cán bộ mở được tin báo mới đọc được; người báo tin không thấy.
tip-note-label = Ghi chú mới
tip-note-submit = Lưu ghi chú
tip-transfer-title = Chuyển tin báo
tip-transfer-to = Mã đơn vị nhận
tip-transfer-to-hint = Mã của đơn vị công an có thẩm quyền, ví dụ ca-ha-giang.
tip-transfer-keep = Đơn vị mình vẫn được xem tin báo sau khi chuyển
tip-transfer-submit = Chuyển tin báo
tip-transfer-done = Đã chuyển tin báo.
tip-status-stale = Tin báo vừa được cán bộ khác cập nhật. Vui lòng tải lại trang để xem trạng thái mới.
tip-status-skips = Không thể chuyển sang bước này: tin báo phải đi lần lượt tiếp nhận → kiểm tra, xác minh → xử lý → kết thúc.
tip-closing-needed = Vui lòng chọn lý do kết thúc.
tip-closing-only-to-close = Lý do kết thúc chỉ dùng khi kết thúc tin báo.
tip-case-closed = Tin báo đã kết thúc, không thể thay đổi.
tip-assignee-not-handler = Chỉ giao được cho cán bộ xử lý tin báo của đơn vị.
tip-extension-too-long = Số ngày gia hạn phải từ 1 đến { $limit }.
tip-extension-pending = Đã có một đề nghị gia hạn đang chờ duyệt.
tip-extension-own = Cán bộ đề nghị gia hạn không được tự duyệt; cần một cán bộ khác của đơn vị.
tip-bad-decision = Quyết định không hợp lệ.
tip-bad-filter = Bộ lọc tin báo không hợp lệ.
tip-transfer-no-unit = Không tìm thấy đơn vị công an với mã này.
tip-transfer-no-key = Đơn vị nhận chưa tạo khóa tin báo nên chưa thể nhận tin báo chuyển đến.
tip-transfer-same = Tin báo đang ở chính đơn vị này.
tip-transfer-stale-key = Khóa của đơn vị nhận vừa thay đổi. Vui lòng thử chuyển lại.
tip-transfer-already = Đơn vị nhận đã có tin báo này.
tip-transfer-too-many = Tin báo đã qua quá nhiều đơn vị.
