"""`OutboundTrunkService`: LiveKit's outbound-trunk RPCs, thin methods on `TwirpClient`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from livekit_sip.errors import NotFoundError, ServerError
from livekit_sip.outbound.models import (
    CreateRequest,
    GetRequest,
    GetResponse,
    ListRequest,
    ListResponse,
    OutboundTrunkInfo,
    OutboundTrunkUpdate,
    UpdateRequest,
)
from livekit_sip.services import register
from livekit_sip.trunk_service import TrunkService
from livekit_sip.twirp import TwirpClient, list_pages

PAGE_SIZE = 500
#: `SIPClient.outbound`.
SERVICE = "outbound"


@register(SERVICE)
class OutboundTrunkService(TrunkService[OutboundTrunkInfo, OutboundTrunkUpdate]):
    """Create, read, update and delete one LiveKit project's SIP outbound trunks."""

    info_model = OutboundTrunkInfo
    create_request, update_request = CreateRequest, UpdateRequest
    create_rpc, update_rpc = "CreateSIPOutboundTrunk", "UpdateSIPOutboundTrunk"

    def __init__(self, twirp: TwirpClient) -> None:
        super().__init__(twirp)
        self._has_get = True

    def get(self, sip_trunk_id: str) -> OutboundTrunkInfo:
        """The trunk with this id; servers without the Get RPC are read through List.

        Raises:
            NotFoundError: no outbound trunk has this id.
        """
        if self._has_get:
            try:
                got = self.twirp.call("GetSIPOutboundTrunk", GetRequest(sip_trunk_id=sip_trunk_id), GetResponse)
            except ServerError as err:
                if err.code not in ("bad_route", "unimplemented"):
                    raise
                self._has_get = False
            else:
                if got.trunk is None:
                    raise NotFoundError("GetSIPOutboundTrunk", "not_found", "empty response", 404)
                return got.trunk
        for trunk in self.list(trunk_ids=[sip_trunk_id]):
            if trunk.sip_trunk_id == sip_trunk_id:
                return trunk
        raise NotFoundError(
            "ListSIPOutboundTrunk", "not_found", f"no outbound trunk {sip_trunk_id}", 404
        )

    def list(
        self,
        trunk_ids: list[str] | None = None,
        numbers: list[str] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> list[OutboundTrunkInfo]:
        """Every outbound trunk matching the filters, across all pages, sorted by id."""
        return list(self.iter_list(trunk_ids, numbers, page_size))

    def iter_list(
        self,
        trunk_ids: Sequence[str] | None = None,
        numbers: Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> Iterator[OutboundTrunkInfo]:
        """Like `list`, one page at a time. Null items (Cloud's missing ids) are skipped."""
        return list_pages(self.twirp, "ListSIPOutboundTrunk", ListRequest.pages(trunk_ids, numbers), ListResponse,
                          lambda t: t.sip_trunk_id, page_size)
