"""Articles written for these tests (not copied from any source): three provinces, two or more years each.

Figures are invented but shaped like real reports: DTI ranks "x/63", dossier
and payment rates, community tech team counts. Each helper returns Markdown
with front matter, the way admins upload summaries.
"""

from __future__ import annotations

from knowledge.library import Library


def _article(title: str, published: str, provinces: str, body: str) -> bytes:
    return f"---\ntitle: {title}\npublished: {published}\nprovinces: {provinces}\n---\n\n{body}\n".encode()


BINH_DINH_2022 = _article(
    "Bình Định tổng kết chuyển đổi số năm 2022",
    "2022-12-20",
    "Bình Định",
    "Sở Thông tin và Truyền thông Bình Định vừa báo cáo với UBND tỉnh về kết quả một năm triển khai chuyển đổi số "
    "trên địa bàn, cùng những việc còn dang dở cần làm tiếp.\n\n"
    "Theo bộ chỉ số đánh giá của Bộ, năm 2022 tỉnh Bình Định xếp thứ 25/63 về chỉ số chuyển đổi số DTI. "
    "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến của tỉnh mới đạt 41,5%. "
    "Toàn tỉnh đã lập 1.050 tổ công nghệ số cộng đồng với 6.200 thành viên, phần lớn là đoàn viên thanh niên.",
)

BINH_DINH_2023 = _article(
    "Bình Định tăng 9 bậc về chuyển đổi số",
    "2023-12-18",
    "Bình Định",
    "Tại hội nghị cuối năm, lãnh đạo UBND tỉnh Bình Định ghi nhận nhiều chuyển biến trong chuyển đổi số, "
    "đặc biệt ở khu vực dịch vụ công và thanh toán không dùng tiền mặt.\n\n"
    "Chỉ số DTI năm 2023 của Bình Định đứng thứ 16/63 tỉnh, thành. "
    "Tỷ lệ hồ sơ trực tuyến đạt 58,1%; tỷ lệ thanh toán trực tuyến đạt 35%. "
    "Hạ tầng số được chấm 180 điểm, đứng thứ 20/63.",
)

LAO_CAI_2022 = _article(
    "Lào Cai đẩy mạnh dịch vụ công trực tuyến",
    "2022-11-30",
    "Lào Cai",
    "Năm 2022, Lào Cai tập trung đưa dịch vụ công lên môi trường mạng và hướng dẫn người dân ở vùng cao "
    "sử dụng các ứng dụng số.\n\n"
    "Lào Cai xếp hạng chuyển đổi số thứ 30/63 năm 2022. Tỷ lệ hồ sơ trực tuyến của tỉnh đạt 35%. "
    "Tỉnh có 820 tổ công nghệ số cộng đồng.",
)

LAO_CAI_2023 = _article(
    "Lào Cai: kết quả chuyển đổi số năm 2023",
    "2023-12-05",
    "Lào Cai",
    "Báo cáo của tỉnh nêu rõ những việc đã làm được và những hạn chế còn tồn tại trong năm, "
    "kèm đề xuất cho năm sau.\n\n"
    "Năm 2023, Lào Cai xếp thứ 21/63 về chuyển đổi số. Tỷ lệ hồ sơ trực tuyến đạt 66%. "
    "Tỉnh phấn đấu năm 2024 tỷ lệ hồ sơ trực tuyến đạt 80%. "
    "Cùng kỳ, Lào Cai và Yên Bái đều có tỷ lệ sử dụng chữ ký số đạt 90%. "
    "Một bảng tổng hợp ghi nhầm tỷ lệ hồ sơ trực tuyến toàn trình là 120% và xếp thứ 70/63 về kinh tế số.",
)

HAI_DUONG_2022 = _article(
    "Hải Dương: chuyển đổi số năm 2022",
    "2022-12-10",
    "Hải Dương",
    "Tỉnh Hải Dương rà soát các nhiệm vụ chuyển đổi số năm 2022 và giao việc cho từng sở, ngành.\n\n"
    "Năm 2022, Hải Dương xếp thứ 14/63 về chuyển đổi số. Tỷ lệ hồ sơ trực tuyến đạt 56%.",
)

HAI_DUONG_2023 = _article(
    "Hải Dương giữ nhịp chuyển đổi số",
    "2023-11-20",
    "Hải Dương",
    "Ban Chỉ đạo chuyển đổi số tỉnh Hải Dương họp đánh giá kết quả mười tháng của năm.\n\n"
    "Tính đến tháng 6/2023, Hải Dương xếp thứ 13/63 về chuyển đổi số. "
    "Tỷ lệ hồ sơ trực tuyến tăng 31,4%: từ 56% (năm 2022) lên 87,4%.",
)

ALL = {
    "binh-dinh-2022.md": BINH_DINH_2022,
    "binh-dinh-2023.md": BINH_DINH_2023,
    "lao-cai-2022.md": LAO_CAI_2022,
    "lao-cai-2023.md": LAO_CAI_2023,
    "hai-duong-2022.md": HAI_DUONG_2022,
    "hai-duong-2023.md": HAI_DUONG_2023,
}


def load(library: Library) -> dict[str, int]:
    """Ingest every article; file name -> document id."""
    ids = {}
    for name, data in ALL.items():
        result = library.ingest_bytes(data, name)
        assert result.status == "added", result
        assert result.document_id is not None
        ids[name] = result.document_id
    return ids
