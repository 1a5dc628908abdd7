"""The dynamic provider behind `OutboundTrunk`: the shared `ObjectProvider` over the outbound spec.

State pickles the provider by reference to its class, so `TrunkProvider` keeps its
name and this module (and `livekit_sip.provider` for states written by 0.1).
"""

from __future__ import annotations

from typing import Any

from livekit_sip.object_provider import ADOPT_LOOKUPS, AUTH_GIVEN, CHECK_ONLY, RESOURCE_NAME, Kind, ObjectProvider
from livekit_sip.outbound.spec import ADOPT, OutboundTrunkSpec, parse_spec
from livekit_sip.stack_config import credentials_path, trunk_path

__all__ = ["ADOPT_LOOKUPS", "AUTH_GIVEN", "CHECK_ONLY", "ID", "KIND", "RESOURCE_NAME", "TrunkProvider"]

ID = "sip_trunk_id"


def _by_first_number(spec: OutboundTrunkSpec) -> dict[str, Any]:
    # Every outbound trunk has a number, and LiveKit filters its listing by number.
    return {"numbers": [spec.numbers[0]]}


KIND = Kind(noun="trunk", service="outbound", id_field=ID, adopt=ADOPT, adopt_key="adoptTrunkId",
            spec=OutboundTrunkSpec, parse=parse_spec, entry_path=trunk_path, credentials_path=credentials_path,
            landed_filter=_by_first_number)


class TrunkProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP outbound trunks."""

    kind = KIND
