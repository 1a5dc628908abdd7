"""`DispatchRuleService`: LiveKit's dispatch-rule RPCs, thin methods on `TwirpClient`.

LiveKit has no `GetSIPDispatchRule`: one rule is read by listing its id.
"""

from __future__ import annotations

from collections.abc import Sequence

from livekit_sip.dispatch.models import (
    CreateRequest,
    DeleteRequest,
    DispatchRuleInfo,
    DispatchRuleUpdate,
    ListRequest,
    ListResponse,
    UpdateRequest,
)
from livekit_sip.errors import NotFoundError
from livekit_sip.services import register
from livekit_sip.twirp import TwirpClient, list_pages
from livekit_sip.wire import Pagination

PAGE_SIZE = 500


#: `SIPClient.dispatch`.
SERVICE = "dispatch"


@register(SERVICE)
class DispatchRuleService:
    """Create, read, update and delete one LiveKit project's SIP dispatch rules."""

    def __init__(self, twirp: TwirpClient) -> None:
        self.twirp = twirp

    def create(self, rule: DispatchRuleInfo) -> DispatchRuleInfo:
        """Create a rule (its id must be empty); returns it with its new id.

        Raises:
            AmbiguousWriteError: sent, but no answer came; not retried, to avoid a duplicate.
        """
        return self.twirp.call("CreateSIPDispatchRule", CreateRequest(dispatch_rule=rule), DispatchRuleInfo,
                               idempotent=False)

    def get(self, sip_dispatch_rule_id: str) -> DispatchRuleInfo:
        """The rule with this id, read by listing it.

        Raises:
            NotFoundError: no rule has this id.
        """
        for rule in self.list(dispatch_rule_ids=[sip_dispatch_rule_id]):
            # Rules without trunks come with every listing: filter by id.
            if rule.sip_dispatch_rule_id == sip_dispatch_rule_id:
                return rule
        raise NotFoundError("ListSIPDispatchRule", "not_found", f"no dispatch rule {sip_dispatch_rule_id}", 404)

    def list(self, dispatch_rule_ids: Sequence[str] | None = None, trunk_ids: Sequence[str] | None = None,
             page_size: int = PAGE_SIZE) -> list[DispatchRuleInfo]:
        """Every rule matching the filters, sorted by id; a `trunk_ids` filter also returns
        every rule without trunks."""
        def request(page: Pagination) -> ListRequest:
            return ListRequest(page=page, dispatch_rule_ids=list(dispatch_rule_ids) if dispatch_rule_ids else None,
                               trunk_ids=list(trunk_ids) if trunk_ids else None)
        return list(list_pages(self.twirp, "ListSIPDispatchRule", request, ListResponse,
                               lambda r: r.sip_dispatch_rule_id, page_size))

    def update(self, sip_dispatch_rule_id: str, update: DispatchRuleUpdate) -> DispatchRuleInfo:
        """Patch a rule with the `update` action; only fields set in `update` change."""
        body = UpdateRequest(sip_dispatch_rule_id=sip_dispatch_rule_id, update=update)
        return self.twirp.call("UpdateSIPDispatchRule", body, DispatchRuleInfo)

    def replace(self, sip_dispatch_rule_id: str, rule: DispatchRuleInfo) -> DispatchRuleInfo:
        """Overwrite a rule with the `replace` action; fields `rule` leaves empty are cleared."""
        body = UpdateRequest(sip_dispatch_rule_id=sip_dispatch_rule_id,
                             replace=rule.model_copy(update={"sip_dispatch_rule_id": ""}))
        return self.twirp.call("UpdateSIPDispatchRule", body, DispatchRuleInfo)

    def delete(self, sip_dispatch_rule_id: str) -> None:
        """Delete a rule; one that is already gone (LiveKit answers 404) is not an error."""
        try:
            self.twirp.call("DeleteSIPDispatchRule", DeleteRequest(sip_dispatch_rule_id=sip_dispatch_rule_id), None)
        except NotFoundError:
            pass
