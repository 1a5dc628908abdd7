"""The baseline: the same N creates through the official livekit-api SDK, four at a time."""

from __future__ import annotations

import asyncio
import time

from livekit import api

from benchmarks.stacks import trunk_key, trunk_number

CONCURRENCY = 4


def sdk_creates(url: str, api_key: str, api_secret: str, n: int) -> tuple[float, list[str]]:
    """Seconds to create `n` trunks like the stack's (same name, address, number), and their ids.

    The clock covers the creates only, not building or closing the SDK client.
    """

    async def go() -> tuple[float, list[str]]:
        lk = api.LiveKitAPI(url, api_key, api_secret)
        limit = asyncio.Semaphore(CONCURRENCY)

        async def create(i: int) -> str:
            async with limit:
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
