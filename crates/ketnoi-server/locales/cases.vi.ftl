## Tin báo như hồ sơ vụ việc: trạng thái, thời hạn, gia hạn, chuyển đơn vị, ghi chú.
