"""Payloads encrypted before they reach Temporal: phone numbers, LINE user ids, messages and
locations travel in workflow inputs, signals and activity arguments, and Temporal keeps them in
its database and shows them in its UI. AES-256-GCM, one random nonce per payload.

The keys come from ESS_PAYLOAD_KEYS, "key-id:base64-key" pairs separated by commas. The first
encrypts; every one decrypts, so a key is rotated by putting a new one first and keeping the old
one listed until no history that needs it is left. Each encrypted payload names its key id.

A payload encoded for a workflow (Temporal's serialization context: the workflow's own payloads,
its activities', signals and children's inputs) also names that workflow's id, so the codec
endpoint can tell whose history a payload belongs to without decrypting it. Both names are
authenticated with the ciphertext: neither can be moved onto another payload. Payloads without a
workflow id (sealed before ids were recorded, or encoded outside any workflow) still decrypt.

Used by the Temporal clients of the worker and the API (outside the workflow sandbox)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping, Sequence
from copy import copy

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    ActivitySerializationContext,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
    WorkflowSerializationContext,
)

SETTING = "ESS_PAYLOAD_KEYS"
ENCODING = "encoding"
ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
# Workflow ids are no personal data (orchestration.ids); Temporal shows them in clear anyway.
WORKFLOW_ID = "ess-workflow-id"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # what GCM is designed for
TAG_BYTES = 16
# Key ids travel in every payload's metadata and in error messages: short and plain.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


class PayloadDecryptionError(Exception):
    """A payload that cannot be decrypted. The message names the key id, never the content."""


def parse_payload_keys(setting: str) -> dict[str, bytes]:
    """The keys of an ESS_PAYLOAD_KEYS value, in order (the first encrypts).

    Errors name the setting and the entry or key id, never key material."""
    keys: dict[str, bytes] = {}
    entries = [entry.strip() for entry in setting.split(",")]
    for position, entry in enumerate(entries, start=1):
        if not entry:
            continue  # a trailing comma, or two in a row
        key_id, colon, encoded = (part.strip() for part in entry.partition(":"))
        if not colon or not KEY_ID_PATTERN.fullmatch(key_id):
            raise ValueError(f"{SETTING}: entry {position} is not 'key-id:base64-key' "
                             "(a key id of letters, digits, '.', '_' or '-', a colon, then the key)")
        if key_id in keys:
            raise ValueError(f"{SETTING}: key id {key_id!r} is listed twice")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{SETTING}: the key of {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ValueError(f"{SETTING}: the key of {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}")
        keys[key_id] = key
    if not keys:
        raise ValueError(f"{SETTING} holds no key")
    return keys


def is_encrypted(payload: Payload) -> bool:
    return payload.metadata.get(ENCODING) == ENCRYPTED_ENCODING


def workflow_id_of(payload: Payload) -> str | None:
    """The workflow an encrypted payload says it belongs to; None if it names none (or not in UTF-8).
    Only a successful decryption proves it."""
    named = payload.metadata.get(WORKFLOW_ID)
    if not named:
        return None
    try:
        return named.decode()
    except UnicodeDecodeError:
        return None


def associated_data(key_id: str, workflow_id: bytes | None) -> bytes:
    """What GCM authenticates besides the ciphertext. Without a workflow id it is the key id alone,
    as every payload sealed before workflow ids were recorded has it. A key id holds no NUL, so the
    two forms never coincide and a workflow id can be neither added, removed nor swapped."""
    if not workflow_id:
        return key_id.encode()
    return key_id.encode() + b"\0" + workflow_id


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """Encrypts every payload with the first key; decrypts with whichever key a payload names.
    Payloads that were never encrypted (histories recorded before encryption) pass through.

    `with_context` gives the copy Temporal encodes a workflow's payloads with: it records the
    workflow id on them. Decryption trusts only the payload itself, never the context: a schedule's
    workflow, for one, decodes an input encoded under the schedule's id prefix."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise ValueError("an encryption codec needs at least one key")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.encrypting_key_id = next(iter(keys))
        self.workflow_id: str | None = None

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        workflow_id = (context.workflow_id
                       if isinstance(context, WorkflowSerializationContext | ActivitySerializationContext) else None)
        if workflow_id == self.workflow_id:
            return self
        bound = copy(self)  # the ciphers are shared: AESGCM keeps no state between calls
        bound.workflow_id = workflow_id
        return bound

    @classmethod
    def from_setting(cls, setting: str) -> EncryptionCodec:
        return cls(parse_payload_keys(setting))

    @property
    def key_ids(self) -> list[str]:
        return list(self._ciphers)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) if is_encrypted(payload) else payload for payload in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self.encrypting_key_id
        workflow_id = self.workflow_id.encode() if self.workflow_id else None
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), associated_data(key_id, workflow_id))
        metadata = {ENCODING: ENCRYPTED_ENCODING, KEY_ID: key_id.encode()}
        if workflow_id:
            metadata[WORKFLOW_ID] = workflow_id
        return Payload(metadata=metadata, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")[:64]
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptionError(
                f"a payload is encrypted with key id {key_id!r}, which {SETTING} does not list "
                f"(it lists {', '.join(map(repr, self._ciphers))})"
            )
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:
            raise PayloadDecryptionError(f"a payload encrypted with key id {key_id!r} is truncated")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, associated_data(key_id, payload.metadata.get(WORKFLOW_ID)))
        except InvalidTag:
            raise PayloadDecryptionError(
                f"a payload encrypted with key id {key_id!r} failed authentication: "
                "it was altered, or that id names a different key here"
            ) from None
        return Payload.FromString(plain)
