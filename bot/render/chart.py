"""A PNG bar chart of each objective's progress against the expected pace, for the weekly digest.

Built on `matplotlib.figure.Figure` and the Agg canvas, never `pyplot`: pyplot keeps a global
"current figure" that concurrent requests in the web server would trample, and it may try to
pick an interactive backend on a headless box.  Text can be Chinese (from the zh-CN catalog):
an installed CJK font draws it when the box has one, else the Noto Sans SC that the
`pylopdf-fonts-zh-cn` dependency ships, so a fresh machine needs no system font package.  Only a
string that no font in the chain can draw (an emoji, say) falls back to English, because a chart
full of tofu boxes (and a "Glyph missing" warning per character) is worse than one in English.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter
from PIL import Image  # a dependency of matplotlib itself

MAX_ROWS = 40
WIDTH = 8.0  # inches, at 100 dpi
TICK_SIZE = 8
MARGINS = {"label_pad": 0.2, "right": 0.35, "top": 0.55, "bottom": 0.65}  # inches: beside the labels, "120%", heading, ticks + legend
X_MAX = 1.2  # bars past 120% are drawn to the edge; their label still says the true figure
AMBER_BAND = 0.15
# Okabe-Ito: green, orange and vermillion stay apart for the common kinds of colour blindness.
GREEN, AMBER, RED = "#009E73", "#E69F00", "#D55E00"
PACE = "#333333"
_CJK_FAMILIES = ("Noto Sans CJK", "Noto Sans SC", "Source Han Sans", "WenQuanYi", "SimHei",
                 "Microsoft YaHei", "PingFang", "Droid Sans Fallback")
_BASE_FAMILY = "DejaVu Sans"  # ships inside matplotlib, so it is always there
_LOCK = threading.Lock()
_FONT_LOCK = threading.Lock()  # not _LOCK: that one is held while drawing, where cjk_family may be first called


@dataclass(frozen=True)
class ChartBar:
    ref: str  # "O1"
    progress: float  # 0.0-1.0, may exceed 1 or be negative
    title: str = ""  # optional on the chart: shown only if a font can draw it


@functools.cache
def cjk_family() -> str | None:
    """The font family that draws Chinese: an installed one if the box has it, else the bundled one.

    The system is looked at before the bundled font is registered, so that a font the operator
    installed (WenQuanYi, say) still wins over the bundled Noto Sans SC, which `_CJK_FAMILIES`
    would otherwise rank first.  Under a lock, since two threads may ask at once and the font
    must be added once: the second finds it among the installed ones.
    """
    with _FONT_LOCK:
        return _installed_cjk_family() or _add_bundled_font()


def _installed_cjk_family() -> str | None:
    """The first font family matplotlib knows that covers Chinese, preferring Simplified Chinese faces."""
    names = sorted({f.name for f in font_manager.fontManager.ttflist}, key=lambda n: ("SC" not in n, n))
    return next((n for want in _CJK_FAMILIES for n in names if want.lower() in n.lower()), None)


def _add_bundled_font() -> str | None:
    """Register the Noto Sans SC shipped in a Python package and return its family name.

    Added to matplotlib's font list in memory only (no rebuild of its font cache), and only on a
    box without a CJK font: parsing the 8 MB OpenType file costs the first chart some time.
    None if the package is missing (installed without its dependencies): the chart is then in
    English, which beats no digest at all.
    """
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        return None
    font_manager.fontManager.addfont(sans_path())
    return _installed_cjk_family()


def _families() -> list[str]:
    """Font fallback chain: matplotlib takes each glyph from the first family that has it."""
    return [f for f in (cjk_family(), _BASE_FAMILY) if f]


@functools.cache
def _glyphs() -> frozenset[int]:
    """Every code point the fallback chain can draw, so a string is checked before it is drawn."""
    points: set[int] = set()
    for family in _families():
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        points.update(font_manager.get_font(path).get_charmap())
    return frozenset(points)


@functools.cache
def _heading_weight() -> str:
    """Bold only where every font in the chain has a bold face: else matplotlib logs a complaint."""
    bold = {f.name for f in font_manager.fontManager.ttflist if font_manager.weight_dict.get(f.weight, f.weight) == 700}
    return "bold" if set(_families()) <= bold else "normal"


def _renderable(text: str) -> bool:
    return text.isascii() or all(ord(c) in _glyphs() or c.isspace() for c in text)


def _clip(text: str, width: int = 24) -> str:
    """Cut to about `width` columns, counting CJK characters double since they are drawn twice as wide."""
    used = 0
    for i, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > width:
            return text[:i].rstrip() + "…"
    return text


def _colour(progress: float, expected: float) -> str:
    if progress >= expected:
        return GREEN
    return AMBER if expected - progress <= AMBER_BAND + 1e-9 else RED  # 35% against 50% is amber


def _label(bar: ChartBar) -> str:
    title = " ".join(bar.title.split())
    return f"{bar.ref} {_clip(title)}" if title and _renderable(title) else bar.ref


def progress_chart(bars: Sequence[ChartBar], *, expected: float, heading: str, progress_label: str,
                   pace_label: str, fallback_labels: tuple[str, str, str] = (
                       "Progress vs expected pace", "Progress", "Expected pace")) -> bytes:
    """Horizontal bars coloured green / amber / red by distance from the pace line; returns PNG bytes.

    Never raises on odd input (no bars, NaN, progress below 0 or above 1): a digest that lost
    its chart is worse than a chart that shows an odd number.
    """
    if not all(map(_renderable, (heading, progress_label, pace_label))):
        heading, progress_label, pace_label = fallback_labels
    expected = min(max(expected if math.isfinite(expected) else 0.0, 0.0), X_MAX)
    shown = list(bars) if len(bars) <= MAX_ROWS else list(bars[: MAX_ROWS - 1])
    labels = [_label(b) for b in shown] + ([f"…+{len(bars) - len(shown)}"] if len(bars) > len(shown) else [])
    font = font_manager.FontProperties(family=_families(), size=9)
    with _LOCK:  # matplotlib's font and text caches are shared and not documented as thread-safe
        return _draw(shown, labels, expected, heading, progress_label, pace_label, font)


def _draw(shown: list[ChartBar], labels: list[str], expected: float, heading: str,
          progress_label: str, pace_label: str, font: font_manager.FontProperties) -> bytes:
    height = min(max(1.4 + 0.3 * len(labels), 2.6), 14.0)
    fig = Figure(figsize=(WIDTH, height), dpi=100)
    FigureCanvasAgg(fig)
    # Margins in inches, the left one from the widest label, measured once: matplotlib's
    # constrained layout measured every text several times and was a third of the chart's
    # time, which 2,000 digests due in one minute pay 2,000 times.
    left = _label_width(fig, labels, font) + MARGINS["label_pad"]
    fig.subplots_adjust(left=min(left, WIDTH / 2) / WIDTH, right=1 - MARGINS["right"] / WIDTH,
                        top=1 - MARGINS["top"] / height, bottom=MARGINS["bottom"] / height)
    ax = fig.add_subplot()
    ax.set_title(heading, loc="left", fontproperties=font, fontsize=12, fontweight=_heading_weight(), pad=16, parse_math=False)
    if not labels:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No objectives", ha="center", va="center", color="grey",
                fontproperties=font, fontsize=11, transform=ax.transAxes)
        return _png(fig)
    values = [b.progress if math.isfinite(b.progress) else 0.0 for b in shown]
    drawn = [min(max(v, 0.0), X_MAX) for v in values]
    ax.barh(range(len(shown)), drawn, height=0.65, color=[_colour(v, expected) for v in values])
    for y, (value, length) in enumerate(zip(values, drawn)):
        inside = length > X_MAX - 0.1  # no room past the bar's end: print it inside, in white
        ax.text(length - 0.01 if inside else length + 0.01, y, f"{value:.0%}", va="center",
                ha="right" if inside else "left", color="white" if inside else "black", fontsize=8,
                bbox=None if inside else {"facecolor": "white", "edgecolor": "none", "pad": 0.5})  # over the pace line
    ax.axvline(expected, color=PACE, linestyle="--", linewidth=1.2)
    ax.text(expected, 1.0, f" {pace_label} {expected:.0%}", transform=ax.get_xaxis_transform(),
            ha="left" if expected < X_MAX * 0.7 else "right", va="bottom", fontproperties=font,
            fontsize=8, color=PACE, parse_math=False)
    ax.set_yticks(range(len(labels)), labels, fontproperties=font, parse_math=False)
    ax.set_ylim(len(labels) - 0.5, -0.6)  # first objective on top
    ax.set_xlim(0, X_MAX)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.tick_params(axis="both", labelsize=TICK_SIZE, length=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    swatches = tuple(Patch(color=c) for c in (GREEN, AMBER, RED))
    legend = fig.legend([swatches, Line2D([], [], color=PACE, linestyle="--")], [progress_label, pace_label],
                        handler_map={tuple: HandlerTuple(ndivide=None, pad=0)}, prop=font,
                        loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=2, frameon=False)
    for text in legend.get_texts():
        text.set_parse_math(False)
    return _png(fig)


def _label_width(fig: Figure, labels: list[str], font: font_manager.FontProperties) -> float:
    """The widest y-axis label, in inches, as the Agg renderer will draw it."""
    renderer = fig.canvas.get_renderer()
    size = font.copy()
    size.set_size(TICK_SIZE)
    return max((renderer.get_text_width_height_descent(label, size, ismath=False)[0] for label in labels), default=0.0) / fig.dpi


def _png(fig: Figure) -> bytes:
    """A 256-colour palette PNG: a third of the size of Agg's RGBA output (Chinese glyphs are costly
    to compress), with no visible loss on flat bars and anti-aliased text."""
    fig.canvas.draw()
    image = Image.frombuffer("RGBA", fig.canvas.get_width_height(), fig.canvas.buffer_rgba()).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(256).save(buffer, format="PNG")  # optimize=True: 8% smaller, twice the time
    return buffer.getvalue()
