import unicodedata

import pytest

from index.text import canonical, fold, has_diacritics, normalize


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("Khánh Hoà", "Khánh Hòa"), ("hoá đơn", "hóa đơn")],
)
def test_tone_mark_placement_is_unified(old_style: str, new_style: str) -> None:
    assert normalize(old_style) == normalize(new_style)


@pytest.mark.parametrize("word", ["quý", "giữ", "người", "hoàng", "thuyền", "quốc", "gìn", "khuya"])
def test_tone_mark_stays_where_only_one_placement_exists(word: str) -> None:
    assert normalize(word) == word


def test_nfd_input_becomes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Hải Dương chuyển đổi số")
    assert normalize(decomposed) == "Hải Dương chuyển đổi số"
    assert unicodedata.is_normalized("NFC", normalize(decomposed))


def test_fold_removes_every_mark_including_d_bar() -> None:
    assert fold("Đắk Lắk đạt 100% chỉ tiêu") == "Dak Lak dat 100% chi tieu"


def test_canonical_folds_case_and_tone_style() -> None:
    assert canonical("HOÀ BÌNH") == canonical("Hòa Bình") == "hòa bình"


def test_has_diacritics_tells_typed_marks_apart() -> None:
    assert has_diacritics("Hải Dương")
    assert not has_diacritics("hai duong xep hang bao nhieu")
