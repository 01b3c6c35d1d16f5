"""How the API and the worker reach Temporal: one data converter on both sides, whose codec
encrypts every payload (workflows.encryption) so personal data is not readable in Temporal."""

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime

from domain.settings import Settings
from workflows.encryption import EncryptionCodec


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic models to JSON, then encrypted with the keys of ESS_PAYLOAD_KEYS."""
    return dataclasses.replace(pydantic_data_converter,
                               payload_codec=EncryptionCodec.from_setting(settings.payload_keys))


async def connect_temporal(settings: Settings, runtime: Runtime | None = None) -> Client:
    """`runtime`: e.g. one that exports the SDK's metrics; None keeps the SDK's default runtime."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
    )
