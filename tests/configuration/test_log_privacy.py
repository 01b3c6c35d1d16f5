"""LINE user ids never reach the access log, even when they are part of a URL path."""

import logging

import pytest

from configuration.log_privacy import hide_line_user_ids_in_access_log

USER_ID = "U4af4980629a0d4a1f2b3c4d5e6f70819"


def test_a_user_id_in_a_logged_path_is_hidden(caplog: pytest.LogCaptureFixture) -> None:
    hide_line_user_ids_in_access_log()
    hide_line_user_ids_in_access_log()  # idempotent: one filter, not two
    access_log = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The shape of uvicorn's own access-log call.
        access_log.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                        f"/dev/simulator/chat/{USER_ID}?after=3", "1.1", 200)
    assert USER_ID not in caplog.text
    assert "/dev/simulator/chat/U…?after=3" in caplog.text
    assert len(access_log.filters) == 1
