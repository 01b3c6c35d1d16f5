"""Payloads are encrypted before Temporal stores them: what Temporal's database and UI hold of a
case is unreadable without ESS_PAYLOAD_KEYS, and keys rotate without losing old histories."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload, SearchAttributes
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    ActivitySerializationContext,
    NexusSerializationContext,
    WorkflowSerializationContext,
)
from temporalio.runtime import Runtime, TelemetryConfig
from temporalio.testing import WorkflowEnvironment

from configuration.settings import DEVELOPMENT_PAYLOAD_KEYS, Settings
from domain.models import PhoneNumber, ReporterMessage
from orchestration.client import connect_temporal, data_converter
from orchestration.encryption import (
    ENCRYPTED_ENCODING,
    KEY_ID,
    WORKFLOW_ID,
    EncryptionCodec,
    PayloadDecryptionError,
    parse_payload_keys,
)
from orchestration.ids import case_workflow_id
from tests.scene import Scene
from tests.waiting import eventually
from workflows.case import CaseWorkflow

PHONE = PhoneNumber(valid=True, e164="+66812345678", national="081-234-5678")


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def a_payload(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


def value_of(payload: Payload, kind: type) -> object:
    return pydantic_data_converter.payload_converter.from_payloads([payload], [kind])[0]


# --- The codec ------------------------------------------------------------------------------------


async def test_a_payload_comes_back_as_it_was_and_is_unreadable_in_between() -> None:
    codec = EncryptionCodec.from_setting(f"current:{new_key()}")
    original = a_payload(PHONE)

    [sealed] = await codec.encode([original])
    assert sealed.metadata["encoding"] == ENCRYPTED_ENCODING
    assert sealed.metadata[KEY_ID] == b"current"
    assert b"812345678" not in sealed.SerializeToString()

    [opened] = await codec.decode([sealed])
    assert opened == original
    assert value_of(opened, PhoneNumber) == PHONE


async def test_the_same_payload_twice_is_sealed_differently() -> None:
    codec = EncryptionCodec.from_setting(f"current:{new_key()}")
    first, second = await codec.encode([a_payload(PHONE), a_payload(PHONE)])
    assert first.data[:12] != second.data[:12], "a fresh nonce per payload"
    assert first.data != second.data


async def test_after_rotation_new_payloads_use_the_new_key_and_old_ones_still_open() -> None:
    old_key, new = new_key(), new_key()
    before = EncryptionCodec.from_setting(f"2025:{old_key}")
    [sealed_before] = await before.encode([a_payload(PHONE)])

    after = EncryptionCodec.from_setting(f"2026:{new},2025:{old_key}")
    [sealed_after] = await after.encode([a_payload(PHONE)])

    assert sealed_after.metadata[KEY_ID] == b"2026"
    assert value_of((await after.decode([sealed_before]))[0], PhoneNumber) == PHONE
    assert value_of((await after.decode([sealed_after]))[0], PhoneNumber) == PHONE
    with pytest.raises(PayloadDecryptionError, match="'2026'"):
        await before.decode([sealed_after])  # a worker still on the old keys cannot read the new


async def test_a_payload_whose_key_was_dropped_fails_naming_the_key_id_and_nothing_else() -> None:
    [sealed] = await EncryptionCodec.from_setting(f"retired:{new_key()}").encode([a_payload(PHONE)])
    with pytest.raises(PayloadDecryptionError) as refusal:
        await EncryptionCodec.from_setting(f"current:{new_key()}").decode([sealed])
    message = str(refusal.value)
    assert "'retired'" in message and "ESS_PAYLOAD_KEYS" in message
    assert "812345678" not in message


@pytest.mark.parametrize("tamper", ["ciphertext", "nonce", "key id"])
async def test_an_altered_payload_fails_authentication(tamper: str) -> None:
    key = new_key()
    codec = EncryptionCodec.from_setting(f"a:{key},b:{key}")  # the same key under two ids
    [sealed] = await codec.encode([a_payload(PHONE)])
    altered = Payload()
    altered.CopyFrom(sealed)
    if tamper == "ciphertext":
        altered.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    elif tamper == "nonce":
        altered.data = bytes([sealed.data[0] ^ 1]) + sealed.data[1:]
    else:
        altered.metadata[KEY_ID] = b"b"  # relabelled: the key id is authenticated too
    with pytest.raises(PayloadDecryptionError, match="authentication") as refusal:
        await codec.decode([altered])
    assert "812345678" not in str(refusal.value)


async def test_payloads_recorded_before_encryption_pass_through_unchanged() -> None:
    codec = EncryptionCodec.from_setting(f"current:{new_key()}")
    plain = a_payload(PHONE)
    [sealed] = await codec.encode([a_payload("sealed")])
    decoded = await codec.decode([plain, sealed])
    assert decoded[0] == plain
    assert value_of(decoded[1], str) == "sealed"


def of_workflow(workflow_id: str) -> WorkflowSerializationContext:
    return WorkflowSerializationContext(namespace="default", workflow_id=workflow_id)


def of_activity(workflow_id: str | None) -> ActivitySerializationContext:
    return ActivitySerializationContext(
        namespace="default", activity_id="1", activity_type="record_case_event", activity_task_queue="q",
        workflow_id=workflow_id, workflow_type="CaseWorkflow" if workflow_id else None, is_local=False,
    )


async def test_a_payload_encoded_for_a_workflow_names_it_and_opens_with_any_codec_of_the_keys() -> None:
    setting = f"current:{new_key()}"
    codec = EncryptionCodec.from_setting(setting)
    for context in (of_workflow("case-ESS-2569-000001"), of_activity("case-ESS-2569-000001")):
        [sealed] = await codec.with_context(context).encode([a_payload(PHONE)])
        assert sealed.metadata[WORKFLOW_ID] == b"case-ESS-2569-000001"
        assert sealed.metadata[KEY_ID] == b"current"
        # Decoding needs no context: the UI's codec endpoint has none.
        [opened] = await EncryptionCodec.from_setting(setting).decode([sealed])
        assert value_of(opened, PhoneNumber) == PHONE


async def test_a_context_binds_a_copy_and_leaves_the_shared_codec_as_it_was() -> None:
    codec = EncryptionCodec.from_setting(f"current:{new_key()}")
    bound = codec.with_context(of_workflow("case-ESS-2569-000001"))
    assert bound is not codec and codec.workflow_id is None
    [sealed] = await codec.encode([a_payload(PHONE)])
    assert WORKFLOW_ID not in sealed.metadata
    # A context without a workflow (a standalone activity, a Nexus operation) names none.
    for context in (of_activity(None), NexusSerializationContext(endpoint="e", service="s", operation="o")):
        [sealed] = await bound.with_context(context).encode([a_payload(PHONE)])
        assert WORKFLOW_ID not in sealed.metadata


@pytest.mark.parametrize("tamper", ["swapped", "removed", "added"])
async def test_a_workflow_id_cannot_be_moved_onto_another_ciphertext(tamper: str) -> None:
    """What a province administrator may decode depends on the workflow id a payload names."""
    codec = EncryptionCodec.from_setting(f"current:{new_key()}")
    [theirs] = await codec.with_context(of_workflow("case-ESS-2569-000001")).encode([a_payload(PHONE)])
    [ours] = await codec.with_context(of_workflow("case-ESS-2569-000002")).encode([a_payload("ours")])
    [unnamed] = await codec.encode([a_payload(PHONE)])
    altered = Payload()
    if tamper == "swapped":
        altered.CopyFrom(theirs)
        altered.metadata[WORKFLOW_ID] = ours.metadata[WORKFLOW_ID]
    elif tamper == "removed":
        altered.CopyFrom(theirs)
        del altered.metadata[WORKFLOW_ID]
    else:
        altered.CopyFrom(unnamed)
        altered.metadata[WORKFLOW_ID] = ours.metadata[WORKFLOW_ID]
    with pytest.raises(PayloadDecryptionError, match="authentication") as refusal:
        await codec.decode([altered])
    assert "812345678" not in str(refusal.value)


async def test_payloads_sealed_before_workflow_ids_were_recorded_still_open() -> None:
    key = new_key()
    codec = EncryptionCodec.from_setting(f"2025:{key}")
    original = a_payload(PHONE)
    nonce = os.urandom(12)
    # As the codec sealed every payload before: the key id alone authenticated with it.
    sealed_before = Payload(
        metadata={"encoding": ENCRYPTED_ENCODING, KEY_ID: b"2025"},
        data=nonce + AESGCM(base64.b64decode(key)).encrypt(nonce, original.SerializeToString(), b"2025"),
    )
    [opened] = await codec.with_context(of_workflow("case-ESS-2569-000001")).decode([sealed_before])
    assert opened == original


# --- The setting ----------------------------------------------------------------------------------


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    first, second = new_key(), new_key()
    keys = parse_payload_keys(f" new:{first} , old:{second},")
    assert list(keys) == ["new", "old"]
    assert keys["new"] == base64.b64decode(first)
    codec = EncryptionCodec(keys)
    assert codec.encrypting_key_id == "new" and codec.key_ids == ["new", "old"]


def test_the_development_key_is_a_valid_setting() -> None:
    assert list(parse_payload_keys(DEVELOPMENT_PAYLOAD_KEYS)) == ["development"]


SHORT_KEY = base64.b64encode(b"k" * 16).decode()


# Fixed keys: test ids must be the same in every xdist process.
FIXED_KEY, OTHER_FIXED_KEY = base64.b64encode(bytes(range(32))).decode(), base64.b64encode(bytes(range(1, 33))).decode()


@pytest.mark.parametrize(("setting", "complaint"), [
    ("", "holds no key"),
    (" , ", "holds no key"),
    (SHORT_KEY, "entry 1 is not 'key-id:base64-key'"),
    (f"ok:{FIXED_KEY},:{OTHER_FIXED_KEY}", "entry 2 is not 'key-id:base64-key'"),
    (f"with space:{FIXED_KEY}", "entry 1 is not"),
    (f"short:{SHORT_KEY}", "the key of 'short' is 16 bytes; AES-256 needs 32"),
    ("bad:not*base64!", "the key of 'bad' is not valid base64"),
    (f"twice:{FIXED_KEY},twice:{OTHER_FIXED_KEY}", "key id 'twice' is listed twice"),
])
def test_a_wrong_setting_is_refused_naming_the_setting_and_never_the_key(setting: str, complaint: str) -> None:
    with pytest.raises(ValueError) as refusal:
        parse_payload_keys(setting)
    message = str(refusal.value)
    assert message.startswith("ESS_PAYLOAD_KEYS")
    assert complaint in message
    for part in setting.replace(",", ":").split(":"):
        if len(part.strip()) > 10:  # key material (ids are short, and may be named)
            assert part.strip() not in message


def test_the_worker_and_api_converter_refuses_a_wrong_setting() -> None:
    with pytest.raises(ValueError, match="ESS_PAYLOAD_KEYS"):
        data_converter(Settings(ESS_PAYLOAD_KEYS="development:c2hvcnQ="))


# --- On the server --------------------------------------------------------------------------------


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every payload inside a protobuf message (inputs, results, markers, failures...), but search
    attributes: Temporal indexes those in clear, so they must hold no personal data."""
    if isinstance(message, SearchAttributes):
        return
    if isinstance(message, Payload):
        yield message
        return
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if isinstance(value, Message):
            values = [value]
        elif field.message_type.GetOptions().map_entry:
            values = value.values()
        else:
            values = value  # a repeated field
        for item in values:
            if isinstance(item, Message):
                yield from payloads_in(item)


def data_payloads(event: HistoryEvent) -> list[Payload]:
    """The payloads our data converter wrote. A local activity's marker also carries the SDK's own
    bookkeeping in clear (its "data" detail: sequence number, attempt, times), which is not ours;
    so does a `workflow.patched` marker (the patch's name, nothing else)."""
    if event.HasField("marker_recorded_event_attributes"):
        if event.marker_recorded_event_attributes.marker_name == "core_patch":
            return []
        details = event.marker_recorded_event_attributes.details
        return [payload for key, payloads in details.items() if key != "data" for payload in payloads.payloads]
    return list(payloads_in(event))


async def test_a_case_history_on_the_server_holds_no_personal_data_in_clear(
    live_scene: Scene, dev_server: WorkflowEnvironment,
) -> None:
    case_no, handle = await live_scene.open_case()
    # The worker has run the case: the station's alert (with the button that calls the reporter) went out.
    await live_scene.officer_hears(live_scene.station_line).hears()

    without_codec = await Client.connect(dev_server.client.service_client.config.target_host,
                                         namespace=dev_server.client.namespace)
    history = await without_codec.get_workflow_handle(handle.id).fetch_history()
    stored = b"".join(event.SerializeToString() for event in history.events)
    for personal in (b"812345678", b"234-5678", live_scene.reporter.user_id.encode(), "ที่เกิดเหตุทดสอบ".encode()):
        assert personal not in stored

    payloads = [payload for event in history.events for payload in data_payloads(event)]
    assert len(payloads) > 3 and all(p.metadata["encoding"] == ENCRYPTED_ENCODING for p in payloads)

    codec = data_converter(live_scene.settings).payload_codec
    readable = b"".join(p.SerializeToString() for p in await codec.decode(payloads))
    assert b"+66812345678" in readable and case_no.encode() in readable


async def test_a_cases_payloads_on_the_server_name_the_cases_workflow(
    live_scene: Scene, dev_server: WorkflowEnvironment,
) -> None:
    """The worker's and the API's clients record the workflow id on what they send for a case: its
    input, its activities' arguments and results, the signals it gets. The codec endpoint tells a
    province's payloads by it."""
    case_no, handle = await live_scene.open_case()
    await live_scene.officer_hears(live_scene.station_line).hears()  # the alert's activities have run
    await handle.signal(CaseWorkflow.reporter_message, ReporterMessage(
        event_id=f"message-{case_no}", message_type="text", received_at=datetime.now(UTC), text="ช่วยด้วย"))

    async def history_with_the_signal():  # a signal that comes during a workflow task is written after it
        history = await handle.fetch_history()
        signaled = any(e.HasField("workflow_execution_signaled_event_attributes") for e in history.events)
        return history if signaled else None

    history = await eventually(history_with_the_signal)
    kinds = {"workflow_execution_started_event_attributes", "activity_task_scheduled_event_attributes",
             "activity_task_completed_event_attributes", "workflow_execution_signaled_event_attributes"}
    named: dict[str, set[bytes]] = {kind: set() for kind in kinds}
    for event in history.events:
        for payload in data_payloads(event):
            named.setdefault(event.WhichOneof("attributes") or "", set()).add(payload.metadata.get(WORKFLOW_ID, b""))
    assert {kind: named[kind] for kind in kinds} == {kind: {case_workflow_id(case_no).encode()} for kind in kinds}
    assert set().union(*named.values()) == {case_workflow_id(case_no).encode()}, "every payload of the case"


async def test_connect_temporal_uses_the_runtime_it_is_given(dev_server: WorkflowEnvironment) -> None:
    runtime = Runtime(telemetry=TelemetryConfig())
    settings = Settings(TEMPORAL_ADDRESS=dev_server.client.service_client.config.target_host)
    client = await connect_temporal(settings, runtime=runtime)
    assert client.service_client.config.runtime is runtime
    assert isinstance(client.data_converter.payload_codec, EncryptionCodec)
