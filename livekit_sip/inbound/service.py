"""`InboundTrunkService`: LiveKit's inbound-trunk RPCs, thin methods on `TwirpClient`."""

from __future__ import annotations

from collections.abc import Sequence

from livekit_sip.errors import NotFoundError
from livekit_sip.inbound.models import (
    CreateRequest,
    GetRequest,
    GetResponse,
    InboundTrunkInfo,
    InboundTrunkUpdate,
    ListRequest,
    ListResponse,
    UpdateRequest,
)
from livekit_sip.services import register
from livekit_sip.trunk_service import TrunkService
from livekit_sip.twirp import list_pages

PAGE_SIZE = 500


#: `SIPClient.inbound`.
SERVICE = "inbound"


@register(SERVICE)
class InboundTrunkService(TrunkService[InboundTrunkInfo, InboundTrunkUpdate]):
    """Create, read, update and delete one LiveKit project's SIP inbound trunks."""

    info_model = InboundTrunkInfo
    create_request, update_request = CreateRequest, UpdateRequest
    create_rpc, update_rpc = "CreateSIPInboundTrunk", "UpdateSIPInboundTrunk"

    def get(self, sip_trunk_id: str) -> InboundTrunkInfo:
        """The trunk with this id.

        Raises:
            NotFoundError: no inbound trunk has this id (an outbound trunk's id included).
        """
        got = self.twirp.call("GetSIPInboundTrunk", GetRequest(sip_trunk_id=sip_trunk_id), GetResponse)
        if got.trunk is None:
            raise NotFoundError("GetSIPInboundTrunk", "not_found", "empty response", 404)
        return got.trunk

    def list(self, trunk_ids: Sequence[str] | None = None, numbers: Sequence[str] | None = None,
             page_size: int = PAGE_SIZE) -> list[InboundTrunkInfo]:
        """Every inbound trunk matching the filters, sorted by id; a `numbers` filter also
        returns every trunk without numbers (LiveKit counts them as matching)."""
        return list(list_pages(self.twirp, "ListSIPInboundTrunk", ListRequest.pages(trunk_ids, numbers), ListResponse,
                               lambda t: t.sip_trunk_id, page_size))
