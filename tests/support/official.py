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


def list_inbound(settings: Any) -> dict[str, Any]:
    """Every inbound trunk as the official SDK sees it, by id."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.list_inbound_trunk(api.ListSIPInboundTrunkRequest())
    return {t.sip_trunk_id: t for t in _run(settings, work).items}


def list_rules(settings: Any) -> dict[str, Any]:
    """Every dispatch rule as the official SDK sees it, by id."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.list_dispatch_rule(api.ListSIPDispatchRuleRequest())
    return {r.sip_dispatch_rule_id: r for r in _run(settings, work).items}


def update_rule(settings: Any, rule_id: str, **fields: Any) -> Any:
    """The dispatch rule `update` action with `fields`."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.update_dispatch_rule_fields(rule_id, **fields)
    return _run(settings, work)


def delete_rule(settings: Any, rule_id: str) -> None:
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.delete_dispatch_rule(api.DeleteSIPDispatchRuleRequest(sip_dispatch_rule_id=rule_id))
    _run(settings, work)


def create_inbound(settings: Any, **fields: Any) -> Any:
    """An inbound trunk made as `lk sip inbound create` makes it."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.create_inbound_trunk(
            api.CreateSIPInboundTrunkRequest(trunk=api.SIPInboundTrunkInfo(**fields)))
    return _run(settings, work)


def create_rule(settings: Any, **fields: Any) -> Any:
    """A dispatch rule made as `lk sip dispatch create` makes it (the `dispatch_rule` form)."""
    async def work(lk: api.LiveKitAPI) -> Any:
        return await lk.sip.create_dispatch_rule(
            api.CreateSIPDispatchRuleRequest(dispatch_rule=api.SIPDispatchRuleInfo(**fields)))
    return _run(settings, work)
