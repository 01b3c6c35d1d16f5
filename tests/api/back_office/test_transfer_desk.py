"""A care moved to another province's team, in the back office (issue 17): the team offers it from the
hand-off page; the receiving team finds the offer in its inbox and reads only what it needs to decide
(never the care's timeline, the person helped or the contact) until it accepts; then the care opens on
its page for the receiving team, and the sending team sees it no more. A third province sees nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from domain.handoff import TeamMember, TeamRole
from tests.api.back_office.conftest import Person, Staff, csrf_of
from tests.api.back_office.teams import account_of
from tests.api.back_office.test_handoff_desk import (
    Team,
    forwarded_for_real,
    key_of,
    signed_in,
    team,
    team_acts,
)
from tests.scene import Scene
from tests.team import let_go, linked_team_member
from tests.waiting import eventually

__all__ = ["team"]  # the fixture


@dataclass
class Receiving:
    province_code: str
    coordinator: TeamMember
    account: Person


@pytest.fixture
async def receiving(scene: Scene, pool: asyncpg.Pool) -> AsyncIterator[Receiving]:
    province = await pool.fetchval("SELECT code FROM provinces WHERE code <> $1 ORDER BY code DESC LIMIT 1",
                                   scene.district["province_code"])
    coordinator, _ = await linked_team_member(pool, scene.platform, TeamRole.COORDINATOR, province)
    yield Receiving(province, coordinator, await account_of(pool, coordinator))
    await let_go(pool, [coordinator])


async def test_an_offered_care_shows_the_receiving_team_only_the_offer_until_it_accepts(
        scene: Scene, staff: Staff, team: Team, receiving: Receiving, browser_like, pool: asyncpg.Pool) -> None:
    case_no, handoff_id, _officer = await forwarded_for_real(scene, staff, browser_like)
    worker = await signed_in(browser_like, team.social_worker_account)
    await team_acts(worker, handoff_id, "ACCEPT")
    page = await worker.get(f"/office/handoffs/{handoff_id}")
    offered = await worker.post(f"/office/handoffs/{handoff_id}/transfer", data={
        "csrf_token": csrf_of(page), "idempotency_key": key_of(page), "to_province_code": receiving.province_code,
        "note": "ย้ายไปอยู่กับป้า เลขที่บ้านอยู่ในบันทึกผู้ดูแล"}, follow_redirects=True)
    assert offered.status_code == 200 and "บันทึกแล้ว: ขอโอนการดูแล" in offered.text
    assert "รอทีมจังหวัด" in offered.text and 'data-action="TRANSFER"' not in offered.text

    other = await signed_in(browser_like, receiving.account)
    inbox = await other.get("/office/handoffs")
    assert f'data-offer="{handoff_id}"' in inbox.text and f'data-handoff="{handoff_id}"' not in inbox.text
    assert (await other.get(f"/office/handoffs/{handoff_id}")).status_code == 404  # not theirs yet
    offer = await other.get(f"/office/handoffs/transfers/{handoff_id}")
    assert offer.status_code == 200 and "ย้ายไปอยู่กับป้า" in offer.text
    assert "ลำดับเหตุการณ์ของการส่งต่อ" not in offer.text and "081" not in offer.text
    # The sending team and a third province may not answer it, nor read the offer.
    assert (await worker.get(f"/office/handoffs/transfers/{handoff_id}")).status_code == 404
    stranger = await signed_in(browser_like, team.stranger_account)
    if team.stranger.province_code != receiving.province_code:
        assert (await stranger.get(f"/office/handoffs/transfers/{handoff_id}")).status_code == 404

    declined_without_reason = await other.post(f"/office/handoffs/transfers/{handoff_id}/answer", data={
        "csrf_token": csrf_of(offer), "idempotency_key": key_of(offer), "decision": "DECLINE_TRANSFER"})
    assert declined_without_reason.status_code == 422
    accepted = await other.post(f"/office/handoffs/transfers/{handoff_id}/answer", data={
        "csrf_token": csrf_of(offer), "idempotency_key": key_of(offer), "decision": "ACCEPT_TRANSFER"},
        follow_redirects=True)
    assert accepted.status_code == 200 and "บันทึกแล้ว: รับโอนการดูแล" in accepted.text
    assert receiving.coordinator.name in accepted.text  # the case worker now
    assert "ลำดับเหตุการณ์ของการส่งต่อ" in accepted.text and "ตำรวจส่งต่อทีมสหวิชาชีพ" in accepted.text  # history
    row = await eventually(lambda: pool.fetchrow(
        "SELECT province_code FROM handoffs WHERE handoff_id = $1 AND province_code = $2", handoff_id,
        receiving.province_code))
    assert row is not None
    assert (await worker.get(f"/office/handoffs/{handoff_id}")).status_code == 404  # the old team's no more
    actions = await pool.fetch(
        "SELECT a.action FROM audit_log a JOIN accounts u ON u.id = a.account_id WHERE u.username = $1"
        " AND a.case_no = $2 ORDER BY a.id", receiving.account.username, case_no)
    assert [r["action"] for r in actions][:2] == ["TRANSFER_OFFER_VIEWED", "HANDOFF_ACTION"]
