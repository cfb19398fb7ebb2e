"""/tiendo and /xephang: a province's progress card with its chart, and provinces ranked.

The numbers come from ``knowledge.progress``; this module words them and
says what to chart (``Reply.chart``); Telegram sends the chart as a photo,
``cdsbot chat`` writes it to a PNG file (``bot.render.chart`` draws it).

Buttons under the card carry ``td:<indicator index>:<province>`` (the
canonical province name; Telegram allows 64 bytes, the longest is ~45).
"""

from __future__ import annotations

from bot.conversation.replies import (
    UNUSABLE_BUTTON,
    Asker,
    ButtonResult,
    Keyboard,
    Reply,
    say,
)
from bot.render.answers import citation_line
from bot.render.chart import Chart
from bot.render.rich import Rich, bold, italic, text
from bot.services import Services
from knowledge.deadlines.queries import UnknownProvinceError
from knowledge.progress.questions import (
    IN_THE_BASE,
    IndicatorProgress,
    change_text,
    fact_citation,
    format_value,
    period_text,
    province_progress,
    ranking,
)
from knowledge.progress.store import FactView
from knowledge.progress.vocabulary import BY_KEY, Vocabulary

TIENDO_USAGE = "Cách dùng: /tiendo <tỉnh>, ví dụ /tiendo Hải Dương."
BUTTON_PREFIX = "td:"
_KEYS = list(BY_KEY)
_BUTTONS_PER_ROW = 2


# ------------------------------------------------------------------ /tiendo
def tiendo(services: Services, args: str, asker: Asker | None = None, *, indicator: str | None = None) -> Reply:
    """/tiendo <tỉnh>: the latest value of each indicator with its change and source, and a chart."""
    if not args.strip():
        return say(TIENDO_USAGE)
    library = services.library
    try:
        name, progress = province_progress(library.engine, library.gazetteer, args.strip())
    except UnknownProvinceError as exc:
        return say(f"{exc.user_message} {TIENDO_USAGE}")
    shown = library.gazetteer.merger_note(name) or name
    if not progress:
        return say(
            f"Chưa có số liệu chỉ số nào về {shown} {IN_THE_BASE}. "
            f"Bạn có thể hỏi bằng /hoi, ví dụ: /hoi Chuyển đổi số ở {name} đạt kết quả gì?"
        )
    chosen = _chosen(progress, indicator)
    return Reply(_card(shown, progress), _indicator_buttons(name, progress), chart=_chart(name, chosen, progress))


def press_indicator(services: Services, data: str, asker: Asker | None = None) -> ButtonResult:
    """A button under the card: the same province's chart for another indicator."""
    index, _, province = data.removeprefix(BUTTON_PREFIX).partition(":")
    if not index.isdigit() or int(index) >= len(_KEYS) or not province:
        return ButtonResult(toast=UNUSABLE_BUTTON)
    reply = tiendo(services, province, indicator=_KEYS[int(index)])
    if reply.chart is None:
        return ButtonResult(reply=reply)
    return ButtonResult(chart=reply.chart)


def _chosen(progress: list[IndicatorProgress], indicator: str | None) -> IndicatorProgress:
    by_key = {p.indicator: p for p in progress}
    if indicator in by_key:
        return by_key[indicator]
    # The DTI rank first; otherwise the indicator with the longest history.
    return by_key.get("dti_rank") or max(progress, key=lambda p: len(p.series))


def _card(shown: str, progress: list[IndicatorProgress]) -> Rich:
    citations: list[FactView] = []
    numbers: dict[int, int] = {}

    def cite(fact: FactView) -> int:
        if fact.passage_id not in numbers:
            citations.append(fact)
            numbers[fact.passage_id] = len(citations)
        return numbers[fact.passage_id]

    lines: list[Rich | str] = [
        "📈 " + bold(f"Tiến độ chuyển đổi số — {shown}"),
        italic(f"Số liệu mới nhất {IN_THE_BASE}."),
        "",
    ]
    for item in progress:
        latest = item.latest
        line = (
            "• "
            + bold(BY_KEY[item.indicator].label)
            + f": {format_value(latest.value, latest.unit, latest.of)} — {period_text(latest)} [{cite(latest)}]"
        )
        if item.previous is not None:
            line = line + f" ({change_text(latest, item.previous)} so với {period_text(item.previous)})"
        lines.append(line)
    return Rich.lines([*lines, "", "Nguồn:", *_sources(citations)])


def _sources(citations: list[FactView]) -> list[Rich]:
    return [text("📄 ") + citation_line(n, fact_citation(fact)) for n, fact in enumerate(citations, start=1)]


def _indicator_buttons(province: str, progress: list[IndicatorProgress]) -> Keyboard:
    buttons = [(f"📊 {BY_KEY[p.indicator].label}", f"{BUTTON_PREFIX}{_KEYS.index(p.indicator)}:{province}") for p in progress]
    return [buttons[i : i + _BUTTONS_PER_ROW] for i in range(0, len(buttons), _BUTTONS_PER_ROW)]


def _chart(province: str, item: IndicatorProgress, progress: list[IndicatorProgress]) -> Chart:
    """The chosen indicator; a rate comes with the province's other rates, all on one 0–100 axis."""
    others: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    if item.latest.unit == "%":
        others = tuple(
            (p.indicator, tuple((f.period, f.value) for f in p.series))
            for p in progress
            if p.indicator != item.indicator and p.latest.unit == "%"
        )
    return Chart(
        province=province,
        indicator=item.indicator,
        unit=item.latest.unit,
        of=item.latest.of,
        points=tuple((f.period, f.value) for f in item.series),
        others=others,
    )


# ------------------------------------------------------------------ /xephang
def xephang(services: Services, args: str, asker: Asker | None = None) -> Reply:
    """/xephang [chỉ số]: provinces ranked by their latest value, each one cited."""
    library = services.library
    key = indicator_from_text(args, library.facts.vocabulary) if args.strip() else "dti_rank"
    if key is None:
        known = ", ".join(i.label.lower() for i in BY_KEY.values())
        return say(f"Không nhận ra chỉ số «{args.strip()}». Các chỉ số: {known}.")
    ranked = ranking(library.engine, library.gazetteer, key)
    name = BY_KEY[key].name
    if not ranked:
        return say(f"Chưa có số liệu «{name}» {IN_THE_BASE}.")
    lines: list[Rich | str] = ["🏆 " + bold(name), italic(f"Xếp theo số liệu mới nhất của mỗi tỉnh, {IN_THE_BASE}."), ""]
    citations: list[FactView] = []
    numbers: dict[int, int] = {}
    for position, fact in enumerate(ranked, start=1):
        if fact.passage_id not in numbers:
            citations.append(fact)
            numbers[fact.passage_id] = len(citations)
        shown = library.gazetteer.merger_note(fact.province) or fact.province
        lines.append(
            f"{position}. {shown}: {format_value(fact.value, fact.unit, fact.of)}"
            f" — {period_text(fact)} [{numbers[fact.passage_id]}]"
        )
    return Reply(Rich.lines([*lines, "", "Nguồn:", *_sources(citations)]))


def indicator_from_text(text: str, vocabulary: Vocabulary) -> str | None:
    """An indicator key from what a user typed: the key itself, its name, or a phrase of it."""
    stripped = text.strip().lower()
    if stripped in BY_KEY:
        return stripped
    keys = [k for k in vocabulary.find_keys(text) if k != "dti_rank"] or vocabulary.find_keys(text)
    if keys:
        return keys[0]
    for key, indicator in BY_KEY.items():
        if stripped and stripped in (indicator.label.lower(), indicator.name.lower()):
            return key
    if stripped in ("dti", "xep hang", "xếp hạng"):
        return "dti_rank"
    return None
