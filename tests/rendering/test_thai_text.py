"""Thai lines break between words (PyThaiNLP's dictionary), never inside one; numbers, dates and
Latin words break at spaces only."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rendering.thai_text import pieces, wrap

SENTENCE = "ระยะเวลาตั้งแต่แจ้งจนรับทราบของเจ้าหน้าที่ตำรวจในจังหวัดเชียงใหม่ ช่วงวันที่แจ้ง 01/03/2544 ถึง 31/03/2544"
WORDS = ["ระยะเวลา", "ตั้งแต่", "แจ้ง", "รับทราบ", "เจ้าหน้าที่", "ตำรวจ", "จังหวัด", "เชียงใหม่", "01/03/2544",
         "31/03/2544"]


def test_a_line_breaks_between_words_never_inside_one() -> None:
    lines = wrap(SENTENCE, 9, len)  # nine characters a line: most words fill one

    assert "".join(lines) == SENTENCE.replace(" ", "")  # nothing lost but the spaces broken at
    for word in WORDS:
        assert any(word in line for line in lines), word


def test_a_line_holds_as_many_words_as_fit() -> None:
    lines = wrap(SENTENCE, 30, len)

    assert all(len(line) <= 30 for line in lines)
    for line, next_line in itertools.pairwise(lines):  # the next line's first word did not fit
        first = pieces(next_line)[0].rstrip()
        assert len(f"{line} {first}" if f"{line} {first}" in SENTENCE else line + first) > 30
    assert lines[-1] == "01/03/2544 ถึง 31/03/2544"


def test_a_date_or_a_latin_word_stays_whole_next_to_thai() -> None:
    assert "01/03/2544 " in pieces("วันที่ 01/03/2544 ถึง")
    assert "สน.ทดสอบ" in "".join(pieces("สถานี สน.ทดสอบ ESS Help Me")).split(" ")


@settings(deadline=None)  # the first call loads the dictionary
@given(st.lists(st.sampled_from([*WORDS, "ถึง", "ใน", " "]), max_size=25), st.integers(min_value=1, max_value=40))
def test_wrapping_keeps_every_character_but_the_spaces_it_breaks_at(words: list[str], width: int) -> None:
    text = "".join(words)

    lines = wrap(text, width, len)

    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in lines)
    # A line is too wide only when it is one word, too wide for any line.
    words_alone = {piece.rstrip() for piece in pieces(text)}  # a piece keeps the spaces after it
    assert all(len(line) <= width or line in words_alone for line in lines)


def test_line_breaking_needs_no_home_directory(tmp_path: Path) -> None:
    """The service's user may have no home (the image's has none): the bundled dictionary is read
    without writing a data folder there."""
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHAINLP")}
    environment["HOME"] = str(not_a_folder / "home")

    finished = subprocess.run(
        [sys.executable, "-c", "from rendering.thai_text import wrap; print(wrap('จังหวัดเชียงใหม่', 8, len))"],
        env=environment, cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=120, check=False)

    assert finished.returncode == 0, finished.stderr[-600:]
    assert finished.stdout.strip() == "['จังหวัด', 'เชียงใหม่']"
