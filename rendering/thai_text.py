"""Thai line breaking for the printable report. Thai writes no spaces between words, so a line may
only break where a dictionary says one word ends and the next begins (PyThaiNLP's word
segmentation, its dictionary bundled: nothing is fetched); everything else (numbers, dates,
Latin words) breaks only at a space."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache

# Only the dictionary inside the package is used: PyThaiNLP must not create its data folder in the
# home directory, which the service's user may not have (the image's has none).
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

from pythainlp.tokenize import word_tokenize  # after the setting: it is read on import

THAI_LETTERS = range(0x0E00, 0x0E80)


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` in lines no wider than `width` (as `measure` measures a string), broken between
    words only; a single word wider than a line gets a line of its own, whole. No line starts or
    ends with a space."""
    lines: list[str] = []
    line = ""
    for piece in pieces(text):
        candidate = (line + piece).lstrip()  # a line never starts with a space
        if line and measure(candidate.rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


@lru_cache(maxsize=2048)
def pieces(text: str) -> tuple[str, ...]:
    """The text cut where a line may break: between two Thai words, and after a space (the space
    stays with the piece before it). Joined, the pieces are the text."""
    result: list[str] = []
    for token in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if result and not _may_break_between(result[-1], token):
            result[-1] += token
        else:
            result.append(token)
    return tuple(result)


def _may_break_between(before: str, after: str) -> bool:
    if before.endswith(" "):
        return True
    if after.isspace():
        return False  # a space stays on the line it ends
    return _is_thai(before[-1]) and _is_thai(after[0])


def _is_thai(character: str) -> bool:
    return ord(character) in THAI_LETTERS
