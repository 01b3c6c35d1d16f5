"""A case anonymised under the retention rules (database/retention.py) still opens in the back
office, its hand-off too: the status, the place to the kilometre and the timeline's story, and
nothing of the reporter's.

Its case is over in 1960, before a cut-off of 1 July 1960 that no other test's case is over by."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from database.retention import anonymise_closed_cases
from domain.accounts import AccountRole
from domain.clock import THAILAND
from domain.handoff import HandoffStatus
from domain.models import CaseStatus
from tests.api.back_office.conftest import add_account, sign_in
from tests.api.conftest import RunningApi
from tests.retention import Reporter

CUT_OFF = datetime(1960, 7, 1, tzinfo=THAILAND)
FORWARDED_AT = datetime(1960, 3, 1, 9, 0, tzinfo=THAILAND)


async def test_an_anonymised_case_and_its_hand_off_still_open_without_personal_data(
        api: RunningApi, pool: asyncpg.Pool, browser_like) -> None:
    async with pool.acquire() as connection:
        reporter = Reporter(connection)
        case_no = await reporter.case(CaseStatus.FORWARDED, FORWARDED_AT)
        handoff_id = await reporter.handoff(case_no, HandoffStatus.CLOSED, FORWARDED_AT,
                                            ended_at=FORWARDED_AT + timedelta(days=20))
        while await anonymise_closed_cases(connection, CUT_OFF, 100):
            pass
    http = browser_like()
    assert (await sign_in(http, await add_account(pool, AccountRole.SUPERADMIN))).status_code == 303

    for path in (f"/office/cases/{case_no}", f"/office/handoffs/{handoff_id}"):
        page = await http.get(path)

        assert page.status_code == 200, path
        assert case_no in page.text
        assert [secret for secret in reporter.personal_data if secret in page.text] == [], path
    case_page = await http.get(f"/office/cases/{case_no}")
    assert "ถูกลบแล้วตามระยะเวลาการเก็บรักษา" in case_page.text  # says why the details are missing
