"""The printable report's charts, drawn on an fpdf2 page inside the box they are given, so a chart
is always whole on its page. The value axis counts whole cases (rendering.chart_axis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from rendering.chart_axis import axis_ticks
from rendering.thai_text import wrap

BAR = (31, 119, 180)
GRID = (210, 210, 210)
AXIS = (90, 90, 90)
TEXT = (30, 30, 30)
LABEL_SIZE = 10
TICK_SIZE = 9


@dataclass(frozen=True)
class Box:
    """Where a chart is drawn on the page, in millimetres from the page's top left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


def cases(count: int) -> str:
    """A count as Thai readers write it: 12,345."""
    return f"{count:,}"


def horizontal_bars(pdf: FPDF, box: Box, labels: Sequence[str], values: Sequence[int]) -> None:
    """One bar per label, down the page (long Thai labels wrap between words beside their bar),
    the value axis along the bottom, each bar's count at its end."""
    ticks = axis_ticks(max(values, default=0))
    label_width = min(box.width * 0.34, 80)
    plot = Box(box.x + label_width + 2, box.y, box.width - label_width - 14, box.height - 8)
    row = plot.height / max(len(values), 1)
    size = min(LABEL_SIZE, max(6.0, row * 2.2))  # points: rows of a long list get smaller type
    line_height = size * 0.42
    _grid(pdf, plot, ticks, vertical=True)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        top = plot.y + index * row
        pdf.set_font(size=size)
        lines = wrap(label, label_width - 2, pdf.get_string_width)[: max(1, int(row / line_height))]
        first = top + (row - line_height * len(lines)) / 2
        pdf.set_text_color(*TEXT)
        for number, line in enumerate(lines):
            pdf.set_xy(box.x, first + number * line_height)
            pdf.cell(label_width, line_height, line, align="R")
        length = plot.width * value / ticks[-1]
        pdf.set_fill_color(*BAR)
        thickness = min(row * 0.7, 9)  # a few bars stay bars, not blocks
        if length > 0:
            pdf.rect(plot.x, top + (row - thickness) / 2, length, thickness, style="F")
        pdf.set_xy(plot.x + length + 1, top + (row - line_height) / 2)
        pdf.cell(12, line_height, cases(value))
    _axis_labels(pdf, plot, ticks, vertical=True)


def vertical_bars(pdf: FPDF, box: Box, labels: Sequence[str], values: Sequence[int]) -> None:
    """One column per label, side by side, labels (wrapped between words) under the columns,
    the value axis up the left, each column's count above it."""
    ticks = axis_ticks(max(values, default=0))
    label_lines = 3
    pdf.set_font(size=LABEL_SIZE)
    line_height = LABEL_SIZE * 0.42
    plot = Box(box.x + 14, box.y + 6, box.width - 16, box.height - 6 - label_lines * line_height - 3)
    _grid(pdf, plot, ticks, vertical=False)
    column = plot.width / max(len(values), 1)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        left = plot.x + index * column
        height = plot.height * value / ticks[-1]
        pdf.set_fill_color(*BAR)
        if height > 0:
            pdf.rect(left + column * 0.2, plot.bottom - height, column * 0.6, height, style="F")
        pdf.set_text_color(*TEXT)
        pdf.set_font(size=LABEL_SIZE)
        pdf.set_xy(left, plot.bottom - height - line_height - 0.5)
        pdf.cell(column, line_height, cases(value), align="C")
        for number, line in enumerate(wrap(label, column - 2, pdf.get_string_width)[:label_lines]):
            pdf.set_xy(left, plot.bottom + 2 + number * line_height)
            pdf.cell(column, line_height, line, align="C")
    _axis_labels(pdf, plot, ticks, vertical=False)


def line_over_time(pdf: FPDF, box: Box, labels: Sequence[str], values: Sequence[int]) -> None:
    """Counts per day joined by a line, the days along the bottom (a label every few days so they
    do not overlap), the value axis up the left."""
    ticks = axis_ticks(max(values, default=0))
    pdf.set_font(size=TICK_SIZE)
    line_height = TICK_SIZE * 0.42
    plot = Box(box.x + 14, box.y + 4, box.width - 20, box.height - 4 - line_height - 4)
    _grid(pdf, plot, ticks, vertical=False)
    count = len(values)
    if count == 0:
        _axis_labels(pdf, plot, ticks, vertical=False)
        return
    spacing = plot.width / max(count - 1, 1)
    label_width = pdf.get_string_width(labels[0]) + 4
    every = max(1, int(-(-label_width // spacing)))
    points = [(plot.x + index * spacing if count > 1 else plot.x + plot.width / 2,
               plot.bottom - plot.height * value / ticks[-1]) for index, value in enumerate(values)]
    pdf.set_draw_color(*BAR)
    pdf.set_line_width(0.5)
    if count > 1:
        pdf.polyline(points)
    pdf.set_fill_color(*BAR)
    if count <= 62:  # a dot per day while the dots stay apart
        for x, y in points:
            pdf.ellipse(x - 0.7, y - 0.7, 1.4, 1.4, style="F")
    pdf.set_line_width(0.2)
    pdf.set_text_color(*TEXT)
    for index in range(0, count, every):
        x = points[index][0]
        left = min(max(x - label_width / 2, box.x), box.right - label_width)
        pdf.set_xy(left, plot.bottom + 2)
        pdf.cell(label_width, line_height, labels[index], align="C")
    _axis_labels(pdf, plot, ticks, vertical=False)


def _grid(pdf: FPDF, plot: Box, ticks: list[int], vertical: bool) -> None:
    """Light lines at each tick, and the axes."""
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*GRID)
    for tick in ticks[1:]:
        if vertical:
            x = plot.x + plot.width * tick / ticks[-1]
            pdf.line(x, plot.y, x, plot.bottom)
        else:
            y = plot.bottom - plot.height * tick / ticks[-1]
            pdf.line(plot.x, y, plot.right, y)
    pdf.set_draw_color(*AXIS)
    pdf.line(plot.x, plot.y, plot.x, plot.bottom)
    pdf.line(plot.x, plot.bottom, plot.right, plot.bottom)


def _axis_labels(pdf: FPDF, plot: Box, ticks: list[int], vertical: bool) -> None:
    """The whole numbers of cases at each tick of the value axis."""
    pdf.set_font(size=TICK_SIZE)
    pdf.set_text_color(*AXIS)
    height = TICK_SIZE * 0.42
    for tick in ticks:
        if vertical:
            x = plot.x + plot.width * tick / ticks[-1]
            pdf.set_xy(x - 10, plot.bottom + 1.5)
            pdf.cell(20, height, cases(tick), align="C")
        else:
            y = plot.bottom - plot.height * tick / ticks[-1]
            pdf.set_xy(plot.x - 14, y - height / 2)
            pdf.cell(13, height, cases(tick), align="R")
