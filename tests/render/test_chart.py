"""The digest chart: always a valid PNG, whatever the bars, the language or the number of threads."""

from __future__ import annotations

import io
import struct
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from bot.render import chart
from bot.render.chart import ChartBar, _label, progress_chart

SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZH = {"heading": "本周目标进度", "progress_label": "进度", "pace_label": "预期进度"}
EN = {"heading": "Progress this week", "progress_label": "Progress", "pace_label": "Expected pace"}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format puts first, right after the signature."""
    assert data.startswith(SIGNATURE)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert data.endswith(b"IEND\xaeB`\x82")
    return width, height


def check_png(data: bytes) -> tuple[int, int]:
    width, height = png_size(data)
    assert width > 0 and height > 0
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
        assert image.format == "PNG" and image.size == (width, height)
    return width, height


def bars(count: int) -> list[ChartBar]:
    return [ChartBar(f"O{i}", i / count, f"提升品牌知名度 {i}" if i % 2 else f"Objective {i}") for i in range(1, count + 1)]


@pytest.mark.parametrize("count", [0, 1, 3, 60])
@pytest.mark.parametrize("labels", [EN, ZH], ids=["en", "zh"])
def test_any_number_of_bars_in_any_language_makes_a_png_without_warnings(count, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = progress_chart(bars(count), expected=0.5, **labels)
    check_png(data)


def test_the_figure_grows_with_the_bars_within_bounds():
    heights = [png_size(progress_chart(bars(n), expected=0.5, **EN))[1] for n in (1, 10, 40, 60)]
    assert heights[0] < heights[1] < heights[2]
    assert heights[2] == heights[3] <= 1500  # 60 bars are drawn as 39 and a "…+21" row


def test_forty_bars_stay_small_enough_for_slack():
    assert len(progress_chart(bars(40), expected=0.5, **ZH)) <= 200_000


@pytest.mark.parametrize("progress", [-0.3, 0.0, 1.0, 1.2, 3.5, float("nan"), float("inf")])
def test_progress_out_of_range_is_drawn_without_complaint(progress):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_png(progress_chart([ChartBar("O1", progress)], expected=0.4, **EN))


@pytest.mark.parametrize("expected", [-1.0, 0.0, 0.99, 2.0, float("nan")])
def test_any_expected_pace_is_drawn(expected):
    check_png(progress_chart(bars(3), expected=expected, **EN))


def test_dollar_signs_are_text_not_math():
    data = progress_chart([ChartBar("O1", 0.5, "Pipeline from $1M to $5M")], expected=0.5,
                          heading="$ and $", progress_label="$x$", pace_label="pace $")
    check_png(data)


def test_titles_a_font_cannot_draw_are_left_out_but_the_ref_stays():
    assert _label(ChartBar("O1", 0.5, "Launch partner program")) == "O1 Launch partner program"
    assert _label(ChartBar("O2", 0.5, "A very long objective title that goes on")).endswith("…")
    assert _label(ChartBar("O3", 0.5, "rocket 🚀")) == "O3"  # no font here has emoji
    assert _label(ChartBar("O4", 0.5, "降低获客成本")) == "O4 降低获客成本"  # the bundled font has Chinese


def test_chinese_is_drawn_in_chinese_with_no_system_font(monkeypatch):
    """The bundled Noto Sans SC is there after `pip install`, so nothing falls back to English for want of a font."""
    from pylopdf_fonts_zh_cn import sans_path

    assert chart.font_path() == str(sans_path())
    drawn = {}
    draw = chart._draw

    def spy(shown, labels, expected, heading, progress_label, pace_label, empty_label):
        drawn.update(labels=labels, heading=heading, progress_label=progress_label, pace_label=pace_label)
        return draw(shown, labels, expected, heading, progress_label, pace_label, empty_label)

    monkeypatch.setattr(chart, "_draw", spy)
    data = progress_chart([ChartBar("O1", 0.3, "提升品牌知名度"), ChartBar("O2", 0.6, "降低获客成本")], expected=0.5, **ZH)
    check_png(data)
    assert drawn == {"labels": ["O1 提升品牌知名度", "O2 降低获客成本"], **ZH}


def test_chinese_glyphs_are_ink_not_boxes():
    """Two different Chinese headings draw two different pictures: a font without Chinese would draw the same boxes."""
    one = progress_chart(bars(2), expected=0.5, heading="本周目标进度", progress_label="进度", pace_label="预期进度")
    other = progress_chart(bars(2), expected=0.5, heading="降低获客成本", progress_label="进度", pace_label="预期进度")
    with Image.open(io.BytesIO(one)) as a, Image.open(io.BytesIO(other)) as b:
        assert a.size == b.size
        heading_box = (0, 0, 300, 45)
        assert a.convert("L").crop(heading_box).tobytes() != b.convert("L").crop(heading_box).tobytes()
        assert a.convert("L").crop(heading_box).getextrema()[0] < 100  # ink, not a blank


def test_a_lone_emoji_heading_falls_back_to_english(monkeypatch):
    drawn = {}
    draw = chart._draw

    def spy(shown, labels, expected, heading, progress_label, pace_label, empty_label):
        drawn.update(heading=heading)
        return draw(shown, labels, expected, heading, progress_label, pace_label, empty_label)

    monkeypatch.setattr(chart, "_draw", spy)
    check_png(progress_chart(bars(1), expected=0.5, heading="🚀 week", progress_label="进度", pace_label="预期进度"))
    assert drawn["heading"] == "Progress vs expected pace"


def test_four_threads_at_once():
    jobs = [(bars(n), labels) for n, labels in ((3, EN), (12, ZH), (0, ZH), (45, EN))] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: progress_chart(job[0], expected=0.3, **job[1]), jobs))
    for data in results:
        check_png(data)
    assert results[:4] == results[4:]  # the same input draws the same picture, whatever ran beside it
