"""`DispatchRule`: a LiveKit SIP dispatch rule as a Pulumi resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource

from livekit_sip.dispatch.provider import ID, DispatchRuleProvider
from livekit_sip.dispatch.spec import ADOPT, FIELDS, KINDS
from livekit_sip.kind import ALL_TRUNKS
from livekit_sip.resource_base import base_props, export_outputs, secret_options

_PROVIDER = DispatchRuleProvider()
#: What a stack output shows for a PIN.
MASK = "[secret]"
_MODULE, _TYPE_NAME = "livekit", "DispatchRule"
RESOURCE_TYPE = f"pulumi-python:dynamic/{_MODULE}:{_TYPE_NAME}"


@dataclass
class DispatchRuleArgs:
    """The desired state of a dispatch rule. Every field takes a value or an Input.

    Exactly one of `direct` (``{"room_name": "lobby", "pin": "1234"}``: every call
    joins that room), `individual` (``{"room_prefix": "call-", "no_randomness": False}``:
    a room per caller) or `callee` (``{"room_prefix": "desk-", "randomize": False}``:
    a room per called number).
    `trunk_ids` lists inbound trunk IDs (pass `InboundTrunk.sip_trunk_id`, so Pulumi
    creates trunks first and updates the rule when a trunk gets a new ID); an empty
    list means every trunk, and calls matching no trunk, so it must be asked for
    with ``all_trunks=True``.
    `inbound_numbers` are callers' numbers, `numbers` the numbers called, as the carrier sends them.
    `room_config` is LiveKit's `RoomConfiguration`, e.g. ``{"agents": [{"agent_name": "inbound-agent"}]}``.
    `attributes` values must be non-empty (LiveKit's update action deletes a key sent as "").
    `adopt_rule_id` makes the first create take over that existing rule.
    """

    direct: Input[dict[str, Any]] | None = None
    individual: Input[dict[str, Any]] | None = None
    callee: Input[dict[str, Any]] | None = None
    trunk_ids: Input[list[Input[str]]] | None = None
    all_trunks: bool = False
    name: Input[str] | None = None
    inbound_numbers: Input[list[Input[str]]] | None = None
    numbers: Input[list[Input[str]]] | None = None
    hide_phone_number: Input[bool] | None = None
    metadata: Input[str] | None = None
    attributes: Input[dict[str, Input[str]]] | None = None
    room_preset: Input[str] | None = None
    room_config: Input[dict[str, Any]] | None = None
    krisp_enabled: Input[bool] | None = None
    media_encryption: Input[str] | None = None
    codecs: Input[list[Input[str] | Input[dict[str, Input[str | int]]]]] | None = None
    only_listed_codecs: Input[bool] | None = None
    media_timeout: Input[str] | None = None
    adopt_rule_id: Input[str] | None = None


class DispatchRule(Resource, module=_MODULE, name=_TYPE_NAME):
    """A LiveKit SIP dispatch rule. Its resource ID is the rule ID (``SDR_...``)."""

    sip_dispatch_rule_id: Output[str]
    name: Output[str]
    #: ``{kind, room_name, room_prefix, pin, no_randomness, randomize}``
    rule: Output[dict[str, Any]]
    trunk_ids: Output[list[str]]
    inbound_numbers: Output[list[str]]
    numbers: Output[list[str]]
    hide_phone_number: Output[bool]
    metadata: Output[str]
    attributes: Output[dict[str, str]]
    room_preset: Output[str]
    room_config: Output[dict[str, Any] | None]
    krisp_enabled: Output[bool]
    media_encryption: Output[str]
    codecs: Output[list[dict[str, Any]] | None]
    only_listed_codecs: Output[bool | None]
    media_timeout: Output[str | None]
    adopt_rule_id: Output[str]

    def __init__(self, resource_name: str, args: DispatchRuleArgs, opts: ResourceOptions | None = None) -> None:
        props: dict[str, Any] = {field: getattr(args, field, None) for field in FIELDS if field != "rule"}
        kinds = {kind: getattr(args, kind) for kind in KINDS if getattr(args, kind) is not None}
        # The engine marks outputs secret by the input key they share; the provider's check
        # reshapes `rule` ({kind, room_name, pin, ...}), so a secret nested in it would be lost:
        # a rule with a PIN has its whole `rule` secret.
        pinned = any(_has_pin(kind) for kind in kinds.values())
        props["rule"] = Output.secret(kinds) if pinned else kinds or None
        props[ALL_TRUNKS] = bool(args.all_trunks)
        props[ADOPT] = args.adopt_rule_id
        if pinned:
            opts = secret_options(opts, ["rule"])
        super().__init__(_PROVIDER, resource_name, base_props(resource_name, props, ID), opts)


def _has_pin(kind: Any) -> bool:
    """Whether a rule kind's fields may hold a PIN (an Output may: it is not known yet)."""
    if not isinstance(kind, Mapping):
        return True
    return any(value not in (None, "") for name, value in kind.items() if name == "pin")


def _masked(rule: Any) -> Any:
    """A rule output with its PIN shown as `[secret]` (an empty PIN stays "": there is none)."""
    if isinstance(rule, Mapping) and rule.get("pin"):
        return {**rule, "pin": MASK}
    return rule


def export_dispatch_rule(rule: DispatchRule) -> Output[dict[str, Any]]:
    """The rule's outputs, camelCase, for a stack output; the PIN is masked, the rest readable."""
    public = [f for f in FIELDS if f != "rule"]
    outputs = export_outputs(rule, (ID, *public), ())
    # The rule output is secret as a whole once its PIN is: masked, nothing secret is left in it.
    masked = Output.unsecret(rule.rule.apply(_masked))
    return Output.all(outputs, masked).apply(lambda got: {**got[0], **({"rule": got[1]} if got[1] else {})})
