"""The rules of the livekit-sip policy pack, as plain functions over a resource's inputs.

Each rule takes the inputs of one livekit-sip resource (as the Pulumi engine hands them to
a policy pack: the checked inputs, snake_case for the dynamic resources; camelCase is read
too, as a provider plugin's schema would spell them) and its stack key (the resource
name), and returns one message per violation. A message names the stack config path and
the field, and says how to fix it.

Secrets: pulumi-policy hands a policy the plain value of a secret input (credentials,
PINs). These rules only ask whether such a value is set (non-empty) through `is_set`;
they never compare, show or log it. A value that is unknown during preview is not read
either: the policy SDK skips the rule for that resource and says so, and `pulumi up`
runs it again with the value known, before anything is created.

This module imports nothing outside the standard library, so the program's virtualenv
can test it while the pack runs it in its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NAMESPACE = "livekit-sip"

OUTBOUND, INBOUND, DISPATCH = "outbound", "inbound", "dispatch"

#: Resource types by kind: the dynamic resources of the `livekit_sip` package, and the
#: types of a provider plugin (`livekit-sip:index:*`).
RESOURCE_TYPES: dict[str, str] = {
    "pulumi-python:dynamic/livekit:OutboundTrunk": OUTBOUND,
    "pulumi-python:dynamic/livekit:InboundTrunk": INBOUND,
    "pulumi-python:dynamic/livekit:DispatchRule": DISPATCH,
    "livekit-sip:index:OutboundTrunk": OUTBOUND,
    "livekit-sip:index:InboundTrunk": INBOUND,
    "livekit-sip:index:DispatchRule": DISPATCH,
}

#: The stack config section of each kind.
SECTIONS = {OUTBOUND: "trunks", INBOUND: "inboundTrunks", DISPATCH: "dispatchRules"}

#: Enforcement levels a pack config may give a rule (this pack has no remediations).
LEVELS = ("advisory", "mandatory", "disabled")
#: The key of a pack config that sets every rule's level.
ALL = "all"

# LiveKit's enums, by short name, wire name and protobuf number (livekit/protocol sip.proto).
_TLS = ("tls", "sip_transport_tls", 3)
_SRTP_REQUIRED = ("require", "sip_media_encrypt_require", 2)


def kind_of(resource_type: str) -> str | None:
    """The livekit-sip kind of a resource type, or None for any other resource."""
    return RESOURCE_TYPES.get(resource_type)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def field(props: Mapping[str, Any], name: str) -> Any:
    """An input by its snake_case name, or its camelCase one; None when absent."""
    if name in props:
        return props[name]
    return props.get(camel(name))


def is_set(value: Any) -> bool:
    """Whether an input holds a value: not absent, None, "" or an empty list or map.
    The one question asked of a secret input; the value itself is never used."""
    if value is None:
        return False
    if isinstance(value, (str, Sequence, Mapping)):
        return len(value) > 0
    return True


def path(kind: str, key: str, name: str = "") -> str:
    """The stack config path of entry `key` of `kind`, or of one of its fields (camelCase)."""
    return f"{NAMESPACE}:{SECTIONS[kind]}.{key}" + (f".{camel(name)}" if name else "")


def _is(value: Any, member: tuple[str, str, int]) -> bool:
    """Whether an enum input names `member` (short name, wire name or number, any case)."""
    short, wire, number = member
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == number
    return isinstance(value, str) and value.strip().lower() in (short, wire)


def _shown(value: Any) -> str:
    """A non-secret enum input as a message shows it."""
    return "unset" if value is None or value == "" else repr(value) if not isinstance(value, str) else value


# --- the rules ---------------------------------------------------------------------------


def tls_transport(kind: str, key: str, props: Mapping[str, Any]) -> list[str]:
    """Outbound trunks signal over TLS."""
    value = field(props, "transport")
    if _is(value, _TLS):
        return []
    return [f"{path(kind, key, 'transport')} is {_shown(value)}: set transport: tls, so SIP signalling "
            "(and the SRTP keys it carries) is encrypted"]


def srtp_media(kind: str, key: str, props: Mapping[str, Any]) -> list[str]:
    """Trunks require SRTP media encryption."""
    value = field(props, "media_encryption")
    if _is(value, _SRTP_REQUIRED):
        return []
    return [f"{path(kind, key, 'media_encryption')} is {_shown(value)}: set mediaEncryption: require, so "
            "calls without SRTP are refused (allow still takes unencrypted media)"]


def restricted_callers(kind: str, key: str, props: Mapping[str, Any]) -> list[str]:
    """An inbound trunk names its numbers, the addresses it takes calls from, or credentials."""
    # auth_username is a secret input: only whether it is set is read.
    if is_set(field(props, "numbers")) or is_set(field(props, "allowed_addresses")) \
            or is_set(field(props, "auth_username")):
        return []
    return [f"{path(kind, key)} accepts any caller: it has no numbers, allowedAddresses or credentials; "
            f"set {path(kind, key, 'numbers')} or {path(kind, key, 'allowed_addresses')}, or store credentials "
            f"with pulumi config set --secret --path '{NAMESPACE}:inboundCredentials.{key}.username' (and .password)"]


def no_wildcard_numbers(kind: str, key: str, props: Mapping[str, Any]) -> list[str]:
    """An outbound trunk lists its numbers; `*` (any number) is refused."""
    numbers = field(props, "numbers")
    if not isinstance(numbers, Sequence) or isinstance(numbers, str):
        numbers = [numbers] if isinstance(numbers, str) else []
    wild = [str(n) for n in numbers if isinstance(n, str) and "*" in n]
    if not wild:
        return []
    return [f"{path(kind, key, 'numbers')} has {', '.join(repr(n) for n in wild)}, which lets calls go out "
            "from any number: list the trunk's own numbers instead (E.164, like +15105550100)"]


def pin_or_trunks(kind: str, key: str, props: Mapping[str, Any]) -> list[str]:
    """A dispatch rule names its inbound trunks or asks callers for a PIN."""
    if is_set(field(props, "trunk_ids")) or has_pin(field(props, "rule")):
        return []
    return [f"{path(kind, key, 'trunks')} is all and the rule has no PIN, so a call on any trunk joins its "
            f"room: name the inbound trunks ({path(kind, key, 'trunks')}: [<inbound trunk key>]), or set a PIN "
            f"with pulumi config set --secret --path '{NAMESPACE}:pins.{key}' -- <digits>"]


def has_pin(rule: Any) -> bool:
    """Whether a dispatch rule's `rule` input sets a PIN, in any of its shapes: as checked
    (``{kind, room_name, pin, ...}``), as declared (``{direct: {room_name, pin}}``), or one
    kind's fields. The PIN is a secret: only whether it is set is read."""
    if not isinstance(rule, Mapping):
        return False
    if is_set(rule.get("pin")):
        return True
    return any(isinstance(inner, Mapping) and is_set(inner.get("pin")) for name, inner in rule.items()
               if name != "pin")


Check = Callable[[str, str, Mapping[str, Any]], list[str]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    kinds: tuple[str, ...]
    check: Check

    def messages(self, resource_type: str, key: str, props: Mapping[str, Any]) -> list[str]:
        """This rule's violations by one resource; none for resources it does not cover."""
        kind = kind_of(resource_type)
        if kind not in self.kinds:
            return []
        return self.check(kind, key, props)


RULES: tuple[Rule, ...] = (
    Rule("tls-transport", "Outbound trunks use TLS transport.", (OUTBOUND,), tls_transport),
    Rule("srtp-media", "Trunks require SRTP media encryption.", (OUTBOUND, INBOUND), srtp_media),
    Rule("inbound-restricted-callers",
         "No inbound trunk accepts any caller: it has numbers, allowed addresses or credentials.",
         (INBOUND,), restricted_callers),
    Rule("no-wildcard-numbers", "No outbound trunk dials from any number ('*').", (OUTBOUND,), no_wildcard_numbers),
    Rule("dispatch-pin-or-trunks", "Every dispatch rule names its inbound trunks or asks for a PIN.",
         (DISPATCH,), pin_or_trunks),
)
NAMES = tuple(rule.name for rule in RULES)


# --- the pack's config -------------------------------------------------------------------


def config_problems(config: Mapping[str, tuple[str | None, Mapping[str, Any]]]) -> list[str]:
    """What is wrong with a pack config, one line per problem.

    Args:
        config: by rule name (or ``all``), its enforcement level (None when not given) and
            its other settings. No rule takes settings but its level.
    """
    problems = []
    for name, (level, settings) in config.items():
        if name != ALL and name not in NAMES:
            near = difflib.get_close_matches(name, NAMES, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            problems.append(f"unknown rule {name!r} in the policy pack config{hint}; "
                            f"the rules are {', '.join(NAMES)}, and {ALL} sets them all")
            continue
        if level is not None and level not in LEVELS:
            problems.append(f"rule {name!r}: unknown enforcement level {level!r}; one of {', '.join(LEVELS)}")
        for setting in settings:
            problems.append(f"rule {name!r}: unknown setting {setting!r}; a rule takes only enforcementLevel")
    return problems
