"""`InboundTrunkService`: LiveKit's inbound-trunk RPCs, thin methods on `TwirpClient`."""

from __future__ import annotations

from collections.abc import Sequence

from livekit_sip.errors import NotFoundError
from livekit_sip.inbound.models import (
    CreateRequest,
    DeleteRequest,
    GetRequest,
    GetResponse,
    InboundTrunkInfo,
    InboundTrunkUpdate,
    ListRequest,
    ListResponse,
    UpdateRequest,
)
from livekit_sip.twirp import TwirpClient, list_pages

PAGE_SIZE = 500


class InboundTrunkService:
    """Create, read, update and delete one LiveKit project's SIP inbound trunks."""

    def __init__(self, twirp: TwirpClient) -> None:
        self.twirp = twirp

    def create(self, trunk: InboundTrunkInfo) -> InboundTrunkInfo:
        """Create a trunk (its `sip_trunk_id` must be empty); returns it with its new id.

        Raises:
            AmbiguousWriteError: sent, but no answer came; not retried, to avoid a duplicate.
        """
        return self.twirp.call("CreateSIPInboundTrunk", CreateRequest(trunk=trunk), InboundTrunkInfo,
                               idempotent=False)

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

    def update(self, sip_trunk_id: str, update: InboundTrunkUpdate) -> InboundTrunkInfo:
        """Patch a trunk with the `update` action; only fields set in `update` change."""
        body = UpdateRequest(sip_trunk_id=sip_trunk_id, update=update)
        return self.twirp.call("UpdateSIPInboundTrunk", body, InboundTrunkInfo)

    def replace(self, sip_trunk_id: str, trunk: InboundTrunkInfo) -> InboundTrunkInfo:
        """Overwrite a trunk with the `replace` action; fields `trunk` leaves empty are cleared."""
        body = UpdateRequest(sip_trunk_id=sip_trunk_id, replace=trunk.model_copy(update={"sip_trunk_id": ""}))
        return self.twirp.call("UpdateSIPInboundTrunk", body, InboundTrunkInfo)

    def delete(self, sip_trunk_id: str) -> None:
        """Delete a trunk; LiveKit answers 200 for an id that is gone (of any kind)."""
        try:
            self.twirp.call("DeleteSIPTrunk", DeleteRequest(sip_trunk_id=sip_trunk_id), None)
        except NotFoundError:
            pass
