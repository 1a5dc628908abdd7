"""Property values between the engine and the core: camelCase names and Pulumi's typed
values (secrets, unknowns, numbers as floats) on the wire, snake_case names and plain
values in the core, where an unknown is the marker `check` and `diff` already know."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.runtime import rpc

from livekit_sip.names import camel, snake

Props = dict[str, PropertyValue]


def plain(value: PropertyValue) -> Any:
    """A property value as the core takes it: secrets unwrapped, an unknown as `rpc.UNKNOWN`,
    whole numbers as ints."""
    inner = value.value
    if isinstance(inner, Computed):
        return rpc.UNKNOWN
    if isinstance(inner, Mapping):
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [plain(v) for v in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def to_core(props: Props) -> tuple[dict[str, Any], frozenset[str]]:
    """The core's properties (snake_case) and the names of those that held a secret."""
    values = {snake(name): plain(value) for name, value in props.items()}
    secret = frozenset(snake(name) for name, value in props.items() if value.contains_secret())
    return values, secret


def typed(value: Any, secret: bool = False) -> PropertyValue:
    """A plain value as a property value. An unknown stays `rpc.UNKNOWN`, the string that marks
    an unknown on the wire (the SDK cannot marshal its own `Computed`)."""
    if isinstance(value, Mapping):
        found = PropertyValue({str(k): typed(v) for k, v in value.items()})
    elif isinstance(value, (list, tuple)):
        found = PropertyValue([typed(v) for v in value])
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        found = PropertyValue(value)
    elif isinstance(value, (int, float)):
        found = PropertyValue(float(value))
    else:
        found = PropertyValue(str(value))
    return found.with_secret(True) if secret else found


def to_wire(values: Mapping[str, Any], secret: frozenset[str]) -> Props:
    """Core properties as the engine takes them, camelCase, the `secret` ones marked;
    None (unset) is left out."""
    return {camel(name): typed(value, name in secret) for name, value in values.items() if value is not None}
