"""Payloads encrypted before they reach Temporal: phone numbers, LINE user ids, messages and
locations travel in workflow inputs, signals and activity arguments, and Temporal keeps them in
its database and shows them in its UI. AES-256-GCM, one random nonce per payload.

The keys come from ESS_PAYLOAD_KEYS, "key-id:base64-key" pairs separated by commas. The first
encrypts; every one decrypts, so a key is rotated by putting a new one first and keeping the old
one listed until no history that needs it is left. Each encrypted payload names its key id.

Used by the Temporal clients of the worker and the API (outside the workflow sandbox)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

SETTING = "ESS_PAYLOAD_KEYS"
ENCODING = "encoding"
ENCRYPTED_ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
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


class EncryptionCodec(PayloadCodec):
    """Encrypts every payload with the first key; decrypts with whichever key a payload names.
    Payloads that were never encrypted (histories recorded before encryption) pass through."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise ValueError("an encryption codec needs at least one key")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.encrypting_key_id = next(iter(keys))

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
        nonce = os.urandom(NONCE_BYTES)
        # The key id is authenticated too: a payload relabelled with another id fails to decrypt.
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(metadata={ENCODING: ENCRYPTED_ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed)

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
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except InvalidTag:
            raise PayloadDecryptionError(
                f"a payload encrypted with key id {key_id!r} failed authentication: "
                "it was altered, or that id names a different key here"
            ) from None
        return Payload.FromString(plain)
