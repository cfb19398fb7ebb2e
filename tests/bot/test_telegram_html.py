"""The HTML splitter: every part parses under Telegram's rules and shows at most 4096 characters.

The property test builds messages the way our renderers do (escaped text inside allowed,
nested tags, links with long URLs) from pieces that stress the cuts: long runs without a
space, entities such as ``&amp;``, emoji that count twice in UTF-16, newlines.
"""

from __future__ import annotations

import html

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render.html import TELEGRAM_LIMIT, split_message
from bot.render.telegram_html import utf16_length
from tests.fake_telegram import parse_telegram_html

WORDS = ["Đoạn", "chuyển", "đổi", "số", "TT&TT", "KH&CN", "<b>", "a<b", "x>y", '"quoted"', "📄", "🇻🇳", "1.000", "—"]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", ""]


@st.composite
def runs(draw: st.DrawFn) -> str:
    """A piece of visible text: words and separators, or one long run with no space at all."""
    if draw(st.booleans()):
        word = draw(st.sampled_from(WORDS + ["x", "&", "ạ"]))
        return word * draw(st.integers(1, 3000))
    pieces = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), min_size=1, max_size=30))
    return "".join(w + s for w, s in pieces)


@st.composite
def nodes(draw: st.DrawFn, depth: int = 0) -> str:
    """Telegram HTML for one node: escaped text, or an allowed tag around more nodes."""
    kind = draw(st.sampled_from(["text", "text", "b", "i", "code", "a", "u", "spoiler", "blockquote"]))
    if kind == "text" or depth >= 3:
        return html.escape(draw(runs()), quote=False)
    inner = "".join(draw(st.lists(nodes(depth + 1), min_size=1, max_size=3)))
    if kind == "a":
        url = "https://example.gov.vn/tin-tuc?id=1&x=" + "y" * draw(st.integers(0, 3800))
        return f'<a href="{html.escape(url, quote=True)}">{inner}</a>'
    if kind == "spoiler":
        return f'<span class="tg-spoiler">{inner}</span>'
    return f"<{kind}>{inner}</{kind}>"


@st.composite
def messages(draw: st.DrawFn) -> str:
    """A message repeated or cut to a drawn visible length between 1 and 20 000 characters."""
    target = draw(st.integers(1, 20_000))
    body = "".join(draw(st.lists(nodes(), min_size=1, max_size=6)))
    while len(parse_telegram_html(body)) < target:
        body += "\n\n" + body
    return body


def squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(messages())
def test_every_part_parses_and_fits_and_nothing_is_lost(message: str) -> None:
    parts = split_message(message)
    shown = [parse_telegram_html(part) for part in parts]  # raises where Telegram would refuse
    for text in shown:
        assert 0 < utf16_length(text) <= TELEGRAM_LIMIT
        assert text.strip()
    assert squeeze("".join(shown)) == squeeze(parse_telegram_html(message))


def test_a_cut_never_falls_inside_a_long_source_link() -> None:
    url = "https://baochinhphu.vn/" + "a" * 3800
    message = "Trích dẫn " * 400 + f'<a href="{html.escape(url)}">{html.escape(url)}</a>'
    parts = split_message(message)
    assert len(parts) > 1
    for part in parts:
        parse_telegram_html(part)
    assert any(f'<a href="{url}">' in part for part in parts[1:])


def test_a_cut_never_falls_through_an_entity_in_a_run_without_spaces() -> None:
    message = "TT&amp;TT" * 1500
    parts = split_message(message)
    assert len(parts) > 1
    assert "".join(parse_telegram_html(part) for part in parts) == "TT&TT" * 1500


def test_bold_heading_of_a_passage_without_spaces_stays_bold_in_each_part() -> None:
    message = "<b>Đoạn 1</b>\n\n<b>" + "ạ" * 9000 + "</b>"
    parts = split_message(message)
    assert len(parts) >= 3
    assert parts[0] == "<b>Đoạn 1</b>"
    assert all(part.startswith("<b>") and part.endswith("</b>") for part in parts)


def test_emoji_count_twice_towards_the_limit() -> None:
    parts = split_message("📄" * 3000)
    assert [utf16_length(parse_telegram_html(part)) for part in parts] == [4096, 1904]
