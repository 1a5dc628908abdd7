"""Wire models of LiveKit's inbound-trunk messages (`SIPInboundTrunkInfo` and its RPCs)."""

from __future__ import annotations

from livekit_sip import wire
from livekit_sip.wire import Bool, ListUpdate, Str, StrList


class InboundTrunkInfo(wire.TrunkInfo):
    """`SIPInboundTrunkInfo`: an inbound trunk as LiveKit stores it."""

    allowed_addresses: StrList = []
    allowed_numbers: StrList = []
    auth_realm: Str = ""
    ringing_timeout: str | None = None
    max_call_duration: str | None = None
    krisp_enabled: Bool = False


class InboundTrunkUpdate(wire.TrunkUpdate):
    """`SIPInboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    allowed_addresses: ListUpdate | None = None
    allowed_numbers: ListUpdate | None = None
    auth_realm: str | None = None


# The RPC messages: `CreateSIPInboundTrunkRequest`, `GetSIPInboundTrunkRequest` and so on.
CreateRequest = wire.TrunkCreateRequest[InboundTrunkInfo]
GetRequest = wire.TrunkGetRequest
GetResponse = wire.TrunkGetResponse[InboundTrunkInfo]
ListRequest = wire.TrunkListRequest
ListResponse = wire.ItemsResponse[InboundTrunkInfo]
UpdateRequest = wire.TrunkUpdateRequest[InboundTrunkInfo, InboundTrunkUpdate]
DeleteRequest = wire.DeleteTrunkRequest
