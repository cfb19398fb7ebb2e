"""Turning the bytes of an uploaded text file into Unicode.

Vietnamese offices still produce text in four shapes: UTF-8 (with or without
a BOM), UTF-16 ("Unicode" in Notepad and Word's "Save as"), Windows-1258, and
the pre-Unicode font encodings TCVN3 (ABC, fonts named .VnTime) and VNI
(fonts named VNI-Times). The last two are not encodings Python knows: the
bytes are Windows-1252 characters that only look Vietnamese in the matching
font, so "Việt Nam" arrives as "ViÖt Nam" (TCVN3) or "Vieät Nam" (VNI) --
either as raw bytes or already "converted" to UTF-8 by a tool that did not
know the font. We convert both with tables, and choose between candidate
decodings by asking which one reads as Vietnamese syllables.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType

from knowledge.documents.parsers.errors import ParseError

MSG_NOT_TEXT = (
    "Tệp không phải văn bản thuần (có vẻ là tệp nhị phân bị đổi đuôi). "
    "Hãy tải lên tệp văn bản thật sự."
)
MSG_LEGACY = (
    "Tệp có vẻ dùng bảng mã cũ (TCVN3/ABC hoặc VNI) nên không đọc được chính xác. "
    "Hãy chuyển sang Unicode (ví dụ bằng công cụ chuyển mã của Unikey: bảng mã nguồn "
    "TCVN3 hoặc VNI, bảng mã đích Unicode), lưu dưới dạng UTF-8 rồi tải lên lại."
)
MSG_UNKNOWN = (
    "Không nhận dạng được bảng mã của tệp. Hãy lưu lại tệp dưới dạng văn bản "
    "Unicode (UTF-8) rồi tải lên lại."
)

# Longest BOM first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Magic numbers of files people rename to .txt by mistake, so the message can
# say what the file really is.
_BINARY_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "tệp PDF (hãy đổi đuôi thành .pdf)"),
    (b"PK\x03\x04", "tệp nén ZIP hoặc Word .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tệp Word/Excel cũ (.doc/.xls)"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "tệp nén RAR"),
    (b"7z\xbc\xaf", "tệp nén 7z"),
)

# Bytes that never occur in text: C0 controls other than whitespace and the
# DOS end-of-file mark.
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\r\f\v\x1a") + b"\x7f"
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x84\x86-\x9f]")
_MAX_CONTROL_RATIO = 0.02

# Detection reads a sample: enough for thousands of words, cheap on 20 MB files.
_SAMPLE_CHARS = 100_000
# A decoding is trusted when this share of its non-ASCII words are valid
# Vietnamese syllables; genuine text scores above 0.95, wrong decodings of
# Vietnamese below 0.5.
_CONFIDENT = 0.75
_PLAUSIBLE = 0.4


def _windows_latin_table() -> str:
    """cp1252, with its five undefined bytes passed through as Latin-1.

    Legacy-font documents were written on Windows, so their bytes are the
    cp1252 characters the font re-draws; a strict cp1252 codec would choke on
    the five holes.
    """
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_WINDOWS_LATIN = _windows_latin_table()

# TCVN3 (ABC) has precomposed lowercase letters only; capitals with tone marks
# come from separate "H" fonts (.VnTimeH) that re-draw the lowercase codes.
_TCVN3_BYTES = bytes.fromhex(
    "a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae"
    " b5 b6 b7 b8 b9 bb bc bd be c6 c7 c8 c9 ca cb"
    " cc ce cf d0 d1 d2 d3 d4 d5 d6 d7 d8 dc dd de"
    " df e1 e2 e3 e4 e5 e6 e7 e8 e9 ea eb ec ed ee"
    " ef f1 f2 f3 f4 f5 f6 f7 f8 f9 fa fb fc fd fe"
)
_TCVN3_CHARS = (
    "ĂÂÊÔƠƯĐăâêôơưđ"
    "àảãáạằẳẵắặầẩẫấậ"
    "èẻẽéẹềểễếệìỉĩíị"
    "òỏõóọồổỗốộờởỡớợ"
    "ùủũúụừửữứựỳỷỹýỵ"
)
_TCVN3_TRANSLATION: Mapping[int, str] = MappingProxyType(
    {byte: char for byte, char in zip(_TCVN3_BYTES, _TCVN3_CHARS, strict=True)}
)

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_TONE_MARKS = frozenset((_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT))
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"


def _vni_table() -> Mapping[str, str]:
    """VNI writes most letters as a base letter plus one "diacritic" byte.

    The byte after a vowel carries the tone, or the shape mark together with
    the tone (â, ê, ô; ă). ơ, ư, đ and the i's are single bytes. Capitals use
    the capital forms of the diacritic bytes; we also accept the lowercase
    ones after a capital, which some converters produce.
    """
    tones = {"": "", _ACUTE: "ùÙ", _GRAVE: "øØ", _HOOK: "ûÛ", _TILDE: "õÕ", _DOT: "ïÏ"}
    with_circumflex = {"": "âÂ", _ACUTE: "áÁ", _GRAVE: "àÀ", _HOOK: "åÅ", _TILDE: "ãÃ", _DOT: "äÄ"}
    with_breve = {"": "êÊ", _ACUTE: "éÉ", _GRAVE: "èÈ", _HOOK: "úÚ", _TILDE: "üÜ", _DOT: "ëË"}
    table: dict[str, str] = {}

    def add(base_lower: str, base_key: str, marks: str, codes: dict[str, str]) -> None:
        for tone, (lower_code, upper_code) in ((t, c) for t, c in codes.items() if c):
            letter = unicodedata.normalize("NFC", base_lower + marks + tone)
            table[base_key.lower() + lower_code] = letter
            table[base_key.upper() + upper_code] = letter.upper()
            table[base_key.upper() + lower_code] = letter.upper()

    for vowel in "aeouy":
        add(vowel, vowel, "", tones)
    for vowel in "aeo":
        add(vowel, vowel, _CIRCUMFLEX, with_circumflex)
    add("a", "a", _BREVE, with_breve)
    # ơ and ư are themselves single bytes (ô, ö) that take the tone bytes.
    for base, lower_key, upper_key in (("o", "ô", "Ô"), ("u", "ö", "Ö")):
        for tone, code in tones.items():
            if not code:
                continue
            letter = unicodedata.normalize("NFC", base + _HORN + tone)
            table[lower_key + code[0]] = letter
            table[upper_key + code[1]] = letter.upper()
            table[upper_key + code[0]] = letter.upper()
    singles = {
        "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
        "ì": "ì", "Ì": "Ì", "í": "í", "Í": "Í", "æ": "ỉ", "Æ": "Ỉ",
        "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
    }
    table.update(singles)
    return MappingProxyType(table)


_VNI_TABLE = _vni_table()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI_TABLE, key=len, reverse=True)))

# What a Vietnamese syllable looks like once its tone mark is removed:
# initial consonant, vowel nucleus (with glides), final consonant. "oo"
# ("xoong") is left out on purpose: it is rare in real text but is exactly
# what VNI's "oâ" (ô) turns into when misread as TCVN3.
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "iêu|yêu|oai|oao|oay|oeo|uây|uôi|ươi|ươu|uya|uyê|uyu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|"
    "ưa|ưi|ươ|ưu|yê|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE_RE = re.compile(rf"(?:{_ONSETS})?(?:{_NUCLEI})(?:ch|ng|nh|c|m|n|p|t)?")
# The same shapes with every mark dropped ("iê" -> "ie", "đ" -> "d"), for words typed without them.
_FOLDED_SYLLABLE_RE = re.compile(
    unicodedata.normalize("NFD", _SYLLABLE_RE.pattern.replace("đ", "d")).encode("ascii", "ignore").decode()
)
_ABBREVIATION_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZĐƯƠĂÂÊÔ")
# Words are runs between whitespace and ASCII punctuation or digits; legacy
# "letters" such as « ® ¸ are not ASCII, so they stay inside the words they spoil.
_WORD_SEPARATORS_RE = re.compile(r"[\s\x21-\x40\x5b-\x60\x7b-\x7e\u2010-\u206f]+")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether a word (with or without marks) is shaped like one Vietnamese syllable."""
    return _is_syllable(word)


def is_typed_syllable(word: str) -> bool:
    """Like `is_vietnamese_syllable`, but also true for a syllable typed without marks.

    Officials type fast: "viec", "nguoi" and "duoc" are Vietnamese words,
    not unknown names, even though no marked syllable is spelled that way.
    """
    return _is_syllable(word) or (word.isascii() and _FOLDED_SYLLABLE_RE.fullmatch(word.lower()) is not None)


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONE_MARKS for ch in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    return _SYLLABLE_RE.fullmatch(bare) is not None


# Words repeat: caching the verdict per word made encoding detection of a
# typical upload five times cheaper (issue 13, bench/ingest.py).
@functools.lru_cache(maxsize=1 << 16)
def _word_evidence(word: str) -> bool | None:
    """True/False: a Vietnamese/non-Vietnamese word; None: says nothing."""
    if word.isascii() or not any(ch.isalpha() for ch in word):
        return None
    # "HĐND", "ĐBSCL": abbreviations are not syllables but are not noise either.
    if set(word) <= _ABBREVIATION_CHARS:
        return None
    return _is_syllable(word)


def vietnamese_score(text: str) -> float | None:
    """Share of non-ASCII words that are valid Vietnamese syllables.

    None when the text has no such words (plain ASCII, numbers, symbols),
    which is no evidence for or against a decoding.
    """
    valid = total = 0
    for word in _WORD_SEPARATORS_RE.split(text[:_SAMPLE_CHARS]):
        evidence = _word_evidence(word)
        if evidence is None:
            continue
        total += 1
        valid += evidence
    return valid / total if total else None


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 codes (seen as cp1252 characters) to Unicode letters."""
    converted = text.translate(_TCVN3_TRANSLATION)
    lines = converted.split("\n")
    for i, (original, line) in enumerate(zip(text.split("\n"), lines)):
        ascii_letters = [ch for ch in original if ch.isascii() and ch.isalpha()]
        # A line typed in an uppercase .VnTimeH font: its ASCII letters are all
        # capitals but its accented letters came out lowercase.
        if len(ascii_letters) >= 3 and all(ch.isupper() for ch in ascii_letters):
            lines[i] = line.upper()
    return "\n".join(lines)


def vni_to_unicode(text: str) -> str:
    """Convert VNI letter + diacritic-byte sequences (seen as cp1252) to Unicode."""
    return _VNI_RE.sub(lambda match: _VNI_TABLE[match.group()], text)


LEGACY_CONVERTERS: Mapping[str, Callable[[str], str]] = MappingProxyType(
    {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}
)


def repair_legacy_text(text: str) -> tuple[str, str] | None:
    """Undo a legacy font encoding in text that was already decoded.

    Returns the converted text and "tcvn3"/"vni", or None when the text reads
    fine as it is. Raises ParseError when it clearly is legacy-font text but no
    table makes it read as Vietnamese.
    """
    base = vietnamese_score(text)
    if base is None or base >= 0.5:
        return None
    sample = text[:_SAMPLE_CHARS]
    scored = [
        (vietnamese_score(convert(sample)) or 0.0, name)
        for name, convert in LEGACY_CONVERTERS.items()
    ]
    score, name = max(scored, key=lambda item: item[0])
    if score >= _CONFIDENT and score > base + 0.25:
        return LEGACY_CONVERTERS[name](text), name
    if score >= _PLAUSIBLE and score > base:
        raise ParseError(MSG_LEGACY, f"legacy font encoding suspected ({name} scores {score:.2f})")
    return None


def sniff_binary_kind(data: bytes) -> str | None:
    """What a non-text file is, judging by its magic number, in Vietnamese."""
    return next((kind for magic, kind in _BINARY_KINDS if data.startswith(magic)), None)


def _not_text(data: bytes, detail: str) -> ParseError:
    kind = sniff_binary_kind(data)
    if kind is None:
        return ParseError(MSG_NOT_TEXT, detail)
    return ParseError(f"Tệp không phải văn bản thuần: đây là {kind}.", detail)


def _reject_control_heavy(text: str, data: bytes) -> None:
    # Binary data can decode "successfully" as UTF-16 (any byte pairs do) or,
    # when short, as UTF-8; real text has next to no control characters.
    sample = text[:_SAMPLE_CHARS]
    if len(_CONTROL_CHARS_RE.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        raise _not_text(data, "decoded text is full of control characters")


def _decode_with_bom(data: bytes) -> tuple[str, str] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None
    return None


def _decode_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM shows as NULs in every other byte.

    Vietnamese text is still mostly ASCII letters and spaces, whose high byte
    is zero, so at least a third of the pairs carry a NUL on the same side.
    """
    sample = data[:8192]
    if len(data) % 2 or len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even_nuls = sample[0::2].count(0) / pairs
    odd_nuls = sample[1::2].count(0) / pairs
    if odd_nuls >= 0.3 and even_nuls <= 0.05:
        codec = "utf-16-le"
    elif even_nuls >= 0.3 and odd_nuls <= 0.05:
        codec = "utf-16-be"
    else:
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def _decode_cp1258(data: bytes) -> str | None:
    # cp1258 writes tones as combining marks after the letter; NFC composes them.
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None


def _windows_latin(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _WINDOWS_LATIN)[0]


_BYTE_DECODERS: tuple[tuple[str, Callable[[bytes], str | None]], ...] = (
    ("cp1258", _decode_cp1258),
    ("tcvn3", lambda data: tcvn3_to_unicode(_windows_latin(data))),
    ("vni", lambda data: vni_to_unicode(_windows_latin(data))),
)


def _decode_single_byte(data: bytes) -> tuple[str, str]:
    """Choose between cp1258, TCVN3 and VNI for bytes that are not UTF-8."""
    sample = data[:_SAMPLE_CHARS]
    results: list[tuple[float, int, str]] = []
    undecided: list[str] = []
    for rank, (name, decode) in enumerate(_BYTE_DECODERS):
        decoded = decode(sample)
        if decoded is None:
            continue
        score = vietnamese_score(decoded)
        if score is None:
            undecided.append(name)
        else:
            # Earlier decoders win ties: cp1258 is a real codec, the others guesses.
            results.append((score, -rank, name))
    # cp1258 saying nothing ("HĐND" alone) beats a guess whose words are not Vietnamese.
    if "cp1258" in undecided and (not results or max(results)[0] < _PLAUSIBLE):
        if (text := _decode_cp1258(data)) is not None:
            return text, "cp1258"
    if not results:
        raise ParseError(MSG_UNKNOWN, "no single-byte decoding gives any words")
    score, _, name = max(results)
    if score >= _CONFIDENT:
        decoded = dict(_BYTE_DECODERS)[name](data)
        if decoded is not None:
            return decoded, name
    if name != "cp1258" and score >= _PLAUSIBLE:
        raise ParseError(MSG_LEGACY, f"legacy font encoding suspected ({name} scores {score:.2f})")
    raise ParseError(MSG_UNKNOWN, f"best single-byte decoding {name} scores {score:.2f}")


def decode_unicode(data: bytes) -> tuple[str, str] | None:
    """Decode data if it is unambiguously a Unicode encoding (BOM, UTF-16, UTF-8)."""
    for attempt in (_decode_with_bom, _decode_bomless_utf16):
        if (decoded := attempt(data)) is not None:
            return decoded
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return None


def _decode_damaged_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a truncated download, a bad copy).

    Legacy encodings decoded as UTF-8 fail on nearly every accented letter;
    a damaged UTF-8 file has many good multi-byte letters per bad byte, and
    losing one letter beats rejecting the file.
    """
    text = data.decode("utf-8", errors="replace")
    sample = text[:_SAMPLE_CHARS]
    bad = sample.count("\ufffd")
    good = sum(1 for ch in sample if ord(ch) > 0x7F) - bad
    if good < 20 * max(bad, 1):
        return None
    return unicodedata.normalize("NFC", text.replace("\ufffd", ""))


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode an uploaded text file; return the text and the encoding's name.

    Raises ParseError for binary data, for legacy-font text we cannot convert
    reliably, and for bytes no candidate encoding makes sense of.
    """
    if sniff_binary_kind(data) is not None:
        raise _not_text(data, "known binary magic number")
    decoded = decode_unicode(data)
    if decoded is not None:
        text, encoding = decoded
        _reject_control_heavy(text, data)
        repaired = repair_legacy_text(text)
        return repaired if repaired is not None else (unicodedata.normalize("NFC", text), encoding)
    if b"\x00" in data:
        raise _not_text(data, "NUL bytes outside UTF-16")
    sample = data[:_SAMPLE_CHARS]
    control_bytes = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if control_bytes > _MAX_CONTROL_RATIO * len(sample):
        raise _not_text(data, "invalid UTF-8 with many control bytes")
    damaged = _decode_damaged_utf8(data)
    if damaged is not None:
        return damaged, "utf-8"
    return _decode_single_byte(data)
