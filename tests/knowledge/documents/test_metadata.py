"""Metadata detection and cleaning, on small pages shaped like the ones admins upload.

The texts are invented, but each copies the layout of a real portal page: the
audio-player page, the radio-station banner page, the provincial portal with its
rating widget and visitor counter, and the newspaper lede without a year.
"""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.documents.metadata import (
    DetectedMetadata,
    clean_text,
    detect_metadata,
    parse_user_date,
)

TODAY = date(2024, 6, 1)

# An audio-player page: "[Audio]" headline, dateline, player clock, comments.
AUDIO_PAGE = """[Audio] Tăng tốc số hóa hồ sơ thủ tục hành chính tại cấp xã trong quý II

15/04/2024 08:20

Sáng 15.4, Phó Chủ tịch UBND tỉnh Trần Văn Hòa chủ trì buổi làm việc về số hóa hồ sơ tại xã Tân Lập.

00:00


Toàn cảnh buổi làm việc tại xã Tân Lập

Thực hiện Nghị quyết 09-NQ/TU ngày 12.1 của Tỉnh ủy, các xã phải hoàn thành số hóa 100% hồ sơ còn hiệu lực.

\u00a0Ông Lê Minh Tú, Trưởng phòng Bưu chính báo cáo tiến độ số hóa

  Ban biên tập

(0) Bình luận
[Audio] Tăng tốc số hóa hồ sơ thủ tục hành chính tại cấp xã trong quý II
"""

# A radio-station page: banner, menu bullet, weather widget, then the article.
BANNER_PAGE = """Đài Phát thanh và Truyền hình Sơn La
  • Sơn La
    oC

Hội đồng chuyển đổi số tỉnh họp phiên thường kỳ lần thứ 3

09:15, 03/05/2023

Chiều 2.5, Hội đồng chuyển đổi số tỉnh tổ chức phiên họp thường kỳ lần thứ 3 để rà soát kế hoạch năm 2023.

Quang cảnh phiên họp tại trụ sở UBND tỉnh.

Các đại biểu thống nhất ưu tiên hạ tầng dữ liệu dùng chung cho các sở, ngành.

Minh Khôi - Thu Trang


Ý kiến bạn đọc
"""

# A provincial portal: the lede opens with the meeting day, then the source,
# rating widget, related news, comment form and the visitor counter's clock.
PORTAL_PAGE = """Chiều 12/9/2023, đồng chí Phạm Quang Huy, Phó Chủ tịch UBND tỉnh chủ trì hội nghị sơ kết công tác chuyển đổi số của tỉnh trong 8 tháng đầu năm 2023 với sự tham dự của lãnh đạo các sở, ban, ngành, các huyện và thành phố.

Đến nay toàn tỉnh có 42 cơ quan đã ban hành kế hoạch chuyển đổi số giai đoạn 2023 – 2025, 100% xã có tổ công nghệ số cộng đồng.

\u00a0

Phó Chủ tịch UBND tỉnh yêu cầu các sở, ngành hoàn thành kết nối dữ liệu dân cư trước ngày 31/12/2023.

Nguồn: www.tinhmau.gov.vn


Đánh giá:

lượt đánh giá: , trung bình:



Tin liên quan

    \u00a0Bình luận


    Mã xác thực không đúng.
      Thứ 6 Ngày 20/3/2020, 09:41:07 AM
      \u00a0Liên kết website
      Thống kê truy cập
      Thống kê: 1.204.377
      Online: 87
"""

# A newspaper lede with a year-less date; the year sits later in the sentence.
YEARLESS_PAGE = """Bắc Giang: Hoàn thiện kho dữ liệu dùng chung trước cuối năm
Bí thư Tỉnh ủy yêu cầu hoàn thiện kho dữ liệu dùng chung của tỉnh giai đoạn 2021-2025, định hướng đến năm 2030.
Ngày 20/11, Ban Chỉ đạo chuyển đổi số tỉnh họp đánh giá kết quả 10 tháng năm 2023 và bàn nhiệm vụ cuối năm.
Bắc Giang xếp thứ 12/63 tỉnh, thành về chỉ số chuyển đổi số
Tỷ lệ thuê bao dùng điện thoại thông minh đạt 81 Smartphone/100 dân, cao hơn năm 2022.
Muộn nhất tháng 2/2024 phải đưa kho dữ liệu vào vận hành.
Mời độc giả xem thêm video Chuyển đổi số ở vùng cao
"""


def _paragraphs(text: str) -> list[str]:
    return clean_text(text).split("\n\n")


# --- clean_text ---------------------------------------------------------------


def test_audio_prefix_is_stripped_but_headline_kept() -> None:
    assert _paragraphs(AUDIO_PAGE)[0] == (
        "Tăng tốc số hóa hồ sơ thủ tục hành chính tại cấp xã trong quý II"
    )


def test_audio_page_keeps_every_body_paragraph() -> None:
    assert _paragraphs(AUDIO_PAGE) == [
        "Tăng tốc số hóa hồ sơ thủ tục hành chính tại cấp xã trong quý II",
        "Sáng 15.4, Phó Chủ tịch UBND tỉnh Trần Văn Hòa chủ trì buổi làm việc về số hóa hồ sơ"
        " tại xã Tân Lập.",
        "Toàn cảnh buổi làm việc tại xã Tân Lập",
        "Thực hiện Nghị quyết 09-NQ/TU ngày 12.1 của Tỉnh ủy, các xã phải hoàn thành số hóa"
        " 100% hồ sơ còn hiệu lực.",
        "Ông Lê Minh Tú, Trưởng phòng Bưu chính báo cáo tiến độ số hóa",
        "Ban biên tập",
    ]


def test_player_clock_and_dateline_are_not_paragraphs() -> None:
    cleaned = clean_text(AUDIO_PAGE)
    assert "00:00" not in cleaned
    assert "15/04/2024" not in cleaned


def test_everything_after_comment_marker_is_dropped() -> None:
    cleaned = clean_text(AUDIO_PAGE)
    assert "Bình luận" not in cleaned
    assert cleaned.count("Tăng tốc số hóa") == 1


def test_site_banner_bullets_and_weather_are_dropped() -> None:
    assert _paragraphs(BANNER_PAGE) == [
        "Hội đồng chuyển đổi số tỉnh họp phiên thường kỳ lần thứ 3",
        "Chiều 2.5, Hội đồng chuyển đổi số tỉnh tổ chức phiên họp thường kỳ lần thứ 3 để rà"
        " soát kế hoạch năm 2023.",
        "Quang cảnh phiên họp tại trụ sở UBND tỉnh.",
        "Các đại biểu thống nhất ưu tiên hạ tầng dữ liệu dùng chung cho các sở, ngành.",
        "Minh Khôi - Thu Trang",
    ]


def test_portal_footer_source_rating_and_counter_are_dropped() -> None:
    paragraphs = _paragraphs(PORTAL_PAGE)
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Chiều 12/9/2023, đồng chí Phạm Quang Huy")
    assert paragraphs[2].endswith("trước ngày 31/12/2023.")
    cleaned = "\n".join(paragraphs)
    for clutter in (
        "Nguồn",
        "Đánh giá:",
        "lượt đánh giá",
        "Tin liên quan",
        "Bình luận",
        "Mã xác thực",
        "20/3/2020",
        "Liên kết website",
        "Thống kê",
        "Online",
    ):
        assert clutter not in cleaned


def test_one_paragraph_per_line_pages_keep_lines_apart() -> None:
    paragraphs = _paragraphs(YEARLESS_PAGE)
    assert len(paragraphs) == 6
    assert paragraphs[3] == "Bắc Giang xếp thứ 12/63 tỉnh, thành về chỉ số chuyển đổi số"


def test_video_invitation_is_dropped() -> None:
    assert "Mời độc giả" not in clean_text(YEARLESS_PAGE)


def test_blank_runs_collapse_to_one_blank_line() -> None:
    text = "  Dòng thứ nhất của bài viết.  \n\n\n\n\u00a0\n\tDòng thứ hai   của bài viết.\n"
    assert clean_text(text) == "Dòng thứ nhất của bài viết.\n\nDòng thứ hai của bài viết."


@pytest.mark.parametrize("button", ["Chia sẻ", "In bài", "Gửi bài", "Chia sẻ Facebook Zalo"])
def test_share_and_print_buttons_are_dropped(button: str) -> None:
    text = f"Tỉnh triển khai nền tảng họp trực tuyến cho cấp xã.\n{button}\nCác xã đã kết nối."
    assert _paragraphs(text) == [
        "Tỉnh triển khai nền tảng họp trực tuyến cho cấp xã.",
        "Các xã đã kết nối.",
    ]


def test_lone_bullet_is_dropped_but_bullet_items_in_body_are_kept() -> None:
    text = (
        "Ba nhiệm vụ trọng tâm được giao cho các sở.\n•\n"
        "• Hoàn thiện hạ tầng số\n• Đào tạo kỹ năng số"
    )
    assert _paragraphs(text) == [
        "Ba nhiệm vụ trọng tâm được giao cho các sở.",
        "• Hoàn thiện hạ tầng số",
        "• Đào tạo kỹ năng số",
    ]


def test_source_line_is_removed_from_body() -> None:
    text = "Tỉnh đã cấp 12.000 chữ ký số cho người dân.\nTheo baotinhmau.vn"
    assert clean_text(text) == "Tỉnh đã cấp 12.000 chữ ký số cho người dân."


def test_footer_marker_before_the_article_does_not_cut_it() -> None:
    text = "Tin liên quan\nTỉnh khai trương trung tâm điều hành thông minh.\nBình luận\nBài cũ khác"
    assert clean_text(text) == "Tỉnh khai trương trung tâm điều hành thông minh."


def test_author_signature_is_kept() -> None:
    text = "Huyện hoàn thành phủ sóng 4G tới tất cả các thôn bản.\n\nBAN BIÊN TẬP\n\nHoàng Yến"
    assert _paragraphs(text)[-2:] == ["BAN BIÊN TẬP", "Hoàng Yến"]


# --- detect_metadata: whole pages ---------------------------------------------


def test_audio_page_metadata() -> None:
    assert detect_metadata(AUDIO_PAGE, today=TODAY) == DetectedMetadata(
        title="Tăng tốc số hóa hồ sơ thủ tục hành chính tại cấp xã trong quý II",
        published=date(2024, 4, 15),
        published_text="15/04/2024 08:20",
        source=None,
    )


def test_banner_page_dateline_wins_over_yearless_lede() -> None:
    found = detect_metadata(BANNER_PAGE, today=TODAY)
    assert found.title == "Hội đồng chuyển đổi số tỉnh họp phiên thường kỳ lần thứ 3"
    assert found.published == date(2023, 5, 3)
    assert found.published_text == "09:15, 03/05/2023"


def test_portal_page_date_from_lede_and_source_from_footer() -> None:
    found = detect_metadata(PORTAL_PAGE, today=TODAY)
    assert found.published == date(2023, 9, 12)
    assert found.published_text == "Chiều 12/9/2023"
    assert found.source == "www.tinhmau.gov.vn"


def test_page_starting_with_the_lede_has_no_title() -> None:
    assert detect_metadata(PORTAL_PAGE, today=TODAY).title is None


def test_yearless_lede_takes_year_from_its_own_sentence() -> None:
    found = detect_metadata(YEARLESS_PAGE, today=TODAY)
    assert found.title == "Bắc Giang: Hoàn thiện kho dữ liệu dùng chung trước cuối năm"
    assert found.published == date(2023, 11, 20)
    assert found.published_text == "Ngày 20/11"


# --- detect_metadata: dates ---------------------------------------------------


@pytest.mark.parametrize(
    "dateline",
    [
        "Thứ Hai, 13/11/2023",
        "13-11-2023",
        "13.11.2023",
        "ngày 13 tháng 11 năm 2023",
        "2023-11-13",
        "Cập nhật: 13/11/2023 10:05 GMT+7",
        "10:05, 13/11/2023",
    ],
)
def test_dateline_formats(dateline: str) -> None:
    text = f"Tỉnh ra mắt ứng dụng công dân số phiên bản mới\n{dateline}\nỨng dụng có 20 dịch vụ."
    assert detect_metadata(text, today=TODAY).published == date(2023, 11, 13)


@pytest.mark.parametrize(
    ("lede", "expected"),
    [
        ("Chiều 6/10/2022, Sở Thông tin và Truyền thông tổ chức tập huấn.", date(2022, 10, 6)),
        ("Chiều ngày 6/10/2022, Sở Thông tin và Truyền thông tổ chức tập huấn.", date(2022, 10, 6)),
        ("Sáng 6.10, Sở Thông tin và Truyền thông tổ chức tập huấn năm 2022.", date(2022, 10, 6)),
        ("(TTXVN) - Tối 6/10, Sở Thông tin và Truyền thông tập huấn năm 2022.", date(2022, 10, 6)),
        ("Ngày 6 tháng 10 năm 2022, Sở Thông tin và Truyền thông tập huấn.", date(2022, 10, 6)),
    ],
)
def test_lede_date_formats(lede: str, expected: date) -> None:
    text = f"Tập huấn kỹ năng số cho cán bộ cấp xã toàn tỉnh\n{lede}\nCó 300 học viên tham dự."
    assert detect_metadata(text, today=TODAY).published == expected


def test_year_in_lede_sentence_beats_later_years() -> None:
    text = (
        "Huyện đẩy mạnh thanh toán không dùng tiền mặt\n"
        "Ngày 5/6, huyện tổng kết kết quả thanh toán số năm 2022. Năm 2023 huyện đặt mục tiêu mới."
    )
    assert detect_metadata(text, today=TODAY).published == date(2022, 6, 5)


def test_yearless_lede_uses_latest_past_year_in_text() -> None:
    text = (
        "Huyện đẩy mạnh thanh toán không dùng tiền mặt trong trường học\n"
        "Ngày 5/6, huyện tổng kết kết quả thanh toán số trong các trường học.\n"
        "So với năm 2021, tỷ lệ tăng gấp đôi; riêng năm 2023 đạt 90%,"
        " mục tiêu đến năm 2030 là 100%."
    )
    assert detect_metadata(text, today=TODAY).published == date(2023, 6, 5)


def test_inferred_date_is_never_in_the_future() -> None:
    text = (
        "Thành phố tổng kết một năm vận hành trung tâm điều hành\n"
        "Ngày 20/12, thành phố tổng kết một năm vận hành, kể từ khi khai trương năm 2022.\n"
        "Kế hoạch năm 2023 đã được phê duyệt."
    )
    assert detect_metadata(text, today=date(2023, 12, 1)).published == date(2022, 12, 20)


def test_yearless_lede_without_any_year_gives_no_date() -> None:
    text = "Tỉnh khai trương tổng đài hỗ trợ người dân\nNgày 14/11, tỉnh khai trương tổng đài 1022."
    found = detect_metadata(text, today=TODAY)
    assert (found.published, found.published_text) == (None, None)


def test_time_of_day_date_inside_lede_is_a_fallback() -> None:
    text = (
        "Kết luận phiên họp thường kỳ của UBND tỉnh tháng 3\n"
        "Đây là kết luận của Chủ tịch UBND tỉnh tại phiên họp vào chiều 27.3 năm 2024."
    )
    found = detect_metadata(text, today=TODAY)
    assert (found.published, found.published_text) == (date(2024, 3, 27), "chiều 27.3")


@pytest.mark.parametrize(
    "body",
    [
        "Thực hiện Quyết định số 215-QĐ/TU ngày 18/6/2021 của Ban Thường vụ, tỉnh kiểm tra.",
        "Triển khai Nghị quyết 06-NQ/TU ngày 26.3 của Tỉnh ủy, các sở đã hoàn thành kế hoạch.",
        "Tỉnh đứng thứ 13/63 tỉnh, thành; 79 Smartphone/100 dân; xã hội số xếp thứ 5/12 khu vực.",
        "Các xã phải hoàn thành trước ngày 30/6/2021 theo kế hoạch.",
    ],
)
def test_dates_in_references_figures_and_deadlines_are_not_publication_dates(body: str) -> None:
    text = f"Tiến độ thực hiện nhiệm vụ chuyển đổi số của các sở, ngành\n{body}"
    assert detect_metadata(text, today=TODAY).published is None


def test_visitor_counter_clock_after_comments_is_not_a_date() -> None:
    text = (
        "Tỉnh nâng cấp cổng dịch vụ công trực tuyến\n"
        "Cổng dịch vụ công có thêm 40 thủ tục trực tuyến toàn trình.\n"
        "Bình luận\n"
        "Thứ 5 Ngày 14/5/2020, 10:13:21 AM\n"
    )
    assert detect_metadata(text, today=TODAY).published is None


def test_visitor_counter_clock_without_footer_marker_is_not_a_date() -> None:
    text = (
        "Tỉnh nâng cấp cổng dịch vụ công trực tuyến\n"
        "Cổng dịch vụ công có thêm 40 thủ tục trực tuyến toàn trình.\n"
        "Thứ 5 Ngày 14/5/2020, 10:13:21 AM\n"
    )
    assert detect_metadata(text, today=TODAY).published is None
    assert "14/5/2020" not in clean_text(text)


def test_invalid_dateline_is_ignored() -> None:
    text = "Tỉnh ra mắt ứng dụng công dân số phiên bản mới\n31/02/2023 10:00\nCó 20 dịch vụ."
    assert detect_metadata(text, today=TODAY).published is None


def test_dateline_at_top_beats_date_in_body() -> None:
    text = (
        "Tỉnh ra mắt ứng dụng công dân số phiên bản mới\n"
        "08/01/2024\n"
        "Chiều 5/1/2024, Sở Thông tin và Truyền thông giới thiệu ứng dụng tại hội nghị.\n"
    )
    assert detect_metadata(text, today=TODAY).published == date(2024, 1, 8)


# --- detect_metadata: title and source ----------------------------------------


def test_title_trailing_punctuation_is_stripped_but_quotes_kept() -> None:
    text = "Tỉnh phê duyệt Đề án 'Đô thị thông minh' giai đoạn mới.\nNội dung đề án gồm 5 phần."
    title = detect_metadata(text, today=TODAY).title
    assert title == "Tỉnh phê duyệt Đề án 'Đô thị thông minh' giai đoạn mới"


def test_no_title_when_only_short_lines() -> None:
    assert detect_metadata("Tin tức\nSự kiện\n00:00", today=TODAY).title is None


def test_untitled_page_of_prose_has_no_title() -> None:
    long_paragraph = " ".join(["Các sở, ngành tiếp tục rà soát thủ tục hành chính trực tuyến."] * 6)
    text = f"{long_paragraph}\nẢnh: Quang cảnh hội nghị tại tỉnh."
    assert detect_metadata(text, today=TODAY).title is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Nguồn: www.tinhmau.gov.vn", "www.tinhmau.gov.vn"),
        ("Nguồn: Báo Sơn La", "Báo Sơn La"),
        ("Theo baosonla.vn", "baosonla.vn"),
        ("(Nguồn: Cổng TTĐT tỉnh)", "Cổng TTĐT tỉnh"),
        ("Theo Báo Nhân Dân", "Báo Nhân Dân"),
    ],
)
def test_source_forms(line: str, expected: str) -> None:
    text = f"Tỉnh hoàn thành kết nối dữ liệu hộ tịch điện tử\nDữ liệu đã được đồng bộ.\n{line}"
    assert detect_metadata(text, today=TODAY).source == expected


@pytest.mark.parametrize(
    "line",
    [
        "Theo báo cáo của Sở, 90% hồ sơ được xử lý trực tuyến.",
        "Nguồn ảnh: Sở Thông tin và Truyền thông",
        "Theo Quyết định số 12, các xã triển khai.",
    ],
)
def test_lines_that_are_not_sources(line: str) -> None:
    text = f"Tỉnh hoàn thành kết nối dữ liệu hộ tịch điện tử\n{line}"
    assert detect_metadata(text, today=TODAY).source is None


# --- parse_user_date ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/11/2023", date(2023, 11, 14)),
        ("4/1/2024", date(2024, 1, 4)),
        ("14-11-2023", date(2023, 11, 14)),
        ("14.11.2023", date(2023, 11, 14)),
        ("2023-11-14", date(2023, 11, 14)),
        (" 29/02/2024 ", date(2024, 2, 29)),
    ],
)
def test_parse_user_date_accepts_common_forms(text: str, expected: date) -> None:
    assert parse_user_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2024", "29/02/2023", "14/13/2023", "14/11", "14/11/23", "hôm nay", ""]
)
def test_parse_user_date_rejects_invalid_input(text: str) -> None:
    assert parse_user_date(text) is None
