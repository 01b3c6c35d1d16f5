"""Which release an upgrade drill starts from: the newest histories folder older than the current
version (tests/drills/releases.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.drills.releases import FIRST_RELEASE, Release, git, previous_release


def recorded(histories: Path, version: str, commit: str) -> None:
    (histories / version).mkdir(parents=True)
    (histories / version / "release.json").write_text(json.dumps(
        {"version": version, "commit": commit, "recorded": "2026-12-04"}), encoding="utf-8")


def test_the_newest_release_older_than_the_current_version(tmp_path: Path) -> None:
    for version, commit in (("0.0.0", "a" * 40), ("0.10.0", "b" * 40), ("0.9.1", "c" * 40), ("1.0.0", "d" * 40)):
        recorded(tmp_path, version, commit)
    assert previous_release(tmp_path, current="1.0.0") == Release("0.10.0", "b" * 40)  # 0.10 comes after 0.9
    assert previous_release(tmp_path, current="1.0.1") == Release("1.0.0", "d" * 40)
    assert previous_release(tmp_path, current="0.9.1") == Release("0.0.0", "a" * 40)


def test_release_0_1_0_is_its_commit_until_a_folder_says_so(tmp_path: Path) -> None:
    version, commit = FIRST_RELEASE
    assert previous_release(tmp_path, current="0.2.0") == Release(version, git("rev-parse", commit))


def test_this_checkouts_folders_name_the_release_before_it() -> None:
    release = previous_release()
    assert release.commit == git("rev-parse", release.commit)  # a commit this repository has
