"""Planning: from the trunk LiveKit holds and the spec wanted, the one write to send.

Pure functions, no I/O. The `update` action patches only the fields that
changed (numbers as add/remove). It cannot patch the three header maps or
`include_headers`, so a change to any of those becomes a `replace` with the
full spec, password included. Nothing is ever deleted and recreated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from livekit_sip.enums import MediaEncryption
from livekit_sip.models import ListUpdate, MediaConfig, TrunkInfo, TrunkUpdate
from livekit_sip.spec import TrunkSpec, changed_fields

#: Fields the `update` action has no slot for (livekit_sip.proto SIPOutboundTrunkUpdate).
REPLACE_ONLY = frozenset({"headers", "headers_to_attributes", "attributes_to_headers", "include_headers"})


class Action(str, Enum):
    NONE = "none"
    UPDATE = "update"
    REPLACE = "replace"


@dataclass(frozen=True)
class Plan:
    """The write that takes a trunk from one spec to another.

    Attributes:
        action: none, update or replace.
        changed: the fields that differ.
        update: the patch, for the update action.
        replace: the full trunk, for the replace action.
    """

    action: Action
    changed: tuple[str, ...]
    update: TrunkUpdate | None = None
    replace: TrunkInfo | None = None


def plan(old: TrunkSpec, new: TrunkSpec) -> Plan:
    """The write that turns `old` into `new`."""
    changed = tuple(changed_fields(old, new))
    if not changed:
        return Plan(Action.NONE, changed)
    if REPLACE_ONLY.intersection(changed):
        return Plan(Action.REPLACE, changed, replace=new.to_info())
    return Plan(Action.UPDATE, changed, update=update_for(old, new, changed))


def update_for(old: TrunkSpec, new: TrunkSpec, changed: tuple[str, ...]) -> TrunkUpdate:
    """The update action carrying exactly the `changed` fields of `new`."""
    fields: dict[str, object] = {}
    for field in changed:
        if field == "numbers":
            fields["numbers"] = numbers_update(old.numbers, new.numbers)
        elif field == "media_encryption":
            fields.update(encryption_update(new.media_encryption))
        else:
            fields[field] = getattr(new, field)
    return TrunkUpdate.model_validate(fields)


def numbers_update(old: tuple[str, ...], new: tuple[str, ...]) -> ListUpdate:
    """Numbers as add/remove; the server removes first, then appends what is new."""
    remove = [n for n in old if n not in new]
    add = [n for n in new if n not in old]
    return ListUpdate(add=add or None, remove=remove or None)


def encryption_update(value: MediaEncryption) -> dict[str, object]:
    """Both encryption fields: once `media.encryption` is set, the server rewrites the
    legacy `media_encryption` from it, so patching the legacy field alone does nothing."""
    return {"media_encryption": value, "media": MediaConfig(encryption=value)}
