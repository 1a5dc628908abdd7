"""LiveKit's conflict rules for inbound trunks and dispatch rules, as pure functions.

LiveKit refuses (400) an inbound trunk or dispatch rule that shares a key with
another one (livekit/protocol sip.go `ValidateTrunksIter`, `DispatchRuleValidator`).
The same keys let `pulumi preview` refuse conflicts inside one stack with no API
call, and let an `up` that LiveKit refuses name the object it conflicts with.

- Inbound trunk key: (called number, caller number), each normalised, "" for an
  empty list. So at most one trunk has neither numbers nor allowed numbers.
- Dispatch rule key: (pin, trunk id, caller number, called number), "" for an
  empty list, whatever the rule's kind or room.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from itertools import product
from typing import TypeVar

from livekit_sip.validators import normalize_number

K = TypeVar("K")


def _or_any(values: Sequence[str], normalise: bool = True) -> list[str]:
    if not values:
        return [""]
    return [normalize_number(v) if normalise else v for v in values]


def inbound_keys(numbers: Sequence[str], allowed_numbers: Sequence[str]) -> set[tuple[str, str]]:
    """An inbound trunk's conflict keys: every (called, caller) pair it accepts."""
    return set(product(_or_any(numbers), _or_any(allowed_numbers)))


def rule_keys(pin: str, trunk_ids: Sequence[str], inbound_numbers: Sequence[str],
              numbers: Sequence[str]) -> set[tuple[str, str, str, str]]:
    """A dispatch rule's conflict keys: every (pin, trunk, caller, called) it covers."""
    return set(product([pin], _or_any(trunk_ids, normalise=False), _or_any(inbound_numbers), _or_any(numbers)))


def first_conflicts(entries: Iterable[tuple[K, set[Hashable]]]) -> list[tuple[K, K, Hashable]]:
    """Each entry that shares a key with an earlier one: (earlier, entry, one shared key)."""
    owner: dict[Hashable, K] = {}
    found: list[tuple[K, K, Hashable]] = []
    for name, keys in entries:
        clash = next((key for key in sorted(keys, key=repr) if key in owner and owner[key] != name), None)
        if clash is not None:
            found.append((owner[clash], name, clash))
        for key in keys:
            owner.setdefault(key, name)
    return found


def describe_inbound(key: Hashable) -> str:
    called, caller = (str(part) for part in key)  # type: ignore[attr-defined]
    return (f"number {called!r}" if called else "any number") + (f" from {caller!r}" if caller else "")


def describe_rule(key: Hashable) -> str:
    pin, trunk, caller, called = (str(part) for part in key)  # type: ignore[attr-defined]
    parts = [f"trunk {trunk}" if trunk else "all trunks", f"caller {caller!r}" if caller else "any caller",
             f"number {called!r}" if called else "any number", "the same PIN" if pin else "no PIN"]  # a PIN is a secret
    return ", ".join(parts)
