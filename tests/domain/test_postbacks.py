"""The data the bot's buttons carry: what it encodes it decodes back, within LINE's 300 characters,
and data the bot did not make is not read."""

from __future__ import annotations

import pytest

from domain.postbacks import Postback

HANDOFF_ID = "ESS-2569-000123-1"


@pytest.mark.parametrize("postback", [
    Postback(action="team", code="ACCEPT", handoff_id=HANDOFF_ID),
    Postback(action="consent", code="YES", handoff_id=HANDOFF_ID),
    Postback(action="officer", code="ACKNOWLEDGE", case_no="ESS-2569-000123"),
    Postback(action="report"),
])
def test_a_postback_decodes_to_what_was_encoded(postback: Postback) -> None:
    data = postback.encode()
    assert Postback.decode(data) == postback
    assert len(data) <= 300


def test_a_team_members_accept_button_says_so_in_its_data() -> None:
    assert Postback(action="team", code="ACCEPT", handoff_id=HANDOFF_ID).encode() == (
        f"action=team&code=ACCEPT&handoff={HANDOFF_ID}")


@pytest.mark.parametrize("data", [None, "", "action=unknown&handoff=x", "code=ACCEPT&handoff=x",
                                  "action=team&handoff=" + "x" * 300])
def test_data_the_bot_did_not_make_is_not_read(data: str | None) -> None:
    assert Postback.decode(data) is None
