import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.deadlines.extract import DeadlineMatch, Precision, extract_deadlines

D = date  # keeps the table below readable

# (sentence, published, expected [(due, precision)]) — deadlines in many forms,
# then sentences that look dated but set no deadline.
CASES: list[tuple[str, date | None, list[tuple[date, Precision]]]] = [
    # --- day precision -----------------------------------------------------
    ("Sở Nội vụ hoàn thành rà soát vị trí việc làm trước 20/10.", D(2023, 9, 5), [(D(2023, 10, 20), "day")]),
    (
        "UBND các huyện gửi báo cáo về Sở Thông tin và Truyền thông trước ngày 30/6/2024.",
        D(2024, 3, 1),
        [(D(2024, 6, 30), "day")],
    ),
    ("Các đơn vị nộp hồ sơ đề xuất trước ngày 15 tháng 7 năm 2024.", D(2024, 5, 2), [(D(2024, 7, 15), "day")]),
    (
        "Chậm nhất ngày 31/3/2024, Văn phòng UBND tỉnh phải trình phương án tích hợp dữ liệu.",
        D(2024, 1, 10),
        [(D(2024, 3, 31), "day")],
    ),
    ("Thời hạn hoàn thành chậm nhất là ngày 15/12/2023.", D(2023, 10, 1), [(D(2023, 12, 15), "day")]),
    ("Hạn chót nộp báo cáo là 05-12-2023.", D(2023, 11, 20), [(D(2023, 12, 5), "day")]),
    ("Hạn nộp hồ sơ: 15/04/2024", D(2024, 3, 1), [(D(2024, 4, 15), "day")]),
    ("Phần mềm một cửa phải chạy ổn định, xong trước 1/11.", D(2023, 10, 2), [(D(2023, 11, 1), "day")]),
    (
        "Sở Y tế hoàn thành kết nối hồ sơ sức khỏe điện tử trước 30.9.2024.",
        D(2024, 7, 1),
        [(D(2024, 9, 30), "day")],
    ),
    (
        "Đến ngày 15/1/2024, các cơ quan phải dừng sử dụng phần mềm quản lý văn bản cũ.",
        D(2023, 12, 1),
        [(D(2024, 1, 15), "day")],
    ),
    ("Các huyện phải báo cáo kết quả trước ngày 10 tháng 12.", D(2023, 11, 20), [(D(2023, 12, 10), "day")]),
    (
        "Trước 17h00 ngày 25/10/2023, các đơn vị gửi danh sách cán bộ đầu mối về Sở Nội vụ.",
        D(2023, 10, 20),
        [(D(2023, 10, 25), "day")],
    ),
    ("Đề nghị các đơn vị hoàn thành cập nhật dữ liệu trước 15/1.", D(2023, 11, 20), [(D(2024, 1, 15), "day")]),
    # --- parts of a month ----------------------------------------------------
    (
        "Viettel Vĩnh Phúc muộn nhất là giữa tháng 10/2023 phải phủ sóng 4G tới các thôn vùng sâu.",
        D(2023, 8, 10),
        [(D(2023, 10, 20), "mid_month")],
    ),
    (
        "Muộn nhất cuối tháng 2/2024 phải vận hành chính thức hệ thống họp trực tuyến.",
        D(2023, 12, 20),
        [(D(2024, 2, 29), "late_month")],
    ),
    (
        "Chậm nhất đầu tháng 3 năm 2024 phải công bố bộ chỉ số đánh giá chuyển đổi số cấp xã.",
        D(2024, 1, 2),
        [(D(2024, 3, 10), "early_month")],
    ),
    # --- months, quarters, half-years, years --------------------------------
    ("Sở Tài chính cần bố trí kinh phí trong tháng 10/2023.", D(2023, 9, 1), [(D(2023, 10, 31), "month")]),
    (
        "Hệ thống phải được đưa vào sử dụng chậm nhất trong tháng 12 năm 2023.",
        D(2023, 11, 1),
        [(D(2023, 12, 31), "month")],
    ),
    (
        "VNPT phải hoàn thành nâng cấp đường truyền trước tháng 9/2023.",
        D(2023, 6, 1),
        [(D(2023, 8, 31), "month")],
    ),
    (
        "Đề nghị các sở, ngành triển khai nền tảng họp không giấy trong quý III/2024.",
        D(2024, 4, 1),
        [(D(2024, 9, 30), "quarter")],
    ),
    (
        "Hệ thống giám sát an toàn thông tin phải được đưa vào vận hành trong quý I năm 2025.",
        D(2024, 10, 15),
        [(D(2025, 3, 31), "quarter")],
    ),
    ("Cơ sở dữ liệu đất đai phải hoàn thành quý 3/2024.", D(2024, 2, 1), [(D(2024, 9, 30), "quarter")]),
    (
        "Chậm nhất hết quý II/2024, toàn bộ văn bản đi phải được ký số.",
        D(2024, 1, 5),
        [(D(2024, 6, 30), "quarter")],
    ),
    ("Yêu cầu ban hành quy chế khai thác dữ liệu trong quý IV.", D(2023, 5, 1), [(D(2023, 12, 31), "quarter")]),
    (
        "Các xã phải hoàn thành số hóa sổ hộ tịch trong 6 tháng cuối năm.",
        D(2024, 5, 20),
        [(D(2024, 12, 31), "half_year")],
    ),
    (
        "UBND tỉnh yêu cầu hoàn thành cấp chữ ký số cho cán bộ cấp xã trong 6 tháng đầu năm 2025.",
        D(2024, 12, 1),
        [(D(2025, 6, 30), "half_year")],
    ),
    ("Các nhiệm vụ còn lại cần hoàn thành trong 2 tháng cuối năm.", D(2023, 10, 25), [(D(2023, 12, 31), "year")]),
    (
        "Công an tỉnh phải cấp xong căn cước cho người dân trong năm 2024.",
        D(2024, 2, 10),
        [(D(2024, 12, 31), "year")],
    ),
    (
        "Tỉnh phấn đấu đến hết năm 2025 có 100% thủ tục đủ điều kiện được cung cấp trực tuyến toàn trình.",
        D(2024, 1, 1),
        [(D(2025, 12, 31), "year")],
    ),
    ("Nền tảng thanh toán phải vận hành trước năm 2025.", D(2024, 1, 1), [(D(2024, 12, 31), "year")]),
    ("Cần xong trước cuối năm nay.", D(2023, 6, 1), [(D(2023, 12, 31), "year")]),
    ("Chậm nhất vào cuối năm 2024, 100% hồ sơ phải được số hóa.", None, [(D(2024, 12, 31), "year")]),
    (
        "Công an tỉnh xong trước 20/12 việc làm sạch dữ liệu dân cư; VNPT nâng cấp phần mềm một cửa trong quý I/2024.",
        D(2023, 11, 1),
        [(D(2023, 12, 20), "day"), (D(2024, 3, 31), "quarter")],
    ),
    # --- not deadlines -------------------------------------------------------
    ("27/03/2023 17:33", D(2023, 3, 27), []),
    ("08:15, 12/05/2023", D(2023, 5, 12), []),
    ("Sáng 12/5/2023, Phó Chủ tịch UBND tỉnh chủ trì hội nghị trực tuyến về chuyển đổi số.", D(2023, 5, 12), []),
    ("Ngày 9/10, đồng chí Giám đốc Sở làm việc với các doanh nghiệp công nghệ.", D(2023, 10, 10), []),
    ("Thực hiện Kế hoạch số 125/KH-UBND ngày 20/4/2023 của UBND tỉnh về chuyển đổi số.", None, []),
    ("Các sở phải triển khai Chỉ thị 05-CT/TU ngày 12.7 của Ban Thường vụ Tỉnh ủy.", D(2023, 7, 20), []),
    ("Tỉnh xếp thứ 21/63 tỉnh, thành về chỉ số chuyển đổi số.", D(2023, 6, 1), []),
    ("Tổng đài hỗ trợ người dân hoạt động 24/7.", D(2023, 6, 1), []),
    ("Tỷ lệ hồ sơ trực tuyến đạt 12,45%, tăng 3,2% so với năm 2022.", D(2023, 6, 1), []),
    ("Đến hết năm 2022, tỉnh đã cấp 25.000 chứng thư số cá nhân.", D(2023, 4, 1), []),
    ("Đến hết năm 2022, tỉnh đã cấp 25.000 chứng thư số cá nhân.", None, []),
    ("Tính đến tháng 9/2023, toàn tỉnh có 1.200 tổ công nghệ số cộng đồng.", None, []),
    ("Quy chế phải được áp dụng kể từ ngày 1/1/2024.", D(2023, 12, 15), []),
    ("Trong 9 tháng đầu năm 2023, doanh thu thương mại điện tử cần tăng 18%.", D(2023, 10, 5), []),
    ("Trước đó, đoàn công tác đã khảo sát Trung tâm điều hành thông minh.", D(2023, 10, 5), []),
    ("Nhiều hạn chế trong triển khai phần mềm chưa được khắc phục.", D(2023, 10, 5), []),
    ("Trước ngày 5/10/2023, Sở đã hoàn thành cấp tài khoản cho cán bộ.", D(2023, 10, 20), []),
    ("Các đơn vị phải hoàn thành trước 15/9.", None, []),
    ("Trong tháng 8, Sở Thông tin và Truyền thông đã tổ chức 12 lớp tập huấn.", D(2023, 9, 10), []),
    ("Trong tháng 12/2023, Sở đã tổ chức tuần lễ chuyển đổi số.", D(2023, 12, 20), []),
    ("Cần phủ sóng đến 2/3 số thôn vùng cao.", D(2023, 9, 10), []),
    (
        "Hội nghị đánh giá kết quả nhiệm vụ 6 tháng đầu năm 2024 và bàn nhiệm vụ 6 tháng cuối năm.",
        D(2024, 7, 15),
        [],
    ),
    ("Năm 2023, tỉnh có 79 Smartphone/100 dân.", D(2023, 12, 1), []),
    ("Tỉnh đề ra mục tiêu sau trong năm 2023.", D(2023, 2, 1), []),
    ("Trong tháng 12, lượng giao dịch trực tuyến tăng mạnh.", D(2023, 11, 14), []),
]


@pytest.mark.parametrize(("sentence", "published", "expected"), CASES)
def test_deadline_table(sentence: str, published: date | None, expected: list[tuple[date, Precision]]) -> None:
    found = extract_deadlines(sentence, published)
    assert [(m.due, m.precision) for m in found] == expected


def _one(text: str, published: date | None) -> DeadlineMatch:
    found = extract_deadlines(text, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "agency", "task"),
    [
        (
            "Thường trực Tỉnh ủy chỉ đạo Sở Nội vụ trong tháng 12 hoàn thiện đề án vị trí việc làm.",
            "Sở Nội vụ",
            "hoàn thiện đề án vị trí việc làm",
        ),
        (
            "Chủ tịch UBND tỉnh yêu cầu Sở Thông tin và Truyền thông chậm nhất ngày 30/6/2024 phải đưa "
            "nền tảng chia sẻ dữ liệu vào vận hành.",
            "Sở Thông tin và Truyền thông",
            "đưa nền tảng chia sẻ dữ liệu vào vận hành",
        ),
        (
            "Trước ngày 15/8/2024, UBND các huyện phải gửi báo cáo số hóa hồ sơ về Văn phòng UBND tỉnh.",
            "UBND các huyện",
            "gửi báo cáo số hóa hồ sơ về Văn phòng UBND tỉnh",
        ),
        (
            "Viettel Vĩnh Phúc hoàn thành lắp đặt trạm phát sóng tại xã Lãng Công trước 30/11/2023.",
            "Viettel Vĩnh Phúc",
            "hoàn thành lắp đặt trạm phát sóng tại xã Lãng Công",
        ),
        (
            "Giám đốc Sở đề nghị muộn nhất là cuối quý III/2024 phải số hóa xong dữ liệu hộ tịch.",
            None,
            "số hóa xong dữ liệu hộ tịch",
        ),
        (
            "Công an tỉnh rà soát, làm sạch dữ liệu dân cư xong trước 20/12 để kết nối với các ngành.",
            "Công an tỉnh",
            "rà soát, làm sạch dữ liệu dân cư để kết nối với các ngành",
        ),
        (
            "Mobifone và Viettel Hà Giang phải phủ sóng các thôn vùng biên trước 30/6/2024.",
            "Mobifone",
            "phủ sóng các thôn vùng biên",
        ),
        (
            "Thực hiện Nghị quyết 06-NQ/TU ngày 26.3, các sở, ngành, địa phương phải hoàn thành rà soát "
            "thủ tục trước 30/6/2024.",
            "các sở, ngành, địa phương",
            "hoàn thành rà soát thủ tục",
        ),
        (
            "Sở TT&TT bảo đảm vận hành các nền tảng; tham mưu UBND tỉnh ban hành quy chế trước 30/6/2024.",
            "Sở TT&TT",
            "tham mưu UBND tỉnh ban hành quy chế",
        ),
        (
            "Các cơ sở y tế phải kết nối dữ liệu khám chữa bệnh trước 30/6/2024.",
            None,
            "Các cơ sở y tế phải kết nối dữ liệu khám chữa bệnh",
        ),
    ],
)
def test_agency_and_task(sentence: str, agency: str | None, task: str) -> None:
    match = _one(sentence, D(2023, 11, 1))
    assert match.agency == agency
    assert match.task == task


def test_issuer_named_before_the_directive_verb_is_not_the_agency() -> None:
    match = _one("Ban Chỉ đạo chuyển đổi số tỉnh giao Sở Tài chính bố trí vốn trước 31/3/2024.", D(2024, 1, 2))
    assert match.agency == "Sở Tài chính"


def test_each_semicolon_part_keeps_its_own_agency() -> None:
    text = "Công an tỉnh xong trước 20/12 việc làm sạch dữ liệu; VNPT nâng cấp phần mềm một cửa trong quý I/2024."
    assert [m.agency for m in extract_deadlines(text, D(2023, 11, 1))] == ["Công an tỉnh", "VNPT"]


def test_every_date_phrase_is_cut_from_the_task() -> None:
    text = "Trước ngày 30/6/2024 và trước ngày 31/12/2024, Sở Y tế phải báo cáo tiến độ."
    found = extract_deadlines(text, D(2024, 1, 2))
    assert [(m.due, m.agency, m.task) for m in found] == [
        (D(2024, 6, 30), "Sở Y tế", "báo cáo tiến độ"),
        (D(2024, 12, 31), "Sở Y tế", "báo cáo tiến độ"),
    ]


def test_before_a_whole_period_ends_the_day_before_it() -> None:
    assert _one("Phải khởi công trước quý IV/2024.", None).due == D(2024, 9, 30)
    assert _one("Phải khởi công trước cuối quý IV/2024.", None).due == D(2024, 12, 31)


def test_span_covers_the_deadline_phrase_and_quote_is_the_sentence() -> None:
    text = "Hội nghị kết thúc lúc 11 giờ. Sở Y tế phải kết nối dữ liệu trước ngày 30/9/2024.\nTin khác."
    match = _one(text, D(2024, 6, 1))
    assert text[match.start : match.end] == "trước ngày 30/9/2024"
    assert match.quote == "Sở Y tế phải kết nối dữ liệu trước ngày 30/9/2024."


def test_decomposed_input_is_matched_and_offsets_point_into_it() -> None:
    text = unicodedata.normalize("NFD", "Sở Tài nguyên và Môi trường hoàn thành dữ liệu đất đai trước ngày 31/12/2024.")
    match = _one(text, D(2024, 6, 1))
    assert (match.due, match.agency) == (D(2024, 12, 31), unicodedata.normalize("NFD", "Sở Tài nguyên và Môi trường"))
    assert unicodedata.normalize("NFC", text[match.start : match.end]) == "trước ngày 31/12/2024"


def test_plan_horizons_are_reported_only_when_asked() -> None:
    text = "Kế hoạch chuyển đổi số giai đoạn 2021-2025, định hướng đến năm 2030 phải được triển khai đồng bộ."
    assert extract_deadlines(text, D(2023, 3, 1)) == []
    horizons = extract_deadlines(text, D(2023, 3, 1), include_horizons=True)
    assert [(m.due, m.precision, m.is_horizon) for m in horizons] == [
        (D(2025, 12, 31), "year", True),
        (D(2030, 12, 31), "year", True),
    ]
    assert [text[m.start : m.end] for m in horizons] == ["giai đoạn 2021-2025", "định hướng đến năm 2030"]


def test_reaching_a_year_is_a_horizon_but_the_end_of_a_year_is_a_deadline() -> None:
    plain = extract_deadlines(
        "Phấn đấu đến năm 2025 có 80% doanh nghiệp dùng hóa đơn điện tử.", None, include_horizons=True
    )
    ending = extract_deadlines("Phấn đấu đến hết năm 2025 có 80% doanh nghiệp dùng hóa đơn điện tử.", None)
    assert [m.is_horizon for m in plain] == [True]
    assert [(m.due, m.is_horizon) for m in ending] == [(D(2025, 12, 31), False)]


def test_finished_horizon_is_not_reported() -> None:
    text = "Kế hoạch giai đoạn 2016-2020 đã kết thúc."
    assert extract_deadlines(text, D(2023, 1, 1), include_horizons=True) == []


def test_missing_year_comes_from_publication() -> None:
    match = _one("Trung tâm dữ liệu phải vận hành xong trước 15/9.", D(2022, 8, 25))
    assert (match.due, match.precision) == (D(2022, 9, 15), "day")


def test_month_without_year_uses_publication_year() -> None:
    match = _one("Sở Nội vụ trong tháng 12 phải hoàn thành tuyển dụng.", D(2023, 11, 14))
    assert (match.due, match.precision) == (D(2023, 12, 31), "month")


def test_date_clearly_before_publication_rolls_to_next_year() -> None:
    match = _one("Các đơn vị phải nộp báo cáo trước 15/1.", D(2023, 11, 20))
    assert match.due == D(2024, 1, 15)


def test_recent_past_date_is_dropped_not_rolled() -> None:
    assert extract_deadlines("Các đơn vị phải nộp báo cáo trước 15/9.", D(2023, 10, 1)) == []


def test_no_publication_and_no_year_means_no_guess() -> None:
    assert extract_deadlines("Trong tháng 12 phải hoàn thành tuyển dụng.", None) == []


def test_written_year_needs_no_publication() -> None:
    match = _one("Các đơn vị phải nộp báo cáo trước ngày 20/12/2024.", None)
    assert match.due == D(2024, 12, 20)


def test_invalid_calendar_day_is_skipped() -> None:
    assert extract_deadlines("Phải xong trước ngày 30/2/2024.", None) == []
    assert extract_deadlines("Phải xong trước 29/2.", D(2023, 1, 5)) == []


_VOCAB = [
    "trước", "ngày", "chậm nhất", "muộn nhất", "là", "đầu", "giữa", "cuối", "hết", "tháng", "quý", "năm",
    "trong", "đến", "hoàn thành", "xong", "phải", "đã", "giai đoạn", "định hướng", "Sở Nội vụ", "UBND tỉnh",
    "yêu cầu", "III", "IV", "nay", "6", "12", "15/9", "30.6.2024", "05-12-2023", "2024", "2021-2025", "1/2024",
    ",", ";", ".", ":", "\n", " ", "hạn", "nửa", "giao", "Công an tỉnh", "17h00", "\u0301", "İ",
]


@settings(max_examples=150, deadline=None)
@given(
    text=st.one_of(st.text(), st.lists(st.sampled_from(_VOCAB), max_size=30).map(" ".join)),
    published=st.none() | st.dates(),
    horizons=st.booleans(),
)
def test_never_raises_and_quotes_come_from_the_text(text: str, published: date | None, horizons: bool) -> None:
    for match in extract_deadlines(text, published, include_horizons=horizons):
        assert match.quote in text
        assert 0 <= match.start < match.end <= len(text)
        assert text.find(match.quote) <= match.start
