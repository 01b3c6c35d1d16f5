"""Operators filter cases in the Temporal UI by our search attributes, whichever server runs."""

from __future__ import annotations

from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from devstack.binaries import temporal_cli
from devstack.temporal import ensure_search_attributes
from orchestration import search_attributes

OUR_NAMES = sorted(key.name for key in search_attributes.ALL)


async def test_a_server_without_our_search_attributes_gets_them_once() -> None:
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(temporal_cli()), ui=False)
    try:
        assert await ensure_search_attributes(env.client) == OUR_NAMES
        assert await ensure_search_attributes(env.client) == []

        known = await env.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=env.client.namespace)
        )
        assert set(OUR_NAMES) <= set(known.custom_attributes)
    finally:
        await env.shutdown()
