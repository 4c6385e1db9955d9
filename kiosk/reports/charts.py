"""Charts drawn on the server as SVG: bars and lines, no script, no library.

Only presentation attributes (fill, font-size…): the page's CSP forbids inline styles.
Each chart is a picture (role="img") with a title; the table beside it holds the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

from markupsafe import Markup, escape

WIDTH = 800
INK, GRID, MUTED = "#1a202c", "#cbd5e0", "#4a5568"
# Dark enough for white text and for a thin line on white (WCAG 3:1 for graphics).
PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#975a16", "#2c7a7b")
_ids = count(1)


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _scale(top: int) -> int:
    """A round number at or above `top` for the axis (1, 2, 5 × 10ⁿ)."""
    if top <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= top:
                return step * factor
        step *= 10


def _open(height: int, title: str) -> tuple[str, list[str]]:
    ident = f"chart-{next(_ids)}"
    return ident, [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
                   f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg" '
                   f'font-family="DejaVu Sans, sans-serif">',
                   f'<title id="{ident}">{escape(title)}</title>']


def bars(title: str, items: Sequence[tuple[str, int]], fmt: Callable[[int], str],
         colours: Sequence[str] | None = None) -> Markup:
    """Horizontal bars, one per (label, value), largest values as given: long labels
    stay readable on the tablet. Negative values are drawn as none (the table has them)."""
    items = list(items)
    row, label_w, value_w = 40, 280, 130
    height = max(1, len(items)) * row + 10
    _ident, parts = _open(height, title)
    top = _scale(max((v for _label, v in items), default=0))
    span = WIDTH - label_w - value_w
    for index, (label, value) in enumerate(items):
        y = 5 + index * row
        length = max(0.0, span * value / top)
        colour = (colours[index % len(colours)] if colours else PALETTE[0])
        parts.append(f'<text x="{label_w - 10}" y="{y + 26}" text-anchor="end" '
                     f'font-size="18" fill="{INK}">{escape(_short(label, 26))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 6}" width="{length:.1f}" height="28" '
                     f'rx="3" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + length + 8:.1f}" y="{y + 26}" font-size="18" '
                     f'fill="{INK}">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, items: Sequence[tuple[str, int]], fmt: Callable[[int], str]) -> Markup:
    """Vertical bars over time (months): the label under each, the value above."""
    items = list(items)
    height, base, left = 320, 260, 20
    _ident, parts = _open(height, title)
    top = _scale(max((v for _label, v in items), default=0))
    slot = (WIDTH - 2 * left) / max(1, len(items))
    bar = min(60.0, slot * 0.7)
    parts.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - left}" y2="{base}" '
                 f'stroke="{MUTED}" stroke-width="1"/>')
    # 18 px as the rest of the page; a label every `every` columns so that none overlaps
    # another or is cut (about 10 px a character at 18 px)
    longest = max((len(_short(label, 16)) for label, _v in items), default=1)
    every = max(1, -(-longest * 10 // int(slot)))
    for index, (label, value) in enumerate(items):
        x = left + index * slot + (slot - bar) / 2
        length = max(0.0, (base - 40) * value / top)
        middle = x + bar / 2
        parts.append(f'<rect x="{x:.1f}" y="{base - length:.1f}" width="{bar:.1f}" '
                     f'height="{length:.1f}" rx="3" fill="{PALETTE[0]}"/>')
        if index % every == 0:
            parts.append(f'<text x="{middle:.1f}" y="{base - length - 8:.1f}" '
                         f'text-anchor="middle" font-size="18" '
                         f'fill="{INK}">{escape(fmt(value))}</text>')
            parts.append(f'<text x="{middle:.1f}" y="{base + 24}" text-anchor="middle" '
                         f'font-size="18" fill="{INK}">{escape(_short(label, 16))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
          fmt: Callable[[int], str]) -> Markup:
    """One line per (name, values) over `x_labels`, with a legend: balances over time."""
    height, base, left, right, top_y = 340, 250, 110, 30, 30
    _ident, parts = _open(height, title)
    values = [v for _name, vs in series for v in vs]
    high, low = max(values, default=0), min(values, default=0)
    high = _scale(high) if high > 0 else 0
    low = -_scale(-low) if low < 0 else 0
    span = (high - low) or 1
    steps = max(1, len(x_labels) - 1)
    width = WIDTH - left - right

    def y_of(value: int) -> float:
        return base - (base - top_y) * (value - low) / span

    for value in sorted({low, 0, high}):
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 5:.1f}" text-anchor="end" font-size="18" '
                     f'fill="{INK}">{escape(fmt(value))}</text>')
    # 18 px labels, as many as fit without touching (about 10 px a character)
    longest = max((len(_short(label, 12)) for label in x_labels), default=1)
    fit = max(1, int(width // (longest * 10 + 16)))
    every = max(1, -(-len(x_labels) // fit))
    for index, label in enumerate(x_labels):
        if index % every == 0 or index == len(x_labels) - 1:
            x = left + width * index / steps if len(x_labels) > 1 else left + width / 2
            anchor = "end" if index == len(x_labels) - 1 and index else "middle"
            parts.append(f'<text x="{x:.1f}" y="{base + 24}" text-anchor="{anchor}" '
                         f'font-size="18" fill="{INK}">{escape(_short(label, 12))}</text>')
    for number, (name, vs) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(
            f"{(left + width * i / steps) if len(vs) > 1 else left + width / 2:.1f},"
            f"{y_of(v):.1f}" for i, v in enumerate(vs))
        dashes = ' stroke-dasharray="12 8"' if number % 2 else ""  # lines that coincide
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     f'stroke-width="4" stroke-linejoin="round"{dashes}/>')
        legend_x = left + number * 220
        parts.append(f'<line x1="{legend_x}" y1="{height - 30}" x2="{legend_x + 28}" '
                     f'y2="{height - 30}" stroke="{colour}" stroke-width="4"{dashes}/>')
        parts.append(f'<text x="{legend_x + 32}" y="{height - 25}" font-size="18" '
                     f'fill="{INK}">{escape(_short(name, 20))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
