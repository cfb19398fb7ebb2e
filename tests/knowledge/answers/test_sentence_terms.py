"""Sentence terms are made once at ingest, stored with the passage, and give the snippets they always gave."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import Session, select

from index.terms import TermMaker
from knowledge.answers.sentence_terms import decode, encode, sentences_with_terms
from knowledge.library import DocumentInput, Library
from knowledge.models import Meta, Passage
from tests.conftest import open_library

TERMS = TermMaker()

PASSAGES = [
    "Hải Dương xếp thứ 13/63 về chỉ số CĐS năm 2023. Sở TT&TT đề nghị hoàn thành trước quý I/2024.",
    "Kế hoạch gồm các nhiệm vụ sau:\n1. Số hóa hồ sơ.\n2. Kết nối Nghị quyết 57-NQ/TW với cơ sở dữ liệu.",
    "Một câu duy nhất không có dấu chấm",
]


def test_stored_sentence_terms_are_the_terms_of_each_sentence() -> None:
    for passage in PASSAGES:
        assert decode(encode(passage, TERMS), passage) == sentences_with_terms(passage, TERMS)


def test_ingest_stores_sentence_terms_with_every_passage(empty_library: Library) -> None:
    result = empty_library.ingest(DocumentInput(text="\n\n".join(PASSAGES * 3), title="Báo cáo CĐS Hải Dương"))
    _, passages = empty_library.document(result.document_id or 0)
    assert passages and all(p.sentence_terms for p in passages)
    assert all(decode(p.sentence_terms or "", p.text) == sentences_with_terms(p.text, TERMS) for p in passages)


def test_snippet_comes_from_the_stored_sentences(demo_library: Library) -> None:
    """The question path reads the stored split: a passage whose stored entry names one sentence shows that one."""
    question = "Hải Dương xếp hạng bao nhiêu?"
    best = demo_library.ask(question).citations[0]
    with Session(demo_library.engine) as session:
        passage = session.get(Passage, best.passage_id)
        assert passage is not None
        # A sentence the computed split would never show for this question.
        only = [s for s in decode(passage.sentence_terms or "", passage.text) if "13/63" not in s.text][-1]
        assert only.text not in best.snippet
        start = passage.text.index(only.text)
        stored = [[start, start + len(only.text), " ".join(sorted(t for t in only.terms if "_" not in t)), ""]]
        passage.sentence_terms = json.dumps(stored)
        session.add(passage)
        session.commit()
    assert demo_library.ask(question).citations[0].snippet == only.text


def test_passages_stored_before_sentence_terms_get_them_once_at_start(demo_dir, demo_library: Library) -> None:  # type: ignore[no-untyped-def]
    question = "Tỷ lệ hồ sơ trực tuyến của Hải Dương là bao nhiêu?"
    before = demo_library.ask(question)
    with demo_library.engine.begin() as connection:
        connection.execute(text("UPDATE passage SET sentence_terms = NULL"))
        connection.execute(text("DELETE FROM meta WHERE key = 'sentence_terms_version'"))
    # Until the next start, answers are the same (the terms are made for the question, not stored).
    assert demo_library.ask(question) == before
    demo_library.engine.dispose()
    reopened = open_library(demo_dir)
    try:
        with Session(reopened.engine) as session:
            passages = session.exec(select(Passage)).all()
            assert passages and all(p.sentence_terms == encode(p.text, TERMS) for p in passages)
            assert session.get(Meta, "sentence_terms_version") is not None
        assert reopened.ask(question) == before
    finally:
        reopened.engine.dispose()
