"""Wire models of LiveKit's outbound-trunk messages (`SIPOutboundTrunkInfo` and its RPCs)."""

from __future__ import annotations

from livekit_sip.enums import Transport
from livekit_sip.wire import (
    DeleteTrunkRequest,
    ItemsResponse,
    Str,
    TrunkCreateRequest,
    TrunkGetRequest,
    TrunkGetResponse,
    TrunkInfo,
    TrunkListRequest,
    TrunkUpdate,
    TrunkUpdateRequest,
    WireTransport,
)


class OutboundTrunkInfo(TrunkInfo):
    """`SIPOutboundTrunkInfo`: an outbound trunk as LiveKit stores it."""

    address: Str = ""
    destination_country: Str = ""
    transport: WireTransport = Transport.AUTO
    from_host: Str = ""


class OutboundTrunkUpdate(TrunkUpdate):
    """`SIPOutboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    address: str | None = None
    transport: WireTransport | None = None
    destination_country: str | None = None
    from_host: str | None = None

    def is_empty(self) -> bool:
        """True when the update changes nothing."""
        return not self.to_wire()


# The RPC messages: `CreateSIPOutboundTrunkRequest`, `GetSIPOutboundTrunkRequest` and so on.
CreateRequest = TrunkCreateRequest[OutboundTrunkInfo]
GetRequest = TrunkGetRequest
GetResponse = TrunkGetResponse[OutboundTrunkInfo]
ListRequest = TrunkListRequest
ListResponse = ItemsResponse[OutboundTrunkInfo]
UpdateRequest = TrunkUpdateRequest[OutboundTrunkInfo, OutboundTrunkUpdate]
DeleteRequest = DeleteTrunkRequest
