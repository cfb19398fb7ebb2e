"""Facts in the database and the questions they answer, on the test articles (a real SQLite file)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.cli import main
from knowledge.deadlines.queries import UnknownProvinceError, list_deadlines
from knowledge.documents.revisions import replace_document, update_metadata
from knowledge.library import Library
from knowledge.models import IndicatorFact
from knowledge.progress.store import list_facts
from tests.knowledge.progress import articles

FIELDS = {
    "province", "indicator", "value", "of", "unit", "period", "period_inferred", "as_of", "document_id",
    "passage_id", "quote",
}


@pytest.fixture
def library(empty_library: Library) -> Library:
    articles.load(empty_library)
    return empty_library


def stored(engine: Engine) -> list[IndicatorFact]:
    with Session(engine) as session:
        return list(session.exec(select(IndicatorFact)).all())


def test_facts_are_stored_at_ingest_with_their_passage(library: Library) -> None:
    facts = list_facts(library.engine, library.gazetteer, province="Bình Định")
    assert {(f.indicator, f.value, f.period) for f in facts} >= {
        ("dti_rank", 25.0, "2022"), ("dti_rank", 16.0, "2023"), ("online_dossier_rate", 58.1, "2023"),
        ("online_payment_rate", 35.0, "2023"), ("community_tech_teams", 1050.0, "2022"),
    }
    for fact in facts:
        assert fact.as_json().keys() == FIELDS
        assert fact.quote in fact.passage_text
        assert fact.as_of is not None and str(fact.as_of.year) == fact.period[:4]
    assert [f.period for f in facts] == sorted((f.period for f in facts), reverse=True)


def test_ambiguous_and_impossible_figures_are_not_stored(library: Library) -> None:
    facts = stored(library.engine)
    assert not any(f.province == "Yên Bái" for f in facts)
    assert not any(f.indicator == "digital_signature_rate" for f in facts)
    assert not any(f.value > 100 and f.unit == "%" for f in facts)
    assert not any(f.unit == "rank" and f.of is not None and f.value > f.of for f in facts)
    assert not any(f.value == 80 for f in facts), "a target is not a result"


def test_facts_leave_with_their_document(library: Library) -> None:
    [document_id] = {f.document_id for f in stored(library.engine) if f.province == "Lào Cai" and f.period == "2022"}
    library.remove(document_id)
    assert not any(f.document_id == document_id for f in stored(library.engine))


def test_database_cascade_removes_facts_too(library: Library) -> None:
    document_id = stored(library.engine)[0].document_id
    with library.engine.begin() as connection:
        connection.execute(text("DELETE FROM passage WHERE document_id = :d"), {"d": document_id})
        connection.execute(text("DELETE FROM document WHERE id = :d"), {"d": document_id})
    assert not any(f.document_id == document_id for f in stored(library.engine))


def test_facts_are_rebuilt_when_a_document_is_replaced(library: Library) -> None:
    [document_id] = {f.document_id for f in stored(library.engine) if f.province == "Lào Cai" and f.period == "2022"}
    revised = articles.LAO_CAI_2022.replace(b"30/63", b"28/63").replace(b"35%", b"37%")
    revision = replace_document(library, document_id, revised, "lao-cai-2022-v2.md")
    assert revision.result.status == "added"
    facts = [f for f in stored(library.engine) if f.document_id == document_id]
    assert {(f.indicator, f.value) for f in facts} == {
        ("dti_rank", 28.0), ("online_dossier_rate", 37.0), ("community_tech_teams", 820.0),
    }
    passage_ids = {f.passage_id for f in facts}
    _, passages = library.document(document_id)
    assert passage_ids <= {p.id for p in passages}


def test_corrected_date_moves_inferred_periods(library: Library) -> None:
    [document_id] = {f.document_id for f in stored(library.engine) if f.province == "Lào Cai" and f.period == "2022"}
    update_metadata(library, document_id, published=date(2021, 12, 30))
    facts = {(f.indicator, f.period, f.period_inferred) for f in stored(library.engine) if f.document_id == document_id}
    # The undated figures follow the new date; "năm 2022" is now after the document, so a target, not a result.
    assert facts == {("online_dossier_rate", "2021", True), ("community_tech_teams", "2021", True)}


def test_a_base_from_before_facts_gets_them_on_the_next_start(library: Library, tmp_path: Path) -> None:
    before = {(f.document_id, f.indicator, f.value, f.period) for f in stored(library.engine)}
    with library.engine.begin() as connection:
        connection.execute(text("DELETE FROM indicatorfact"))
        connection.execute(text("DELETE FROM meta WHERE key = 'facts_version'"))
    reopened = Library(library.engine, index_dir=tmp_path / "data" / "index")
    assert {(f.document_id, f.indicator, f.value, f.period) for f in stored(reopened.engine)} == before
    Library(library.engine, index_dir=tmp_path / "data" / "index")  # current: nothing re-read, nothing doubled
    assert len(stored(library.engine)) == len(before)


def test_province_filter_takes_any_spelling_and_new_names(library: Library) -> None:
    assert {f.province for f in list_facts(library.engine, library.gazetteer, province="hai phong")} == {"Hải Dương"}
    assert {f.province for f in list_facts(library.engine, library.gazetteer, province="binh dinh")} == {"Bình Định"}
    with pytest.raises(UnknownProvinceError) as caught:
        list_facts(library.engine, library.gazetteer, province="Hà Tây")
    with pytest.raises(UnknownProvinceError) as same:
        list_deadlines(library.engine, library.gazetteer, today=date.today(), provinces=["Hà Tây"])
    assert caught.value.user_message == same.value.user_message


# ------------------------------------------------------------------ questions
def test_ranking_question_ranks_the_provinces_in_the_base_best_first(library: Library) -> None:
    answer = library.ask("Tỉnh nào xếp hạng chuyển đổi số cao nhất?")
    assert answer.found and answer.summary
    lines = answer.text.splitlines()
    assert "trong các tài liệu hiện có" in lines[0]
    assert lines[1].startswith("1. Hải Dương (nay thuộc TP. Hải Phòng): 13/63") and "[1]" in lines[1]
    assert lines[2].startswith("2. Bình Định") and "16/63" in lines[2] and "năm 2023" in lines[2]
    assert lines[3].startswith("3. Lào Cai") and "21/63" in lines[3]
    assert [c.title for c in answer.citations][1] == "Bình Định tăng 9 bậc về chuyển đổi số"
    assert all(c.snippet in c.passage for c in answer.citations)


def test_figures_from_the_demo_base_are_cited_as_sample_data(demo_library: Library) -> None:
    # An official must never mistake the bundled sample's rank for their province's own figure.
    demo = demo_library.ask("Tỉnh nào xếp hạng chuyển đổi số cao nhất?")
    assert demo.found and demo.citations and all(c.sample for c in demo.citations)


def test_figures_from_uploaded_documents_are_not_sample_data(library: Library) -> None:
    real = library.ask("Tỉnh nào xếp hạng chuyển đổi số cao nhất?")
    assert real.found and real.citations and not any(c.sample for c in real.citations)


def test_lowest_and_top_n_and_year(library: Library) -> None:
    lowest = library.ask("tinh nao co ty le ho so truc tuyen thap nhat nam 2022")
    assert lowest.text.splitlines()[1].startswith("1. Lào Cai: 35%")
    top = library.ask("Top 2 tỉnh về tỷ lệ hồ sơ trực tuyến")
    assert len([line for line in top.text.splitlines() if line[:2] in ("1.", "2.", "3.")]) == 2
    assert "87,4%" in top.text and "66%" in top.text


def test_ranks_out_of_34_are_not_mixed_with_ranks_out_of_63(library: Library) -> None:
    body = "Năm 2025, Lào Cai xếp thứ 12/34 về chuyển đổi số. Tỷ lệ hồ sơ trực tuyến đạt 70%."
    article = f"---\ntitle: Lào Cai 2025\npublished: 2025-12-01\nprovinces: Lào Cai\n---\n\n{body}\n"
    assert library.ingest_bytes(article.encode(), "lao-cai-2025.md").status == "added"
    answer = library.ask("Tỉnh nào xếp hạng chuyển đổi số cao nhất?")
    ranked = [line for line in answer.text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert ranked == ["1. Lào Cai: 12/34 — năm 2025 [1]"]
    trend = library.ask("Lào Cai xếp hạng chuyển đổi số qua các năm")
    assert "năm 2023: 21/63" in trend.text and "năm 2025: 12/34" in trend.text
    assert "bậc" not in trend.text, "no steps between a rank out of 63 and one out of 34"


def test_comparison_lists_both_provinces_with_citations(library: Library) -> None:
    answer = library.ask("So sánh Bình Định và Lào Cai về tỷ lệ hồ sơ trực tuyến")
    assert "Bình Định (nay thuộc tỉnh Gia Lai): 58,1% — năm 2023" in answer.text
    assert "Lào Cai: 66% — năm 2023" in answer.text
    assert {c.title for c in answer.citations} == {
        "Bình Định tăng 9 bậc về chuyển đổi số",
        "Lào Cai: kết quả chuyển đổi số năm 2023",
    }


def test_trend_shows_every_period_and_the_change(library: Library) -> None:
    answer = library.ask("Bình Định tiến bộ thế nào qua các năm?")
    assert "năm 2022: 25/63 [1]" in answer.text and "năm 2023: 16/63 [2]" in answer.text
    assert "↑ 9 bậc so với năm 2022" in answer.text
    assert "+16,6 điểm %" in answer.text


def test_named_indicator_with_a_change_word_is_a_trend(library: Library) -> None:
    answer = library.ask("Tỷ lệ hồ sơ trực tuyến của Lào Cai thay đổi ra sao?")
    assert "năm 2022 (theo năm của tài liệu): 35%" in answer.text and "+31 điểm %" in answer.text
    assert "Xếp hạng" not in answer.text


def test_which_province_does_best_ranks_by_the_dti(library: Library) -> None:
    answer = library.ask("tinh nao chuyen doi so tot nhat")
    assert answer.text.splitlines()[1].startswith("1. Hải Dương")


def test_dti_of_a_province_in_a_year(library: Library) -> None:
    answer = library.ask("Chỉ số DTI của Lào Cai năm 2023")
    assert "21/63" in answer.text and "30/63" not in answer.text


def test_merged_province_keeps_its_old_name_with_the_caveat(library: Library) -> None:
    answer = library.ask("Hải Phòng qua các năm")
    assert "Hải Dương (nay thuộc TP. Hải Phòng): 14/63 — năm 2022" in answer.text
    assert "Hải Dương (nay thuộc TP. Hải Phòng): 13/63 — tháng 6/2023" in answer.text


def test_questions_the_facts_cannot_answer_search_passages(library: Library) -> None:
    for question in (
        "Lào Cai hướng dẫn người dân vùng cao làm gì?",
        "Các tỉnh cần làm gì để chuyển đổi số?",
        "Lào Cai có thay đổi gì về tổ chức bộ máy?",
        "So sánh Lào Cai",
    ):
        assert library.ask(question).summary is None, question
    ranking_without_facts = library.ask("Tỉnh nào có nhiều thuê bao smartphone nhất?")
    assert ranking_without_facts.summary is None


# ------------------------------------------------------------------ CLI
@pytest.fixture
def env(library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI opens the same data dir the library fixture filled (conftest's empty_library: tmp_path/data)."""
    monkeypatch.setenv("CDSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CDSBOT_DEMO", "0")
    monkeypatch.delenv("CDSBOT_DATABASE_URL", raising=False)


def test_cli_progress_json_newest_first_with_the_exact_fields(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", "--json", "--province", "binh dinh", "--indicator", "dti_rank"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["value"], d["of"], d["period"]) for d in data] == [(16, 63, "2023"), (25, 63, "2022")]
    assert set(data[0]) == FIELDS and data[0]["period_inferred"] is False and data[0]["unit"] == "rank"


def test_cli_progress_unknown_province_exits_2_like_deadlines(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", "--province", "Hà Tây"]) == 2
    progress_error = capsys.readouterr().err
    assert main(["deadlines", "--province", "Hà Tây"]) == 2
    assert progress_error == capsys.readouterr().err and "Hà Tây" in progress_error


def test_cli_progress_table(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["progress", "--province", "Lào Cai"]) == 0
    out = capsys.readouterr().out
    assert "21/63" in out and "community_tech_teams" in out


# ------------------------------------------------------------------ PostgreSQL
def test_facts_on_postgresql_follow_their_document(postgres_engine: Engine, tmp_path: Path) -> None:
    library = Library(postgres_engine, index_dir=tmp_path / "index")
    ids = articles.load(library)
    assert any(f.province == "Bình Định" for f in stored(postgres_engine))
    library.remove(ids["binh-dinh-2023.md"])
    assert not any(f.document_id == ids["binh-dinh-2023.md"] for f in stored(postgres_engine))
    assert "Bình Định" in library.ask("Tỉnh nào xếp hạng chuyển đổi số thấp nhất?").text
