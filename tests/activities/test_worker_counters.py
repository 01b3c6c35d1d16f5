"""What the worker counts for Prometheus: LINE's refusals by operation and status code, and a case's
escalation once per rung, however often the activity that records it is retried."""

from __future__ import annotations

import asyncpg
import pytest
from prometheus_client import REGISTRY
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.cases import CaseStore
from activities.line import LineMessenger
from configuration.settings import Settings
from line_simulator.line_platform import SimulatedUser
from tests.activities.test_cases import event, opened_case
from tests.activities.test_line import delivery_for
from tests.fake_line import FakeLine


def line_errors(operation: str, status: str) -> float:
    return REGISTRY.get_sample_value("ess_line_api_errors_total", {"operation": operation, "status": status}) or 0.0


def escalations(level: str) -> float:
    return REGISTRY.get_sample_value("ess_escalations_total", {"level": level}) or 0.0


async def test_each_answer_line_refuses_is_counted_by_operation_and_status(
    fake_line: FakeLine, line_user: SimulatedUser, line_settings: Settings
) -> None:
    messenger = LineMessenger(line_settings, request_timeout=0.3)
    before = {"429": line_errors("push", "429"), "timeout": line_errors("push", "timeout")}
    fake_line.platform.fail_next("push", 429)
    fake_line.platform.delay_next("push", seconds=0.6)
    try:
        for _ in range(2):
            with pytest.raises(ApplicationError):
                await ActivityEnvironment().run(messenger.send_line_messages, delivery_for(line_user))
        await ActivityEnvironment().run(messenger.send_line_messages, delivery_for(line_user))  # LINE is fine again
    finally:
        await messenger.close()
    assert line_errors("push", "429") == before["429"] + 1
    assert line_errors("push", "timeout") == before["timeout"] + 1


async def test_an_escalation_is_counted_once_when_first_recorded(pool: asyncpg.Pool) -> None:
    store = CaseStore(pool, download_content=None)  # no attachments here
    case_no = await opened_case(store)
    before = escalations("2")
    escalated = event(case_no, "ESCALATED", 10, level=2)
    await store.append_case_event(escalated)
    await store.append_case_event(escalated)  # a retry of the same entry
    await store.append_case_event(event(case_no, "REPORTER_MESSAGE", 11, text="ยังรออยู่"))
    assert escalations("2") == before + 1
