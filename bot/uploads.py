"""What an admin sends besides the file itself: caption metadata, links to news pages.

Both are user input from Telegram, so both end in :class:`UploadInputError`
(a Vietnamese message for the admin, English detail for the log) and never
in anything else: the handlers show ``user_message`` and store nothing.

Captions are ``key: value`` lines in any order. Keys are compared without
diacritics and case, because admins type on phones and often without a
Vietnamese keyboard ("tieu de: …" must work as well as "Tiêu đề: …").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from urllib.parse import urlsplit

from bot.render.answers import shorten
from index.text import fold
from knowledge.control_chars import strip_control_chars
from knowledge.documents import links
from knowledge.documents.links import DEFAULT_PORTS, FetchedPage, LinkError, LinkPolicy
from knowledge.documents.metadata import parse_user_date
from knowledge.documents.prepare import MAX_TITLE_CHARS
from knowledge.documents.titles import shorten_title
from knowledge.errors import UserFacingError
from knowledge.provinces import Gazetteer

# Telegram's public Bot API lets a bot download files up to 20 MB with getFile;
# bigger files need a self-hosted Bot API server, so no setting can raise this.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
LINK_TIMEOUT_SECONDS = 20.0
_MB = 1024 * 1024
# How much of a line the admin wrote is quoted back in an error.
_QUOTE_CHARS = 60
# Dates outside this range are typos ("27/03/0223"), not publication dates.
_FIRST_YEAR, _LAST_YEAR = 1945, 2100

CAPTION_HELP = (
    "Chú thích (không bắt buộc), mỗi dòng một mục, thứ tự tuỳ ý:\n"
    "tiêu đề: …\nnguồn: …\nngày: dd/mm/yyyy\ntỉnh: Hải Dương, Bắc Ninh"
)

TITLE, SOURCE, PUBLISHED, PROVINCES = "title", "source", "published", "provinces"
# Folded (no diacritics, lower case, single spaces) key → field.
_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "tieu de": TITLE,
        "ten": TITLE,
        "ten tai lieu": TITLE,
        "title": TITLE,
        "nguon": SOURCE,
        "source": SOURCE,
        "ngay": PUBLISHED,
        "ngay dang": PUBLISHED,
        "ngay ban hanh": PUBLISHED,
        "date": PUBLISHED,
        "tinh": PROVINCES,
        "tinh thanh": PROVINCES,
        "tinh/thanh": PROVINCES,
        "tinh/thanh pho": PROVINCES,
        "dia phuong": PROVINCES,
        "province": PROVINCES,
    }
)
_KEY_NAMES: Mapping[str, str] = MappingProxyType(
    {TITLE: "tiêu đề", SOURCE: "nguồn", PUBLISHED: "ngày", PROVINCES: "tỉnh"}
)
# A key is a short run of letters, spaces and "/" before the first colon
# (ASCII or full-width); the value may contain colons ("Kế hoạch: …", URLs).
_LINE_RE = re.compile(r"^\s*([^\W\d_][^:：]{0,24}?)\s*[:：]\s*(.*?)\s*$")
_PROVINCE_SPLIT_RE = re.compile(r"\s*(?:[,;]|\bvà\b|\bva\b)\s*", re.IGNORECASE)
_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)


class UploadInputError(UserFacingError):
    """A caption, correction or link the bot cannot use, with a message saying why."""


@dataclass(frozen=True)
class UploadMetadata:
    """What an admin stated about a document; None / empty means "detect it"."""

    title: str | None = None
    source: str | None = None
    published: date | None = None
    provinces: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.title or self.source or self.published or self.provinces)


# ------------------------------------------------------------------ captions
def parse_caption(text: str | None, gazetteer: Gazetteer) -> UploadMetadata:
    """Metadata from a caption or a correction message.

    A caption with no ``key: value`` line at all is not metadata (people
    write "gửi anh bản kế hoạch" under files) and is ignored. Once a line
    *is* metadata, every other line must be too: a half-understood caption
    would store a document with metadata the admin did not mean.
    """
    text = strip_control_chars(text)
    if not text or not text.strip():
        return UploadMetadata()
    lines = [line for line in text.splitlines() if line.strip()]
    parsed: list[tuple[str, str, str] | None] = [_caption_line(line) for line in lines]
    if all(item is None for item in parsed):
        return UploadMetadata()
    values: dict[str, str] = {}
    for line, item in zip(lines, parsed):
        if item is None:
            raise UploadInputError(
                f"Không hiểu dòng «{shorten(line.strip(), _QUOTE_CHARS)}» trong chú thích.\n{CAPTION_HELP}",
                f"unrecognised caption line {line!r}",
            )
        field, key, value = item
        if field in values:
            raise UploadInputError(
                f"Chú thích có hai dòng «{_KEY_NAMES[field]}»; hãy giữ một dòng.",
                f"duplicate caption key {key!r}",
            )
        if not value:
            raise UploadInputError(
                f"Dòng «{key}» chưa có nội dung.\n{CAPTION_HELP}", f"empty caption value for {key!r}"
            )
        values[field] = value
    return UploadMetadata(
        title=shorten_title(values[TITLE], MAX_TITLE_CHARS) if TITLE in values else None,
        source=values.get(SOURCE),
        published=_caption_date(values[PUBLISHED]) if PUBLISHED in values else None,
        provinces=_caption_provinces(values[PROVINCES], gazetteer) if PROVINCES in values else (),
    )


def is_metadata_text(text: str | None) -> bool:
    """Whether every non-empty line of a message is a ``key: value`` line we know."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return bool(lines) and all(_caption_line(line) is not None for line in lines)


def _caption_line(line: str) -> tuple[str, str, str] | None:
    """(field, key as typed, value) for a metadata line; None for anything else."""
    match = _LINE_RE.match(line)
    if match is None:
        return None
    key = match.group(1).strip()
    field = _KEYS.get(" ".join(fold(key).lower().split()))
    return None if field is None else (field, key, match.group(2))


def _caption_date(value: str) -> date:
    published = parse_user_date(value)
    if published is None or not _FIRST_YEAR <= published.year <= _LAST_YEAR:
        raise UploadInputError(
            f"Ngày «{shorten(value, _QUOTE_CHARS)}» không hợp lệ. Hãy ghi ngày có thật theo dạng dd/mm/yyyy, ví dụ 27/03/2023. "
            "Tài liệu chưa được lưu.",
            f"impossible caption date {value!r}",
        )
    return published


def _caption_provinces(value: str, gazetteer: Gazetteer) -> tuple[str, ...]:
    names: list[str] = []
    for part in _PROVINCE_SPLIT_RE.split(value):
        if not part.strip():
            continue
        province = gazetteer.get(part.strip())
        if province is None:
            raise UploadInputError(
                f"Không nhận ra tỉnh/thành phố «{shorten(part.strip(), _QUOTE_CHARS)}». "
                "Hãy ghi tên tỉnh, cách nhau bằng dấu phẩy, ví dụ: tỉnh: Hải Dương, Bắc Ninh.",
                f"unknown province {part!r}",
            )
        if province.name not in names:
            names.append(province.name)
    return tuple(names)


# ------------------------------------------------------------------ sizes
def megabytes(size: int) -> str:
    """A size the Vietnamese way, with a decimal comma: "20", "25,3"."""
    return f"{size / _MB:.1f}".removesuffix(".0").replace(".", ",")


def check_upload_size(size: int | None, limit: int) -> None:
    """Refuse a file before downloading it: over our limit, or over what Telegram lets bots download."""
    if size is None:
        return
    if size > limit:
        raise UploadInputError(
            f"Tệp quá lớn ({megabytes(size)} MB), giới hạn là {megabytes(limit)} MB.",
            f"{size} bytes > setting {limit}",
        )
    if size > TELEGRAM_DOWNLOAD_LIMIT:
        raise UploadInputError(
            f"Tệp quá lớn ({megabytes(size)} MB): Telegram chỉ cho bot tải tệp tới "
            f"{megabytes(TELEGRAM_DOWNLOAD_LIMIT)} MB. Hãy chia nhỏ tệp hoặc gửi đường dẫn tới bài viết.",
            f"{size} bytes > Telegram getFile limit",
        )


# ------------------------------------------------------------------ links
def link_in(text: str | None) -> str | None:
    """The URL when a message is nothing but one http(s) link, else None."""
    value = strip_control_chars(text or "").strip()
    if " " in value or "\n" in value or not _URL_RE.fullmatch(value):
        return None
    parts = urlsplit(value)
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


async def fetch_page(
    url: str,
    *,
    max_bytes: int,
    timeout: float | None = None,
    ports: frozenset[int] | None = DEFAULT_PORTS,
    allow_loopback: bool = False,
) -> FetchedPage:
    """Download a news page for ingesting (see knowledge/documents/links.py for what is refused)."""
    if link_in(url) is None:
        raise UploadInputError("Chỉ nhận đường dẫn bắt đầu bằng http:// hoặc https://.", f"not a link: {url!r}")
    policy = LinkPolicy(
        max_bytes=max_bytes,
        timeout_seconds=LINK_TIMEOUT_SECONDS if timeout is None else timeout,
        ports=ports,
        allow_loopback=allow_loopback,
    )
    try:
        return await links.fetch_page(url, policy=policy)
    except LinkError as exc:
        raise UploadInputError(exc.user_message, exc.detail) from None
