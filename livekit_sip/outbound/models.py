"""Wire models of LiveKit's outbound-trunk messages (`SIPOutboundTrunkInfo` and its RPCs)."""

from __future__ import annotations

from livekit_sip import wire
from livekit_sip.enums import Transport
from livekit_sip.wire import Str, WireTransport


class OutboundTrunkInfo(wire.TrunkInfo):
    """`SIPOutboundTrunkInfo`: an outbound trunk as LiveKit stores it."""

    address: Str = ""
    destination_country: Str = ""
    transport: WireTransport = Transport.AUTO
    from_host: Str = ""


class OutboundTrunkUpdate(wire.TrunkUpdate):
    """`SIPOutboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    address: str | None = None
    transport: WireTransport | None = None
    destination_country: str | None = None
    from_host: str | None = None

    def is_empty(self) -> bool:
        """True when the update changes nothing."""
        return not self.to_wire()


# The RPC messages: `CreateSIPOutboundTrunkRequest`, `GetSIPOutboundTrunkRequest` and so on.
CreateRequest = wire.TrunkCreateRequest[OutboundTrunkInfo]
GetRequest = wire.TrunkGetRequest
GetResponse = wire.TrunkGetResponse[OutboundTrunkInfo]
ListRequest = wire.TrunkListRequest
ListResponse = wire.ItemsResponse[OutboundTrunkInfo]
UpdateRequest = wire.TrunkUpdateRequest[OutboundTrunkInfo, OutboundTrunkUpdate]
DeleteRequest = wire.DeleteTrunkRequest
