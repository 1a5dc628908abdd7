"""The dynamic provider behind `InboundTrunk`: the shared `ObjectProvider` over the inbound spec."""

from __future__ import annotations

from livekit_sip.inbound.spec import ADOPT, InboundTrunkSpec, parse_spec
from livekit_sip.object_provider import Kind, ObjectProvider
from livekit_sip.stack_config import inbound_credentials_path, inbound_path

ID = "sip_trunk_id"
KIND = Kind(noun="inbound trunk", service="inbound", id_field=ID, adopt=ADOPT, adopt_key="adoptTrunkId",
            spec=InboundTrunkSpec, parse=parse_spec, entry_path=inbound_path,
            credentials_path=inbound_credentials_path)


class InboundTrunkProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP inbound trunks."""

    kind = KIND
