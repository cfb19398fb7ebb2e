"""Administrative abbreviations and renamed agencies as shared concept terms.

Directives write "CĐS", "UBND", "Sở TT&TT"; officials type "chuyen doi so",
"uy ban nhan dan", "so khcn". Rather than rewriting either side, every
spelling of a concept adds one concept term ("#cds") to the bag of terms, on
passages and queries alike, so each spelling finds all the others.

Patterns are matched on the folded, lowercased syllable string (``&`` read as
"va"), which is what both "TT&TT" and "tt va tt" become.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    """One thing with several spellings; ``full`` is how the bot names it."""

    term: str
    full: str
    patterns: tuple[str, ...]


# The Ministry and the provincial Departments of Information and
# Communications were merged into Science and Technology on 1/3/2025, so old
# directives say "Sở TT&TT" and new ones "Sở KH&CN" about the same office:
# both map to one concept per level (ministry, department).
CONCEPTS: tuple[Concept, ...] = (
    Concept("#cds", "chuyển đổi số", ("cds", "chuyen doi so")),
    Concept("#ubnd", "Ủy ban nhân dân", ("ubnd", "uy ban nhan dan")),
    Concept("#hdnd", "Hội đồng nhân dân", ("hdnd", "hoi dong nhan dan")),
    Concept(
        "#so_khcn",
        "Sở Khoa học và Công nghệ (trước 1/3/2025: Sở Thông tin và Truyền thông)",
        (
            "so tt va tt",
            "so tttt",
            "so thong tin va truyen thong",
            "so thong tin truyen thong",
            "so kh va cn",
            "so khcn",
            "so khoa hoc va cong nghe",
            "so khoa hoc cong nghe",
        ),
    ),
    Concept(
        "#bo_khcn",
        "Bộ Khoa học và Công nghệ (trước 1/3/2025: Bộ Thông tin và Truyền thông)",
        (
            "bo tt va tt",
            "bo tttt",
            "bo thong tin va truyen thong",
            "bo thong tin truyen thong",
            "bo kh va cn",
            "bo khcn",
            "bo khoa hoc va cong nghe",
            "bo khoa hoc cong nghe",
        ),
    ),
    Concept("#tttt", "thông tin và truyền thông", ("tt va tt", "tttt", "thong tin va truyen thong")),
    Concept("#khcn", "khoa học và công nghệ", ("kh va cn", "khcn", "khoa hoc va cong nghe")),
    Concept("#dvc", "dịch vụ công", ("dvc", "dich vu cong")),
    Concept("#dvctt", "dịch vụ công trực tuyến", ("dvctt", "dvc truc tuyen", "dich vu cong truc tuyen")),
    Concept("#csdl", "cơ sở dữ liệu", ("csdl", "co so du lieu")),
    Concept("#cntt", "công nghệ thông tin", ("cntt", "cong nghe thong tin")),
    Concept("#ktxh", "kinh tế - xã hội", ("kt xh", "ktxh", "kinh te xa hoi")),
    Concept("#dti", "chỉ số chuyển đổi số (DTI)", ("dti", "chi so chuyen doi so", "xep hang chuyen doi so")),
    Concept("#tcns", "tổ công nghệ số cộng đồng", ("tcns", "to cong nghe so cong dong", "to cnscd", "cnscd")),
    Concept("#tthc", "thủ tục hành chính", ("tthc", "thu tuc hanh chinh")),
    Concept("#cchc", "cải cách hành chính", ("cchc", "cai cach hanh chinh")),
    Concept("#attt", "an toàn thông tin", ("attt", "an toan thong tin")),
    Concept("#ioc", "Trung tâm Giám sát, điều hành thông minh (IOC)", ("ioc", "trung tam giam sat dieu hanh thong minh")),
    Concept("#lgsp", "nền tảng tích hợp, chia sẻ dữ liệu (LGSP)", ("lgsp", "nen tang tich hop chia se du lieu")),
    Concept("#da06", "Đề án 06", ("de an 06", "da 06", "de an so 06")),
    Concept("#kts", "kinh tế số", ("kinh te so", "kts")),
    Concept("#xhs", "xã hội số", ("xa hoi so", "xhs")),
    Concept("#cqs", "chính quyền số", ("chinh quyen so", "cqs")),
    Concept("#bcd", "Ban Chỉ đạo", ("bcd", "ban chi dao")),
    # Rankings are reported as "xếp thứ", "đứng thứ", "xếp hạng": one idea.
    Concept("#xephang", "xếp hạng", ("xep hang", "xep thu", "dung thu", "hang thu")),
    Concept("#dtt", "đô thị thông minh", ("dtt", "do thi thong minh")),
)


class ConceptMatcher:
    """Finds concept terms in folded syllable text in one regex scan.

    Nested spellings all count ("so tt va tt" is both the department and the
    TT&TT field). Spellings starting at different words are found because the
    scan is a lookahead at every word start; for a spelling that begins with
    a shorter one ("dvc truc tuyen" / "dvc"), the longer one carries both terms.
    """

    def __init__(self, concepts: tuple[Concept, ...] = CONCEPTS) -> None:
        self.concepts = concepts
        spellings: dict[str, str] = {}
        for concept in concepts:
            for spelling in concept.patterns:
                spellings.setdefault(spelling, concept.term)
        self._terms_of: dict[str, tuple[str, ...]] = {
            spelling: tuple(
                dict.fromkeys(
                    term
                    for other, term in spellings.items()
                    if spelling == other or spelling.startswith(other + " ")
                )
            )
            for spelling in spellings
        }
        ordered = sorted(spellings, key=len, reverse=True)
        alternation = "|".join(re.escape(s) for s in ordered)
        self._pattern = re.compile(rf"(?<!\w)(?=({alternation})(?!\w))")
        self._full = {c.term: c.full for c in concepts}

    def terms(self, folded_syllables: str) -> list[str]:
        """Concept terms in a space-joined, folded, lowercased syllable string (one per occurrence)."""
        return [t for m in self._pattern.finditer(folded_syllables) for t in self._terms_of[m.group(1)]]

    def full_name(self, term: str) -> str | None:
        """The Vietnamese name of a concept term, for messages."""
        return self._full.get(term)
