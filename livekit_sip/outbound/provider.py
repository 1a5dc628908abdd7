"""The dynamic provider behind `OutboundTrunk`: the shared `ObjectProvider` over the outbound spec.

State pickles the provider by reference to its class, so `TrunkProvider` keeps its
name and this module (and `livekit_sip.provider` for states written by 0.1).
"""

from __future__ import annotations

import functools
from typing import Any

from livekit_sip.kind import AUTH_GIVEN, CHECK_ONLY, RESOURCE_NAME, Kind
from livekit_sip.names import secret_path, section_path
from livekit_sip.object_provider import ADOPT_LOOKUPS, ObjectProvider
from livekit_sip.outbound.service import SERVICE
from livekit_sip.outbound.spec import ADOPT, OutboundTrunkSpec, parse_spec

__all__ = ["ADOPT_LOOKUPS", "AUTH_GIVEN", "CHECK_ONLY", "CREDENTIALS", "ID", "KIND", "RESOURCE_NAME", "SECTION",
           "TrunkProvider"]

ID = "sip_trunk_id"
#: The stack config sections of outbound trunks and of their SIP credentials.
SECTION, CREDENTIALS = "trunks", "credentials"


def _by_first_number(spec: OutboundTrunkSpec) -> dict[str, Any]:
    # Every outbound trunk has a number, and LiveKit filters its listing by number.
    return {"numbers": [spec.numbers[0]]}


KIND = Kind(noun="trunk", service=SERVICE, id_field=ID, adopt=ADOPT, adopt_key="adoptTrunkId",
            spec=OutboundTrunkSpec, parse=parse_spec, entry_path=functools.partial(section_path, SECTION),
            credentials_path=functools.partial(secret_path, CREDENTIALS),
            landed_filter=_by_first_number)


class TrunkProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP outbound trunks."""

    kind = KIND
