"""Fetching a news page an admin linked to, without becoming a way into the server's own network.

The bot shows what it fetched to every user, so a link is a request made *from inside*
the deployment: to 127.0.0.1, to the cloud metadata address, to an intranet. Hence:

- the host is resolved here and every address it resolves to must be public (no loopback,
  private, link-local, multicast, reserved or unspecified address);
- the connection goes to the address that was checked (the URL's host is replaced by it;
  the Host header and TLS SNI keep the name, so certificates are still verified), and the
  peer of the open socket is checked again: a second DNS answer cannot swap it (rebinding);
- redirects are followed by hand, at most ``max_redirects``, each hop checked like the first;
- only http and https, on ports 80 and 443 unless the policy widens them;
- ``user:password@`` never leaves this module in a URL that is stored or shown.

Loopback can be allowed (``allow_loopback``) for tests that serve pages on 127.0.0.1; the
other private ranges never are.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from knowledge.errors import UserFacingError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses the name resolves to (tests inject their own).
Resolver = Callable[[str, int], Awaitable[list[str]]]

DEFAULT_PORTS = frozenset({80, 443})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET_RE = re.compile(rb"<meta[^>]{0,200}?charset", re.IGNORECASE)
_CHARSET_NAME_RE = re.compile(r"[A-Za-z0-9_.:\-]{1,40}")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MB = 1024 * 1024


class LinkError(UserFacingError):
    """A link the bot will not or cannot fetch, with a Vietnamese reason."""


async def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IP literals resolve to themselves)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class LinkPolicy:
    """Limits for one fetch; built from the bot's settings by the caller."""

    max_bytes: int
    timeout_seconds: float = 20.0
    max_redirects: int = 5
    # None: any port (a setting widens it); otherwise only these.
    ports: frozenset[int] | None = DEFAULT_PORTS
    # Test-only: pages served on 127.0.0.1 / ::1. Never the other private ranges.
    allow_loopback: bool = False
    resolver: Resolver = field(default=resolve_host, compare=False)


@dataclass(frozen=True)
class FetchedPage:
    """A news page fetched for ingesting: its final URL (after redirects, no credentials) and bytes."""

    url: str
    data: bytes


def strip_credentials(url: str) -> str:
    """``url`` without ``user:password@``: a source is stored and shown to every user."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def refused_address(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    """Whether a fetch may not go to ``address``: anything but a public unicast address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if allow_loopback and address.is_loopback:
        return False
    return (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def fetch_page(url: str, *, policy: LinkPolicy) -> FetchedPage:
    """Download a news page for ingesting: public addresses, http(s), HTML only, bounded in time and size.

    The whole exchange (every hop, connect, body) shares one deadline, so a server that
    trickles bytes cannot hold the admin's upload open.
    """
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            return await _follow(url, policy)
    except TimeoutError:
        shown = f"{policy.timeout_seconds:g}".replace(".", ",")
        raise LinkError(
            f"Trang web không phản hồi sau {shown} giây. Hãy thử lại sau, hoặc lưu trang thành tệp .html rồi gửi tệp.",
            f"timeout fetching {strip_credentials(url)}",
        ) from None


async def _follow(url: str, policy: LinkPolicy) -> FetchedPage:
    headers = {"User-Agent": "cdsbot/0.1 (news page ingest)", "Accept": "text/html,application/xhtml+xml"}
    # trust_env=False: a proxy would connect on our behalf to whatever the name resolves to there.
    async with httpx.AsyncClient(follow_redirects=False, timeout=policy.timeout_seconds, trust_env=False) as client:
        current = url
        for _hop in range(policy.max_redirects + 1):
            target, address = await _checked_target(current, policy)
            request = client.build_request(
                "GET",
                target.copy_with(host=str(address)),
                headers={**headers, "Host": target.netloc.decode("ascii").rsplit("@", 1)[-1]},
                extensions={"sni_hostname": target.host},
            )
            try:
                response = await client.send(request, stream=True)
            except httpx.TimeoutException:
                raise TimeoutError from None
            except httpx.HTTPError as exc:
                raise LinkError(
                    "Không kết nối được tới trang web. Hãy kiểm tra lại đường dẫn hoặc thử lại sau.",
                    f"fetching {strip_credentials(current)}: {exc!r}",
                ) from None
            try:
                _check_peer(response, address, policy)
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = urljoin(current, response.headers["location"])
                    continue
                _check_response(response, current)
                data = await _body(response, policy.max_bytes)
                return FetchedPage(url=strip_credentials(current), data=_with_charset(data, response.charset_encoding))
            except httpx.TimeoutException:
                raise TimeoutError from None
            except httpx.HTTPError as exc:
                raise LinkError(
                    "Không kết nối được tới trang web. Hãy kiểm tra lại đường dẫn hoặc thử lại sau.",
                    f"reading {strip_credentials(current)}: {exc!r}",
                ) from None
            finally:
                await response.aclose()
    raise LinkError("Trang web chuyển hướng quá nhiều lần.", f"more than {policy.max_redirects} redirects: {url}")


async def _checked_target(url: str, policy: LinkPolicy) -> tuple[httpx.URL, IPAddress]:
    """The URL to fetch and the one address to connect to, or LinkError saying why not."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise LinkError("Chỉ nhận đường dẫn bắt đầu bằng http:// hoặc https://.", f"not an http(s) link: {url!r}")
    try:
        target = httpx.URL(url)
        port = target.port or (443 if scheme == "https" else 80)
    except (httpx.InvalidURL, ValueError) as exc:
        raise LinkError("Đường dẫn không hợp lệ.", f"invalid url {strip_credentials(url)!r}: {exc}") from None
    if policy.ports is not None and port not in policy.ports:
        allowed = ", ".join(str(p) for p in sorted(policy.ports))
        raise LinkError(
            f"Chỉ tải trang web ở cổng {allowed} (cổng thường của http/https), không tải cổng {port}.",
            f"port {port} not allowed: {strip_credentials(url)}",
        )
    host = target.host
    try:
        resolved = [ipaddress.ip_address(a.split("%", 1)[0]) for a in await policy.resolver(host, port)]
    except (OSError, UnicodeError, ValueError) as exc:
        raise LinkError(
            f"Không tìm thấy máy chủ «{host}». Hãy kiểm tra lại đường dẫn.", f"resolving {host}: {exc!r}"
        ) from None
    if not resolved:
        raise LinkError(f"Không tìm thấy máy chủ «{host}». Hãy kiểm tra lại đường dẫn.", f"{host} has no address")
    refused = [a for a in resolved if refused_address(a, allow_loopback=policy.allow_loopback)]
    if refused:
        raise _internal(host, refused[0])
    return target, resolved[0]


def _internal(host: str, address: IPAddress) -> LinkError:
    return LinkError(
        "Không tải được: đường dẫn trỏ tới một địa chỉ nội bộ (máy chủ này hoặc mạng riêng), "
        "bot chỉ tải trang công khai trên Internet.",
        f"{host} is {address}, not a public address",
    )


def _check_peer(response: httpx.Response, expected: IPAddress, policy: LinkPolicy) -> None:
    """The socket's actual peer, checked again: what was resolved is not always what is connected."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        return  # the transport does not say (HTTP/2 is off, so this is not expected)
    address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
    if address != expected or refused_address(address, allow_loopback=policy.allow_loopback):
        raise _internal(str(response.request.url.host), address)


def _check_response(response: httpx.Response, url: str) -> None:
    status = response.status_code
    shown = strip_credentials(url)
    if status in (404, 410):
        raise LinkError(
            f"Trang web trả về lỗi {status}: không tìm thấy bài viết. Hãy kiểm tra lại đường dẫn.",
            f"HTTP {status} for {shown}",
        )
    if status >= 300:
        raise LinkError(
            f"Trang web trả về lỗi {status}, không tải được bài viết. Hãy thử lại sau.",
            f"HTTP {status} for {shown}",
        )
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES:
        kind = media_type or "không rõ"
        raise LinkError(
            f"Đường dẫn không trỏ tới một trang web (loại nội dung: {kind}). "
            "Nếu đó là tệp văn bản (.pdf, .docx…), hãy tải về rồi gửi tệp cho bot.",
            f"content-type {media_type!r} for {shown}",
        )


async def _body(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(int(declared), max_bytes)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise _too_big(len(body), max_bytes)
    return bytes(body)


def _too_big(size: int, limit: int) -> LinkError:
    shown = f"{limit / _MB:.1f}".removesuffix(".0").replace(".", ",")
    return LinkError(f"Trang web quá lớn (trên {shown} MB), không tải về.", f"page of {size} bytes > {limit}")


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
