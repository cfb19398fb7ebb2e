"""Candidates are ranked from their documents; only the shortlisted passages' words are read, in a second query."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from knowledge import reading
from knowledge.answers.ask import with_words
from knowledge.library import Library

QUESTION = "Hải Dương xếp hạng bao nhiêu?"


def _candidates(library: Library) -> list[tuple[float, tuple[reading.DocumentRow, reading.CandidateRow]]]:
    hits = library.live.search(library.reader.read(QUESTION).terms, 50)
    with reading.connected(library.engine) as db:
        rows = reading.candidates_with_documents(db, [h.passage_id for h in hits], with_text=False)
    return [(h.score, rows[h.passage_id]) for h in hits if h.passage_id in rows]


def test_shortlisted_passages_carry_their_stored_words(demo_library: Library) -> None:
    ranked = _candidates(demo_library)
    assert len(ranked) > 3 and all(candidate.text is None for _, (_, candidate) in ranked)
    with reading.connected(demo_library.engine) as db:
        left, shortlisted = with_words(db, demo_library.live, ranked, 3)
        every = reading.passages_with_documents(db, [c.id for _, (_, c) in ranked[:3]])
    assert left == ranked
    assert [(score, pair) for score, pair in shortlisted] == [(s, every[c.id]) for s, (_, c) in ranked[:3]]


def test_passage_removed_between_the_two_reads_is_left_out_and_forgotten(demo_dir: Path, demo_library: Library) -> None:
    ranked = _candidates(demo_library)
    gone = ranked[1][1][1].id
    # Another process (a `cdsbot delete`) removes a shortlisted passage after the candidates were read.
    other = sqlite3.connect(demo_dir / "cdsbot.sqlite3")
    other.execute("PRAGMA foreign_keys=OFF")
    other.execute("DELETE FROM passage WHERE id = ?", (gone,))
    other.commit()
    other.close()
    with reading.connected(demo_library.engine) as db:
        left, shortlisted = with_words(db, demo_library.live, ranked, 3)
    expected = [c.id for _, (_, c) in ranked if c.id != gone][:3]
    assert [passage.id for _, (_, passage) in shortlisted] == expected
    assert gone not in {c.id for _, (_, c) in left}
    assert gone not in demo_library.live.index.passage_ids()
