"""A report is never lost, on the time-skipping server with the real activities: when the database
refuses to record the case (an error retries cannot mend), the reporter hears to call 191 at once,
the whole report is kept in `unrecorded_reports` (logged and counted without personal data), the
conversation goes on, and an operator's replay opens the case once however often it runs. And when
LINE never takes the case number, the case says so for its officers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import pytest

from activities.metrics import UNRECORDED_REPORTS
from database import dead_letters
from domain.pseudonyms import reporter_key
from orchestration.ids import case_workflow_id
from tests.conversation import CASE_NUMBER, Citizen, text_of
from tests.waiting import eventually
from tests.workflows.conftest import Reporting
from tests.workflows.test_intake import reach
from tools.dead_letters import replay

PHONE = "081-234-5678"


@pytest.fixture
async def refusing(reporting: Reporting) -> AsyncIterator[tuple[Citizen, str]]:
    """A citizen whose case the database refuses to record (a CHECK on their reporter key, added
    NOT VALID so no other row is judged), and the rule's name; dropped after the test if still there."""
    citizen = reporting.citizen()
    key = reporter_key(citizen.user_id, reporting.settings.pseudonym_key)
    rule = f"refuse_{uuid.uuid4().hex[:12]}"
    await reporting.pool.execute(f"ALTER TABLE cases ADD CONSTRAINT {rule} CHECK (reporter_key <> '{key}') NOT VALID")
    try:
        yield citizen, rule
    finally:
        await reporting.pool.execute(f"ALTER TABLE cases DROP CONSTRAINT IF EXISTS {rule}")


async def test_a_report_the_database_refuses_is_kept_the_reporter_hears_191_and_a_replay_opens_it_once(
        reporting: Reporting, refusing: tuple[Citizen, str], caplog: pytest.LogCaptureFixture) -> None:
    citizen, rule = refusing
    key = reporter_key(citizen.user_id, reporting.settings.pseudonym_key)
    counted_before = UNRECORDED_REPORTS.labels("ReportRefused")._value.get()
    caplog.set_level(logging.ERROR, logger="activities.cases")

    await reach(citizen, "phone")
    await citizen.says(PHONE)
    [told] = await citizen.hears()
    assert "191" in text_of(told) and not CASE_NUMBER.search(text_of(told))
    assert await reporting.cases_of(citizen) == []

    kept = await reporting.pool.fetchrow(
        "select * from unrecorded_reports where report -> 'reporter' ->> 'reporter_key' = $1", key)
    assert kept is not None and kept["reason"] == "ReportRefused" and kept["replayed_at"] is None
    report = kept["report"]
    assert report["report"]["phone"]["e164"] == "+66812345678"
    assert report["report"]["incident_type"]["code"] == "DETENTION"
    assert [step["step"] for step in report["report"]["steps"]][-1] == "phone"
    assert UNRECORDED_REPORTS.labels("ReportRefused")._value.get() == counted_before + 1
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "activities.cases"]
    assert str(kept["id"]) in logged.getMessage() and "ReportRefused" in logged.getMessage()
    assert citizen.user_id not in logged.getMessage() and "812345678" not in logged.getMessage()

    # The conversation goes on.
    await citizen.says("สวัสดี")
    [help_] = await citizen.hears()
    assert "แจ้งเหตุ" in text_of(help_)

    async with reporting.pool.acquire() as connection:
        waiting = await dead_letters.listing(connection)
    assert kept["id"] in [row["id"] for row in waiting]

    # Mended, replayed: one case with the report as kept, whatever number of replays.
    await reporting.pool.execute(f"ALTER TABLE cases DROP CONSTRAINT {rule}")
    client, queue = reporting.env.client, reporting.settings.temporal_task_queue
    first = await replay(reporting.pool, client, queue, kept["id"])
    again = await replay(reporting.pool, client, queue, kept["id"])
    assert first.opened_now and not again.opened_now and again.case_no == first.case_no
    assert kept["report"]["case_no"] in (None, first.case_no)
    [case] = await reporting.cases_of(citizen)
    assert (case["case_no"], case["phone_e164"], case["incident_type_code"]) == (first.case_no, "+66812345678",
                                                                                  "DETENTION")
    description = await client.get_workflow_handle(case_workflow_id(first.case_no)).describe()
    assert description.run_id  # the case runs on the worker as any case does
    replayed = await reporting.pool.fetchrow("select * from unrecorded_reports where id = $1", kept["id"])
    assert replayed["case_no"] == first.case_no and replayed["replayed_at"] is not None
    # The case holds the report now: the row keeps nothing personal.
    assert "812345678" not in str(replayed["report"]) and citizen.user_id not in str(replayed["report"])
    assert replayed["report"]["report"]["incident_type"]["code"] == "DETENTION"
    assert await reporting.pool.fetchval(
        "select count(*) from audit_log where action = 'UNRECORDED_REPORT_REPLAYED' and case_no = $1",
        first.case_no) == 1
    async with reporting.pool.acquire() as connection:
        assert kept["id"] not in [row["id"] for row in await dead_letters.listing(connection)]
    timeline = [row["kind"] for row in await reporting.pool.fetch(
        "select kind from case_events where case_no = $1", first.case_no)]
    assert timeline.count("REPORTED") == 1


async def test_a_case_number_line_never_takes_is_recorded_on_the_case(reporting: Reporting) -> None:
    citizen = reporting.citizen()
    await reach(citizen, "phone")
    # LINE refuses the answer to the phone number for good (a 403 is not retried).
    reporting.line.platform.faults.fail_next("reply", status=403)
    await citizen.says(PHONE)
    [case] = await _eventually_one_case(reporting, citizen)
    rows = await _undelivered(reporting, case["case_no"])
    assert rows == [("system", "reporter", "case_opened")]
    # The reporter heard nothing, and the conversation goes on.
    await citizen.hears_nothing(within=0.3)
    await citizen.says("สวัสดี")
    [received] = await citizen.hears()
    assert case["case_no"] in text_of(received)


async def _eventually_one_case(reporting: Reporting, citizen: Citizen) -> list:
    """The citizen's one case, once its undelivered mark is there."""
    async def one_case_with_its_mark() -> list:
        cases = await reporting.cases_of(citizen)
        if len(cases) == 1 and await _undelivered(reporting, cases[0]["case_no"]):
            return cases
        return []
    return await eventually(one_case_with_its_mark)


async def _undelivered(reporting: Reporting, case_no: str) -> list[tuple[str, str, str]]:
    rows = await reporting.pool.fetch(
        "select actor, details from case_events where case_no = $1 and kind = 'MESSAGE_UNDELIVERED'", case_no)
    return [(row["actor"], row["details"]["to"], row["details"]["prompt"]) for row in rows]
