"""A PNG bar chart of each objective's progress against the expected pace, for the weekly digest.

Drawn with Pillow's `ImageDraw` straight onto pixels.  It used to be matplotlib, at ~150 ms a
chart behind a process-wide lock (matplotlib's font and text caches are not thread-safe): 2,000
digests due in one minute then took six minutes to draw.  A chart this simple (bars, a dashed
line, a grid, some text) needs none of matplotlib's layout engine; Pillow draws it in a few
milliseconds, in any thread, with no lock.

Text can be Chinese (from the zh-CN catalog): the Noto Sans SC that the `pylopdf-fonts-zh-cn`
dependency ships draws Chinese and Latin alike, so a fresh machine needs no system font.  Only a
string that the font cannot draw (an emoji, say) falls back to English, because a chart full of
tofu boxes is worse than one in English.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

MAX_ROWS = 40
WIDTH = 800  # pixels
ROW = 30  # pixels per bar
MARGINS = {"label_pad": 20, "right": 35, "top": 55, "bottom": 65}  # beside the labels, "120%", heading, ticks + legend
SIZES = {"heading": 17, "label": 12, "tick": 11}  # pixels: 12, 9 and 8 points at 100 dpi
X_MAX = 1.2  # bars past 120% are drawn to the edge; their label still says the true figure
AMBER_BAND = 0.15
# Okabe-Ito: green, orange and vermillion stay apart for the common kinds of colour blindness.
GREEN, AMBER, RED = "#009E73", "#E69F00", "#D55E00"
PACE, GRID, GREY, INK, PAPER = "#333333", "#dddddd", "#808080", "#000000", "#ffffff"
_FONTS = threading.local()  # a FreeType face is not to be shared between threads: one set per thread


@dataclass(frozen=True)
class ChartBar:
    ref: str  # "O1"
    progress: float  # 0.0-1.0, may exceed 1 or be negative
    title: str = ""  # optional on the chart: shown only if the font can draw it


@functools.cache
def font_path() -> str | None:
    """The bundled Noto Sans SC; None if the package is missing (installed without its dependencies):
    the chart is then drawn in Pillow's own font, in English, which beats no digest at all."""
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        return None
    return str(sans_path())


def _font(size: int) -> ImageFont.FreeTypeFont:
    fonts = _FONTS.__dict__.setdefault("by_size", {})
    if size not in fonts:
        path = font_path()
        fonts[size] = ImageFont.truetype(path, size) if path else ImageFont.load_default(size)
    return fonts[size]


@functools.cache
def _glyphs() -> frozenset[int]:
    """Every code point the font can draw (read once from its character map), so a string is checked before it is drawn."""
    path = font_path()
    if path is None:
        return frozenset(range(32, 127))
    from fontTools.ttLib import TTFont  # a dependency of Pillow's users; read lazily: the file is 8 MB

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _renderable(text: str) -> bool:
    return all(ord(c) in _glyphs() or c.isspace() for c in text)


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
                   pace_label: str, empty_label: str = "No objectives this period",
                   fallback_labels: tuple[str, str, str, str] = (
                       "Progress vs expected pace", "Progress", "Expected pace", "No objectives this period")) -> bytes:
    """Horizontal bars coloured green / amber / red by distance from the pace line; returns PNG bytes.

    Never raises on odd input (no bars, NaN, progress below 0 or above 1): a digest that lost
    its chart is worse than a chart that shows an odd number.
    """
    if not all(map(_renderable, (heading, progress_label, pace_label, empty_label))):
        heading, progress_label, pace_label, empty_label = fallback_labels
    expected = min(max(expected if math.isfinite(expected) else 0.0, 0.0), X_MAX)
    shown = list(bars) if len(bars) <= MAX_ROWS else list(bars[: MAX_ROWS - 1])
    labels = [_label(b) for b in shown] + ([f"…+{len(bars) - len(shown)}"] if len(bars) > len(shown) else [])
    return _draw(shown, labels, expected, heading, progress_label, pace_label, empty_label)


def _draw(shown: list[ChartBar], labels: list[str], expected: float, heading: str,
          progress_label: str, pace_label: str, empty_label: str) -> bytes:
    height = min(max(140 + ROW * len(labels), 260), 1400)
    image = Image.new("RGB", (WIDTH, height), PAPER)
    draw = ImageDraw.Draw(image)
    label_font, tick_font = _font(SIZES["label"]), _font(SIZES["tick"])
    draw.text((12, 14), heading, font=_font(SIZES["heading"]), fill=INK)
    left = min(max((tick_font.getlength(text) for text in labels), default=0) + MARGINS["label_pad"], WIDTH / 2)
    plot = (int(left), MARGINS["top"], WIDTH - MARGINS["right"], height - MARGINS["bottom"])
    if not labels:
        draw.text(((plot[0] + plot[2]) / 2, (plot[1] + plot[3]) / 2), empty_label, font=label_font, fill=GREY, anchor="mm")
        return _png(image)

    def x_of(value: float) -> float:
        return plot[0] + (plot[2] - plot[0]) * value / X_MAX

    row = (plot[3] - plot[1]) / (len(labels) + 0.1)  # as many rows as labels, the first a little below the top
    for tick in range(0, 7):  # 0% to 120% every 20%
        x = x_of(tick / 5)
        draw.line([(x, plot[1]), (x, plot[3])], fill=GRID, width=1)
        draw.text((x, plot[3] + 5), f"{tick * 20}%", font=tick_font, fill=INK, anchor="mt")
    draw.line([(plot[0], plot[3]), (plot[2], plot[3])], fill=INK, width=1)
    for y, label in enumerate(labels):
        draw.text((plot[0] - 6, plot[1] + row * (y + 0.6)), label, font=tick_font, fill=INK, anchor="rm")
    values = [bar.progress if math.isfinite(bar.progress) else 0.0 for bar in shown]
    lengths = [min(max(value, 0.0), X_MAX) for value in values]
    middles = [plot[1] + row * (y + 0.6) for y in range(len(shown))]
    for value, length, middle in zip(values, lengths, middles):
        draw.rectangle([plot[0], middle - row * 0.325, x_of(length), middle + row * 0.325], fill=_colour(value, expected))
    pace_x = x_of(expected)
    _dashed(draw, pace_x, plot[1], plot[3])
    for value, length, middle in zip(values, lengths, middles):  # over the pace line
        _value_label(draw, f"{value:.0%}", x_of(length), middle, inside=length > X_MAX - 0.1, font=tick_font)
    draw.text((pace_x + (4 if expected < X_MAX * 0.7 else -4), plot[1] - 2), f"{pace_label} {expected:.0%}",
              font=tick_font, fill=PACE, anchor="ld" if expected < X_MAX * 0.7 else "rd")
    _legend(draw, progress_label, pace_label, height - 22, label_font)
    return _png(image)


def _value_label(draw: ImageDraw.ImageDraw, text: str, x: float, y: float, *, inside: bool, font) -> None:
    """Past the bar's end on white (so the pace line does not cross it); inside in white when there is no room."""
    if inside:
        draw.text((x - 4, y), text, font=font, fill=PAPER, anchor="rm")
        return
    box = draw.textbbox((x + 4, y), text, font=font, anchor="lm")
    draw.rectangle([box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1], fill=PAPER)
    draw.text((x + 4, y), text, font=font, fill=INK, anchor="lm")


def _dashed(draw: ImageDraw.ImageDraw, x: float, top: float, bottom: float, dash: int = 6, gap: int = 4) -> None:
    y = top
    while y < bottom:
        draw.line([(x, y), (x, min(y + dash, bottom))], fill=PACE, width=2)
        y += dash + gap


def _legend(draw: ImageDraw.ImageDraw, progress_label: str, pace_label: str, middle: float, font) -> None:
    """Three swatches for the colours, then a dashed line for the pace, centred under the plot."""
    swatch, gap = 12, 8
    width = 3 * swatch + gap + font.getlength(progress_label) + 3 * gap + 24 + gap + font.getlength(pace_label)
    x = (WIDTH - width) / 2
    for colour in (GREEN, AMBER, RED):
        draw.rectangle([x, middle - swatch / 2, x + swatch - 1, middle + swatch / 2], fill=colour)
        x += swatch
    draw.text((x + gap, middle), progress_label, font=font, fill=INK, anchor="lm")
    x += gap + font.getlength(progress_label) + 3 * gap
    for start in (0, 10, 20):
        draw.line([(x + start, middle), (x + start + 5, middle)], fill=PACE, width=2)
    draw.text((x + 24 + gap, middle), pace_label, font=font, fill=INK, anchor="lm")


def _png(image: Image.Image) -> bytes:
    """A 256-colour palette PNG: a third of the size of the RGB one (Chinese glyphs are costly to
    compress), with no visible loss on flat bars and anti-aliased text."""
    buffer = io.BytesIO()
    image.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()
