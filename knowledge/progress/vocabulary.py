"""The indicator vocabulary: one table of what progress figures the bot recognises.

To follow a new indicator, add one :class:`Indicator` row to ``INDICATORS``:
a key (kept exactly: it appears in ``cdsbot progress --json``), its
Vietnamese name, its unit, and the phrases that name it. Phrases are written
the way documents write them; matching ignores diacritics and case, so
"ho so truc tuyen" typed by a user and "hồ sơ trực tuyến" in a directive meet.
A "…" in a phrase stands for up to six words in between ("hồ sơ … trực
tuyến" also matches "hồ sơ thủ tục hành chính tiếp nhận trực tuyến").

Why some rows have ``key=None``: phrases that contain an indicator's words but
are about something else ("dịch vụ công có phát sinh hồ sơ trực tuyến" counts
services, not dossiers). They win over the indicator they overlap, and the
figure is skipped, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.text import fold

Unit = Literal["rank", "%", "count"]

_GAP_WORDS = 6


@dataclass(frozen=True)
class Indicator:
    """One indicator: its key, how the bot names it, its unit and the phrases that name it.

    ``noun_after`` are nouns that follow a count in Vietnamese ("1.239 tổ…",
    "4.993 thành viên"); ``needs`` is a phrase that must occur in the same
    sentence for those nouns to count ("thành viên" alone could be anyone's).
    ``priority`` settles overlapping phrases: the higher one wins.
    """

    key: str | None
    name: str
    unit: Unit
    phrases: tuple[str, ...]
    short: str = ""
    noun_after: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    priority: int = 0

    @property
    def label(self) -> str:
        """The short label for buttons and chart titles."""
        return self.short or self.name


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "dti_rank",
        "Xếp hạng chuyển đổi số (DTI)",
        "rank",
        ("chuyển đổi số", "CĐS", "DTI", "chỉ số chuyển đổi số", "xếp hạng chuyển đổi số"),
        short="Xếp hạng DTI",
    ),
    Indicator(
        "dti_government_rank",
        "Xếp hạng chính quyền số",
        "rank",
        ("chính quyền số", "trụ cột chính quyền số", "hoạt động chính quyền số"),
        priority=1,
    ),
    Indicator(
        "dti_economy_rank",
        "Xếp hạng kinh tế số",
        "rank",
        ("kinh tế số", "trụ cột kinh tế số", "hoạt động kinh tế số"),
        priority=1,
    ),
    Indicator(
        "dti_society_rank",
        "Xếp hạng xã hội số",
        "rank",
        ("xã hội số", "trụ cột xã hội số", "hoạt động xã hội số"),
        priority=1,
    ),
    Indicator(
        "online_dossier_rate",
        "Tỷ lệ hồ sơ thủ tục hành chính trực tuyến",
        "%",
        ("hồ sơ … trực tuyến", "hồ sơ … qua mạng", "hồ sơ TTHC … trực tuyến", "nộp hồ sơ trực tuyến"),
        short="Hồ sơ trực tuyến",
    ),
    Indicator(
        "full_online_dossier_rate",
        "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "%",
        ("hồ sơ … toàn trình", "hồ sơ trực tuyến toàn trình"),
        short="Hồ sơ toàn trình",
        priority=1,
    ),
    Indicator(
        "online_payment_rate",
        "Tỷ lệ thanh toán trực tuyến",
        "%",
        ("thanh toán trực tuyến", "thanh toán … trực tuyến", "thanh toán điện tử", "TTTT phí"),
        short="Thanh toán trực tuyến",
        priority=1,
    ),
    Indicator(
        "community_tech_teams",
        "Số tổ công nghệ số cộng đồng",
        "count",
        ("tổ công nghệ số cộng đồng", "tổ CNSCĐ", "tổ CNS cộng đồng", "tổ công nghệ số"),
        short="Tổ công nghệ số",
        noun_after=("tổ công nghệ số cộng đồng", "tổ CNSCĐ", "tổ CNS cộng đồng", "tổ công nghệ số"),
    ),
    Indicator(
        "community_tech_members",
        "Số thành viên tổ công nghệ số cộng đồng",
        "count",
        ("thành viên tổ công nghệ số", "thành viên các tổ công nghệ số", "tổ viên"),
        short="Thành viên tổ CNS",
        noun_after=("thành viên", "người tham gia", "tổ viên", "thành viên tham gia"),
        needs=("tổ công nghệ số", "tổ CNSCĐ", "tổ CNS"),
        priority=1,
    ),
    Indicator(
        "digital_signature_rate",
        "Tỷ lệ sử dụng chữ ký số",
        "%",
        ("chữ ký số", "chữ kí số", "ký số", "kí số"),
        short="Chữ ký số",
        priority=1,
    ),
    Indicator(
        "smartphone_subscribers",
        "Số thuê bao điện thoại thông minh",
        "count",
        (
            "thuê bao smartphone",
            "thuê bao điện thoại thông minh",
            "thuê bao di động sử dụng smartphone",
            "thuê bao … sử dụng smartphone",
        ),
        short="Thuê bao smartphone",
        noun_after=("thuê bao smartphone", "thuê bao điện thoại thông minh", "thuê bao di động"),
        needs=("smartphone", "điện thoại thông minh"),
    ),
    # Not indicators: they share words with one and must not be read as it.
    Indicator(
        None,
        "dịch vụ công có phát sinh hồ sơ",
        "%",
        ("dịch vụ … phát sinh hồ sơ", "dịch vụ … phát sinh hồ sơ trực tuyến", "hồ sơ … trễ hạn", "hồ sơ … số hóa"),
        priority=2,
    ),
)

BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS if i.key is not None}


def folded(text: str) -> str:
    """Lowercase without diacritics, one character for one: offsets stay valid."""
    lowered = text.lower()
    out = fold(lowered)
    if len(out) == len(lowered):
        return out
    return "".join(fold(ch) or ch for ch in lowered)


def phrase_pattern(phrase: str) -> str:
    """A phrase as a regex over folded text: words apart by any spacing, "…" a short gap."""
    parts = []
    for chunk in phrase.split("…"):
        words = [re.escape(w) for w in folded(chunk).split()]
        if words:
            parts.append(r"\s+".join(words))
    gap = rf"(?:\s+\S+){{0,{_GAP_WORDS}}}?\s+"
    return r"(?<![\w])" + gap.join(parts) + r"(?![\w])"


@dataclass(frozen=True)
class PhraseMatch:
    """Where an indicator's phrase occurs in a folded text."""

    indicator: Indicator
    start: int
    end: int


class Vocabulary:
    """The compiled table: finds indicator phrases in folded text.

    Built once (compiling the patterns is the costly part) and shared by
    the extractor and the question reader.
    """

    def __init__(self, indicators: tuple[Indicator, ...] = INDICATORS) -> None:
        self.indicators = indicators
        self._phrases = [
            (indicator, re.compile(phrase_pattern(p))) for indicator in indicators for p in indicator.phrases
        ]
        self._nouns = [
            (indicator, re.compile(r"^\s*(?:" + "|".join(phrase_pattern(n) for n in indicator.noun_after) + ")"))
            for indicator in indicators
            if indicator.noun_after
        ]
        self._needs = {
            indicator.key: re.compile("|".join(phrase_pattern(n) for n in indicator.needs))
            for indicator in indicators
            if indicator.needs
        }
        self.by_key = {i.key: i for i in indicators if i.key is not None}

    def matches(self, text: str, unit: Unit | None = None) -> list[PhraseMatch]:
        """Every phrase occurrence in folded ``text`` (of indicators with that unit, when given)."""
        found = []
        for indicator, pattern in self._phrases:
            if unit is not None and indicator.unit != unit:
                continue
            for m in pattern.finditer(text):
                found.append(PhraseMatch(indicator, m.start(), m.end()))
        return found

    def noun_after(self, text: str, sentence: str) -> Indicator | None:
        """The count indicator whose noun directly follows a number ("1.239 tổ công nghệ số…")."""
        best: tuple[int, Indicator] | None = None
        for indicator, pattern in self._nouns:
            m = pattern.match(text)
            if m is None:
                continue
            needs = self._needs.get(indicator.key)
            if needs is not None and not needs.search(sentence):
                continue
            if best is None or indicator.priority > best[1].priority or (
                indicator.priority == best[1].priority and m.end() > best[0]
            ):
                best = (m.end(), indicator)
        return best[1] if best else None

    def find_keys(self, question: str) -> list[str]:
        """Indicator keys a question names, most specific first ("xếp hạng kinh tế số" → dti_economy_rank)."""
        text = folded(question)
        found = [m for m in self.matches(text) if m.indicator.key is not None]
        # A phrase inside a longer one ("chuyển đổi số" in "chỉ số chuyển đổi số") is that one.
        found.sort(key=lambda m: (-m.indicator.priority, -(m.end - m.start)))
        keys: list[str] = []
        for m in found:
            assert m.indicator.key is not None
            if m.indicator.key not in keys:
                keys.append(m.indicator.key)
        return keys
