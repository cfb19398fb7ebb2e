"""Link fetching refuses internal addresses, at every hop, and never publishes credentials.

Pages are served on 127.0.0.1 by a small aiohttp server; a test that needs to reach it says
so with ``allow_loopback=True`` (the test-only switch), and a resolver stands in for DNS
where a test needs a name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web

from knowledge.documents.links import (
    LinkError,
    LinkPolicy,
    fetch_page,
    refused_address,
    strip_credentials,
)

PAGE = "<html><head><title>Tin</title></head><body><p>Điện Biên mở 250 điểm thanh toán.</p></body></html>"


@dataclass
class Site:
    base: str
    port: int
    hosts: list[str]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    hosts: list[str] = []

    async def page(request: web.Request) -> web.Response:
        hosts.append(request.headers.get("Host", ""))
        return web.Response(text=PAGE, content_type="text/html")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop?n={int(request.query.get('n', '0')) + 1}")

    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop", loop)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    yield Site(f"http://127.0.0.1:{port}", port, hosts)
    await runner.cleanup()


async def refusal(url: str, policy: LinkPolicy) -> str:
    """The Vietnamese reason the fetch was refused."""
    with pytest.raises(LinkError) as refused:
        await fetch_page(url, policy=policy)
    return refused.value.user_message


def policy(**overrides: object) -> LinkPolicy:
    values: dict[str, object] = {"max_bytes": 1_000_000, "timeout_seconds": 5.0, "ports": None}
    values.update(overrides)
    return LinkPolicy(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert refused_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "203.113.131.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not refused_address(ipaddress.ip_address(address))


def test_loopback_switch_allows_loopback_and_nothing_else() -> None:
    assert not refused_address(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert refused_address(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert refused_address(ipaddress.ip_address("169.254.169.254"), allow_loopback=True)


async def test_loopback_is_refused_by_default(site: Site) -> None:
    assert "địa chỉ nội bộ" in await refusal(f"{site.base}/page", policy())
    assert site.hosts == []


async def test_a_name_that_resolves_to_loopback_is_refused(site: Site) -> None:
    assert "địa chỉ nội bộ" in await refusal(f"http://localhost:{site.port}/page", policy())
    assert site.hosts == []


@pytest.mark.parametrize("internal", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/", "http://[fe80::1]/"])
async def test_a_redirect_to_an_internal_address_is_refused(site: Site, internal: str) -> None:
    """The first hop is allowed (loopback switched on for the test server); the redirect's target is not."""
    allowed_hop = policy(allow_loopback=True, ports=frozenset({site.port, 80}))
    assert "địa chỉ nội bộ" in await refusal(f"{site.base}/redirect?to={internal}", allowed_hop)


async def test_more_than_five_redirects_are_refused(site: Site) -> None:
    assert "chuyển hướng quá nhiều lần" in await refusal(f"{site.base}/loop", policy(allow_loopback=True))


async def test_five_redirects_are_followed(site: Site) -> None:
    chain = f"{site.base}/page"
    for _ in range(5):
        chain = f"{site.base}/redirect?to={chain}"
    # No escaping needed: each hop's Location is the rest of the URL after "to=".
    page = await fetch_page(chain, policy=policy(allow_loopback=True))
    assert b"250" in page.data


async def test_only_ports_80_and_443_unless_widened(site: Site) -> None:
    only_web_ports = policy(allow_loopback=True, ports=frozenset({80, 443}))
    assert f"không tải cổng {site.port}" in await refusal(f"{site.base}/page", only_web_ports)
    assert site.hosts == []


@pytest.mark.parametrize("url", ["ftp://example.com/a.html", "file:///etc/passwd", "gopher://example.com/"])
async def test_only_http_and_https(url: str) -> None:
    assert "http:// hoặc https://" in await refusal(url, policy())


async def test_the_connection_goes_to_the_address_that_was_checked(site: Site) -> None:
    """The name is resolved once, checked, and that address is connected to (no second lookup to rebind)."""
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"] if len(lookups) == 1 else ["10.0.0.1"]

    page = await fetch_page(
        f"http://tin.example.vn:{site.port}/page", policy=policy(allow_loopback=True, resolver=resolver)
    )
    assert b"250" in page.data
    assert lookups == ["tin.example.vn"] and site.hosts == [f"tin.example.vn:{site.port}"]


async def test_a_name_resolving_to_one_internal_address_among_public_ones_is_refused(site: Site) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "192.168.0.10"]

    assert "địa chỉ nội bộ" in await refusal("http://tin.example.vn/page", policy(resolver=resolver))


async def test_credentials_are_not_kept_in_the_fetched_url(site: Site) -> None:
    url = f"http://admin:secret@127.0.0.1:{site.port}/page"
    page = await fetch_page(url, policy=policy(allow_loopback=True))
    assert page.url == f"{site.base}/page"


def test_strip_credentials_keeps_everything_else() -> None:
    assert strip_credentials("https://u:p@tin.vn:8443/a/b?c=1#d") == "https://tin.vn:8443/a/b?c=1#d"
    assert strip_credentials("https://tin.vn/a@b") == "https://tin.vn/a@b"
