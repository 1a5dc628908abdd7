"""The dynamic provider behind `DispatchRule`: the shared `ObjectProvider` over the dispatch spec."""

from __future__ import annotations

import functools

from livekit_sip.dispatch.service import SERVICE
from livekit_sip.dispatch.spec import ADOPT, DispatchRuleSpec, parse_spec
from livekit_sip.kind import Kind
from livekit_sip.names import section_path
from livekit_sip.object_provider import ObjectProvider

ID = "sip_dispatch_rule_id"
#: The stack config sections of dispatch rules and of their PINs.
SECTION, PINS = "dispatchRules", "pins"
KIND = Kind(noun="dispatch rule", service=SERVICE, id_field=ID, adopt=ADOPT, adopt_key="adoptRuleId",
            spec=DispatchRuleSpec, parse=parse_spec, entry_path=functools.partial(section_path, SECTION))


class DispatchRuleProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP dispatch rules."""

    kind = KIND
