"""Indicator facts in the database: the one row builder, deleting, and reading them back.

Facts are written in the same transaction as their document's passages
(library ingest, revisions), so a fact never points at a passage that is not
there; reading joins the document and passage so every figure can be cited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from knowledge import reading
from knowledge.progress.extract import WHOLE_COUNTRY
from knowledge.progress.vocabulary import Vocabulary, folded
from knowledge.provinces import Gazetteer
from knowledge.reading import FactView, ReadConnection

# Reading facts is plain SQL (knowledge/reading.py), so answering a progress
# question on a cold `cdsbot ask` loads neither SQLAlchemy nor the table classes;
# writing them does, in the functions that write.
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from knowledge.models import Document, IndicatorFact
    from knowledge.progress.extract import FactExtractor, FactMatch

_WHOLE_COUNTRY_NAMES = frozenset({"ca nuoc", "toan quoc", "viet nam"})


def fact_rows(
    document_id: int,
    passage_ids: Sequence[int | None],
    facts: Iterable[tuple[int, FactMatch]],
    as_of: date | None,
) -> list[IndicatorFact]:
    """Rows for a document's facts; ``facts`` are (passage position, match) as ``prepare`` found them."""
    from knowledge.models import IndicatorFact

    rows = []
    for position, fact in facts:
        passage_id = passage_ids[position]
        if passage_id is None:
            continue
        rows.append(
            IndicatorFact(
                document_id=document_id,
                passage_id=passage_id,
                province=fact.province,
                indicator=fact.indicator,
                value=fact.value,
                of=fact.of,
                unit=fact.unit,
                period=fact.period,
                period_inferred=fact.period_inferred,
                as_of=as_of,
                quote=fact.quote,
            )
        )
    return rows


def delete_facts(session: Session, document_id: int) -> None:
    """Remove a document's facts (explicitly: SQLite without foreign keys would keep them)."""
    from sqlalchemy import delete
    from sqlmodel import col

    from knowledge.models import IndicatorFact

    session.exec(delete(IndicatorFact).where(col(IndicatorFact.document_id) == document_id))  # type: ignore[call-overload]


def rebuild_facts(session: Session, extractor: FactExtractor, document: Document) -> None:
    """Read a stored document's facts again (after its date or provinces were corrected).

    Cheap: the stored passage text is enough, nothing is re-segmented. The
    caller commits, with the correction, so the two never disagree.
    """
    from sqlmodel import col, select

    from knowledge.models import Passage

    assert document.id is not None
    delete_facts(session, document.id)
    passages = session.exec(
        select(Passage).where(col(Passage.document_id) == document.id).order_by(col(Passage.position))
    ).all()
    found = [
        (position, fact)
        for position, passage in enumerate(passages)
        for fact in extractor.extract(passage.text, published=document.published, provinces=document.province_list)
    ]
    session.add_all(fact_rows(document.id, [p.id for p in passages], found, document.published))


# Bump when the extractor's rules change; the vocabulary's own rows are hashed in.
EXTRACTOR_VERSION = 1
_VERSION_KEY = "facts_version"


def facts_version(vocabulary: Vocabulary) -> str:
    """What the stored facts were read with: the extractor's rules and the vocabulary table."""
    table = hashlib.sha1(repr(vocabulary.indicators).encode("utf-8")).hexdigest()[:12]
    return f"{EXTRACTOR_VERSION}:{table}"


def refresh_stale_facts(engine: Engine, extractor: FactExtractor) -> int:
    """Re-read every document's facts when they were read with other rules or another vocabulary.

    So a base ingested before facts existed gets them, and a row added to the
    vocabulary reaches old documents, on the next start. It reads stored
    passage text only (no segmenter), in one transaction. Returns the number
    of documents re-read (0 when the facts were current).
    """
    from sqlmodel import Session, select

    from knowledge.meta import commit_marked, is_current
    from knowledge.models import Document

    version = facts_version(extractor.vocabulary)
    with Session(engine) as session:
        if is_current(session, _VERSION_KEY, version):
            return 0
        documents = list(session.exec(select(Document)).all())
        for document in documents:
            rebuild_facts(session, extractor, document)
        return len(documents) if commit_marked(session, _VERSION_KEY, version) else 0


def newest_first(facts: Iterable[FactView]) -> list[FactView]:
    """Newest period first; then stated before inferred, then the newest document."""
    return sorted(
        facts,
        key=lambda f: (f.period, not f.period_inferred, f.as_of or date.min, f.id),
        reverse=True,
    )


def without_repeats(facts: Iterable[FactView]) -> list[FactView]:
    """One fact per (province, indicator, period), and no inferred echo of a stated one.

    Two articles often repeat one figure: "13/63" stated "tính đến tháng
    6/2023" in one and undated in another published in 2023 is one
    observation, not two periods.
    """
    ordered = newest_first(facts)
    stated = {(f.province, f.indicator, f.year, f.value) for f in ordered if not f.period_inferred}
    kept: dict[tuple[str, str, str], FactView] = {}
    for fact in ordered:
        if fact.period_inferred and (fact.province, fact.indicator, fact.year, fact.value) in stated:
            continue
        kept.setdefault((fact.province, fact.indicator, fact.period), fact)
    return newest_first(kept.values())


def read_facts(
    source: Engine | ReadConnection,
    *,
    indicator: str | None = None,
    provinces: Sequence[str] = (),
    gazetteer: Gazetteer | None = None,
) -> list[FactView]:
    """Stored facts, newest period first; ``provinces`` canonical, matched under old or new names.

    ``source`` is the connection the caller answers with, or an engine to borrow one from.
    """
    if isinstance(source, ReadConnection):
        return _read_facts(source, indicator=indicator, provinces=provinces, gazetteer=gazetteer)
    with reading.connected(source) as db:
        return _read_facts(db, indicator=indicator, provinces=provinces, gazetteer=gazetteer)


def _read_facts(
    db: ReadConnection, *, indicator: str | None, provinces: Sequence[str], gazetteer: Gazetteer | None
) -> list[FactView]:
    names: list[str] | None = None
    if provinces:
        from knowledge.deadlines.queries import provinces_match

        # The names stored that mean a wanted province (old or new): a short
        # list, so the facts themselves are filtered by the database.
        assert gazetteer is not None
        names = [
            p
            for p in reading.fact_provinces(db)
            if (p == WHOLE_COUNTRY and WHOLE_COUNTRY in provinces)
            or (p != WHOLE_COUNTRY and provinces_match(gazetteer, [p], provinces))
        ]
    return newest_first(reading.facts(db, indicator=indicator, provinces=names))


def resolve_place(gazetteer: Gazetteer, name: str) -> str:
    """A province's canonical name, or "Cả nước"; raises UnknownProvinceError like every province filter."""
    from knowledge.deadlines.queries import resolve_provinces

    if folded(name).strip() in _WHOLE_COUNTRY_NAMES:
        return WHOLE_COUNTRY
    [canonical] = resolve_provinces(gazetteer, [name])
    return canonical


def list_facts(
    engine: Engine,
    gazetteer: Gazetteer,
    *,
    province: str | None = None,
    indicator: str | None = None,
) -> list[FactView]:
    """Facts for the CLI: any spelling of a province, old or new name; raises UnknownProvinceError."""
    wanted = [resolve_place(gazetteer, province)] if province else []
    return read_facts(engine, indicator=indicator, provinces=wanted, gazetteer=gazetteer)
