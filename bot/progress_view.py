"""/tiendo and /xephang: a province's progress card, its chart, and provinces ranked — Telegram-free.

The Telegram handlers (``bot.handlers.progress``) and the terminal chat both
call these functions; the handlers send the chart as a photo, the terminal
writes it to a file. The numbers come from ``knowledge.progress``; this module
only words and draws them, escaping document text before it meets a tag.

Buttons under the card carry ``td:<indicator index>:<province>`` (the
canonical province name; Telegram allows 64 bytes, the longest is ~45).
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.conversation import Keyboard, Reply
from bot.render.html import citation_line_html
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

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TIENDO_USAGE = "Cách dùng: /tiendo <tỉnh>, ví dụ /tiendo Hải Dương."
BUTTON_PREFIX = "td:"
_KEYS = list(BY_KEY)
_BUTTONS_PER_ROW = 2


@dataclass(frozen=True)
class Chart:
    """What to draw: one indicator of one province over its periods, and for rates the province's other rates."""

    province: str
    indicator: str
    unit: str
    of: int | None
    points: tuple[tuple[str, float], ...]  # (period, value), oldest first
    # Other indicators with the same unit (rates), drawn as lines beside the chosen one.
    others: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()

    @property
    def title(self) -> str:
        if self.others:
            return f"{BY_KEY[self.indicator].label} và các tỷ lệ khác — {self.province}"
        return f"{BY_KEY[self.indicator].name} — {self.province}"


@dataclass(frozen=True)
class ProgressReply:
    """A card (or a message) and, when there is something to draw, the chart to send with it."""

    reply: Reply
    chart: Chart | None = None


# ------------------------------------------------------------------ /tiendo
def tiendo(services: Services, args: str, indicator: str | None = None) -> ProgressReply:
    """/tiendo <tỉnh>: the latest value of each indicator with its change and source, and a chart."""
    if not args.strip():
        return ProgressReply(Reply(html.escape(TIENDO_USAGE)))
    library = services.library
    try:
        name, progress = province_progress(library.engine, library.gazetteer, args.strip())
    except UnknownProvinceError as exc:
        return ProgressReply(Reply(html.escape(f"{exc.user_message} {TIENDO_USAGE}")))
    shown = library.gazetteer.merger_note(name) or name
    if not progress:
        return ProgressReply(
            Reply(
                html.escape(
                    f"Chưa có số liệu chỉ số nào về {shown} {IN_THE_BASE}. "
                    f"Bạn có thể hỏi bằng /hoi, ví dụ: /hoi Chuyển đổi số ở {name} đạt kết quả gì?"
                )
            )
        )
    chosen = _chosen(progress, indicator)
    return ProgressReply(
        Reply(_card_html(shown, progress), _indicator_buttons(name, progress)), _chart(name, chosen, progress)
    )


def press_indicator(services: Services, data: str) -> ProgressReply:
    """A button under the card: the same province's chart for another indicator."""
    index, _, province = data.removeprefix(BUTTON_PREFIX).partition(":")
    if not index.isdigit() or int(index) >= len(_KEYS) or not province:
        return ProgressReply(Reply("Nút này không còn dùng được."))
    return tiendo(services, province, _KEYS[int(index)])


def _chosen(progress: list[IndicatorProgress], indicator: str | None) -> IndicatorProgress:
    by_key = {p.indicator: p for p in progress}
    if indicator in by_key:
        return by_key[indicator]
    # The DTI rank first; otherwise the indicator with the longest history.
    return by_key.get("dti_rank") or max(progress, key=lambda p: len(p.series))


def _card_html(shown: str, progress: list[IndicatorProgress]) -> str:
    citations: list[FactView] = []
    numbers: dict[int, int] = {}

    def cite(fact: FactView) -> int:
        if fact.passage_id not in numbers:
            citations.append(fact)
            numbers[fact.passage_id] = len(citations)
        return numbers[fact.passage_id]

    lines = [f"📈 <b>Tiến độ chuyển đổi số — {html.escape(shown)}</b>", f"<i>Số liệu mới nhất {IN_THE_BASE}.</i>", ""]
    for item in progress:
        latest = item.latest
        line = (
            f"• <b>{html.escape(BY_KEY[item.indicator].label)}</b>: {format_value(latest.value, latest.unit, latest.of)}"
            f" — {html.escape(period_text(latest))} [{cite(latest)}]"
        )
        if item.previous is not None:
            line += f" ({change_text(latest, item.previous)} so với {html.escape(period_text(item.previous))})"
        lines.append(line)
    lines += ["", "Nguồn:"]
    lines += [f"📄 {citation_line_html(n, fact_citation(fact))}" for n, fact in enumerate(citations, start=1)]
    return "\n".join(lines)



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


def chart_caption(chart: Chart) -> str:
    """The photo's caption (HTML): what is drawn."""
    return f"📊 {html.escape(chart.title)}"


# ------------------------------------------------------------------ /xephang
def xephang(services: Services, args: str) -> Reply:
    """/xephang [chỉ số]: provinces ranked by their latest value, each one cited."""
    library = services.library
    key = indicator_from_text(args, library.facts.vocabulary) if args.strip() else "dti_rank"
    if key is None:
        known = ", ".join(i.label.lower() for i in BY_KEY.values())
        return Reply(html.escape(f"Không nhận ra chỉ số «{args.strip()}». Các chỉ số: {known}."))
    ranked = ranking(library.engine, library.gazetteer, key)
    name = BY_KEY[key].name
    if not ranked:
        return Reply(html.escape(f"Chưa có số liệu «{name}» {IN_THE_BASE}."))
    lines = [f"🏆 <b>{html.escape(name)}</b>", f"<i>Xếp theo số liệu mới nhất của mỗi tỉnh, {IN_THE_BASE}.</i>", ""]
    citations: list[FactView] = []
    numbers: dict[int, int] = {}
    for position, fact in enumerate(ranked, start=1):
        if fact.passage_id not in numbers:
            citations.append(fact)
            numbers[fact.passage_id] = len(citations)
        shown = library.gazetteer.merger_note(fact.province) or fact.province
        lines.append(
            f"{position}. {html.escape(shown)}: {format_value(fact.value, fact.unit, fact.of)}"
            f" — {html.escape(period_text(fact))} [{numbers[fact.passage_id]}]"
        )
    lines += ["", "Nguồn:"]
    lines += [f"📄 {citation_line_html(n, fact_citation(fact))}" for n, fact in enumerate(citations, start=1)]
    return Reply("\n".join(lines))


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


# ------------------------------------------------------------------ the chart
def draw_chart(chart: Chart) -> bytes:
    """The chart as PNG bytes (see :func:`chart_figure`)."""
    figure = chart_figure(chart)
    buffer = io.BytesIO()
    # Light compression: zlib's default level costs more time than the few kilobytes it saves.
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def chart_figure(chart: Chart) -> Figure:
    """The chart as a matplotlib Figure: the rank axis inverted (1 at the top), rates and counts as lines.

    matplotlib is imported here, not at module load: most replies draw
    nothing, and its import costs more than a whole card. Agg renders without
    a display, so the bot draws on a server; a bare Figure (not pyplot) keeps
    no global state, so worker threads can draw at once.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.6), dpi=100)
    axes = figure.add_subplot()
    # One x position per period of any line drawn, oldest first.
    periods = sorted({p for p, _ in chart.points} | {p for _, points in chart.others for p, _ in points})
    x_of = {period: x for x, period in enumerate(periods)}
    values = [v for _, v in chart.points]
    axes.plot(
        [x_of[p] for p, _ in chart.points], values, marker="o", linewidth=2.5, color="#1565c0",
        label=BY_KEY[chart.indicator].label,
    )
    for period, value in chart.points:
        axes.annotate(
            format_value(value, chart.unit, chart.of), (x_of[period], value), textcoords="offset points",
            xytext=(0, 8), ha="center",
        )
    for (key, points), color in zip(chart.others, _OTHER_COLOURS):
        axes.plot(
            [x_of[p] for p, _ in points], [v for _, v in points], marker="s", linewidth=1.5, color=color,
            label=BY_KEY[key].label,
        )
    if chart.others:
        axes.legend(loc="lower right", fontsize=8)
    axes.set_xticks(range(len(periods)), [_period_label(p) for p in periods])
    axes.set_xlim(-0.5, len(periods) - 0.5)
    if chart.unit == "rank":
        low, high = min(values), max(values)
        axes.set_ylim(high + max(2, (high - low) * 0.3), max(0.5, low - max(2, (high - low) * 0.3)))
        axes.set_ylabel(f"Thứ hạng (trên {chart.of or '?'} tỉnh, thành)")
    elif chart.unit == "%":
        axes.set_ylim(0, 105)
        axes.set_ylabel("Tỷ lệ (%)")
    else:
        axes.set_ylim(0, max(values) * 1.2 or 1)
        axes.set_ylabel("Số lượng")
    axes.set_xlabel("Kỳ số liệu")
    axes.set_title(chart.title, fontsize=11)
    axes.grid(True, alpha=0.3)
    # Fixed margins: tight_layout measures every label and costs as much as the drawing.
    figure.subplots_adjust(left=0.12, right=0.97, top=0.88, bottom=0.16)
    return figure


_OTHER_COLOURS = ("#ef6c00", "#2e7d32", "#6a1b9a", "#c62828")


def _period_label(period: str) -> str:
    return f"{int(period[5:])}/{period[:4]}" if len(period) == 7 else period
