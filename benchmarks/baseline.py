"""The baseline: the same N creates through the official livekit-api SDK, four at a time
(as wide as the dynamic provider) and all at once."""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractAsyncContextManager, nullcontext

from livekit import api

from benchmarks.stacks import ENGINE_WIDTH, trunk_key, trunk_number

CONCURRENCY = ENGINE_WIDTH


def sdk_creates(url: str, api_key: str, api_secret: str, n: int,
                concurrency: int | None = CONCURRENCY) -> tuple[float, list[str]]:
    """Seconds to create `n` trunks like the stack's (same name, address, number), and their ids.

    `concurrency` None sends them all at once. The clock covers the creates only, not
    building or closing the SDK client.
    """

    async def go() -> tuple[float, list[str]]:
        lk = api.LiveKitAPI(url, api_key, api_secret)
        limit = asyncio.Semaphore(concurrency) if concurrency else None

        async def create(i: int) -> str:
            gate: AbstractAsyncContextManager[object] = limit if limit else nullcontext()
            async with gate:
                trunk = await lk.sip.create_outbound_trunk(api.CreateSIPOutboundTrunkRequest(
                    trunk=api.SIPOutboundTrunkInfo(name=trunk_key(i), address="sip.example.com",
                                                   numbers=[trunk_number(i)])))
                return str(trunk.sip_trunk_id)

        try:
            started = time.perf_counter()
            ids = await asyncio.gather(*(create(i) for i in range(n)))
            return time.perf_counter() - started, list(ids)
        finally:
            await lk.aclose()

    return asyncio.run(go())


def sdk_names(url: str, api_key: str, api_secret: str) -> list[str]:
    """The names of every outbound trunk in the project, read through the official SDK."""

    async def go() -> list[str]:
        lk = api.LiveKitAPI(url, api_key, api_secret)
        try:
            listed = await lk.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest())
            return [t.name for t in listed.items]
        finally:
            await lk.aclose()

    return asyncio.run(go())
