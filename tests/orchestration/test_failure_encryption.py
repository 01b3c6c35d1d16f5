"""Failures are encrypted like payloads: an activity's error message may quote what it failed on
(a library's message about a malformed phone number, say), and Temporal keeps failures in its
history and shows them in its UI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import Client, WorkflowFailureError
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

# A message an over-talkative library could write; its digits must not reach Temporal in clear.
TELLING_MESSAGE = "cannot parse 0812345678 near ถนนพระราม 4"


@activity.defn(name="failure_encryption_check")
async def fail_telling() -> None:
    raise ApplicationError(TELLING_MESSAGE, non_retryable=True)


@workflow.defn(name="FailureEncryptionCheck")
class FailingWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(fail_telling, start_to_close_timeout=timedelta(seconds=5),
                                        retry_policy=RetryPolicy(maximum_attempts=1))


async def test_a_failure_message_is_stored_encrypted_and_read_back_by_our_clients(
    dev_server: WorkflowEnvironment, task_queue: str,
) -> None:
    client = dev_server.client  # the worker's and the API's converter
    async with Worker(client, task_queue=task_queue, workflows=[FailingWorkflow], activities=[fail_telling]):
        handle = await client.start_workflow(FailingWorkflow.run, id=f"failure-{task_queue}", task_queue=task_queue)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()

    assert isinstance(failed.value.cause, ActivityError)
    assert failed.value.cause.cause.message == TELLING_MESSAGE

    without_codec = await Client.connect(client.service_client.config.target_host, namespace=client.namespace)
    history = await without_codec.get_workflow_handle(handle.id).fetch_history()
    stored = b"".join(event.SerializeToString() for event in history.events)
    assert b"0812345678" not in stored
    assert "พระราม".encode() not in stored
    failure = history.events[-1].workflow_execution_failed_event_attributes.failure
    assert failure.message == "Encoded failure"
    assert failure.encoded_attributes.metadata["encoding"] == b"binary/encrypted"
