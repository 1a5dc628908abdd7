"""`TrunkService`: the RPCs inbound and outbound trunks share, thin methods on `TwirpClient`.

Each kind's service names its own RPCs and wire models, and adds its reads.
"""

from __future__ import annotations

from typing import Generic

from livekit_sip.errors import NotFoundError
from livekit_sip.twirp import TwirpClient
from livekit_sip.wire import DeleteTrunkRequest, InfoT, TrunkCreateRequest, TrunkUpdateRequest, UpdateT


class TrunkService(Generic[InfoT, UpdateT]):
    """Create, update, replace and delete one LiveKit project's SIP trunks of one kind."""

    #: The kind's trunk message, its request messages and its RPC names.
    info_model: type[InfoT]
    create_request: type[TrunkCreateRequest[InfoT]]
    update_request: type[TrunkUpdateRequest[InfoT, UpdateT]]
    create_rpc: str
    update_rpc: str

    def __init__(self, twirp: TwirpClient) -> None:
        self.twirp = twirp

    def create(self, trunk: InfoT) -> InfoT:
        """Create a trunk (its `sip_trunk_id` must be empty); returns it with its new id.

        Raises:
            AmbiguousWriteError: the request was sent but no answer came, so the
                trunk may exist; it is not retried, to avoid a duplicate.
        """
        body = self.create_request(trunk=trunk)
        return self.twirp.call(self.create_rpc, body, self.info_model, idempotent=False)

    def update(self, sip_trunk_id: str, update: UpdateT) -> InfoT:
        """Patch a trunk with the `update` action; only fields set in `update` change."""
        body = self.update_request(sip_trunk_id=sip_trunk_id, update=update)
        return self.twirp.call(self.update_rpc, body, self.info_model)

    def replace(self, sip_trunk_id: str, trunk: InfoT) -> InfoT:
        """Overwrite a trunk with the `replace` action; fields `trunk` leaves empty are cleared."""
        body = self.update_request(sip_trunk_id=sip_trunk_id, replace=trunk.model_copy(update={"sip_trunk_id": ""}))
        return self.twirp.call(self.update_rpc, body, self.info_model)

    def delete(self, sip_trunk_id: str) -> None:
        """Delete a trunk; one that is already gone is not an error (LiveKit answers 200
        for an id that is gone, of any kind)."""
        try:
            self.twirp.call("DeleteSIPTrunk", DeleteTrunkRequest(sip_trunk_id=sip_trunk_id), None)
        except NotFoundError:
            pass
