"""Server-side SVG charts for the dashboard: markup strings, no JavaScript, no inline ``style``.

The Content-Security-Policy refuses inline styles and scripts, so the charts carry only geometry
and CSS classes: ``static/css/dashboard-sales.css`` colours them from the design tokens
(``static/css/tokens.css``), on screen and in print. Each chart is an ``<svg role="img">`` with a
``<title>`` and ``aria-labelledby``; bars, points and cells carry their own ``<title>`` (a tooltip on
hover or long press). A ``viewBox`` and ``width="100%"`` make them scale to the tablet's width.
Every text is escaped here: the result is safe markup.

- ``line_chart(points, compare=...)``: a time series (area + line), with an optional dashed
  comparison series (last year) over the same x positions.
- ``bar_chart(items)``: a horizontal ranking, the longest bar the largest value.
- ``heatmap(matrix, rows, columns)``: a grid (weekday x hour), darker the larger the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

Number = Decimal | int | float
Formatter = Callable[[Number], str]
_ids = count(1)


def _fmt(value: Number) -> str:
    return f"{value:,.2f}".replace(",", "\u202f") if isinstance(value, Decimal | float) else f"{value:,}"


def _n(value: float) -> str:
    """A coordinate: short and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(kind: str, title: str, width: int, height: int, body: Sequence[str], desc: str = "") -> SafeString:
    chart_id = f"chart-{next(_ids)}"
    description = f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' if desc else ""
    described = f' aria-describedby="{chart_id}-desc"' if desc else ""
    return mark_safe(  # noqa: S308  # every text inside is escaped above or by format_html
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{chart_id}-title"{described}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>{description}{"".join(body)}</svg>'
    )


def scale(value: Number, top: Number, length: float) -> float:
    """``value`` out of ``top`` as a length out of ``length`` (0 when top is 0; negatives clamp to 0)."""
    if not top or top <= 0:
        return 0.0
    return max(0.0, min(length, float(value) / float(top) * length))


def nice_top(value: Number) -> float:
    """A round axis maximum at or above ``value``: 1, 2, 2.5 or 5 times a power of ten."""
    value = float(value)
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


# --- line / area ----------------------------------------------------------------------------------


def line_chart(
    points: Sequence[tuple[str, Number]],
    *,
    title: str,
    compare: Sequence[Number] | None = None,
    series_label: str = "",
    compare_label: str = "",
    width: int = 720,
    height: int = 260,
    fmt: Formatter = _fmt,
) -> SafeString:
    """A time series: ``points`` are (x label, value); ``compare`` the values of the comparison series
    at the same positions (last year), drawn dashed. X labels are thinned to fit."""
    left, right, top, bottom = 64, 12, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in points] + list(compare or [])
    peak = nice_top(max(values, default=0))
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: Number) -> float:
        return top + plot_h - scale(v, peak, plot_h)

    body = []
    for step in range(5):  # the grid: 0, 1/4 ... the top
        value = peak * step / 4
        gy = y(value)
        body.append(
            format_html(
                '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart__axis" x="{}" y="{}" text-anchor="end" font-size="11">{}</text>',
                left, width - right, _n(gy), _n(gy), left - 6, _n(gy + 4), fmt(Decimal(str(value))),
            )
        )  # fmt: skip
    if n:
        every = max(1, -(-n // 8))
        for i, (label, _) in enumerate(points):
            if i % every == 0 or i == n - 1:
                body.append(
                    format_html(
                        '<text class="chart__axis" x="{}" y="{}" text-anchor="middle" '
                        'font-size="11">{}</text>',
                        _n(x(i)), height - 8, label,
                    )
                )  # fmt: skip
        if compare:
            path = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(compare[:n]))
            body.append(
                format_html(
                    '<polyline class="chart__compare" points="{}" fill="none" '
                    'stroke-width="2" stroke-dasharray="6 4"><title>{}</title></polyline>',
                    path, compare_label,
                )
            )  # fmt: skip
        line = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, (_, v) in enumerate(points))
        area = f"{_n(x(0))},{_n(y(0))} {line} {_n(x(n - 1))},{_n(y(0))}"
        body.append(format_html('<polygon class="chart__area" points="{}"/>', area))
        body.append(
            format_html(
                '<polyline class="chart__line" points="{}" fill="none" stroke-width="2.5"/>',
                line,
            )
        )
        for i, (label, v) in enumerate(points):
            body.append(
                format_html(
                    '<circle class="chart__point" cx="{}" cy="{}" r="3">'
                    "<title>{}: {}</title></circle>",
                    _n(x(i)), _n(y(v)), label, fmt(v),
                )
            )  # fmt: skip
    legend = []
    if series_label:
        legend.append(
            format_html(
                '<line class="chart__key" x1="{}" x2="{}" y1="12" y2="12" stroke-width="2.5"/>'
                '<text class="chart__legend" x="{}" y="16" font-size="12">{}</text>',
                left, left + 24, left + 30, series_label,
            )
        )  # fmt: skip
    if compare and compare_label:
        legend.append(
            format_html(
                '<line class="chart__key chart__key--compare" x1="{}" x2="{}" y1="12" y2="12" '
                'stroke-width="2" stroke-dasharray="6 4"/>'
                '<text class="chart__legend" x="{}" y="16" font-size="12">{}</text>',
                left + 220, left + 244, left + 250, compare_label,
            )
        )  # fmt: skip
    return _svg("line", title, width, height, [*legend, *body], desc=f"{n} points")


# --- horizontal bars -----------------------------------------------------------------------------------


def bar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    width: int = 720,
    bar: int = 22,
    gap: int = 8,
    label_width: int = 200,
    fmt: Formatter = _fmt,
) -> SafeString:
    """A ranking: one horizontal bar per (label, value), in the given order, the largest value the
    full width. Negative values draw no bar (their figure is still written)."""
    value_width = 110
    plot_w = width - label_width - value_width
    peak = max((float(v) for _, v in items), default=0.0)
    height = max(1, len(items)) * (bar + gap) + gap
    # What fits left of the bars at 13 px (about 7.6 px a character): 30 ran past the chart's edge.
    fits = max(8, int((label_width - 8) / 7.6))
    body = []
    for i, (label, value) in enumerate(items):
        y = gap + i * (bar + gap)
        length = scale(value, peak, plot_w)
        short = label if len(label) <= fits else label[: fits - 1] + "…"
        body.append(
            format_html(
                '<g class="chart__bar-row"><title>{}: {}</title>'
                '<text class="chart__label" x="{}" y="{}" text-anchor="end" font-size="13">{}</text>'
                '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="chart__value" x="{}" y="{}" font-size="12">{}</text></g>',
                label, fmt(value), label_width - 8, _n(y + bar * 0.7), short, label_width, y, _n(length),
                bar, _n(label_width + length + 6), _n(y + bar * 0.7), fmt(value),
            )
        )  # fmt: skip
    return _svg("bar", title, width, height, body, desc=f"{len(items)} bars")


# --- heatmap ---------------------------------------------------------------------------------------------


# Six levels, chart__cell--0 (nothing) .. chart__cell--5, coloured in static/css/dashboard-sales.css.


def heatmap(
    matrix: Sequence[Sequence[Number]],
    *,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    width: int = 760,
    cell_h: int = 26,
    fmt: Formatter = _fmt,
) -> SafeString:
    """A grid of ``rows`` x ``columns`` (weekdays x hours); each cell's colour is one of six levels of
    its value over the largest one (level 0: nothing), its figure in its ``<title>``."""
    left, top = 90, 22
    cols = max(1, len(columns))
    cell_w = (width - left - 4) / cols
    peak = max((float(v) for row in matrix for v in row), default=0.0)
    body = []
    for j, label in enumerate(columns):
        body.append(
            format_html(
                '<text class="chart__axis" x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>',
                _n(left + (j + 0.5) * cell_w), top - 6, label,
            )
        )  # fmt: skip
    for i, (label, values) in enumerate(zip(rows, matrix, strict=False)):
        y = top + i * cell_h
        body.append(
            format_html(
                '<text class="chart__label" x="{}" y="{}" text-anchor="end" font-size="12">{}</text>',
                left - 6, _n(y + cell_h * 0.65), label,
            )
        )  # fmt: skip
        for j, value in enumerate(values):
            level = 0 if float(value) <= 0 or not peak else 1 + min(4, int(float(value) / peak * 5 - 1e-9))
            body.append(
                format_html(
                    '<rect class="chart__cell chart__cell--{}" x="{}" y="{}" width="{}" height="{}">'
                    '<title>{} {}: {}</title></rect>',
                    level, _n(left + j * cell_w), y, _n(cell_w), cell_h, label,
                    columns[j] if j < len(columns) else j, fmt(value),
                )
            )  # fmt: skip
    height = top + len(rows) * cell_h + 4
    return _svg("heatmap", title, width, height, body, desc=f"{len(rows)} x {cols}")
