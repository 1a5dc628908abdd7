"""Wire models of LiveKit's outbound-trunk messages (`SIPOutboundTrunkInfo` and its RPCs)."""

from __future__ import annotations

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.wire import (
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
    WireTransport,
)


class OutboundTrunkInfo(WireModel):
    """`SIPOutboundTrunkInfo`: an outbound trunk as LiveKit stores it."""

    sip_trunk_id: Str = ""
    name: Str = ""
    metadata: Str = ""
    address: Str = ""
    destination_country: Str = ""
    transport: WireTransport = Transport.AUTO
    numbers: StrList = []
    auth_username: Str = ""
    auth_password: Str = ""
    headers: StrMap = {}
    headers_to_attributes: StrMap = {}
    attributes_to_headers: StrMap = {}
    include_headers: WireIncludeHeaders = IncludeHeaders.NONE
    media_encryption: WireMediaEncryption = MediaEncryption.DISABLE
    media: MediaConfig | None = None
    from_host: Str = ""
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def effective_media_encryption(self) -> MediaEncryption:
        """`media.encryption` when set, else the legacy field, as the server applies it."""
        if self.media is not None and self.media.encryption is not None:
            return self.media.encryption
        return self.media_encryption


class OutboundTrunkUpdate(WireModel):
    """`SIPOutboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    address: str | None = None
    transport: WireTransport | None = None
    destination_country: str | None = None
    numbers: ListUpdate | None = None
    auth_username: str | None = None
    auth_password: str | None = None
    name: str | None = None
    metadata: str | None = None
    media_encryption: WireMediaEncryption | None = None
    media: MediaConfig | None = None
    from_host: str | None = None

    def is_empty(self) -> bool:
        """True when the update changes nothing."""
        return not self.to_wire()


class CreateRequest(WireModel):
    """`CreateSIPOutboundTrunkRequest`."""

    trunk: OutboundTrunkInfo


class GetRequest(WireModel):
    """`GetSIPOutboundTrunkRequest`."""

    sip_trunk_id: str


class GetResponse(WireModel):
    trunk: OutboundTrunkInfo | None = None


class ListRequest(WireModel):
    """`ListSIPOutboundTrunkRequest`."""

    page: Pagination | None = None
    trunk_ids: list[str] | None = None
    numbers: list[str] | None = None


class ListResponse(WireModel):
    items: Items[OutboundTrunkInfo | None] = []


class UpdateRequest(WireModel):
    """`UpdateSIPOutboundTrunkRequest`: exactly one of `replace` and `update`."""

    sip_trunk_id: str
    replace: OutboundTrunkInfo | None = None
    update: OutboundTrunkUpdate | None = None


class DeleteRequest(WireModel):
    """`DeleteSIPTrunkRequest` (deletes a trunk of any kind)."""

    sip_trunk_id: str
