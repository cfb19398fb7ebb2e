"""What an admin sends besides the file itself: caption metadata, links to news pages.

Both are user input from Telegram, so both end in :class:`UploadInputError`
(a Vietnamese message for the admin, English detail for the log) and never
in anything else: the handlers show ``user_message`` and store nothing.

Captions are ``key: value`` lines in any order. Keys are compared without
diacritics and case, because admins type on phones and often without a
Vietnamese keyboard ("tieu de: …" must work as well as "Tiêu đề: …").
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from urllib.parse import urlsplit

import httpx

from index.text import fold
from knowledge.documents.metadata import parse_user_date
from knowledge.errors import UserFacingError
from knowledge.documents.titles import shorten_title
from knowledge.library import MAX_TITLE_CHARS
from knowledge.provinces import Gazetteer

# Telegram's public Bot API lets a bot download files up to 20 MB with getFile;
# bigger files need a self-hosted Bot API server, so no setting can raise this.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
LINK_TIMEOUT_SECONDS = 20.0
_MB = 1024 * 1024
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
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET_RE = re.compile(rb"<meta[^>]{0,200}?charset", re.IGNORECASE)
_CHARSET_NAME_RE = re.compile(r"[A-Za-z0-9_.:\-]{1,40}")


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


@dataclass(frozen=True)
class FetchedPage:
    """A news page fetched for ingesting: its final URL (after redirects) and bytes."""

    url: str
    data: bytes


# ------------------------------------------------------------------ captions
def parse_caption(text: str | None, gazetteer: Gazetteer) -> UploadMetadata:
    """Metadata from a caption or a correction message.

    A caption with no ``key: value`` line at all is not metadata (people
    write "gửi anh bản kế hoạch" under files) and is ignored. Once a line
    *is* metadata, every other line must be too: a half-understood caption
    would store a document with metadata the admin did not mean.
    """
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
                f"Không hiểu dòng «{_shorten(line.strip())}» trong chú thích.\n{CAPTION_HELP}",
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
            f"Ngày «{_shorten(value)}» không hợp lệ. Hãy ghi ngày có thật theo dạng dd/mm/yyyy, ví dụ 27/03/2023. "
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
                f"Không nhận ra tỉnh/thành phố «{_shorten(part.strip())}». "
                "Hãy ghi tên tỉnh, cách nhau bằng dấu phẩy, ví dụ: tỉnh: Hải Dương, Bắc Ninh.",
                f"unknown province {part!r}",
            )
        if province.name not in names:
            names.append(province.name)
    return tuple(names)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    value = (text or "").strip()
    if " " in value or "\n" in value or not _URL_RE.fullmatch(value):
        return None
    parts = urlsplit(value)
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


async def fetch_page(url: str, *, max_bytes: int, timeout: float | None = None) -> FetchedPage:
    """Download a news page for ingesting: http(s) only, HTML only, bounded in time and size.

    The whole exchange (connect, redirects, body) shares one deadline, so a
    server that trickles bytes cannot hold the admin's upload open.
    """
    if link_in(url) is None:
        raise UploadInputError("Chỉ nhận đường dẫn bắt đầu bằng http:// hoặc https://.", f"not a link: {url!r}")
    seconds = LINK_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        async with asyncio.timeout(seconds):
            return await _download(url, max_bytes=max_bytes, seconds=seconds)
    except TimeoutError:
        shown = f"{seconds:g}".replace(".", ",")
        raise UploadInputError(
            f"Trang web không phản hồi sau {shown} giây. Hãy thử lại sau, hoặc lưu trang thành tệp .html rồi gửi tệp.",
            f"timeout fetching {url}",
        ) from None


async def _download(url: str, *, max_bytes: int, seconds: float) -> FetchedPage:
    headers = {"User-Agent": "cdsbot/0.1 (news page ingest)", "Accept": "text/html,application/xhtml+xml"}
    try:
        async with httpx.AsyncClient(follow_redirects=True, max_redirects=5, timeout=seconds) as client:
            async with client.stream("GET", url, headers=headers) as response:
                _check_response(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_big(int(declared), max_bytes)
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise _too_big(len(body), max_bytes)
                return FetchedPage(url=str(response.url), data=_with_charset(bytes(body), response.charset_encoding))
    except httpx.TimeoutException:
        raise TimeoutError from None
    except httpx.TooManyRedirects:
        raise UploadInputError("Trang web chuyển hướng quá nhiều lần.", f"too many redirects: {url}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise UploadInputError("Đường dẫn không hợp lệ.", f"invalid url {url}: {exc}") from None
    except httpx.HTTPError as exc:
        raise UploadInputError(
            "Không kết nối được tới trang web. Hãy kiểm tra lại đường dẫn hoặc thử lại sau.",
            f"fetching {url}: {exc!r}",
        ) from None


def _check_response(response: httpx.Response) -> None:
    status = response.status_code
    if status == 404 or status == 410:
        raise UploadInputError(
            f"Trang web trả về lỗi {status}: không tìm thấy bài viết. Hãy kiểm tra lại đường dẫn.",
            f"HTTP {status} for {response.url}",
        )
    if status >= 400:
        raise UploadInputError(
            f"Trang web trả về lỗi {status}, không tải được bài viết. Hãy thử lại sau.",
            f"HTTP {status} for {response.url}",
        )
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES:
        shown = media_type or "không rõ"
        raise UploadInputError(
            f"Đường dẫn không trỏ tới một trang web (loại nội dung: {shown}). "
            "Nếu đó là tệp văn bản (.pdf, .docx…), hãy tải về rồi gửi tệp cho bot.",
            f"content-type {media_type!r} for {response.url}",
        )


def _too_big(size: int, limit: int) -> UploadInputError:
    return UploadInputError(
        f"Trang web quá lớn (trên {megabytes(limit)} MB), không tải về.",
        f"page of {size} bytes > {limit}",
    )


def _with_charset(data: bytes, charset: str | None) -> bytes:
    """Carry the HTTP header's charset into the page when the markup declares none.

    The HTML parser reads the declaration from the markup (that is all a saved
    file has); a server that states the charset only in its header would
    otherwise be decoded by guessing.
    """
    if not charset or not _CHARSET_NAME_RE.fullmatch(charset) or charset.lower() in ("utf-8", "utf8"):
        return data
    if _CHARSET_RE.search(data[:4096]):
        return data
    return f'<meta charset="{charset}">'.encode("ascii") + data
