"""The dynamic provider behind `DispatchRule`: the shared `ObjectProvider` over the dispatch spec."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from livekit_sip.dispatch.service import SERVICE
from livekit_sip.dispatch.spec import ADOPT, KIND_FIELDS, DispatchRuleSpec, parse_spec
from livekit_sip.kind import Kind
from livekit_sip.names import camel, section_path
from livekit_sip.object_provider import ObjectProvider

ID = "sip_dispatch_rule_id"
#: The stack config sections of dispatch rules and of their PINs.
SECTION, PINS = "dispatchRules", "pins"


def _pin_set(props: Mapping[str, Any]) -> frozenset[str]:
    rule = props.get("rule")
    return frozenset({"rule"}) if isinstance(rule, Mapping) and _has_pin(rule) else frozenset()


def _has_pin(value: Any) -> bool:
    # The rule as properties hold it ({kind, room_prefix, pin}) or as given ({individual: {pin}}).
    if isinstance(value, Mapping):
        return bool(value.get("pin")) or any(_has_pin(v) for v in value.values() if isinstance(v, Mapping))
    return False


def _given_form(field: str, value: Any) -> Any:
    """A rule as a program gives it (``{individual: {roomPrefix: call-}}``), without its PIN."""
    if field != "rule" or not isinstance(value, Mapping) or value.get("kind") not in KIND_FIELDS:
        return value
    kind = str(value["kind"])
    return {kind: {camel(f): value[f] for f in KIND_FIELDS[kind]
                   if f != "pin" and (value.get(f) or f in ("room_name", "room_prefix"))}}


KIND = Kind(noun="dispatch rule", service=SERVICE, id_field=ID, adopt=ADOPT, adopt_key="adoptRuleId",
            spec=DispatchRuleSpec, parse=parse_spec, entry_path=functools.partial(section_path, SECTION),
            secret_when=_pin_set, given_form=_given_form)


class DispatchRuleProvider(ObjectProvider):
    """Creates, reads, updates and deletes LiveKit SIP dispatch rules."""

    kind = KIND
