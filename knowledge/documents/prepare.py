"""Turning a file or a text into a document ready to store: everything slow happens here, before any transaction.

Cleaning, metadata, passage splitting, word segmentation and deadline
extraction run outside the database lock, so an upload being segmented never
holds up a question. The result is a :class:`PreparedDocument`; storing it
(``knowledge.documents.store``) is then a short transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypedDict

from index.terms import TermMaker, number_word, tokenize_normalized
from index.text import canonical, join_words, normalize
from knowledge.answers.sentence_terms import encode_passages
from knowledge.control_chars import strip_control_chars
from knowledge.deadlines.extract import DeadlineMatch, extract_deadlines
from knowledge.documents.links import strip_credentials
from knowledge.documents.metadata import clean_text, detect_metadata, parse_user_date, read_article
from knowledge.documents.ocr import OcrReader
from knowledge.documents.official import mask, passage_of, read_structure
from knowledge.documents.parsers import ParsedText, parse_document
from knowledge.documents.parsers.errors import NoTextLayerError
from knowledge.documents.passages import split_passages
from knowledge.documents.titles import shorten_title, title_from_text
from knowledge.errors import IngestError
from knowledge.models import Document
from knowledge.progress.extract import FactExtractor, FactMatch
from knowledge.progress.vocabulary import Vocabulary
from knowledge.provinces import Gazetteer

MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class DocumentInput:
    """A document to add: its text and whatever metadata the caller already knows."""

    text: str
    filename: str | None = None
    title: str | None = None
    source: str | None = None
    published: date | None = None
    provinces: Sequence[str] | None = None
    added_by: str = "cli"
    format_meta: dict[str, str] = field(default_factory=dict)


class UploadOptions(TypedDict, total=False):
    """What the caller may say about a file it adds; passed through unchanged down to :func:`prepare_bytes`.

    One declaration for every layer that forwards them (the library facade,
    revisions, the parse worker), so a new option is added in one place.
    """

    title: str | None
    source: str | None
    published: date | None
    provinces: Sequence[str] | None
    added_by: str
    max_bytes: int


@dataclass
class PreparedDocument:
    """A document row (not yet stored), its passages, their tokens and the deadlines found in each passage."""

    document: Document
    passages: list[str]
    tokens: list[str]
    deadlines: list[tuple[int, DeadlineMatch]]
    # Vietnamese notes for the admin: unread header fields, unreadable time cells.
    warnings: tuple[str, ...] = ()
    facts: list[tuple[int, FactMatch]] = field(default_factory=list)
    # Each passage's sentences and their terms, stored for choosing snippets (knowledge/answers/sentence_terms.py).
    sentence_terms: list[str] = field(default_factory=list)


def input_from_parsed(
    parsed: ParsedText,
    *,
    filename: str,
    title: str | None = None,
    source: str | None = None,
    published: date | None = None,
    provinces: Sequence[str] | None = None,
    added_by: str = "cli",
) -> DocumentInput:
    """Merge what the caller says, what the file format says (front matter, HTML meta) and defaults."""
    meta_published = parse_user_date(parsed.meta.get("published", "")) if parsed.meta.get("published") else None
    meta_provinces = [p.strip() for p in parsed.meta.get("provinces", "").split(",") if p.strip()]
    return DocumentInput(
        text=parsed.text,
        filename=filename,
        title=title or parsed.title,
        source=source or parsed.meta.get("source"),
        published=published or meta_published,
        provinces=provinces or meta_provinces or None,
        added_by=added_by,
        format_meta=dict(parsed.meta) | ({"parsed_title": parsed.title} if parsed.title else {}),
    )


def prepare_bytes(
    data: bytes,
    filename: str,
    *,
    gazetteer: Gazetteer,
    facts: FactExtractor | None = None,
    title: str | None = None,
    source: str | None = None,
    published: date | None = None,
    provinces: Sequence[str] | None = None,
    added_by: str = "cli",
    max_bytes: int = 20 * 1024 * 1024,
    ocr: OcrReader | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PreparedDocument:
    """Parse and prepare a file (no database work); raises the project's own errors only.

    A scan (a PDF without a text layer) is read with ``ocr`` where it is set
    up, ``progress(page, pages)`` reporting each page; refused otherwise.
    """
    try:
        parsed = parse_document(data, filename, max_bytes=max_bytes)
    except NoTextLayerError:
        if ocr is None:
            raise
        parsed = ocr.read_pdf(data, progress=progress)
    doc = input_from_parsed(
        parsed,
        filename=filename,
        title=title,
        source=source,
        published=published,
        provinces=provinces,
        added_by=added_by,
    )
    return prepare_document(doc, gazetteer=gazetteer, facts=facts)


def prepare_document(
    doc: DocumentInput,
    *,
    gazetteer: Gazetteer,
    facts: FactExtractor | None = None,
    terms: TermMaker | None = None,
) -> PreparedDocument:
    """Clean, split, segment and extract; raises :class:`IngestError` for a document with nothing to store.

    ``facts`` and ``terms`` are built once by a caller that prepares many
    documents (building the concept matcher costs as much as a short document).
    """
    # Inputs at the edge: no control characters anywhere, no credentials in a source URL.
    doc = replace(
        doc,
        text=strip_control_chars(doc.text),
        title=strip_control_chars(doc.title),
        source=strip_credentials(strip_control_chars(doc.source)) if doc.source else doc.source,
        filename=strip_control_chars(doc.filename),
    )
    raw = doc.text
    # An official document's header, tables and table deadlines (documents/official.py).
    structure = read_structure(raw)
    header = structure.header
    if header is None and structure.body == raw:  # a page without tables: its lines are classified once
        text, detected = read_article(raw)
    else:
        text = clean_text(structure.body) if header is None else structure.body
        detected = detect_metadata(raw)
    if not text.strip():
        raise IngestError(
            "Tài liệu không có nội dung nào để lưu (chỉ toàn phần thừa của trang web hoặc trống).",
            "empty after cleaning",
        )
    # The header names an official document; the format's own title does not.
    if header is not None:
        own_title = doc.title if doc.title != doc.format_meta.get("parsed_title") else None
        detected = replace(detected, title=header.title, published=header.signed)
        doc = replace(doc, title=own_title)
    # Titles are cut at a word, never mid-syllable (knowledge/documents/titles.py).
    title = (doc.title or detected.title or title_from_text(text) or doc.filename or "Không có tiêu đề").strip()
    title = shorten_title(title, MAX_TITLE_CHARS)
    published = doc.published or detected.published
    source = doc.source or detected.source
    provinces = list(doc.provinces) if doc.provinces else gazetteer.find(f"{title}\n{text}")
    provinces = [gazetteer.get(p).name if gazetteer.get(p) else p for p in provinces]
    passages = split_passages(text)
    if not passages:
        raise IngestError("Không tách được đoạn văn nào từ tài liệu.", "no passages")
    # Each passage normalized once, for segmentation and for the deadline rules.
    normalized = [normalize(p) for p in passages]
    tokens = [join_words(tokenize_normalized(n)) for n in normalized]
    if not any(tokens):
        raise IngestError("Tài liệu không có chữ nào để tìm kiếm.", "no tokens")
    # Every passage is found by its document's own number.
    if header is not None and header.number:
        tokens = [f"{t} {number_word(header.number)}".strip() for t in tokens]
    masked = structure.masked_for_deadlines
    # The same sentence repeated (boilerplate, a pasted section twice) is one deadline, not thousands.
    first_of: dict[tuple[object, ...], tuple[int, DeadlineMatch]] = {}
    for position, (passage, normal) in enumerate(zip(passages, normalized)):
        found = (
            extract_deadlines(mask(passage, masked), published)
            if masked
            else extract_deadlines(passage, published, normalized=normal)
        )
        for match in found:
            first_of.setdefault((match.due, match.precision, match.task, match.agency, match.quote), (position, match))
    deadlines: list[tuple[int, DeadlineMatch]] = list(first_of.values())
    table_deadlines, warnings = structure.deadlines(published)
    deadlines += [(passage_of(passages, d.row_text), d) for d in table_deadlines]
    document = Document(
        title=title,
        source=source,
        published=published,
        provinces=",".join(dict.fromkeys(provinces)),
        content_hash=content_hash(text),
        filename=doc.filename,
        added_by=doc.added_by,
        number=header.number if header else None,
        doc_type=header.doc_type if header else None,
        issuer=header.issuer if header else None,
        ocr=doc.format_meta.get("ocr") == "1",
    )
    # Figures become indicator facts, each with its passage's position (knowledge/progress/).
    extractor = facts or FactExtractor(Vocabulary(), gazetteer)
    found_facts = [
        (position, fact)
        for position, passage in enumerate(passages)
        for fact in extractor.extract(passage, published=published, provinces=document.province_list)
    ]
    # --- issue 13: sentence terms made once here, never per question (knowledge/answers/sentence_terms.py).
    sentence_terms = encode_passages(passages, terms or TermMaker())
    # --- end issue 13
    return PreparedDocument(document, passages, tokens, deadlines, tuple(warnings), found_facts, sentence_terms)


def content_hash(text: str) -> str:
    """Identity of a document's content: same words, same hash, whatever the spacing or tone-mark style."""
    return hashlib.sha256(" ".join(canonical(text).split()).encode("utf-8")).hexdigest()

