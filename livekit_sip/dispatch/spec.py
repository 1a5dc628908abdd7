"""The dispatch rule spec: the one registry of its fields, normalized and validated.

The update action writes `trunk_ids` as add/remove, `rule` whole (kind, room and
PIN together), name and metadata as values, `attributes` as a map diff and the
media fields as the whole `media` message; everything else (`numbers`,
`inbound_numbers`, `hide_phone_number`, `room_preset`, `room_config`, krisp) only
through a `replace` (livekit/protocol sip.go `SIPDispatchRuleUpdate`).

`rule` is one of three kinds, written in config as ``individual: {roomPrefix: call-}``,
``direct: {roomName: lobby}`` or ``callee: {roomPrefix: desk-}``; the spec holds it
as a `RoomRule`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from livekit_sip import conflicts, validators
from livekit_sip import media as media_fields
from livekit_sip.dispatch.models import (
    DispatchRuleInfo,
    DispatchRuleKind,
    DispatchRuleUpdate,
    RoomAgentDispatch,
    RoomConfiguration,
    RuleCallee,
    RuleDirect,
    RuleIndividual,
)
from livekit_sip.enums import MediaEncryption
from livekit_sip.errors import SpecError
from livekit_sip.fields import Metadata, Name, Slot, Write, adopt_error, check
from livekit_sip.validators import Invalid, show
from livekit_sip.wire import MediaConfig, WireModel

ADOPT = "adopt_rule_id"
RULE_ID = re.compile(r"^SDR_[A-Za-z0-9]{4,}\Z")
KINDS = ("direct", "individual", "callee")
#: The keys each kind takes, snake_case.
KIND_FIELDS = {"direct": ("room_name", "pin"), "individual": ("room_prefix", "pin", "no_randomness"),
               "callee": ("room_prefix", "pin", "randomize")}
_WIRE_KINDS = {"direct": RuleDirect, "individual": RuleIndividual, "callee": RuleCallee}


class RoomRule(BaseModel):
    """Which room a call joins: the kind, its room name or prefix, and its PIN."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["direct", "individual", "callee"]
    room_name: str = ""
    room_prefix: str = ""
    pin: str = ""
    no_randomness: bool = False
    randomize: bool = False

    def wire(self) -> DispatchRuleKind:
        values = {name: getattr(self, name) for name in KIND_FIELDS[self.kind]}
        return DispatchRuleKind.model_validate({f"dispatch_rule_{self.kind}": _WIRE_KINDS[self.kind](**values)})

    @classmethod
    def from_wire(cls, rule: DispatchRuleKind | None) -> RoomRule | None:
        for kind in KINDS:
            member = getattr(rule, f"dispatch_rule_{kind}", None) if rule is not None else None
            if member is not None:
                return cls.model_construct(kind=kind, **dict(member))
        return None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def room_rule(value: Any) -> RoomRule:
    """The rule kind: ``{individual: {room_prefix: ...}}`` (one of direct, individual,
    callee; camelCase or snake_case inside), or `RoomRule`'s own properties."""
    if isinstance(value, RoomRule):
        return value
    if not isinstance(value, Mapping):
        raise Invalid(f"must be one of {', '.join(KINDS)}, e.g. individual: {{roomPrefix: call-}}, got {show(value)}")
    if "kind" in value:
        kind, inner = value["kind"], {k: v for k, v in value.items() if k != "kind"}
        inner = {k: v for k, v in inner.items() if k in KIND_FIELDS.get(str(kind), ())}
    else:
        given = [k for k in value if str(k).removeprefix("dispatch_rule_") in KINDS]
        others = [k for k in value if k not in given]
        if others:
            raise Invalid(f"unknown rule kind {others[0]!r}; one of {', '.join(KINDS)}")
        if len(given) != 1:
            raise Invalid(f"exactly one of {', '.join(KINDS)} is required" + (
                f", got {len(given)}" if given else ""))
        kind, inner = str(given[0]).removeprefix("dispatch_rule_"), value[given[0]]
        if inner is None:
            inner = {}
        if not isinstance(inner, Mapping):
            raise Invalid(f"must be a map of {kind} rule fields, got {show(inner)}", f".{kind}")
    if kind not in KINDS:
        raise Invalid(f"{kind!r} is not one of {', '.join(KINDS)}")
    fields: dict[str, Any] = {}
    for key, item in inner.items():
        name = _snake(str(key))
        if name not in KIND_FIELDS[kind]:
            allowed = ", ".join(to_camel(f) for f in KIND_FIELDS[kind])
            raise Invalid(f"unknown key in the {kind} rule; known keys: {allowed}", f".{kind}.{key}")
        fields[name] = item
    at = f".{kind}"
    room = "room_name" if kind == "direct" else "room_prefix"
    try:
        fields[room] = validators.text(fields.get(room), required=True)
    except Invalid as err:
        what = "the room every call joins" if kind == "direct" else "the prefix of each call's room"
        raise Invalid(f"{err.reason} ({what})", f"{at}.{to_camel(room)}") from None
    try:
        fields["pin"] = validators.pin(fields.get("pin"))
    except Invalid as err:
        raise Invalid(err.reason, f"{at}.pin") from None
    for flag in ("no_randomness", "randomize"):
        if flag in fields:
            try:
                fields[flag] = bool(validators.boolean(fields[flag]))
            except Invalid as err:
                raise Invalid(err.reason, f"{at}.{to_camel(flag)}") from None
    return RoomRule(kind=kind, **fields)


def room_configuration(value: Any) -> RoomConfiguration | None:
    """LiveKit's `RoomConfiguration` (camelCase or snake_case); one left at every default is none."""
    if value is None or isinstance(value, RoomConfiguration):
        config = value
    elif not isinstance(value, Mapping):
        raise Invalid(f"must be a map of room options, got {show(value)}")
    else:
        _known_keys(value, RoomConfiguration, "")
        agents = value.get("agents") or []
        if not isinstance(agents, (list, tuple)):
            raise Invalid(f"must be a list of agents, e.g. [{{agentName: inbound-agent}}], got {show(agents)}",
                          ".agents")
        for index, agent in enumerate(agents):
            if isinstance(agent, Mapping):
                _known_keys(agent, RoomAgentDispatch, f".agents[{index}]")
        try:
            config = RoomConfiguration.model_validate(value)
        except ValidationError as err:
            first = err.errors()[0]
            at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
            reason = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
            raise Invalid(reason, at) from None
    if config is None or config == RoomConfiguration():
        return None
    for name in ("empty_timeout", "departure_timeout", "max_participants", "min_playout_delay",
                 "max_playout_delay"):
        if not 0 <= getattr(config, name) < 2**32:
            raise Invalid("must be a whole number from 0 to 4294967295", f".{to_camel(name)}")
    for index, agent in enumerate(config.agents):
        if not agent.agent_name.strip():
            raise Invalid("is required (the name the agent registered with)", f".agents[{index}].agentName")
    return config


def _known_keys(value: Mapping[str, Any], model: type[BaseModel], at: str) -> None:
    """Refuse keys `model` does not have: LiveKit would drop them silently."""
    known = set(model.model_fields)
    for key in value:
        if _snake(str(key)) not in known:
            names = ", ".join(to_camel(name) for name in known)
            raise Invalid(f"unknown key; known keys: {names}", f"{at}.{key}")


def trunk_id_list(value: Any) -> tuple[str, ...]:
    """Inbound trunk IDs, each once (LiveKit refuses a rule listing one twice)."""
    out: list[str] = []
    for index, item in enumerate(validators.string_list(value, "trunk id")):
        if not isinstance(item, str) or not validators.text(item):
            raise Invalid(f"must be a trunk id like ST_xxxxxxxxxxxx, got {show(item)}", f"[{index}]")
        item = item.strip()
        if item in out:
            raise Invalid(f"{item!r} is listed twice", f"[{index}]")
        out.append(item)
    return tuple(out)


def _flag() -> Any:
    return check(lambda v: bool(validators.boolean(v)))


class DispatchRuleSpec(media_fields.MediaSpec):
    """A normalized, valid dispatch rule. `trunk_ids` empty means every trunk."""

    update_model: ClassVar[type[WireModel]] = DispatchRuleUpdate

    name: Name = ""
    rule: Annotated[RoomRule | None, Slot(Write.UPDATE), check(room_rule)] = None
    trunk_ids: Annotated[tuple[str, ...], Slot(Write.LIST), check(trunk_id_list)] = ()
    inbound_numbers: Annotated[tuple[str, ...], Slot(Write.REPLACE), check(validators.phone_numbers)] = ()
    numbers: Annotated[tuple[str, ...], Slot(Write.REPLACE), check(validators.phone_numbers)] = ()
    hide_phone_number: Annotated[bool, Slot(Write.REPLACE), _flag()] = False
    metadata: Metadata = ""
    attributes: Annotated[dict[str, str], Slot(Write.MAP), check(validators.attributes)] = {}
    room_preset: Annotated[str, Slot(Write.REPLACE), check(validators.text)] = ""
    room_config: Annotated[RoomConfiguration | None, Slot(Write.REPLACE), check(room_configuration)] = None
    krisp_enabled: Annotated[bool, Slot(Write.REPLACE), _flag()] = False
    media_encryption: media_fields.Encryption = MediaEncryption.DISABLE
    codecs: media_fields.Codecs = None
    only_listed_codecs: media_fields.OnlyListedCodecs = None
    media_timeout: media_fields.MediaTimeout = None

    def wire_value(self, field: str) -> Any:
        if field == "rule":
            return self.rule.wire() if self.rule is not None else None
        return getattr(self, field)

    def conflict_keys(self) -> set[tuple[str, str, str, str]]:
        """LiveKit's conflict keys of this rule (`livekit_sip.conflicts`)."""
        pin = self.rule.pin if self.rule is not None else ""
        return conflicts.rule_keys(pin, self.trunk_ids, self.inbound_numbers, self.numbers)

    def to_info(self, held: MediaConfig | None = None) -> DispatchRuleInfo:
        """The spec as LiveKit's `SIPDispatchRuleInfo` (no id)."""
        return media_fields.to_info(self, DispatchRuleInfo, held, rule=self.wire_value("rule"),
                                    room_config=self.room_config)

    @classmethod
    def from_info(cls, info: DispatchRuleInfo, unmanaged: Iterable[str] = ()) -> DispatchRuleSpec:
        """The spec a rule read from LiveKit holds (no validation: it is the truth)."""
        values = media_fields.spec_values(cls, info, unmanaged, ("trunk_ids", "inbound_numbers", "numbers"))
        values["rule"] = RoomRule.from_wire(info.rule)
        if info.room_config == RoomConfiguration():
            values["room_config"] = None
        return cls.model_construct(**values)


def parse_spec(props: Mapping[str, Any], unknown: object = None) -> tuple[DispatchRuleSpec | None, list[SpecError]]:
    """`DispatchRuleSpec.parse`, plus the checks of `rule` (required) and `adopt_rule_id`."""
    spec, errors = DispatchRuleSpec.parse(props, unknown)
    if spec is not None and spec.rule is None:
        errors.append(SpecError("rule", f"one of {', '.join(KINDS)} is required, e.g. individual: "
                                        "{roomPrefix: call-}"))
        spec = None
    if (error := adopt_error(props, unknown, ADOPT, RULE_ID, "a dispatch rule id like SDR_xxxxxxxxxxxx")) is not None:
        errors.append(error)
        spec = None
    return spec, errors


FIELDS = DispatchRuleSpec.fields()
SECRET_FIELDS = DispatchRuleSpec.secret_fields()
