"""Logs are human lines by default and JSON lines with ESS_LOG_FORMAT=json; in both, a LINE user id
never appears, even inside an argument or a traceback."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from configuration.logging_setup import log_format, log_handler

PROJECT_ROOT = Path(__file__).resolve().parents[2]
USER_ID = "U4af4980629a0d4a1f2b3c4d5e6f70819"


def logged(component: str, chosen_format: str, log: callable) -> str:
    """What a handler of this format writes for the records `log` makes."""
    handler = log_handler(component, chosen_format)
    written = io.StringIO()
    handler.setStream(written)
    logger = logging.getLogger(f"test.logging_setup.{chosen_format}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        log(logger)
    finally:
        logger.removeHandler(handler)
    return written.getvalue()


def test_a_json_line_carries_time_level_logger_and_message_and_no_user_id() -> None:
    def log(logger: logging.Logger) -> None:
        logger.warning("push to %s failed; details %s", USER_ID, {"to": USER_ID})
        try:
            raise RuntimeError(f"LINE refused {USER_ID}")
        except RuntimeError:
            logger.exception("sending failed")

    lines = [json.loads(line) for line in logged("worker", "json", log).splitlines()]
    assert [(line["level"], line["logger"], line["component"]) for line in lines] == [
        ("WARNING", "test.logging_setup.json", "worker"), ("ERROR", "test.logging_setup.json", "worker")
    ]
    assert lines[0]["message"] == "push to U… failed; details {'to': 'U…'}"
    assert lines[0]["time"].endswith("+00:00") and "T" in lines[0]["time"]
    assert "RuntimeError: LINE refused U…" in lines[1]["exception"]
    assert USER_ID not in json.dumps(lines)


def test_the_human_format_names_the_component_and_hides_user_ids() -> None:
    text = logged("api", "human", lambda logger: logger.info("chat of %s opened", USER_ID))
    assert text.rstrip().endswith(" api INFO test.logging_setup.human: chat of U… opened")
    assert USER_ID not in text


@pytest.mark.parametrize(("value", "chosen"), [(None, "human"), ("", "human"), ("JSON", "json"), (" human ", "human")])
def test_the_format_comes_from_ess_log_format(monkeypatch: pytest.MonkeyPatch, value: str | None, chosen: str) -> None:
    if value is None:
        monkeypatch.delenv("ESS_LOG_FORMAT", raising=False)
    else:
        monkeypatch.setenv("ESS_LOG_FORMAT", value)
    assert log_format() == chosen


def test_an_unknown_format_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="ESS_LOG_FORMAT"):
        log_format()


def test_under_uvicorn_json_turns_every_line_into_json_the_access_log_included() -> None:
    """Set up as `uvicorn api.app:app` does: uvicorn's logging first, then the app's."""
    program = textwrap.dedent(f"""
        import logging, warnings
        import uvicorn
        from configuration.logging_setup import configure_logging
        uvicorn.Config(app="api.app:app")  # applies uvicorn's own logging configuration
        configure_logging("api")
        logging.getLogger("uvicorn.error").info("Started server process [%d]", 1)
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                                                 "/dev/simulator/chat/{USER_ID}", "1.1", 200)
        logging.getLogger("api.webhook").info("ignored a LINE %s event", "join")
        warnings.warn("something is deprecated")
    """)
    finished = subprocess.run(
        [sys.executable, "-c", program], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "ESS_LOG_FORMAT": "json", "PYTHONWARNINGS": "ignore:XDG_RUNTIME_DIR is not set"},
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == ""
    lines = [json.loads(line) for line in finished.stderr.splitlines()]
    assert [line["logger"] for line in lines] == ["uvicorn.error", "uvicorn.access", "api.webhook", "py.warnings"]
    assert lines[1]["message"] == '127.0.0.1:5000 - "GET /dev/simulator/chat/U… HTTP/1.1" 200'
    assert {line["component"] for line in lines} == {"api"}
