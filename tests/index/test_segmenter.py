"""index/segmenter.py must give exactly underthesea.word_tokenize's words: it replaces it at ingest."""

from __future__ import annotations

import random

import pytest
from underthesea import word_tokenize

from index import segmenter as segmenter_module
from index.segmenter import Segmenter, load_segmenter
from index.text import normalize

# Our own sentences, in the shapes documents come in: headings in capitals, numbers
# and dates, document numbers, abbreviations, links, quotes, lists and very short lines.
SAMPLE = [
    "ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG",
    "Số: 215/KH-UBND",
    "Hải Dương, ngày 12 tháng 3 năm 2025",
    "KẾ HOẠCH",
    "Triển khai chuyển đổi số cấp xã năm 2025",
    "Căn cứ Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ.",
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với Sở Nội vụ hoàn thành trước ngày 30/6/2025.",
    "Trong Quý III/2025, các huyện, thị xã báo cáo kết quả về Văn phòng UBND tỉnh.",
    "Tỷ lệ hồ sơ trực tuyến toàn trình đạt 45,6%, tăng 12,3 điểm % so với cùng kỳ.",
    "Tỉnh xếp thứ 13/63 về chỉ số chuyển đổi số (DTI) năm 2024, tăng 5 bậc.",
    "Toàn tỉnh có 1.235 tổ công nghệ số cộng đồng với 8.950 thành viên.",
    "Thông tin chi tiết xem tại https://sotttt.haiduong.gov.vn/tin-tuc hoặc gửi thư về vanthu@haiduong.gov.vn.",
    "Ông Nguyễn Văn Thắng, Phó Chủ tịch UBND tỉnh, yêu cầu các sở, ngành khẩn trương vào cuộc.",
    "Hà Nội, TP. Hồ Chí Minh và Đà Nẵng dẫn đầu về kinh tế số; Lào Cai, Kiên Giang tăng nhanh nhất.",
    "“Dữ liệu là tài nguyên mới”, đồng chí Bí thư Tỉnh ủy nhấn mạnh tại hội nghị sáng 8/11.",
    "a) Số hóa hồ sơ, giấy tờ; b) Kết nối nền tảng chia sẻ dữ liệu dùng chung (LGSP).",
    "Đến hết năm 2026, phấn đấu 100% văn bản được ký số, trừ văn bản mật.",
    "Thuê bao di động sử dụng điện thoại thông minh ước đạt 1.512.340 thuê bao.",
    "Nhiệm vụ: Xây dựng cơ sở dữ liệu đất đai; Cơ quan chủ trì: Sở Tài nguyên và Môi trường; Thời gian hoàn thành: 2025.",
    "Hạ tầng số còn yếu, nhân lực chuyên trách CNTT ở cấp xã còn thiếu!",
    "Liên hệ: 0220.3851.234 lúc 14h30, thứ Hai.",
    "Xin cảm ơn.",
    "Có.",
    "",
    "Bên cạnh kết quả đạt được, việc triển khai dịch vụ công trực tuyến ở vùng sâu, vùng xa còn chậm...",
    "Các cơ quan nhà nước đã chuẩn hóa bộ chỉ số đánh giá chuyển đổi số cấp tỉnh, giúp người dân tiết kiệm thời gian.",
    "HỘI NGHỊ TỔNG KẾT CÔNG TÁC CHUYỂN ĐỔI SỐ NĂM 2024 VÀ TRIỂN KHAI NHIỆM VỤ NĂM 2025",
    "Quyết định 749/QĐ-TTg phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030.",
    "Người dân   tra cứu\tkết quả giải quyết thủ tục hành chính trên Cổng dịch vụ công quốc gia.",
    "Hoà Bình, Thừa Thiên Huế và Khánh Hoà hoàn thành việc kết nối, chia sẻ dữ liệu dân cư (Đề án 06).",
]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return load_segmenter()


def _passages() -> list[str]:
    """Each sentence alone, and the sentences run together in shuffled passages of two to eight."""
    shuffled = random.Random(13)
    passages = list(SAMPLE)
    for _ in range(60):
        passages.append(" ".join(shuffled.sample(SAMPLE, shuffled.randint(2, 8))))
    return passages + [normalize(p) for p in passages] + ["\n\n".join(SAMPLE)]


def test_words_are_exactly_underthesea_words(segmenter: Segmenter) -> None:
    for passage in _passages():
        assert segmenter.words(passage) == list(word_tokenize(passage)), passage


def test_words_stay_the_same_when_the_span_caches_are_emptied(
    segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(segmenter_module, "MAX_CACHED_SPANS", 5)
    for passage in _passages()[:40]:
        assert segmenter.words(passage) == list(word_tokenize(passage)), passage


def test_a_near_tie_is_left_to_underthesea(segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch) -> None:
    # With an enormous margin every decision is a "near tie": underthesea itself must answer, same words.
    asked: list[str] = []
    monkeypatch.setattr(segmenter_module, "TIE_MARGIN", 1e9)
    monkeypatch.setattr(segmenter, "_reference", lambda text: asked.append(text) or list(word_tokenize(text)))
    passage = SAMPLE[5]
    assert segmenter.words(passage) == list(word_tokenize(passage))
    assert asked == [passage]
