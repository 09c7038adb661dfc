"""Charts as inline SVG, drawn on the server: no JavaScript library, no CDN, works offline.

Each function takes plain numbers and labels and returns safe SVG markup. Labels are escaped;
everything else is a number we computed. Text and axes use ``currentColor`` so the charts follow
the admin's light and dark themes; series colours are fixed and each series also has its own
dash pattern, so the lines stay apart in grey scale too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

WIDTH = 760
HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_RIGHT = 16
MARGIN_TOP = 14
MARGIN_BOTTOM = 46


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    color: str
    dash: str = ""


def axis(value: float, ticks: int = 4) -> tuple[int, int]:
    """A round axis maximum at or above ``value`` and its tick step (1, 2 or 5 times 10^n)."""
    if value <= 0:
        return 1, 1
    raw_step = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step)) if raw_step >= 1 else 1
    step = next(s * magnitude for s in (1, 2, 5, 10) if s * magnitude >= raw_step)
    return int(math.ceil(value / step) * step), int(step)


def _frame(body: list[str], title: str, width: int, height: int) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece below is escaped or numeric
        f'<svg class="calendly-chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _y_axis(maximum: int, step: int, plot_height: float, width: int) -> list[str]:
    parts = []
    for tick in range(0, maximum + 1, step):
        y = MARGIN_TOP + plot_height - plot_height * tick / maximum
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{width - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="currentColor">{tick}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float], height: int) -> list[str]:
    every = max(1, math.ceil(len(labels) / 12))
    y = height - MARGIN_BOTTOM + 16
    last = len(labels) - 1
    return [
        f'<text x="{x:.1f}" y="{y}" text-anchor="{"end" if index == last else "middle"}" '
        f'fill="currentColor">{escape(label)}</text>'
        for index, (label, x) in enumerate(zip(labels, xs, strict=True))
        if (index % every == 0 and last - index >= every) or index == last
    ]


def _legend(series: Sequence[Series], height: int) -> list[str]:
    parts = []
    x = MARGIN_LEFT
    y = height - 10
    for item in series:
        parts.append(
            f'<line x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}" stroke="{item.color}" '
            f'stroke-width="2.5" stroke-dasharray="{item.dash}"/>'
            f'<text x="{x + 24}" y="{y}" fill="currentColor">{escape(item.label)} '
            f"({sum(item.values)})</text>"
        )
        x += 34 + 7 * (len(item.label) + 6)
    return parts


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, width: int = WIDTH
) -> SafeString:
    """One line per series over the same labels (days); points carry their value as a tooltip."""
    height = HEIGHT
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    maximum, step = axis(max((max(s.values, default=0) for s in series), default=0))
    count = max(1, len(labels) - 1)
    xs = [MARGIN_LEFT + plot_width * i / count for i in range(len(labels))]

    def y_of(value: int) -> float:
        return MARGIN_TOP + plot_height - plot_height * value / maximum

    body = _y_axis(maximum, step, plot_height, width)
    for item in series:
        points = " ".join(f"{x:.1f},{y_of(v):.1f}" for x, v in zip(xs, item.values, strict=True))
        body.append(
            f'<polyline class="calendly-series" points="{points}" fill="none" '
            f'stroke="{item.color}" stroke-width="2" stroke-dasharray="{item.dash}"/>'
        )
        body.extend(
            f'<circle cx="{x:.1f}" cy="{y_of(v):.1f}" r="2.5" fill="{item.color}">'
            f"<title>{escape(label)}: {escape(item.label)} {v}</title></circle>"
            for x, v, label in zip(xs, item.values, labels, strict=True)
            if v
        )
    body += _x_labels(labels, xs, height)
    body += _legend(series, height)
    return _frame(body, title, width, height)


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[int], *, color: str, width: int = WIDTH
) -> SafeString:
    """Vertical bars with their value on top (upcoming load per day)."""
    height = HEIGHT - 20
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM + 20
    maximum, step = axis(max(values, default=0))
    slot = plot_width / max(1, len(values))
    bar = slot * 0.7
    body = _y_axis(maximum, step, plot_height, width)
    centers = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = MARGIN_LEFT + slot * index + (slot - bar) / 2
        bar_height = plot_height * value / maximum
        y = MARGIN_TOP + plot_height - bar_height
        centers.append(x + bar / 2)
        body.append(
            f'<rect class="calendly-bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
            f'height="{bar_height:.1f}" fill="{color}"><title>{escape(label)}: {value}</title></rect>'
        )
        if value:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'fill="currentColor">{value}</text>'
            )
    body += _x_labels(labels, centers, height + 20)
    return _frame(body, title, width, height)


#: Width of a horizontal bar chart's drawing: narrow, so its text stays legible on a phone.
HBAR_WIDTH = 480
HBAR_ROW = 26
HBAR_FONT = 13
#: Roughly the width of one character of ``HBAR_FONT`` sans-serif, for sizing the label column.
HBAR_CHARACTER = 6.6


def hbar_chart(
    title: str, labels: Sequence[str], values: Sequence[int], *, color: str
) -> SafeString:
    """Horizontal bars, one row each, with the whole label beside its bar.

    Long labels ("30 Minute Meeting (Ingrid Brennan)") never overlap or get cut the way they do
    under vertical bars, and the drawing is narrow enough to stay readable at phone widths.
    A label longer than half the width is shortened, with the whole label in its tooltip.
    """
    width = HBAR_WIDTH
    longest = max((len(label) for label in labels), default=0)
    label_width = min(width / 2, HBAR_CHARACTER * longest + 8)
    fits = int((label_width - 8) / HBAR_CHARACTER)
    value_room = 8 + HBAR_CHARACTER * len(str(max(values, default=0)))
    plot_width = width - label_width - value_room
    height = HBAR_ROW * max(1, len(values)) + 4
    maximum = max(values, default=0) or 1
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 2 + HBAR_ROW * index
        shown = label if len(label) <= fits else label[: max(1, fits - 1)] + "…"
        bar = plot_width * value / maximum
        body.append(
            f'<text x="{label_width - 8:.1f}" y="{y + HBAR_ROW / 2 + 4:.1f}" text-anchor="end" '
            f'fill="currentColor"><title>{escape(label)}</title>{escape(shown)}</text>'
            f'<rect class="calendly-bar" x="{label_width:.1f}" y="{y + 4}" width="{bar:.1f}" '
            f'height="{HBAR_ROW - 8}" fill="{color}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{label_width + bar + 6:.1f}" y="{y + HBAR_ROW / 2 + 4:.1f}" '
            f'fill="currentColor">{value}</text>'
        )
    return mark_safe(  # noqa: S308 - every piece above is escaped or numeric
        f'<svg class="calendly-chart calendly-hbars" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="sans-serif" font-size="{HBAR_FONT}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[int]],
    *,
    color: str,
    width: int = WIDTH,
) -> SafeString:
    """A grid (weekday by hour) whose cells are as opaque as their share of the maximum.

    A legend under the grid reads the shades: from an empty cell to the busiest one's count.
    """
    left, top = 40, 16
    cell_width = (width - left - MARGIN_RIGHT) / max(1, len(columns))
    cell_height = 18
    grid_bottom = top + cell_height * len(rows)
    height = grid_bottom + 34
    maximum = max((max(row, default=0) for row in values), default=0) or 1
    body = [
        f'<text x="{left + cell_width * i + cell_width / 2:.1f}" y="{top - 4}" '
        f'text-anchor="middle" fill="currentColor">{escape(column)}</text>'
        for i, column in enumerate(columns)
        if i % 3 == 0
    ]
    for r, (row_label, row) in enumerate(zip(rows, values, strict=True)):
        y = top + cell_height * r
        body.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" fill="currentColor">'
            f"{escape(row_label)}</text>"
        )
        for c, value in enumerate(row):
            opacity = 0.06 + 0.94 * value / maximum if value else 0.04
            body.append(
                f'<rect x="{left + cell_width * c:.1f}" y="{y}" width="{cell_width - 1:.1f}" '
                f'height="{cell_height - 1}" fill="{color}" fill-opacity="{opacity:.2f}">'
                f"<title>{escape(row_label)} {escape(columns[c])}: {value}</title></rect>"
            )
    body += _heatmap_legend(left, grid_bottom + 12, maximum, color)
    return _frame(body, title, width, height)


def _heatmap_legend(x: float, y: float, maximum: int, color: str) -> list[str]:
    """ "0 ▢▢▢▢▢ N meetings": five shades from none to the busiest cell."""
    steps = 5
    parts = [f'<text x="{x:.1f}" y="{y + 11:.1f}" fill="currentColor">0</text>']
    start = x + 14
    for step in range(steps):
        opacity = 0.04 if step == 0 else 0.06 + 0.94 * step / (steps - 1)
        parts.append(
            f'<rect class="calendly-legend" x="{start + 16 * step:.1f}" y="{y:.1f}" width="15" '
            f'height="14" fill="{color}" fill-opacity="{opacity:.2f}"/>'
        )
    label = ngettext("%(count)s meeting", "%(count)s meetings", maximum) % {"count": maximum}
    parts.append(
        f'<text x="{start + 16 * steps + 6:.1f}" y="{y + 11:.1f}" fill="currentColor">'
        f"{escape(label)}</text>"
    )
    return parts


def share_bar(parts: Sequence[tuple[int, str, str]], total: int, *, width: int = 160) -> SafeString:
    """A small stacked bar for a table cell: ``(value, colour, label)`` parts of ``total``."""
    x = 0.0
    rects = []
    for value, color, label in parts:
        part_width = width * value / total if total else 0
        if part_width:
            rects.append(
                format_html(
                    '<rect x="{}" y="0" width="{}" height="10" fill="{}"><title>{}: {}</title></rect>',
                    f"{x:.1f}",
                    f"{part_width:.1f}",
                    color,
                    label,
                    value,
                )
            )
        x += part_width
    return format_html(
        '<svg class="calendly-share" width="{}" height="10" viewBox="0 0 {} 10" '
        'xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        width,
        mark_safe("".join(rects)),  # noqa: S308 - built with format_html above
    )


#: The series colours the admin dashboard and the demo site share.
BOOKED_COLOR = "#417690"
CANCELED_COLOR = "#ba2121"
NO_SHOW_COLOR = "#c77c00"
UPCOMING_COLOR = "#5b80b2"
WEEKDAYS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


def activity_chart(labels: list[str], activity: dict[str, list[int]]) -> SafeString:
    """Bookings, cancellations and no-shows per day, as the admin and the demo site show them."""
    return line_chart(
        gettext("Bookings, cancellations and no-shows per day"),
        labels,
        [
            Series(gettext("Booked"), activity["booked"], BOOKED_COLOR),
            Series(gettext("Canceled"), activity["canceled"], CANCELED_COLOR, "6 3"),
            Series(gettext("No-shows"), activity["no_shows"], NO_SHOW_COLOR, "2 2"),
        ],
    )
