"""Real-shaped directive sentences with the task and agency a reader would take from each.

Written for cdsbot in the style of provincial directives and meeting notices
(not copied from any document). ``task`` is the verb phrase the deadline
governs, without the acting body, the modal ("phải", "cần") or the date;
``agency`` is the body that must act (None when the sentence names none).
Used by tests/knowledge/deadlines/test_sentence_table.py and
bench/deadline_accuracy.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Row:
    sentence: str
    task: str
    agency: str | None
    published: date = date(2024, 3, 1)


UNREADABLE = "(chưa rõ nhiệm vụ)"

TABLE: tuple[Row, ...] = (
    Row("Sở Nội vụ phải hoàn thành việc rà soát biên chế trước ngày 30/6/2024.",
        "hoàn thành việc rà soát biên chế", "Sở Nội vụ"),
    Row("Công an tỉnh chủ trì kết nối Hệ thống giải quyết thủ tục hành chính với CSDL quốc gia về dân cư; thời hạn là chậm nhất ngày 15 tháng 10 năm 2024.",
        "chủ trì kết nối Hệ thống giải quyết thủ tục hành chính với CSDL quốc gia về dân cư", "Công an tỉnh"),
    Row("Theo chỉ đạo của Ban Cán sự Đảng UBND tỉnh, Sở Nội vụ phải trong tháng 12 sắp xếp biên chế giữa các đơn vị.",
        "sắp xếp biên chế giữa các đơn vị", "Sở Nội vụ", date(2023, 11, 14)),
    Row("UBND các huyện, thành, thị kiện toàn Ban Chỉ đạo chuyển đổi số cấp huyện trước ngày 30/6/2024.",
        "kiện toàn Ban Chỉ đạo chuyển đổi số cấp huyện", "UBND các huyện, thành, thị"),
    Row("Các sở, ngành thành viên rà soát kế hoạch của đơn vị mình, gửi Sở TT&TT trước ngày 15/4/2024.",
        "rà soát kế hoạch của đơn vị mình, gửi Sở TT&TT", "Các sở, ngành thành viên"),
    Row("Bí thư cũng chốt mốc: muộn nhất đầu tháng 1/2024, Trung tâm Dữ liệu tỉnh phải đi vào sử dụng.",
        "Trung tâm Dữ liệu tỉnh phải đi vào sử dụng", None, date(2023, 11, 14)),
    Row("Yêu cầu Sở Tài chính bố trí kinh phí cho các nhiệm vụ chuyển đổi số trước ngày 31/7/2024.",
        "bố trí kinh phí cho các nhiệm vụ chuyển đổi số", "Sở Tài chính"),
    Row("Giao Sở Thông tin và Truyền thông xây dựng kho dữ liệu dùng chung của tỉnh, hoàn thành trong quý III/2024.",
        "xây dựng kho dữ liệu dùng chung của tỉnh", "Sở Thông tin và Truyền thông"),
    Row("Đề nghị Văn phòng UBND tỉnh tổng hợp báo cáo kết quả thực hiện Đề án 06, gửi Bộ Công an trước ngày 20/6/2024.",
        "tổng hợp báo cáo kết quả thực hiện Đề án 06, gửi Bộ Công an", "Văn phòng UBND tỉnh"),
    Row("Trước ngày 15/5/2024, UBND các huyện, thị xã, thành phố hoàn thành số hóa hồ sơ hộ tịch.",
        "hoàn thành số hóa hồ sơ hộ tịch", "UBND các huyện, thị xã, thành phố"),
    Row("Chậm nhất ngày 30/9/2024, Sở Y tế phải triển khai hồ sơ sức khỏe điện tử tại 100% trạm y tế xã.",
        "triển khai hồ sơ sức khỏe điện tử tại 100% trạm y tế xã", "Sở Y tế"),
    Row("Sở Giáo dục và Đào tạo cần hoàn thiện cơ sở dữ liệu ngành giáo dục trong tháng 8/2024.",
        "hoàn thiện cơ sở dữ liệu ngành giáo dục", "Sở Giáo dục và Đào tạo"),
    Row("Sở Kế hoạch và Đầu tư tham mưu UBND tỉnh phân bổ vốn đầu tư công cho dự án chuyển đổi số trước ngày 31/5/2024.",
        "tham mưu UBND tỉnh phân bổ vốn đầu tư công cho dự án chuyển đổi số", "Sở Kế hoạch và Đầu tư"),
    Row("VNPT Vĩnh Phúc khắc phục các lỗi của phần mềm một cửa điện tử, xong trước 15/9.",
        "khắc phục các lỗi của phần mềm một cửa điện tử", "VNPT Vĩnh Phúc", date(2022, 8, 25)),
    Row("Công an tỉnh đẩy nhanh kết nối, khai thác cơ sở dữ liệu quốc gia về dân cư, xong trước 15/9 để liên thông vào cơ sở dữ liệu quốc gia.",
        "đẩy nhanh kết nối, khai thác cơ sở dữ liệu quốc gia về dân cư, để liên thông vào cơ sở dữ liệu quốc gia",
        "Công an tỉnh", date(2022, 8, 25)),
    Row("Các sở, ban, ngành hoàn thành việc cập nhật danh mục dữ liệu dùng chung trước ngày 30/4/2024.",
        "hoàn thành việc cập nhật danh mục dữ liệu dùng chung", "Các sở, ban, ngành"),
    Row("Sở Xây dựng phải ban hành quy chế quản lý dữ liệu quy hoạch trước ngày 31/10/2024.",
        "ban hành quy chế quản lý dữ liệu quy hoạch", "Sở Xây dựng"),
    Row("Ban Chỉ đạo chuyển đổi số tỉnh yêu cầu Sở TT&TT trình Khung kiến trúc ICT đô thị thông minh trước ngày 31/12/2023.",
        "trình Khung kiến trúc ICT đô thị thông minh", "Sở TT&TT", date(2023, 11, 14)),
    Row("UBND tỉnh giao Sở Tư pháp hoàn thành số hóa sổ hộ tịch trong tháng 6/2024.",
        "hoàn thành số hóa sổ hộ tịch", "Sở Tư pháp"),
    Row("Sở Công Thương phối hợp với Sở TT&TT đưa sản phẩm OCOP lên sàn thương mại điện tử trước ngày 30/8/2024.",
        "phối hợp với Sở TT&TT đưa sản phẩm OCOP lên sàn thương mại điện tử", "Sở Công Thương"),
    Row("Sở Tài nguyên và Môi trường phải hoàn thành cơ sở dữ liệu đất đai cấp tỉnh chậm nhất vào quý IV/2024.",
        "hoàn thành cơ sở dữ liệu đất đai cấp tỉnh", "Sở Tài nguyên và Môi trường"),
    Row("Trung tâm Phục vụ hành chính công tỉnh nâng cấp cổng dịch vụ công trước ngày 1/7/2024.",
        "nâng cấp cổng dịch vụ công", "Trung tâm Phục vụ hành chính công tỉnh"),
    Row("Viettel Vĩnh Phúc xóa các điểm lõm sóng di động tại các thôn vùng sâu trong quý II/2024.",
        "xóa các điểm lõm sóng di động tại các thôn vùng sâu", "Viettel Vĩnh Phúc"),
    Row("Sở Lao động - Thương binh và Xã hội chi trả an sinh xã hội không dùng tiền mặt, hoàn thành trước ngày 31/12/2024.",
        "chi trả an sinh xã hội không dùng tiền mặt", "Sở Lao động - Thương binh và Xã hội"),
    Row("Đề nghị Bảo hiểm xã hội tỉnh hoàn thành cấp sổ bảo hiểm xã hội điện tử trước ngày 30/9/2024.",
        "hoàn thành cấp sổ bảo hiểm xã hội điện tử", "Bảo hiểm xã hội tỉnh"),
    Row("Cục Thuế tỉnh Hải Dương triển khai hóa đơn điện tử khởi tạo từ máy tính tiền trước ngày 30/6/2024.",
        "triển khai hóa đơn điện tử khởi tạo từ máy tính tiền", "Cục Thuế tỉnh Hải Dương"),
    Row("Sở Văn hóa, Thể thao và Du lịch số hóa các di tích cấp tỉnh trước ngày 31/12/2024.",
        "số hóa các di tích cấp tỉnh", "Sở Văn hóa, Thể thao và Du lịch"),
    Row("Văn phòng UBND tỉnh chủ trì vận hành Trung tâm điều hành thông minh trước ngày 15/8/2024.",
        "chủ trì vận hành Trung tâm điều hành thông minh", "Văn phòng UBND tỉnh"),
    Row("Sở Nông nghiệp và Phát triển nông thôn cập nhật dữ liệu vùng trồng lên bản đồ số trong tháng 9/2024.",
        "cập nhật dữ liệu vùng trồng lên bản đồ số", "Sở Nông nghiệp và Phát triển nông thôn"),
    Row("Sở Giao thông vận tải phải cấp giấy phép lái xe trực tuyến toàn trình trước ngày 1/10/2024.",
        "cấp giấy phép lái xe trực tuyến toàn trình", "Sở Giao thông vận tải"),
    Row("UBND cấp xã hoàn thành việc lắp đặt điểm truy cập Internet công cộng trước ngày 31/10/2024.",
        "hoàn thành việc lắp đặt điểm truy cập Internet công cộng", "UBND cấp xã"),
    Row("Các cơ quan, đơn vị gửi báo cáo kết quả chuyển đổi số 6 tháng về Sở TT&TT trước ngày 10/6/2024.",
        "gửi báo cáo kết quả chuyển đổi số 6 tháng về Sở TT&TT", "Các cơ quan, đơn vị"),
    Row("Sở Khoa học và Công nghệ chủ trì xây dựng đề án đổi mới sáng tạo, trình UBND tỉnh trước ngày 30/11/2024.",
        "chủ trì xây dựng đề án đổi mới sáng tạo, trình UBND tỉnh", "Sở Khoa học và Công nghệ"),
    Row("Sở TT&TT phải hoàn thành việc chuyển giao hệ thống thư điện tử công vụ chậm nhất là ngày 15/4/2024.",
        "hoàn thành việc chuyển giao hệ thống thư điện tử công vụ", "Sở TT&TT"),
    Row("Yêu cầu UBND các huyện, thành phố báo cáo số lượng tổ công nghệ số cộng đồng trước ngày 20/3/2024.",
        "báo cáo số lượng tổ công nghệ số cộng đồng", "UBND các huyện, thành phố"),
    Row("Giao Công an tỉnh phối hợp với Sở Tư pháp làm sạch dữ liệu hộ tịch, hoàn thành trước ngày 31/5/2024.",
        "phối hợp với Sở Tư pháp làm sạch dữ liệu hộ tịch", "Công an tỉnh"),
    Row("Sở Tài chính và Sở Kế hoạch và Đầu tư thẩm định dự toán kinh phí chuyển đổi số năm 2025 trước ngày 15/10/2024.",
        "thẩm định dự toán kinh phí chuyển đổi số năm 2025", "Sở Tài chính"),
    Row("Trong tháng 4/2024, Sở Nội vụ phải ban hành hướng dẫn lưu trữ hồ sơ điện tử.",
        "ban hành hướng dẫn lưu trữ hồ sơ điện tử", "Sở Nội vụ"),
    Row("Đến hết ngày 30/6/2024, UBND tỉnh phải hoàn thành việc tích hợp 100% dịch vụ công lên Cổng Dịch vụ công quốc gia.",
        "hoàn thành việc tích hợp 100% dịch vụ công lên Cổng Dịch vụ công quốc gia", "UBND tỉnh"),
    Row("Thời hạn hoàn thành: trước ngày 30/9/2024.",
        UNREADABLE, None),
    Row("Sở Y tế và Bảo hiểm xã hội tỉnh hoàn thành kết nối dữ liệu khám chữa bệnh trước ngày 31/7/2024.",
        "hoàn thành kết nối dữ liệu khám chữa bệnh", "Sở Y tế"),
    Row("Đài Phát thanh và Truyền hình tỉnh xây dựng chuyên mục chuyển đổi số, phát sóng trước ngày 1/5/2024.",
        "xây dựng chuyên mục chuyển đổi số, phát sóng", "Đài Phát thanh và Truyền hình tỉnh"),
    Row("Tỉnh đoàn tổ chức tập huấn kỹ năng số cho đoàn viên thanh niên trong tháng 7/2024.",
        "tổ chức tập huấn kỹ năng số cho đoàn viên thanh niên", "Tỉnh đoàn"),
    # Shapes from the invented demo articles that were removed: the extractor had these wrong.
    Row("Thời gian tới, Sở KH&CN được giao hoàn thành rà soát, chuyển giao hồ sơ, hợp đồng thuê dịch vụ CNTT từ Sở TT&TT trước đây trước ngày 30/6/2025.",
        "hoàn thành rà soát, chuyển giao hồ sơ, hợp đồng thuê dịch vụ CNTT từ Sở TT&TT trước đây", "Sở KH&CN",
        date(2025, 4, 15)),
    Row("Viettel Phú Thọ cùng các doanh nghiệp viễn thông khác khảo sát, xóa các điểm lõm sóng di động trong quý III/2024.",
        "khảo sát, xóa các điểm lõm sóng di động", "Viettel Phú Thọ"),
    Row("UBND các huyện, thành, thị chỉ đạo cấp xã số hóa hồ sơ thủ tục hành chính, hoàn thành trước 31/12/2024.",
        "chỉ đạo cấp xã số hóa hồ sơ thủ tục hành chính", "UBND các huyện, thành, thị"),
    Row("Về chế độ báo cáo, các cơ quan, đơn vị gửi báo cáo quý về Sở TT&TT; báo cáo năm gửi trước ngày 10/12/2024 để Sở tổng hợp.",
        "báo cáo năm gửi để Sở tổng hợp", "các cơ quan, đơn vị"),
    # Written after the extractor was tuned on the rows above, as a check that it generalises: 5 of 6 were
    # right when written; the sixth ("Đề nghị UBND cấp huyện chỉ đạo …") led to the "last order that names
    # a body" rule.
    Row("Sở Thông tin và Truyền thông có trách nhiệm hướng dẫn các xã cài đặt ứng dụng công dân số trước ngày 30/7/2024.",
        "có trách nhiệm hướng dẫn các xã cài đặt ứng dụng công dân số", "Sở Thông tin và Truyền thông"),
    Row("Đề nghị UBND cấp huyện chỉ đạo các xã rà soát tổ công nghệ số cộng đồng, báo cáo trước ngày 25/4/2024.",
        "chỉ đạo các xã rà soát tổ công nghệ số cộng đồng, báo cáo", "UBND cấp huyện"),
    Row("Kho bạc Nhà nước tỉnh triển khai thanh toán điện tử với các đơn vị sử dụng ngân sách trong quý III/2024.",
        "triển khai thanh toán điện tử với các đơn vị sử dụng ngân sách", "Kho bạc Nhà nước tỉnh"),
    Row("Giao Sở Tài chính chủ trì, phối hợp với Kho bạc Nhà nước tỉnh hướng dẫn thanh toán kinh phí chuyển đổi số; thời hạn trước ngày 15/6/2024.",
        "chủ trì, phối hợp với Kho bạc Nhà nước tỉnh hướng dẫn thanh toán kinh phí chuyển đổi số", "Sở Tài chính"),
    Row("Chậm nhất ngày 31/8/2024, các doanh nghiệp viễn thông phải hoàn thành phủ sóng 4G tại các thôn đặc biệt khó khăn.",
        "hoàn thành phủ sóng 4G tại các thôn đặc biệt khó khăn", "các doanh nghiệp viễn thông"),
    Row("Sở Nội vụ tham mưu UBND tỉnh ban hành quy định tuyển dụng nhân lực công nghệ thông tin chất lượng cao trước ngày 30/9/2024.",
        "tham mưu UBND tỉnh ban hành quy định tuyển dụng nhân lực công nghệ thông tin chất lượng cao", "Sở Nội vụ"),
    Row("Hội Liên hiệp Phụ nữ tỉnh phát động phong trào thanh toán không dùng tiền mặt trước ngày 8/3/2025.",
        "phát động phong trào thanh toán không dùng tiền mặt", "Hội Liên hiệp Phụ nữ tỉnh"),
)
