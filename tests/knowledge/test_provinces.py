"""The province gazetteer: the 2025 merger table, aliases, and mention finding."""

from __future__ import annotations

import unicodedata

import pytest

from index.text import normalize
from knowledge.provinces import CITY, PROVINCE, Gazetteer, Province, load_gazetteer

# The merger as announced (Resolution 202/2025/QH15), written out again here
# independently of the module's table: new unit -> the old units it absorbed.
MERGED_UNITS: dict[str, set[str]] = {
    "Tuyên Quang": {"Tuyên Quang", "Hà Giang"},
    "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Thái Nguyên", "Bắc Kạn"},
    "Phú Thọ": {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Ninh", "Bắc Giang"},
    "Hưng Yên": {"Hưng Yên", "Thái Bình"},
    "Hải Phòng": {"Hải Phòng", "Hải Dương"},
    "Ninh Bình": {"Ninh Bình", "Hà Nam", "Nam Định"},
    "Quảng Trị": {"Quảng Trị", "Quảng Bình"},
    "Đà Nẵng": {"Đà Nẵng", "Quảng Nam"},
    "Quảng Ngãi": {"Quảng Ngãi", "Kon Tum"},
    "Gia Lai": {"Gia Lai", "Bình Định"},
    "Khánh Hòa": {"Khánh Hòa", "Ninh Thuận"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Đắk Lắk", "Phú Yên"},
    "Hồ Chí Minh": {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"},
    "Đồng Nai": {"Đồng Nai", "Bình Phước"},
    "Tây Ninh": {"Tây Ninh", "Long An"},
    "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Vĩnh Long", "Bến Tre", "Trà Vinh"},
    "Đồng Tháp": {"Đồng Tháp", "Tiền Giang"},
    "Cà Mau": {"Cà Mau", "Bạc Liêu"},
    "An Giang": {"An Giang", "Kiên Giang"},
}
UNCHANGED_UNITS = [
    "Hà Nội",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
]
MERGED_PAIRS = [(old, new) for new, olds in MERGED_UNITS.items() for old in sorted(olds)]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    # Immutable once built, so one instance serves the whole module.
    return load_gazetteer()


# --------------------------------------------------------------------------- the table


def test_there_are_63_pre_merger_units(gazetteer: Gazetteer) -> None:
    names = gazetteer.all_names()
    assert len(names) == 63
    assert len(set(names)) == 63


def test_there_are_34_current_units(gazetteer: Gazetteer) -> None:
    units = gazetteer.current_units()
    assert len(units) == 34
    assert set(units) == set(MERGED_UNITS) | set(UNCHANGED_UNITS) | {"Huế"}


def test_current_units_are_six_cities_and_28_provinces(gazetteer: Gazetteer) -> None:
    provinces = [gazetteer.get(name) for name in gazetteer.current_units()]
    kinds = [p.kind for p in provinces if p is not None]
    assert kinds.count(CITY) == 6
    assert kinds.count(PROVINCE) == 28


def test_stored_names_are_already_in_canonical_form(gazetteer: Gazetteer) -> None:
    for name in gazetteer.all_names() + gazetteer.current_units():
        assert normalize(name) == name
        assert unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize(("old", "new"), MERGED_PAIRS)
def test_old_unit_maps_to_its_merged_successor(gazetteer: Gazetteer, old: str, new: str) -> None:
    assert gazetteer.successor(old) == new


@pytest.mark.parametrize("new", sorted(MERGED_UNITS))
def test_merged_unit_absorbed_exactly_the_announced_units(gazetteer: Gazetteer, new: str) -> None:
    absorbed = {name for name in gazetteer.all_names() if gazetteer.successor(name) == new}
    assert absorbed == MERGED_UNITS[new]


@pytest.mark.parametrize("name", UNCHANGED_UNITS)
def test_unchanged_unit_is_its_own_successor(gazetteer: Gazetteer, name: str) -> None:
    province = gazetteer.get(name)
    assert province is not None
    assert province.merged_into == name
    assert province.is_current
    assert {p for p in gazetteer.all_names() if gazetteer.successor(p) == name} == {name}


def test_thua_thien_hue_continues_as_the_city_of_hue(gazetteer: Gazetteer) -> None:
    assert gazetteer.get("Thừa Thiên Huế") == Province("Thừa Thiên Huế", PROVINCE, "Huế", "Huế", False)
    assert gazetteer.get("Huế") == Province("Huế", CITY, None, "Huế", True)
    assert "Huế" not in gazetteer.all_names()


@pytest.mark.parametrize("name", ["Hải Dương", "Vĩnh Phúc", "Hà Giang", "Bà Rịa - Vũng Tàu", "Kon Tum"])
def test_merged_away_unit_is_not_current(gazetteer: Gazetteer, name: str) -> None:
    province = gazetteer.get(name)
    assert province is not None
    assert not province.is_current


def test_province_records_cannot_be_changed(gazetteer: Gazetteer) -> None:
    province = gazetteer.get("Hải Dương")
    assert province is not None
    with pytest.raises(AttributeError):
        province.merged_into = "Hà Nội"  # type: ignore[misc]


# --------------------------------------------------------------------------- get and aliases


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Hải Dương", "Hải Dương"),
        ("tỉnh Hải Dương", "Hải Dương"),
        ("hai duong", "Hải Dương"),
        ("Tinh Hai Duong", "Hải Dương"),
        ("HẢI DƯƠNG", "Hải Dương"),
        ("TP. Hải Phòng", "Hải Phòng"),
        ("Tp.Hải Phòng", "Hải Phòng"),
        ("thành phố Hải Phòng", "Hải Phòng"),
        ("TP Hải Phòng", "Hải Phòng"),
        ("thanh pho hai phong", "Hải Phòng"),
        ("TP.HCM", "Hồ Chí Minh"),
        ("TP. HCM", "Hồ Chí Minh"),
        ("TPHCM", "Hồ Chí Minh"),
        ("HCM", "Hồ Chí Minh"),
        ("Sài Gòn", "Hồ Chí Minh"),
        ("sai gon", "Hồ Chí Minh"),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("Tp. Hồ Chí Minh", "Hồ Chí Minh"),
        ("ho chi minh", "Hồ Chí Minh"),
        ("Đắk Lắk", "Đắk Lắk"),
        ("Đăk Lăk", "Đắk Lắk"),
        ("Dak Lak", "Đắk Lắk"),
        ("Daklak", "Đắk Lắk"),
        ("Đắk Nông", "Đắk Nông"),
        ("Đăk Nông", "Đắk Nông"),
        ("Bắc Cạn", "Bắc Kạn"),
        ("bac kan", "Bắc Kạn"),
        ("Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa – Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa — Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Bà Rịa Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("ba ria vung tau", "Bà Rịa - Vũng Tàu"),
        ("BR-VT", "Bà Rịa - Vũng Tàu"),
        ("Thừa Thiên Huế", "Thừa Thiên Huế"),
        ("Thừa Thiên - Huế", "Thừa Thiên Huế"),
        ("thua thien hue", "Thừa Thiên Huế"),
        ("TP. Huế", "Huế"),
        ("Kontum", "Kon Tum"),
    ],
)
def test_alias_resolves_to_canonical_unit(gazetteer: Gazetteer, alias: str, name: str) -> None:
    province = gazetteer.get(alias)
    assert province is not None
    assert province.name == name


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Thanh Hoá", "Thanh Hóa"),
        ("Thanh Hóa", "Thanh Hóa"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("Biên Hoà", "Đồng Nai"),
        ("Tuy Hoà", "Phú Yên"),
    ],
)
def test_old_and_new_tone_placement_name_the_same_unit(gazetteer: Gazetteer, spelling: str, name: str) -> None:
    province = gazetteer.get(spelling)
    assert province is not None
    assert province.name == name
    assert gazetteer.find(f"Hội nghị tại {spelling} hôm nay") == [name]


def test_nfd_input_is_recognised(gazetteer: Gazetteer) -> None:
    text = unicodedata.normalize("NFD", "Sở Thông tin tỉnh Khánh Hoà và tỉnh Đắk Lắk")
    assert gazetteer.get(unicodedata.normalize("NFD", "Hải Dương")) == gazetteer.get("Hải Dương")
    assert gazetteer.find(text) == ["Khánh Hòa", "Đắk Lắk"]


@pytest.mark.parametrize("text", ["nam", "bình", "an", "Nam", "kinh tế", "Thái Bình Dương", "", "   "])
def test_plain_words_are_not_units(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.get(text) is None


@pytest.mark.parametrize(
    ("capital", "name"),
    [
        ("Vĩnh Yên", "Vĩnh Phúc"),
        ("Việt Trì", "Phú Thọ"),
        ("Phủ Lý", "Hà Nam"),
        ("Hạ Long", "Quảng Ninh"),
        ("Buôn Ma Thuột", "Đắk Lắk"),
        ("Buôn Mê Thuột", "Đắk Lắk"),
        ("Nha Trang", "Khánh Hòa"),
        ("Phan Rang-Tháp Chàm", "Ninh Thuận"),
        ("Phan Rang – Tháp Chàm", "Ninh Thuận"),
        ("Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        ("Thủ Dầu Một", "Bình Dương"),
        ("Quy Nhơn", "Bình Định"),
        ("Pleiku", "Gia Lai"),
        ("Đà Lạt", "Lâm Đồng"),
        ("Điện Biên Phủ", "Điện Biên"),
        ("Rạch Giá", "Kiên Giang"),
        ("Long Xuyên", "An Giang"),
        ("Mỹ Tho", "Tiền Giang"),
    ],
)
def test_capital_resolves_to_its_province(gazetteer: Gazetteer, capital: str, name: str) -> None:
    province = gazetteer.get(capital)
    assert province is not None
    assert province.name == name
    assert gazetteer.find(f"Đoàn công tác làm việc tại thành phố {capital}.") == [name]
    assert gazetteer.find(f"Đoàn công tác đến {capital}") == [name]


def test_every_capital_resolves_to_its_province(gazetteer: Gazetteer) -> None:
    for name in gazetteer.all_names():
        province = gazetteer.get(name)
        assert province is not None
        if province.capital is not None:
            resolved = gazetteer.get(province.capital)
            assert resolved is not None
            # Thừa Thiên Huế's capital is the unit that succeeded it.
            assert resolved.name in {name, province.merged_into}


# --------------------------------------------------------------------------- successor, display, notes


def test_successor_of_unknown_name_is_none(gazetteer: Gazetteer) -> None:
    assert gazetteer.successor("Atlantis") is None


def test_successor_accepts_aliases(gazetteer: Gazetteer) -> None:
    assert gazetteer.successor("hai duong") == "Hải Phòng"
    assert gazetteer.successor("Vĩnh Yên") == "Phú Thọ"
    assert gazetteer.successor("TP.HCM") == "Hồ Chí Minh"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Hải Phòng", "TP. Hải Phòng"),
        ("Phú Thọ", "tỉnh Phú Thọ"),
        ("tphcm", "TP. Hồ Chí Minh"),
        ("hai duong", "tỉnh Hải Dương"),
        ("Huế", "TP. Huế"),
        ("Thừa Thiên Huế", "tỉnh Thừa Thiên Huế"),
    ],
)
def test_display_name_adds_the_administrative_prefix(gazetteer: Gazetteer, name: str, shown: str) -> None:
    assert gazetteer.display_name(name) == shown


def test_display_name_of_unknown_name_is_unchanged(gazetteer: Gazetteer) -> None:
    assert gazetteer.display_name("Atlantis") == "Atlantis"


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("Hải Dương", "Hải Dương (nay thuộc TP. Hải Phòng)"),
        ("Vĩnh Phúc", "Vĩnh Phúc (nay thuộc tỉnh Phú Thọ)"),
        ("Hà Giang", "Hà Giang (nay thuộc tỉnh Tuyên Quang)"),
        ("Ninh Thuận", "Ninh Thuận (nay thuộc tỉnh Khánh Hòa)"),
        ("Bình Dương", "Bình Dương (nay thuộc TP. Hồ Chí Minh)"),
        ("hai duong", "Hải Dương (nay thuộc TP. Hải Phòng)"),
        ("Thừa Thiên Huế", "Thừa Thiên Huế (nay là TP. Huế)"),
    ],
)
def test_merger_note_names_the_successor(gazetteer: Gazetteer, name: str, note: str) -> None:
    assert gazetteer.merger_note(name) == note


@pytest.mark.parametrize("name", ["Hải Phòng", "Phú Thọ", "Hà Nội", "Huế", "Atlantis"])
def test_merger_note_is_none_for_current_or_unknown_units(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.merger_note(name) is None


def test_related_is_the_unit_and_its_successor(gazetteer: Gazetteer) -> None:
    assert gazetteer.related("Hải Dương") == {"Hải Dương", "Hải Phòng"}
    assert gazetteer.related("Vĩnh Yên") == {"Vĩnh Phúc", "Phú Thọ"}


def test_related_does_not_pull_in_sibling_predecessors(gazetteer: Gazetteer) -> None:
    assert gazetteer.related("Hải Phòng") == {"Hải Phòng"}
    assert gazetteer.related("Hà Nam") == {"Hà Nam", "Ninh Bình"}


def test_related_of_unknown_name_is_empty(gazetteer: Gazetteer) -> None:
    assert gazetteer.related("Atlantis") == set()


# --------------------------------------------------------------------------- find


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Công an tỉnh Vĩnh Phúc triển khai Đề án 06", ["Vĩnh Phúc"]),
        ("Lễ khánh thành tại thành phố Phan Rang-Tháp Chàm", ["Ninh Thuận"]),
        ("Hội nghị trực tuyến với điểm cầu tỉnh Hà Giang", ["Hà Giang"]),
        ("UBND TP.HCM ban hành kế hoạch chuyển đổi số", ["Hồ Chí Minh"]),
        ("Tỉnh Bà Rịa – Vũng Tàu và tỉnh Đăk Lăk ký kết hợp tác", ["Bà Rịa - Vũng Tàu", "Đắk Lắk"]),
        ("Sở KH&CN Thừa Thiên - Huế", ["Thừa Thiên Huế"]),
        ("Từ 1/7/2025, TP. Huế là một trong 34 đơn vị", ["Huế"]),
        ("TP. Hải Phòng (sau hợp nhất với Hải Dương)", ["Hải Phòng", "Hải Dương"]),
    ],
)
def test_real_sentences_find_their_units(gazetteer: Gazetteer, text: str, expected: list[str]) -> None:
    assert gazetteer.find(text) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hai duong xep hang bao nhieu", ["Hải Dương"]),
        ("ket qua cds cua tinh vinh phuc", ["Vĩnh Phúc"]),
        ("tphcm va ha noi", ["Hồ Chí Minh", "Hà Nội"]),
        ("Dak Lak co bao nhieu dich vu cong", ["Đắk Lắk"]),
        ("thua thien hue", ["Thừa Thiên Huế"]),
        ("hue", ["Huế"]),
        ("ba ria vung tau", ["Bà Rịa - Vũng Tàu"]),
        ("tinh dien bien", ["Điện Biên"]),
    ],
)
def test_query_without_diacritics_finds_province(gazetteer: Gazetteer, query: str, expected: list[str]) -> None:
    assert gazetteer.find(query) == expected


@pytest.mark.parametrize(
    "text",
    [
        "nam",
        "bình thường",
        "an toàn",
        "kinh tế",
        "Năm nay kinh tế số tăng trưởng bình thường, an toàn thông tin được bảo đảm.",
        "nam binh an toan kinh te",
        "Hợp tác khu vực châu Á - Thái Bình Dương về dữ liệu",
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Lãnh đạo Hiệp hội An toàn thông tin Việt Nam phát biểu",
        "Hiệp hội An ninh mạng quốc gia",
        "Hội thảo về hòa bình và phát triển",
        "Thành phố vinh danh 10 doanh nghiệp số",
        "một vị thanh tra",
        "xã Tân An",
        "dien bien chuyen doi so moi nhat",
        "nghe an toan thong tin",
        "su bien hoa cua du lieu",
    ],
)
def test_ordinary_words_and_look_alike_phrases_find_nothing(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.find(text) == []


def test_find_keeps_order_of_first_mention_without_duplicates(gazetteer: Gazetteer) -> None:
    text = "Đà Nẵng dẫn đầu, tiếp theo là Hà Nội, TP.HCM; Đà Nẵng và thành phố Hồ Chí Minh, Sài Gòn, Hà Nội."
    assert gazetteer.find(text) == ["Đà Nẵng", "Hà Nội", "Hồ Chí Minh"]


def test_capital_and_province_count_as_one_mention(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Nha Trang, Khánh Hòa và Buôn Ma Thuột") == ["Khánh Hòa", "Đắk Lắk"]


def test_find_is_case_insensitive(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("SỞ KH&CN TỈNH QUẢNG NINH") == ["Quảng Ninh"]
    assert gazetteer.find("sở kh&cn tỉnh quảng ninh") == ["Quảng Ninh"]


def test_longest_alias_wins_and_matches_do_not_overlap(gazetteer: Gazetteer) -> None:
    # "Huế" inside "Thừa Thiên Huế" and "Vũng Tàu" inside "Bà Rịa - Vũng Tàu"
    # are part of the longer name, not separate mentions.
    assert gazetteer.find("tỉnh Thừa Thiên Huế") == ["Thừa Thiên Huế"]
    assert gazetteer.find("tỉnh Bà Rịa-Vũng Tàu") == ["Bà Rịa - Vũng Tàu"]
    assert len(gazetteer.find("Hà Nam Định")) == 1


def test_neighbouring_names_are_both_found(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Hà Nam, Nam Định, Ninh Bình") == ["Hà Nam", "Nam Định", "Ninh Bình"]


def test_alias_inside_a_longer_word_is_ignored(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("hanoitimes haiduong") == []
    assert gazetteer.find("Xcà Mau") == []


def test_ambiguous_name_counts_when_written_as_a_proper_noun(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Hội nghị tại tỉnh Hòa Bình về hòa bình") == ["Hòa Bình"]
    assert gazetteer.find("UBND TP. Vinh") == ["Nghệ An"]


def test_ambiguous_name_counts_in_an_all_lowercase_query(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("hòa bình xếp hạng mấy") == ["Hòa Bình"]
    assert gazetteer.find("Thái bình xếp hạng mấy") == ["Thái Bình"]


def test_name_needing_a_prefix_is_found_with_it(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("thành phố Tân An") == ["Long An"]
    assert gazetteer.find("TP. Vị Thanh") == ["Hậu Giang"]


def test_unaccented_name_inside_accented_text_is_found(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("Báo cáo của Ha Noi và Da Nang") == ["Hà Nội", "Đà Nẵng"]


def test_marks_must_agree_in_accented_text(gazetteer: Gazetteer) -> None:
    # "hạ nam" is not "Hà Nam" once the writer has used diacritics.
    assert gazetteer.find("mức hạ nam giới") == []
