"""The question log is written off the answer path, yet no question is lost or missed by the statistics."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import timezone
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from knowledge.answers.statistics import usage_report
from knowledge.db import make_engine
from knowledge.library import Library
from knowledge.models import QuestionLog
from tests.conftest import open_library

QUESTION = "Hải Dương xếp hạng bao nhiêu?"
ROOT = Path(__file__).resolve().parents[3]


def test_answer_does_not_wait_for_the_log_and_statistics_count_it(demo_dir: Path, demo_library: Library) -> None:
    first = demo_library.ask(QUESTION, log_as=("telegram", 1, 2))
    # Another process holds the database's write lock: a synchronous log write would wait for it.
    blocker = sqlite3.connect(demo_dir / "cdsbot.sqlite3", timeout=30)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        second = demo_library.ask("hai duong xep hang bao nhieu", log_as=("telegram", 1, 2))
        assert second.found and second.question_id is not None and second.question_id != first.question_id
    finally:
        blocker.rollback()
        blocker.close()
    report = usage_report(demo_library.engine, tz=timezone.utc, days=1)
    assert report.total == 2
    with Session(demo_library.engine) as session:
        ids = session.exec(select(QuestionLog.id).order_by(QuestionLog.id)).all()  # type: ignore[arg-type]
    assert ids == [first.question_id, second.question_id]


def test_close_writes_every_queued_question(demo_dir: Path, demo_library: Library) -> None:
    answers = [demo_library.ask(f"{QUESTION} lần {i}", log_as=("telegram", i, i)) for i in range(40)]
    demo_library.close()
    # After close a question is written at once, still with a fresh id.
    late = demo_library.ask(QUESTION, log_as=("telegram", 99, 99))
    engine = make_engine(f"sqlite:///{demo_dir / 'cdsbot.sqlite3'}")
    try:
        with Session(engine) as session:
            rows = {r.id: r for r in session.exec(select(QuestionLog)).all()}
    finally:
        engine.dispose()
    assert sorted(rows) == sorted(a.question_id for a in [*answers, late])
    assert rows[answers[7].question_id].question == f"{QUESTION} lần 7"  # type: ignore[index]


def test_a_clean_exit_without_close_loses_no_question(demo_dir: Path) -> None:
    script = textwrap.dedent(
        f"""
        from tests.conftest import open_library
        library = open_library(__import__("pathlib").Path({str(demo_dir)!r}))
        for i in range(25):
            library.ask("Hải Dương xếp hạng bao nhiêu? " + str(i), log_as=("telegram", i, i))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, timeout=120)
    library = open_library(demo_dir)
    try:
        with Session(library.engine) as session:
            assert session.exec(select(func.count()).select_from(QuestionLog)).one() == 25
    finally:
        library.engine.dispose()


def test_two_processes_logging_to_one_base_never_share_an_id(demo_dir: Path, demo_library: Library) -> None:
    other = open_library(demo_dir)
    try:
        answers = [lib.ask(QUESTION, log_as=("telegram", 1, 1)) for _ in range(70) for lib in (demo_library, other)]
        other.close()
        demo_library.close()
        ids = [a.question_id for a in answers]
        assert None not in ids and len(set(ids)) == len(ids)
        with Session(demo_library.engine) as session:
            stored = set(session.exec(select(QuestionLog.id)).all())
        assert stored == set(ids)
    finally:
        other.engine.dispose()


def test_postgres_log_ids_come_from_its_sequence(postgres_engine) -> None:  # type: ignore[no-untyped-def]
    library = Library(postgres_engine)
    answers = [library.ask(QUESTION, log_as=("telegram", -1001234567890, 6123456789)) for _ in range(3)]
    library.close()
    with Session(postgres_engine) as session:
        # A row inserted the ordinary way takes the next id of the sequence, above the reserved block.
        session.add(QuestionLog(question="khác", found=False))
        session.commit()
        rows = session.exec(select(QuestionLog).order_by(QuestionLog.id)).all()  # type: ignore[arg-type]
    assert [r.id for r in rows[:3]] == [a.question_id for a in answers]
    assert rows[3].id is not None and rows[3].id > max(a.question_id or 0 for a in answers)
    assert rows[0].chat_id == -1001234567890
