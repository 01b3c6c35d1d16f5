"""The history benchmarks keep working: small runs with low budgets continue as new several times,
end as they should, and print each run."""

from __future__ import annotations

import re

import pytest

from bench import case_history, handoff_history


def printed_runs(output: str) -> list[int]:
    return [int(events) for events in re.findall(r"run \d+:\s+(\d+) events", output)]


@pytest.mark.parametrize(("bench", "argv"), [
    (case_history, ["--messages", "150", "--budget", "400"]),
    (handoff_history, ["--follow-ups", "12", "--budget", "300"]),
], ids=["case", "handoff"])
def test_a_small_run_continues_as_new_and_ends_within_its_budget(bench, argv: list[str],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(argv) == 0
    output = capsys.readouterr().out
    runs = printed_runs(output)
    assert len(runs) >= 2, output
    assert "continued as new" in output and "ended: CLOSED" in output
