"""Caption metadata, links and size checks: what an admin types around an upload.

Pure functions of bot/uploads.py; the end-to-end behaviour (refusals, what
is stored) is in test_uploads_e2e.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.uploads import (
    TELEGRAM_DOWNLOAD_LIMIT,
    UploadInputError,
    UploadMetadata,
    check_upload_size,
    is_metadata_text,
    link_in,
    megabytes,
    parse_caption,
)
from knowledge.provinces import Gazetteer, load_gazetteer

MB = 1024 * 1024
# Built once: hypothesis runs a test body hundreds of times and cannot take function fixtures.
_GAZETTEER = load_gazetteer()


@pytest.fixture
def gazetteer() -> Gazetteer:
    return _GAZETTEER


def caption_error(text: str, gazetteer: Gazetteer) -> str:
    with pytest.raises(UploadInputError) as caught:
        parse_caption(text, gazetteer)
    return caught.value.user_message


# ------------------------------------------------------------------ captions
def test_every_key_in_any_order(gazetteer: Gazetteer) -> None:
    caption = "tỉnh: Hải Dương, Bắc Ninh\nngày: 27/03/2023\nnguồn: haiduong.gov.vn\ntiêu đề: Kế hoạch: chuyển đổi số"
    assert parse_caption(caption, gazetteer) == UploadMetadata(
        title="Kế hoạch: chuyển đổi số",
        source="haiduong.gov.vn",
        published=date(2023, 3, 27),
        provinces=("Hải Dương", "Bắc Ninh"),
    )


def test_keys_typed_without_diacritics_or_in_capitals(gazetteer: Gazetteer) -> None:
    caption = "Tieu de: Bao cao\nNGUON: https://a.vn/b\nNgay: 1/2/2024\ntinh: hai duong"
    assert parse_caption(caption, gazetteer) == UploadMetadata(
        title="Bao cao", source="https://a.vn/b", published=date(2024, 2, 1), provinces=("Hải Dương",)
    )


def test_decomposed_keys_and_full_width_colon(gazetteer: Gazetteer) -> None:
    assert parse_caption("Tie\u0302\u0301u \u0111e\u0302\u0300： Kế hoạch", gazetteer).title == "Kế hoạch"


def test_no_caption_or_a_plain_sentence_is_no_metadata(gazetteer: Gazetteer) -> None:
    assert parse_caption(None, gazetteer).is_empty
    assert parse_caption("  \n ", gazetteer).is_empty
    assert parse_caption("Gửi anh bản kế hoạch mới nhất", gazetteer).is_empty


def test_old_and_new_province_names_are_stored_canonically(gazetteer: Gazetteer) -> None:
    assert parse_caption("tỉnh: TP. Hải Phòng; Hai Duong và Hà Giang", gazetteer).provinces == (
        "Hải Phòng",
        "Hải Dương",
        "Hà Giang",
    )


@pytest.mark.parametrize("value", ["31/02/2024", "30/13/2023", "00/01/2024", "32/1/2024", "hôm qua", "27/03/0203"])
def test_impossible_date_is_refused_with_the_format(gazetteer: Gazetteer, value: str) -> None:
    message = caption_error(f"tiêu đề: Báo cáo\nngày: {value}", gazetteer)
    assert "không hợp lệ" in message and "dd/mm/yyyy" in message


def test_unknown_province_is_named(gazetteer: Gazetteer) -> None:
    assert "«Atlantis»" in caption_error("tỉnh: Atlantis", gazetteer)


def test_a_stray_line_beside_metadata_is_refused(gazetteer: Gazetteer) -> None:
    message = caption_error("tiêu đề: Báo cáo\nbản này là bản cuối", gazetteer)
    assert "Không hiểu dòng «bản này là bản cuối»" in message and "tiêu đề: …" in message


def test_a_key_given_twice_is_refused(gazetteer: Gazetteer) -> None:
    assert "hai dòng «ngày»" in caption_error("ngày: 1/1/2024\nngay: 2/1/2024", gazetteer)


def test_an_empty_value_is_refused(gazetteer: Gazetteer) -> None:
    assert "Dòng «tiêu đề» chưa có nội dung" in caption_error("tiêu đề:", gazetteer)


def test_long_title_is_cut_to_what_the_base_stores(gazetteer: Gazetteer) -> None:
    title = parse_caption("tiêu đề: " + "Kế hoạch " * 100, gazetteer).title
    assert title is not None and len(title) == 300


def test_metadata_text_recognises_correction_messages() -> None:
    assert is_metadata_text("ngày: 1/1/2024\ntỉnh: Hải Dương")
    assert not is_metadata_text("Hải Dương xếp hạng bao nhiêu?")
    assert not is_metadata_text("")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_is_metadata_or_our_error(text: str) -> None:
    try:
        parse_caption(text, _GAZETTEER)
    except UploadInputError as exc:
        assert exc.user_message


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["tiêu đề", "Tieu de", "nguồn", "ngày", "NGAY", "tỉnh", "tinh thanh", "ngày đăng"]),
            st.sampled_from([":", "：", " : "]),
            st.text(max_size=40),
        ),
        max_size=6,
    )
)
def test_key_value_lines_with_arbitrary_values_are_metadata_or_our_error(
    lines: list[tuple[str, str, str]],
) -> None:
    text = "\n".join(f"{key}{colon}{value}" for key, colon, value in lines)
    try:
        metadata = parse_caption(text, _GAZETTEER)
    except UploadInputError as exc:
        assert exc.user_message
        return
    assert metadata.published is None or 1945 <= metadata.published.year <= 2100


# ------------------------------------------------------------------ links
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://haiduong.gov.vn/tin-tuc/a.html", "https://haiduong.gov.vn/tin-tuc/a.html"),
        ("  http://127.0.0.1:8080/bai?id=1  ", "http://127.0.0.1:8080/bai?id=1"),
        ("HTTPS://A.VN/x", "HTTPS://A.VN/x"),
        ("xem https://a.vn/x", None),
        ("https://a.vn/x https://b.vn/y", None),
        ("ftp://a.vn/x", None),
        ("https://", None),
        ("Hải Dương xếp hạng bao nhiêu?", None),
        ("", None),
    ],
)
def test_only_a_lone_http_link_is_a_link(text: str, expected: str | None) -> None:
    assert link_in(text) == expected


# ------------------------------------------------------------------ sizes
def test_sizes_are_checked_against_the_setting_then_telegram() -> None:
    check_upload_size(None, 5 * MB)
    check_upload_size(5 * MB, 5 * MB)
    with pytest.raises(UploadInputError) as over_setting:
        check_upload_size(5 * MB + MB // 2, 5 * MB)
    assert over_setting.value.user_message == "Tệp quá lớn (5,5 MB), giới hạn là 5 MB."
    with pytest.raises(UploadInputError) as over_telegram:
        check_upload_size(TELEGRAM_DOWNLOAD_LIMIT + 1, 50 * MB)
    assert "Telegram chỉ cho bot tải tệp tới 20 MB" in over_telegram.value.user_message


def test_megabytes_use_a_decimal_comma() -> None:
    assert (megabytes(20 * MB), megabytes(int(25.3 * MB))) == ("20", "25,3")
