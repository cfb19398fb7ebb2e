"""A chart of one province's indicator over time: what to draw (:class:`Chart`) and the PNG drawing.

The conversation decides what to chart (``bot.conversation.progress``); a
front end shows it: Telegram as a photo under the card, ``cdsbot chat`` as a
PNG file whose path it prints.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.render.rich import Rich, text
from knowledge.progress.questions import format_value
from knowledge.progress.vocabulary import BY_KEY

if TYPE_CHECKING:
    from matplotlib.figure import Figure


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


def chart_caption(chart: Chart) -> Rich:
    """The photo's caption: what is drawn."""
    return text(f"📊 {chart.title}")


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
