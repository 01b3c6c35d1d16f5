"""How the API and the worker reach Temporal: one data converter on both sides, whose codec
encrypts every payload (orchestration.encryption) so personal data is not readable in Temporal.
Failures' messages and stack traces travel as an encoded payload too: an error may quote what
it failed on."""

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import Runtime
from temporalio.service import RetryConfig

from configuration.settings import Settings
from orchestration.encryption import EncryptionCodec


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic models to JSON, then encrypted with the keys of ESS_PAYLOAD_KEYS."""
    return dataclasses.replace(pydantic_data_converter,
                               payload_codec=EncryptionCodec.from_setting(settings.payload_keys),
                               failure_converter_class=DefaultFailureConverterWithEncodedAttributes)


# The API answers LINE within its 2 s: a call to an unreachable server gives up after a second of
# retries, the webhook answers 503 and LINE redelivers (the SDK's default retries for 10 s).
API_RETRIES = RetryConfig(max_elapsed_time_millis=1000)


async def connect_temporal(settings: Settings, runtime: Runtime | None = None,
                           retry_config: RetryConfig | None = None) -> Client:
    """`runtime`: e.g. one that exports the SDK's metrics; None keeps the SDK's default runtime.
    `retry_config`: how long a call retries an unreachable server; None keeps the SDK's default."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
        retry_config=retry_config,
    )
