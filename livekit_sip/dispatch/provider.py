"""The dynamic provider behind `DispatchRule`: the shared `ObjectProvider` over the dispatch spec."""

from __future__ import annotations

from livekit_sip.dispatch.spec import ADOPT, DispatchRuleSpec, parse_spec
from livekit_sip.object_provider import Kind, ObjectProvider
from livekit_sip.stack_config import rule_path

ID = "sip_dispatch_rule_id"
KIND = Kind(noun="dispatch rule", service="dispatch", id_field=ID, adopt=ADOPT, adopt_key="adoptRuleId",
            spec=DispatchRuleSpec, parse=parse_spec, entry_path=rule_path)


class DispatchRuleProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP dispatch rules."""

    kind = KIND
