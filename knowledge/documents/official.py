"""One reading of a document's structure for ingest: official header, tables, table deadlines.

library.py calls :func:`read_structure` once per document, before anything
slow, and gets back the body to split into passages (header and signature
removed, tables turned into row sentences), the header fields, the deadlines
the task tables set, and the warnings an admin should see. News articles pass
through unchanged apart from their tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from index.terms import number_terms, type_code

if TYPE_CHECKING:
    # Loaded by deadlines() and read_structure() at ingest: answering a question only needs
    # own_number_terms, and the deadline rules', header's and tables' regular expressions
    # take a good part of a cold `cdsbot ask`.
    from knowledge.deadlines.tables import TableDeadline
    from knowledge.documents.header import OfficialHeader
    from knowledge.documents.tables import TableRow

MSG_NO_NUMBER = (
    "Không đọc được số hiệu văn bản (dòng «Số: …» ở đầu văn bản); tài liệu vẫn được lưu, "
    "nhưng không tìm được theo số hiệu."
)
MSG_NO_DATE = (
    "Không đọc được ngày ban hành (dòng «…, ngày … tháng … năm …» ở đầu văn bản); tài liệu vẫn được lưu "
    "nhưng không có ngày, và các thời hạn không ghi năm sẽ không được tính."
)


@dataclass(frozen=True)
class DocumentStructure:
    """What the structure of one document says, ready for ingest."""

    body: str
    header: OfficialHeader | None
    rows: list[TableRow] = field(default_factory=list)

    @property
    def masked_for_deadlines(self) -> tuple[str, ...]:
        """Texts whose dates are never prose deadlines: table rows (read on their own) and "Căn cứ …" lines."""
        basis = self.header.basis_lines if self.header else ()
        return (*(row.text for row in self.rows), *basis)

    def deadlines(self, published: date | None) -> tuple[list[TableDeadline], list[str]]:
        """The task tables' deadlines, and the Vietnamese warnings for the admin.

        ``published`` is the date ingest settled on (the caller's, or the
        signing date): past rows are dropped against it.
        """
        from knowledge.deadlines.tables import table_deadlines

        warnings: list[str] = []
        if self.header is not None:
            if self.header.number is None:
                warnings.append(MSG_NO_NUMBER)
            if published is None:
                warnings.append(MSG_NO_DATE)
        reading = table_deadlines(self.rows, published)
        return reading.deadlines, warnings + reading.warnings


def read_structure(text: str) -> DocumentStructure:
    """Header, body and tables of a parsed text."""
    from knowledge.documents.header import read_header
    from knowledge.documents.tables import rows_as_text

    header = read_header(text)
    body, rows = rows_as_text(header.body if header is not None else text)
    return DocumentStructure(body, header, rows)
def own_number_terms(number: str | None, doc_type: str | None) -> frozenset[str]:
    """The num: terms a document's own number answers to ("Kế hoạch 215/KH-UBND" → num:215/kh-…, num:215/kh, num:215)."""
    if not number:
        return frozenset()
    terms = set(number_terms(number))
    code = type_code(doc_type) if doc_type else None
    digits = next((t for t in terms if t.count("/") == 0), None)
    if code and digits:
        terms.add(f"{digits}/{code}")
    return frozenset(terms)


def mask(passage: str, texts: tuple[str, ...]) -> str:
    """The passage with ``texts`` blanked out, offsets kept, so prose extraction skips them."""
    for piece in texts:
        if piece and piece in passage:
            passage = passage.replace(piece, " " * len(piece))
    return passage


def passage_of(passages: list[str], row_text: str) -> int:
    """Index of the passage holding a row sentence (its start, if the splitter cut it)."""
    head = re.sub(r"\s+", " ", row_text)[:80]
    for index, passage in enumerate(passages):
        if head in re.sub(r"\s+", " ", passage):
            return index
    return 0
