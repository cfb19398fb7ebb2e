"""The province gazetteer: Vietnam's provincial-level units before and after the 2025 merger.

Directives and news written before 1 July 2025 speak of 63 provinces; questions
asked after it use either those names or the 34 units that replaced them. This
module recognises both, in the spellings officials and users actually type
("TP.HCM", "Đăk Lăk", "hai duong", "Thừa Thiên - Huế"), plus each old
province's capital, and knows which new unit every old one went into — so a
question about "Hải Phòng" can be related to a report on "tỉnh Hải Dương".

The tables are immutable module constants; :func:`load_gazetteer` compiles the
matchers once and callers keep the returned :class:`Gazetteer`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from index.text import canonical, fold, has_diacritics, normalize, split_tone

PROVINCE = "tỉnh"
CITY = "thành phố"


@dataclass(frozen=True)
class Province:
    """One provincial-level unit, named the way the rest of the bot stores it.

    ``name`` carries no prefix ("Hồ Chí Minh", not "TP. Hồ Chí Minh") so it can
    be used as a tag; :meth:`Gazetteer.display_name` adds the prefix back.
    ``capital`` is the seat just before the merger: district-level units were
    abolished on 1/7/2025, so the post-merger seats are wards, not cities.
    """

    name: str
    kind: str
    capital: str | None
    merged_into: str
    is_current: bool


class _Unit(NamedTuple):
    """One row of the hand-written table below."""

    name: str
    kind: str
    capital: str | None
    merged_into: str
    # Other spellings and other well-known cities of the unit.
    aliases: tuple[str, ...] = ()
    # Names that are ordinary words or common commune names on their own
    # ("vinh danh", "xã Tân An"): recognised only after "tỉnh"/"thành phố"/"TP.".
    prefixed_aliases: tuple[str, ...] = ()


# The 63 units before 1/7/2025, north to south, each with the 34-unit successor
# it went into (Resolution 202/2025/QH15). Capitals equal to the province name
# are kept as facts but add no alias.
_PRE_MERGER_UNITS: tuple[_Unit, ...] = (
    _Unit("Hà Nội", CITY, None, "Hà Nội"),
    _Unit("Hà Giang", PROVINCE, "Hà Giang", "Tuyên Quang"),
    _Unit("Cao Bằng", PROVINCE, "Cao Bằng", "Cao Bằng"),
    _Unit("Bắc Kạn", PROVINCE, "Bắc Kạn", "Thái Nguyên", ("Bắc Cạn",)),
    _Unit("Tuyên Quang", PROVINCE, "Tuyên Quang", "Tuyên Quang"),
    _Unit("Lào Cai", PROVINCE, "Lào Cai", "Lào Cai"),
    _Unit("Điện Biên", PROVINCE, "Điện Biên Phủ", "Điện Biên"),
    _Unit("Lai Châu", PROVINCE, "Lai Châu", "Lai Châu"),
    _Unit("Sơn La", PROVINCE, "Sơn La", "Sơn La"),
    _Unit("Yên Bái", PROVINCE, "Yên Bái", "Lào Cai"),
    _Unit("Hòa Bình", PROVINCE, "Hòa Bình", "Phú Thọ"),
    _Unit("Thái Nguyên", PROVINCE, "Thái Nguyên", "Thái Nguyên"),
    _Unit("Lạng Sơn", PROVINCE, "Lạng Sơn", "Lạng Sơn"),
    _Unit("Quảng Ninh", PROVINCE, "Hạ Long", "Quảng Ninh"),
    _Unit("Bắc Giang", PROVINCE, "Bắc Giang", "Bắc Ninh"),
    _Unit("Phú Thọ", PROVINCE, "Việt Trì", "Phú Thọ"),
    _Unit("Vĩnh Phúc", PROVINCE, "Vĩnh Yên", "Phú Thọ"),
    _Unit("Bắc Ninh", PROVINCE, "Bắc Ninh", "Bắc Ninh"),
    _Unit("Hải Dương", PROVINCE, "Hải Dương", "Hải Phòng"),
    _Unit("Hải Phòng", CITY, None, "Hải Phòng"),
    _Unit("Hưng Yên", PROVINCE, "Hưng Yên", "Hưng Yên"),
    _Unit("Thái Bình", PROVINCE, "Thái Bình", "Hưng Yên"),
    _Unit("Hà Nam", PROVINCE, "Phủ Lý", "Ninh Bình", ("Phủ Lí",)),
    _Unit("Nam Định", PROVINCE, "Nam Định", "Ninh Bình"),
    # TP. Ninh Bình and huyện Hoa Lư became TP. Hoa Lư on 1/3/2025.
    _Unit("Ninh Bình", PROVINCE, "Hoa Lư", "Ninh Bình"),
    _Unit("Thanh Hóa", PROVINCE, "Thanh Hóa", "Thanh Hóa"),
    _Unit("Nghệ An", PROVINCE, "Vinh", "Nghệ An", prefixed_aliases=("Vinh",)),
    _Unit("Hà Tĩnh", PROVINCE, "Hà Tĩnh", "Hà Tĩnh"),
    _Unit("Quảng Bình", PROVINCE, "Đồng Hới", "Quảng Trị"),
    _Unit("Quảng Trị", PROVINCE, "Đông Hà", "Quảng Trị"),
    # Became the centrally-run city "Huế" on 1/1/2025; see _RENAMED_UNITS.
    _Unit(
        "Thừa Thiên Huế",
        PROVINCE,
        "Huế",
        "Huế",
        ("Thừa Thiên - Huế", "TT Huế", "TT-Huế", "TT.Huế", "TT. Huế"),
    ),
    _Unit("Đà Nẵng", CITY, None, "Đà Nẵng"),
    _Unit("Quảng Nam", PROVINCE, "Tam Kỳ", "Đà Nẵng", ("Tam Kì", "Hội An")),
    _Unit("Quảng Ngãi", PROVINCE, "Quảng Ngãi", "Quảng Ngãi"),
    _Unit("Bình Định", PROVINCE, "Quy Nhơn", "Gia Lai", ("Qui Nhơn",)),
    _Unit("Phú Yên", PROVINCE, "Tuy Hòa", "Đắk Lắk"),
    _Unit("Khánh Hòa", PROVINCE, "Nha Trang", "Khánh Hòa"),
    _Unit(
        "Ninh Thuận",
        PROVINCE,
        "Phan Rang - Tháp Chàm",
        "Khánh Hòa",
        ("Phan Rang Tháp Chàm", "Phan Rang"),
    ),
    _Unit("Bình Thuận", PROVINCE, "Phan Thiết", "Lâm Đồng"),
    _Unit("Kon Tum", PROVINCE, "Kon Tum", "Quảng Ngãi", ("Kontum",)),
    _Unit("Gia Lai", PROVINCE, "Pleiku", "Gia Lai", ("Plei Ku",)),
    _Unit(
        "Đắk Lắk",
        PROVINCE,
        "Buôn Ma Thuột",
        "Đắk Lắk",
        (
            "Đăk Lăk",
            "Đắk Lăk",
            "Đăk Lắk",
            "Đắc Lắc",
            "Đaklak",
            "Đắklắk",
            "Daklak",
            "Buôn Mê Thuột",
            "Ban Mê Thuột",
        ),
    ),
    _Unit("Đắk Nông", PROVINCE, "Gia Nghĩa", "Lâm Đồng", ("Đăk Nông", "Đắc Nông", "Đaknông", "Daknong")),
    _Unit("Lâm Đồng", PROVINCE, "Đà Lạt", "Lâm Đồng", ("Bảo Lộc",)),
    _Unit("Bình Phước", PROVINCE, "Đồng Xoài", "Đồng Nai"),
    _Unit("Tây Ninh", PROVINCE, "Tây Ninh", "Tây Ninh"),
    _Unit("Bình Dương", PROVINCE, "Thủ Dầu Một", "Hồ Chí Minh"),
    _Unit("Đồng Nai", PROVINCE, "Biên Hòa", "Đồng Nai"),
    _Unit(
        "Bà Rịa - Vũng Tàu",
        PROVINCE,
        "Bà Rịa",
        "Hồ Chí Minh",
        ("Bà Rịa Vũng Tàu", "BR-VT", "BRVT", "Vũng Tàu"),
    ),
    _Unit(
        "Hồ Chí Minh",
        CITY,
        None,
        "Hồ Chí Minh",
        ("TPHCM", "TP.HCM", "HCM", "HCMC", "Sài Gòn", "Saigon"),
    ),
    _Unit("Long An", PROVINCE, "Tân An", "Tây Ninh", prefixed_aliases=("Tân An",)),
    _Unit("Tiền Giang", PROVINCE, "Mỹ Tho", "Đồng Tháp"),
    _Unit("Bến Tre", PROVINCE, "Bến Tre", "Vĩnh Long"),
    _Unit("Trà Vinh", PROVINCE, "Trà Vinh", "Vĩnh Long"),
    _Unit("Vĩnh Long", PROVINCE, "Vĩnh Long", "Vĩnh Long"),
    _Unit("Đồng Tháp", PROVINCE, "Cao Lãnh", "Đồng Tháp", ("Sa Đéc",)),
    _Unit("An Giang", PROVINCE, "Long Xuyên", "An Giang", ("Châu Đốc",)),
    _Unit("Kiên Giang", PROVINCE, "Rạch Giá", "An Giang", ("Phú Quốc",)),
    _Unit("Cần Thơ", CITY, None, "Cần Thơ"),
    # "vị thanh tra", "một vị thanh niên": only "TP. Vị Thanh" is the city.
    _Unit("Hậu Giang", PROVINCE, "Vị Thanh", "Cần Thơ", prefixed_aliases=("Vị Thanh",)),
    _Unit("Sóc Trăng", PROVINCE, "Sóc Trăng", "Cần Thơ"),
    _Unit("Bạc Liêu", PROVINCE, "Bạc Liêu", "Cà Mau"),
    _Unit("Cà Mau", PROVINCE, "Cà Mau", "Cà Mau"),
)

# Successors that no pre-merger unit was called: Thừa Thiên Huế was renamed
# before the merger, and the 34-unit list uses the new name.
_RENAMED_UNITS: tuple[_Unit, ...] = (_Unit("Huế", CITY, None, "Huế"),)

# Names that are also ordinary words: "hòa bình" is peace, "thái bình"
# peaceful, "cao bằng" as high as, "vinh" as in "vinh danh". In text that uses
# capitals they count only when written as a proper noun.
_CAPITALISED_ONLY: frozenset[str] = frozenset({"hòa bình", "thái bình", "cao bằng", "vinh"})

# Folded forms that collide with common words once the marks are gone:
# "diễn biến" (developments) and "biến hóa" both fold onto a place name.
_FOLDED_PREFIXED_ONLY: frozenset[str] = frozenset({"dien bien", "bien hoa"})

# Phrases that contain a province name but are not about the province. Being
# longer, they win the match at their position and are then dropped.
_NOT_PROVINCES: tuple[str, ...] = (
    "Thái Bình Dương",  # the Pacific ("châu Á - Thái Bình Dương")
    "hải dương học",  # oceanography
    "Hà Nam Ninh",  # the 1975–1991 province, not today's Hà Nam
    "hội An toàn",  # "Hiệp hội An toàn thông tin" (VNISA), not Hội An
    "hội An ninh",  # "Hiệp hội An ninh mạng quốc gia"
    "nghề an toàn",  # folds onto "nghe an"
    "đường Điện Biên Phủ",  # a street in most cities
    # Hồ Chí Minh the person, the trail and the institutions named after him.
    "Chủ tịch Hồ Chí Minh",
    "tư tưởng Hồ Chí Minh",
    "phong cách Hồ Chí Minh",
    "đạo đức Hồ Chí Minh",
    "tấm gương Hồ Chí Minh",
    "Bác Hồ Chí Minh",
    "TNCS Hồ Chí Minh",
    "Cộng sản Hồ Chí Minh",
    "Tiền phong Hồ Chí Minh",
    "Chính trị quốc gia Hồ Chí Minh",
    "đường Hồ Chí Minh",
    "đường mòn Hồ Chí Minh",
    "chiến dịch Hồ Chí Minh",
    "Huân chương Hồ Chí Minh",
    "Giải thưởng Hồ Chí Minh",
    "Lăng Hồ Chí Minh",
    "Bảo tàng Hồ Chí Minh",
)

_PREFIX_PATTERN = r"(?:tỉnh|thành phố|tp\.?)"
_FOLDED_PREFIX_PATTERN = r"(?:tinh|thanh pho|tp\.?)"
_LEADING_PREFIX_RE = re.compile(rf"^(?:{_PREFIX_PATTERN}|{_FOLDED_PREFIX_PATTERN}) ?")

# Only runs and non-space whitespace: rewriting every single space costs more
# than the alias search itself on a long page.
_SPACES_RE = re.compile(r"\s{2,}|[^\S ]")
# Hyphen, en/em dashes and minus, with or without spaces around them.
_DASH_RE = re.compile(r" ?[-\u2010-\u2015\u2212] ?")
_SYLLABLE_RE = re.compile(r"\w+")
_VOWELS = frozenset("aeiouy")


def _prepare(text: str) -> str:
    """Make spacing and dashes uniform, so "Bà Rịa – Vũng Tàu" is one spelling.

    Case is kept: :meth:`Gazetteer.find` needs it to tell "Hòa Bình" from
    "hòa bình".
    """
    return _DASH_RE.sub("-", _SPACES_RE.sub(" ", text))


def _lower_same_length(text: str) -> str:
    """Lowercase without shifting offsets, so a match can be checked for case."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few non-Vietnamese letters ("İ") grow when lowered; leave them alone.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _key(alias: str) -> str:
    """The form aliases are stored and looked up in."""
    return _prepare(canonical(alias)).strip()


def _tone_placements(syllable: str) -> set[str]:
    """Every spelling of a syllable that :func:`normalize` turns back into it.

    ``normalize`` costs about 6 ms on a 10 KB page, too much for every search,
    so :meth:`Gazetteer.find` only applies NFC and the alias table carries both
    "hòa" and "hoà" instead.
    """
    letters, tone = split_tone(syllable)
    if tone is None:
        return {syllable}
    spellings = {syllable}
    for i, letter in enumerate(letters):
        if letter[0].lower() in _VOWELS:
            moved = letters[:i] + [letter + tone] + letters[i + 1 :]
            candidate = unicodedata.normalize("NFC", "".join(moved))
            if normalize(candidate) == syllable:
                spellings.add(candidate)
    return spellings


def _spellings(key: str) -> Iterator[str]:
    """The key with every accepted tone placement of each of its syllables."""
    parts = _SYLLABLE_RE.split(key)
    syllables = [_tone_placements(s) for s in _SYLLABLE_RE.findall(key)]
    for choice in itertools.product(*(sorted(s) for s in syllables)):
        pieces = [p for pair in itertools.zip_longest(parts, choice, fillvalue="") for p in pair]
        yield "".join(pieces)


def _is_multi_word(key: str) -> bool:
    return " " in key or "-" in key


_Trie = dict[str, "_Trie"]


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regex branch per distinct next character: longest-first, and fast.

    A plain ``a|b|c`` alternation makes Python's regex engine try every alias
    at every position; a trie tries one path per character, and a greedy
    optional group at each alias end prefers the longer alias.
    """
    trie: _Trie = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: _Trie) -> str:
    branches = [re.escape(ch) + _node_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


class _Matcher:
    """An alias regex and what each matched alias stands for.

    The regex (a trie of every spelling of every alias) is compiled on first
    use: compiling both takes about a quarter of a second, a cold ``cdsbot
    ask`` reads one question with one of them, and ``get`` needs neither.
    """

    __slots__ = ("_pattern", "_prefix", "targets")

    def __init__(self, targets: Mapping[str, str | None], prefix: str) -> None:
        self.targets = targets  # None: a phrase that is not a province
        self._prefix = prefix
        self._pattern: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            trie = _trie_pattern(self.targets)
            self._pattern = re.compile(rf"(?<!\w)(?:(?P<prefix>{self._prefix}) ?)?(?P<name>{trie})(?!\w)")
        return self._pattern


def _compile(targets: Mapping[str, str | None], prefix: str) -> _Matcher:
    return _Matcher(MappingProxyType(dict(targets)), prefix)


def _add(table: dict[str, str | None], key: str, target: str | None) -> None:
    """Record an alias, refusing one that would name two different things."""
    if table.get(key, target) != target:
        raise ValueError(f"alias {key!r} would mean both {table[key]!r} and {target!r}")
    table[key] = target


def _proper_noun_at(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is written as a name, not as a common word.

    The first word of a text counts with only its first letter capitalised:
    that is how a phone capitalises "Hòa bình xếp hạng mấy?".
    """
    words = [w for w in re.split(r"[ -]", text[start:end]) if w]
    if all(w[0].isupper() for w in words):
        return True
    return start == 0 and text[start].isupper()


class Gazetteer:
    """Recognises and relates the 63 old and 34 current provincial-level units.

    Built by :func:`load_gazetteer`; immutable afterwards, so one instance can
    be shared by the ingest pipeline and every question handler.
    """

    def __init__(
        self, pre_merger: Iterable[_Unit], renamed: Iterable[_Unit], not_provinces: Iterable[str]
    ) -> None:
        old = tuple(pre_merger)
        units = (*old, *renamed)
        current = {unit.merged_into for unit in units}
        self._provinces: Mapping[str, Province] = MappingProxyType(
            {
                unit.name: Province(unit.name, unit.kind, unit.capital, unit.merged_into, unit.name in current)
                for unit in units
            }
        )
        unit_names = {canonical(unit.name) for unit in units}
        self._pre_merger = tuple(unit.name for unit in old)
        # North to south, in the order their first predecessor appears.
        self._current = tuple(dict.fromkeys(unit.merged_into for unit in old))
        predecessors: dict[str, list[str]] = {}
        for name in self._pre_merger:
            predecessors.setdefault(self._provinces[name].merged_into, []).append(name)
        self._predecessor_count: Mapping[str, int] = MappingProxyType(
            {name: len(names) for name, names in predecessors.items()}
        )

        accented: dict[str, str | None] = {}
        folded: dict[str, str | None] = {}
        prefixed_only: set[str] = set(_FOLDED_PREFIXED_ONLY)

        def register(alias: str, target: str | None, *, needs_prefix: bool = False) -> None:
            key = _key(alias)
            for spelling in _spellings(key):
                _add(accented, spelling, target)
            bare = fold(key)
            _add(folded, bare, target)
            # Unaccented spellings inside accented documents ("Ha Noi" in an
            # English abstract) are safe only when they span several words.
            if _is_multi_word(bare):
                _add(accented, bare, target)
            if needs_prefix:
                prefixed_only.update(_spellings(key))
                prefixed_only.add(bare)

        for unit in units:
            register(unit.name, unit.name)
            for alias in unit.aliases:
                register(alias, unit.name)
            for alias in unit.prefixed_aliases:
                register(alias, unit.name, needs_prefix=True)
            capital = unit.capital
            if (
                capital is not None
                and canonical(capital) not in unit_names
                and capital not in unit.prefixed_aliases
            ):
                register(capital, unit.name)
        for phrase in not_provinces:
            register(phrase, None)

        self._accented = _compile(accented, _PREFIX_PATTERN)
        self._folded = _compile(folded, _FOLDED_PREFIX_PATTERN)
        self._prefixed_only = frozenset(prefixed_only)
        capitalised: set[str] = set()
        for word in _CAPITALISED_ONLY:
            key = _key(word)
            capitalised.update(_spellings(key))
            capitalised.add(fold(key))
        self._capitalised_only = frozenset(capitalised)

    def find(self, text: str) -> list[str]:
        """Canonical names of the units a text mentions, in order of first mention.

        Text typed without any diacritics ("hai duong xep hang") is matched
        against folded aliases; otherwise marks must agree, so "Hà Nam" is not
        confused with "hạ nam". Matches are leftmost-longest and do not
        overlap: "Thừa Thiên Huế" is one mention, not two.
        """
        if not text:
            return []
        accented = not text.isascii() and has_diacritics(text)
        matcher = self._accented if accented else self._folded
        cased = _prepare(unicodedata.normalize("NFC", text))
        lowered = _lower_same_length(cased)
        # A text with no capitals at all (a typed query) cannot tell names from
        # words by case, so it gets the benefit of the doubt.
        check_case = accented and cased != lowered
        found: dict[str, None] = {}
        for match in matcher.pattern.finditer(lowered):
            key = match.group("name")
            target = matcher.targets[key]
            if target is None:
                continue
            if match.group("prefix") is None and key in self._prefixed_only:
                continue
            if (
                check_case
                and key in self._capitalised_only
                and not _proper_noun_at(cased, match.start("name"), match.end("name"))
            ):
                continue
            found.setdefault(target, None)
        return list(found)

    def get(self, name: str) -> Province | None:
        """The unit any alias, capital or spelling names; None if it names none."""
        key = _key(name)
        bare_key = _LEADING_PREFIX_RE.sub("", key)
        for candidate in (key, bare_key):
            target = self._accented.targets.get(candidate)
            if target is not None:
                return self._provinces[target]
        for candidate in (fold(key), fold(bare_key)):
            target = self._folded.targets.get(candidate)
            if target is not None:
                return self._provinces[target]
        return None

    def successor(self, name: str) -> str | None:
        """The post-1/7/2025 unit a name belongs to (itself when it survived)."""
        province = self.get(name)
        return province.merged_into if province else None

    def display_name(self, name: str) -> str:
        """The name with its administrative prefix, for replies ("TP. Hải Phòng").

        Unknown names come back unchanged: the caller is usually echoing what
        a user typed.
        """
        province = self.get(name)
        if province is None:
            return name
        prefix = "TP." if province.kind == CITY else PROVINCE
        return f"{prefix} {province.name}"

    def merger_note(self, name: str) -> str | None:
        """"Hải Dương (nay thuộc TP. Hải Phòng)" for an old name; None for a current one.

        A unit that was only renamed reads "nay là" rather than "nay thuộc".
        """
        province = self.get(name)
        if province is None or province.is_current:
            return None
        verb = "là" if self._predecessor_count.get(province.merged_into) == 1 else "thuộc"
        return f"{province.name} (nay {verb} {self.display_name(province.merged_into)})"

    def related(self, name: str) -> set[str]:
        """The unit and its successor (one element when it survived; empty if unknown)."""
        province = self.get(name)
        return {province.name, province.merged_into} if province else set()

    def all_names(self) -> list[str]:
        """The 63 pre-merger units, north to south."""
        return list(self._pre_merger)

    def current_units(self) -> list[str]:
        """The 34 units in force since 1/7/2025, north to south."""
        return list(self._current)


def load_gazetteer() -> Gazetteer:
    """Build the gazetteer from the built-in tables (compiles regexes; keep the result)."""
    return Gazetteer(_PRE_MERGER_UNITS, _RENAMED_UNITS, _NOT_PROVINCES)
