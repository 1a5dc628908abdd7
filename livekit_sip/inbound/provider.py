"""The dynamic provider behind `InboundTrunk`: the shared `ObjectProvider` over the inbound spec."""

from __future__ import annotations

import functools

from livekit_sip.inbound.service import SERVICE
from livekit_sip.inbound.spec import ADOPT, InboundTrunkSpec, parse_spec
from livekit_sip.kind import Kind
from livekit_sip.names import secret_path, section_path
from livekit_sip.object_provider import ObjectProvider

ID = "sip_trunk_id"
#: The stack config sections of inbound trunks and of their SIP credentials.
SECTION, CREDENTIALS = "inboundTrunks", "inboundCredentials"
KIND = Kind(noun="inbound trunk", service=SERVICE, id_field=ID, adopt=ADOPT, adopt_key="adoptTrunkId",
            spec=InboundTrunkSpec, parse=parse_spec, entry_path=functools.partial(section_path, SECTION),
            credentials_path=functools.partial(secret_path, CREDENTIALS))


class InboundTrunkProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP inbound trunks."""

    kind = KIND
