"""The value axis of the report's charts (the PDF's and the workbook's): it counts whole cases, in
steps of 1, 2, 5, 10, 20, 50, … from 0, never fractions of a case."""

from __future__ import annotations

MAX_TICKS = 6  # steps along the axis, at most


def whole_step(largest: int) -> int:
    """The axis step for values up to `largest`: the smallest whole number of 1, 2, 5 × 10ⁿ that
    needs at most MAX_TICKS steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if -(-max(largest, 1) // step) <= MAX_TICKS:
                return step
        magnitude *= 10


def axis_ticks(largest: int) -> list[int]:
    """0, step, 2 × step, … up to the first tick at or above `largest` (at least one step)."""
    step = whole_step(largest)
    top = max(step, -(-largest // step) * step)
    return list(range(0, top + 1, step))
