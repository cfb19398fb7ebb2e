"""Reading facts out of sentences: indicators, provinces, periods, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.progress.extract import FactExtractor, FactMatch
from knowledge.progress.vocabulary import INDICATORS, Vocabulary
from knowledge.provinces import load_gazetteer

PUBLISHED = date(2023, 12, 1)


@pytest.fixture(scope="module")
def extractor() -> FactExtractor:
    return FactExtractor(Vocabulary(), load_gazetteer())


def facts(extractor: FactExtractor, text: str, provinces: tuple[str, ...] = ("Bình Định",)) -> list[FactMatch]:
    return extractor.extract(text, published=PUBLISHED, provinces=provinces)


def summary(found: list[FactMatch]) -> set[tuple[str, str, float, str, bool]]:
    return {(f.province, f.indicator, f.value, f.period, f.period_inferred) for f in found}


def test_vocabulary_has_the_required_keys_in_one_table() -> None:
    keys = {i.key for i in INDICATORS}
    assert {
        "dti_rank", "dti_government_rank", "dti_economy_rank", "dti_society_rank", "online_dossier_rate",
        "full_online_dossier_rate", "online_payment_rate", "community_tech_teams", "community_tech_members",
        "digital_signature_rate", "smartphone_subscribers",
    } <= keys


def test_questions_without_diacritics_name_the_same_indicator() -> None:
    vocabulary = Vocabulary()
    assert vocabulary.find_keys("ty le ho so truc tuyen")[0] == "online_dossier_rate"
    assert vocabulary.find_keys("Tỷ lệ hồ sơ trực tuyến toàn trình")[0] == "full_online_dossier_rate"
    assert vocabulary.find_keys("so to CNSCD")[0] == "community_tech_teams"


def test_rank_rate_and_counts_each_get_their_indicator(extractor: FactExtractor) -> None:
    text = (
        "Năm 2022 tỉnh Bình Định xếp thứ 25/63 về chỉ số chuyển đổi số DTI. "
        "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến đạt 41,5%. "
        "Toàn tỉnh có 1.050 tổ công nghệ số cộng đồng với 6.200 thành viên."
    )
    found = facts(extractor, text)
    assert summary(found) == {
        ("Bình Định", "dti_rank", 25.0, "2022", False),
        ("Bình Định", "online_dossier_rate", 41.5, "2023", True),
        ("Bình Định", "community_tech_teams", 1050.0, "2023", True),
        ("Bình Định", "community_tech_members", 6200.0, "2023", True),
    }
    rank = next(f for f in found if f.indicator == "dti_rank")
    assert (rank.of, rank.unit) == (63, "rank") and "25/63" in rank.quote


def test_pillar_ranks_in_one_sentence_are_told_apart(extractor: FactExtractor) -> None:
    found = facts(extractor, "Theo trụ cột, chính quyền số xếp thứ 15/63, kinh tế số thứ 7/63, xã hội số thứ 4/63.")
    assert {(f.indicator, f.value) for f in found} == {
        ("dti_government_rank", 15.0), ("dti_economy_rank", 7.0), ("dti_society_rank", 4.0),
    }


def test_period_written_next_to_a_figure_is_its_own(extractor: FactExtractor) -> None:
    found = facts(extractor, "Tỷ lệ hồ sơ trực tuyến tăng 31,4%: từ 56% (năm 2022) lên 87,4%.", ("Hải Dương",))
    assert summary(found) == {
        ("Hải Dương", "online_dossier_rate", 56.0, "2022", False),
        ("Hải Dương", "online_dossier_rate", 87.4, "2023", True),
    }


def test_month_and_quarter_periods(extractor: FactExtractor) -> None:
    assert summary(facts(extractor, "Tính đến tháng 6/2023, Bình Định xếp thứ 16/63 về chuyển đổi số.")) == {
        ("Bình Định", "dti_rank", 16.0, "2023-06", False)
    }
    assert summary(facts(extractor, "Trong quý I/2023, tỷ lệ thanh toán trực tuyến đạt 30%.")) == {
        ("Bình Định", "online_payment_rate", 30.0, "2023-03", False)
    }


def test_two_provinces_in_one_sentence_get_the_figure_neither(extractor: FactExtractor) -> None:
    assert facts(extractor, "Lào Cai và Yên Bái đều có tỷ lệ sử dụng chữ ký số đạt 90%.", ("Lào Cai",)) == []


def test_a_sentence_about_one_province_keeps_its_figure(extractor: FactExtractor) -> None:
    found = facts(extractor, "Năm 2023, Lào Cai xếp thứ 21/63 về chuyển đổi số, cao hơn Yên Bái.", ("Lào Cai",))
    assert summary(found) == {("Lào Cai", "dti_rank", 21.0, "2023", False)}


def test_impossible_figures_are_dropped(extractor: FactExtractor) -> None:
    text = "Tỷ lệ hồ sơ trực tuyến toàn trình là 120%. Tỉnh xếp thứ 70/63 về kinh tế số."
    assert facts(extractor, text) == []


def test_changes_targets_and_ratios_are_not_facts(extractor: FactExtractor) -> None:
    text = (
        "Tỷ lệ hồ sơ trực tuyến tăng 16%. Tỉnh phấn đấu năm 2023 tỷ lệ thanh toán trực tuyến đạt 80%. "
        "Có 79 thuê bao smartphone/100 dân."
    )
    assert facts(extractor, text) == []


def test_figure_of_no_known_indicator_is_skipped(extractor: FactExtractor) -> None:
    text = (
        "Hạ tầng số được chấm 180 điểm, đứng thứ 20/63. "
        "Tổ đã hỗ trợ 42.300 lượt người dân dùng tổ công nghệ số cộng đồng."
    )
    assert facts(extractor, text) == []


def test_no_province_anywhere_means_no_fact(extractor: FactExtractor) -> None:
    assert facts(extractor, "Tỷ lệ hồ sơ trực tuyến đạt 50%.", ()) == []


def test_whole_country_figures(extractor: FactExtractor) -> None:
    found = facts(extractor, "Cả nước có 80.000 tổ công nghệ số cộng đồng với hơn 400.000 thành viên.", ())
    assert summary(found) == {
        ("Cả nước", "community_tech_teams", 80000.0, "2023", True),
        ("Cả nước", "community_tech_members", 400000.0, "2023", True),
    }


def test_a_rise_to_a_level_is_that_level(extractor: FactExtractor) -> None:
    found = facts(extractor, "Năm 2023, tỷ lệ thanh toán trực tuyến tăng lên 45%.")
    assert summary(found) == {("Bình Định", "online_payment_rate", 45.0, "2023", False)}


def test_dates_are_not_ranks_or_counts(extractor: FactExtractor) -> None:
    assert facts(extractor, "Ngày 25/8/2022 tỉnh họp về chuyển đổi số.") == []
    found = facts(extractor, "Tính đến 6/2023, tỉnh có 12 tổ công nghệ số cộng đồng.")
    assert summary(found) == {("Bình Định", "community_tech_teams", 12.0, "2023-06", False)}


def test_rank_after_a_score_keeps_the_subject_of_the_clause(extractor: FactExtractor) -> None:
    found = facts(extractor, "Bộ công bố chỉ số DTI 2022: Bình Định đạt 0,45 điểm, xếp thứ 20/63.")
    assert summary(found) == {("Bình Định", "dti_rank", 20.0, "2022", False)}


def test_a_figure_given_for_comparison_is_not_a_fact_of_the_sentence_year(extractor: FactExtractor) -> None:
    found = facts(extractor, "Năm 2023, Bình Định đứng thứ 16/63 về DTI, tăng 9 bậc so với năm 2022 (25/63).")
    assert summary(found) == {("Bình Định", "dti_rank", 16.0, "2023", False)}


def test_millions_are_counted(extractor: FactExtractor) -> None:
    found = facts(extractor, "Năm 2023, số thuê bao điện thoại thông minh đạt 1,2 triệu.")
    assert summary(found) == {("Bình Định", "smartphone_subscribers", 1_200_000.0, "2023", False)}
