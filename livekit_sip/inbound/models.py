"""Wire models of LiveKit's inbound-trunk messages (`SIPInboundTrunkInfo` and its RPCs)."""

from __future__ import annotations

from livekit_sip.enums import IncludeHeaders, MediaEncryption
from livekit_sip.wire import (
    Bool,
    Items,
    ListUpdate,
    MediaConfig,
    Pagination,
    Str,
    StrList,
    StrMap,
    WireIncludeHeaders,
    WireMediaEncryption,
    WireModel,
)


class InboundTrunkInfo(WireModel):
    """`SIPInboundTrunkInfo`: an inbound trunk as LiveKit stores it."""

    sip_trunk_id: Str = ""
    name: Str = ""
    metadata: Str = ""
    numbers: StrList = []
    allowed_addresses: StrList = []
    allowed_numbers: StrList = []
    auth_username: Str = ""
    auth_password: Str = ""
    auth_realm: Str = ""
    headers: StrMap = {}
    headers_to_attributes: StrMap = {}
    attributes_to_headers: StrMap = {}
    include_headers: WireIncludeHeaders = IncludeHeaders.NONE
    ringing_timeout: str | None = None
    max_call_duration: str | None = None
    krisp_enabled: Bool = False
    media_encryption: WireMediaEncryption = MediaEncryption.DISABLE
    media: MediaConfig | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def effective_media_encryption(self) -> MediaEncryption:
        """`media.encryption` when set, else the legacy field, as the server applies it."""
        if self.media is not None and self.media.encryption is not None:
            return self.media.encryption
        return self.media_encryption


class InboundTrunkUpdate(WireModel):
    """`SIPInboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    numbers: ListUpdate | None = None
    allowed_addresses: ListUpdate | None = None
    allowed_numbers: ListUpdate | None = None
    auth_username: str | None = None
    auth_password: str | None = None
    auth_realm: str | None = None
    name: str | None = None
    metadata: str | None = None
    media_encryption: WireMediaEncryption | None = None
    media: MediaConfig | None = None


class CreateRequest(WireModel):
    """`CreateSIPInboundTrunkRequest`."""

    trunk: InboundTrunkInfo


class GetRequest(WireModel):
    """`GetSIPInboundTrunkRequest`."""

    sip_trunk_id: str


class GetResponse(WireModel):
    trunk: InboundTrunkInfo | None = None


class ListRequest(WireModel):
    """`ListSIPInboundTrunkRequest`."""

    page: Pagination | None = None
    trunk_ids: list[str] | None = None
    numbers: list[str] | None = None


class ListResponse(WireModel):
    items: Items[InboundTrunkInfo | None] = []


class UpdateRequest(WireModel):
    """`UpdateSIPInboundTrunkRequest`: exactly one of `replace` and `update`."""

    sip_trunk_id: str
    replace: InboundTrunkInfo | None = None
    update: InboundTrunkUpdate | None = None
