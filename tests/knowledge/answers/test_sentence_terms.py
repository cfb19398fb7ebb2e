"""Sentence terms are made once at ingest, stored with the passage, and give the snippets they always gave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from index.query import QueryReader
from index.terms import TERMS_VERSION, TermMaker
from knowledge.answers import intent, lists
from knowledge.answers.answer import Answer, SnippetChooser, shaped_candidates
from knowledge.answers.sentence_terms import (
    DecodedSentences,
    decode,
    encode,
    sentence_terms_version,
    sentences_with_terms,
    snippet_sentences,
)
from knowledge.answers.shape import Shape
from knowledge.documents.demo import demo_documents
from knowledge.library import DocumentInput, Library
from knowledge.models import Meta, Passage
from tests.conftest import open_library

TERMS = TermMaker()
READER = QueryReader(TERMS)

PASSAGES = [
    "Hải Dương xếp thứ 13/63 về chỉ số CĐS năm 2023. Sở TT&TT đề nghị hoàn thành trước quý I/2024.",
    "Kế hoạch gồm các nhiệm vụ sau:\n1. Số hóa hồ sơ.\n2. Kết nối Nghị quyết 57-NQ/TW với cơ sở dữ liệu.",
    "Một câu duy nhất không có dấu chấm",
]


def test_stored_sentence_terms_are_the_terms_of_each_sentence() -> None:
    for passage in PASSAGES:
        assert decode(encode(passage, TERMS), passage) == sentences_with_terms(passage, TERMS)


def test_decoded_sentences_follow_a_changed_stored_form_and_stay_bounded() -> None:
    decoded = DecodedSentences(size=2)
    first, second = PASSAGES[0], PASSAGES[1]
    stored = encode(first, TERMS)
    assert list(decoded.sentences(first, stored, TERMS)) == sentences_with_terms(first, TERMS)
    # The same text stored another way (a refreshed base) is decoded again, not taken from before.
    entries = json.loads(stored)
    entries[0][2] = "khac"
    changed = json.dumps(entries)
    assert decoded.sentences(first, changed, TERMS)[0].syllables != decoded.sentences(first, stored, TERMS)[0].syllables
    decoded.sentences(second, encode(second, TERMS), TERMS)
    assert len(decoded) == 2


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
    demo_library.close()
    demo_library.engine.dispose()
    _assert_next_start_stores_current_terms(demo_dir, question, before)


# ------------------------------------------------------------------ shape facts stored with the sentences


def _demo_sentences() -> list[str]:
    texts = [data.decode("utf-8") for _, data in demo_documents()] + PASSAGES
    return [s for text in texts for paragraph in text.split("\n\n") for s in snippet_sentences(paragraph)]


@pytest.mark.parametrize(
    ("question", "shape_asked"),
    [
        ("Ai làm trưởng ban?", Shape.PERSON),
        ("Cơ quan nào chủ trì?", Shape.AGENCY),
        ("Khi nào hoàn thành?", Shape.DATE),
        ("Xếp thứ mấy?", Shape.RANK),
        ("Có bao nhiêu nhiệm vụ trọng tâm?", Shape.QUANTITY),
    ],
)
def test_stored_shape_facts_say_what_the_shape_finders_find(question: str, shape_asked: Shape) -> None:
    """Every demo sentence: the stored facts give the answer shape the regular expressions give, for each kind."""
    query = READER.read(question)
    chooser = SnippetChooser(query, lambda t: 1.0)
    assert chooser.shape is shape_asked
    sentences = _demo_sentences()
    assert len(sentences) > 100
    for sentence in sentences:
        (stored,) = decode(encode(sentence, TERMS), sentence)
        # The question's own words, and the words of the sentence (so "bốn nhiệm vụ" meets "nhiệm vụ").
        for wanted in (chooser.wanted, set(stored.terms)):
            found = bool(shaped_candidates(sentence, query.kind, wanted, question, strict=True))
            assert stored.facts.has(shape_asked, wanted) is found, (sentence, wanted)
        assert stored.facts.enumerates is bool(lists.inline_items(sentence))


def test_highlighted_rank_reads_the_stored_shape_facts(demo_library: Library) -> None:
    """A sentence whose stored facts say it holds no rank is not shown alone for "xếp hạng bao nhiêu"."""
    question = "Hải Dương xếp hạng bao nhiêu?"
    best = demo_library.ask(question).citations[0]
    assert best.snippet[slice(*best.highlights[0])] == "thứ 13/63"
    assert best.snippet.count(".") == 1  # one sentence: it answers alone
    with Session(demo_library.engine) as session:
        passage = session.get(Passage, best.passage_id)
        assert passage is not None
        entries = json.loads(passage.sentence_terms or "")
        ranked = next(e for e in entries if "13/63" in passage.text[e[0] : e[1]])
        ranked[-1][0] = 0  # no person, agency, date, rank or count
        passage.sentence_terms = json.dumps(entries, ensure_ascii=False)
        session.add(passage)
        session.commit()
    shown = demo_library.ask(question).citations[0]
    # Still the figure marked, but the sentence no longer answers alone: its neighbour joins it.
    assert shown.snippet.startswith(best.snippet) and len(shown.snippet) > len(best.snippet)


def test_base_with_sentence_terms_of_format_1_gets_shape_facts_at_next_start(demo_dir, demo_library: Library) -> None:  # type: ignore[no-untyped-def]
    """A base stored before the shape facts answers as before, and is brought up to date once."""
    question = "Hải Dương xếp hạng bao nhiêu?"
    before = demo_library.ask(question)
    assert before.citations[0].snippet[slice(*before.citations[0].highlights[0])] == "thứ 13/63"
    with demo_library.engine.begin() as connection:
        rows = connection.execute(text("SELECT id, sentence_terms FROM passage")).all()
        for pid, stored in rows:
            # Format 1: no facts after the terms.
            old = json.dumps([entry[:-1] for entry in json.loads(stored)], ensure_ascii=False)
            connection.execute(text("UPDATE passage SET sentence_terms = :s WHERE id = :i"), {"s": old, "i": pid})
        connection.execute(text("UPDATE meta SET value = :v WHERE key = 'sentence_terms_version'"), {"v": f"{TERMS_VERSION}.1"})
    # Until the next start the facts are found from the text: the same answer.
    assert demo_library.ask(question) == before
    demo_library.close()
    demo_library.engine.dispose()
    _assert_next_start_stores_current_terms(demo_dir, question, before)


@pytest.mark.parametrize(
    "question", ["Khó khăn của Hải Dương là gì?", "Vì sao chậm?", "Chủ tịch kết luận gì?", "Tỉnh chỉ đạo những gì?"]
)
def test_intent_cues_are_found_in_stored_sentences_as_in_their_text(question: str) -> None:
    """The stored syllables only rule out sentences that cannot state the asked act; the rest are read as text."""
    query = READER.read(question)
    chooser = SnippetChooser(query, lambda t: 1.0)
    assert chooser.cues
    stating = 0
    for sentence in _demo_sentences() + ["Tỷ lệ hồ sơ & thủ tục chậm, đạt 50% kế hoạch."]:
        (stored,) = decode(encode(sentence, TERMS), sentence)
        expected = intent.sentence_factor(sentence, chooser.cues)
        assert chooser.intent_factor(stored) == expected, sentence
        stating += expected > 1.0
    assert stating  # the demo base states each of these acts somewhere


def _assert_next_start_stores_current_terms(demo_dir: Path, question: str, before: Answer) -> None:
    """The next start stores every passage's current sentence terms once, and answers as before."""
    reopened = open_library(demo_dir)
    try:
        with Session(reopened.engine) as session:
            passages = session.exec(select(Passage)).all()
            assert passages and all(p.sentence_terms == encode(p.text, TERMS) for p in passages)
            assert session.get(Meta, "sentence_terms_version").value == sentence_terms_version()  # type: ignore[union-attr]
        assert reopened.ask(question) == before
    finally:
        reopened.close()
        reopened.engine.dispose()
