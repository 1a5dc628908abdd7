"""Reads and writes through LiveKit's official Python SDK, to check what we did."""

from __future__ import annotations

import asyncio
from typing import Any

from livekit import api


def _run(settings: Any, work: Any) -> Any:
    async def go() -> Any:
        lk = api.LiveKitAPI(settings.url, settings.api_key, settings.api_secret)
        try:
            return await work(lk)
        finally:
            await lk.aclose()
    return asyncio.run(go())


def list_trunks(settings: Any) -> dict[str, Any]:
    """Every outbound trunk as the official SDK sees it, by id."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest())
    return {t.sip_trunk_id: t for t in _run(settings, work).items}


def create_trunk(settings: Any, **fields: Any) -> Any:
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.create_outbound_trunk(
            api.CreateSIPOutboundTrunkRequest(trunk=api.SIPOutboundTrunkInfo(**fields)))
    return _run(settings, work)


def delete_trunk(settings: Any, sip_trunk_id: str) -> None:
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.delete_trunk(api.DeleteSIPTrunkRequest(sip_trunk_id=sip_trunk_id))
    _run(settings, work)


def update_trunk(settings: Any, sip_trunk_id: str, **fields: Any) -> Any:
    """The `update` action with `fields`, as `lk sip outbound update` sends it."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.update_outbound_trunk_fields(sip_trunk_id, **fields)
    return _run(settings, work)
