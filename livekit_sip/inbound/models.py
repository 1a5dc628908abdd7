"""Wire models of LiveKit's inbound-trunk messages (`SIPInboundTrunkInfo` and its RPCs)."""

from __future__ import annotations

from livekit_sip.wire import (
    Bool,
    DeleteTrunkRequest,
    ItemsResponse,
    ListUpdate,
    Str,
    StrList,
    TrunkCreateRequest,
    TrunkGetRequest,
    TrunkGetResponse,
    TrunkInfo,
    TrunkListRequest,
    TrunkUpdate,
    TrunkUpdateRequest,
)


class InboundTrunkInfo(TrunkInfo):
    """`SIPInboundTrunkInfo`: an inbound trunk as LiveKit stores it."""

    allowed_addresses: StrList = []
    allowed_numbers: StrList = []
    auth_realm: Str = ""
    ringing_timeout: str | None = None
    max_call_duration: str | None = None
    krisp_enabled: Bool = False


class InboundTrunkUpdate(TrunkUpdate):
    """`SIPInboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    allowed_addresses: ListUpdate | None = None
    allowed_numbers: ListUpdate | None = None
    auth_realm: str | None = None


# The RPC messages: `CreateSIPInboundTrunkRequest`, `GetSIPInboundTrunkRequest` and so on.
CreateRequest = TrunkCreateRequest[InboundTrunkInfo]
GetRequest = TrunkGetRequest
GetResponse = TrunkGetResponse[InboundTrunkInfo]
ListRequest = TrunkListRequest
ListResponse = ItemsResponse[InboundTrunkInfo]
UpdateRequest = TrunkUpdateRequest[InboundTrunkInfo, InboundTrunkUpdate]
DeleteRequest = DeleteTrunkRequest
