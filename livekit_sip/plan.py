"""Planning: from the spec an object has and the spec wanted, the one write to send.

Pure functions over the field registry (`livekit_sip.fields`), no I/O, the same for
every kind of object. The `update` action carries only the fields that changed, each
the way its `Slot` says: a value, a list as add/remove, a map as a diff, or the whole
`media` message. A change to any field the update action has no slot for (the header
maps, `include_headers`, ...) becomes a `replace` with the full spec, secrets included.
Nothing is ever deleted and recreated.

This is where "numbers are re-sent every up" would live: lists written as add/remove
compare as sets (`Spec.same`), so a reordered list is no change, and `update_for`
sends only what was added and removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from livekit_sip.fields import Spec, Write
from livekit_sip.wire import MediaConfig, WireModel, list_update


class Action(str, Enum):
    NONE = "none"
    UPDATE = "update"
    REPLACE = "replace"


@dataclass(frozen=True)
class Plan:
    """The write that takes an object from one spec to another.

    Attributes:
        action: none, update or replace.
        changed: the fields that differ.
        update: the patch, for the update action.
        replace: the full object, for the replace action.
    """

    action: Action
    changed: tuple[str, ...]
    update: WireModel | None = None
    replace: WireModel | None = None

    @property
    def sends_media(self) -> bool:
        """Whether the write carries a whole `media` message, which LiveKit stores as sent."""
        if self.replace is not None:
            return True
        return self.update is not None and getattr(self.update, "media", None) is not None


def plan(old: Spec, new: Spec, held: MediaConfig | None = None) -> Plan:
    """The write that turns `old` into `new`.

    Args:
        old: the spec the object had after the last write or refresh.
        new: the spec wanted.
        held: LiveKit's current `media`, for the media fields `new` leaves unset;
            None when not read (those fields are then sent empty).
    """
    changed = new.changed(old)
    # A field the new spec leaves unset is left as LiveKit holds it: nothing to send.
    written = tuple(field for field in changed if getattr(new, field) is not None)
    if not written:
        return Plan(Action.NONE, changed)
    if new.written(Write.REPLACE).intersection(written):
        return Plan(Action.REPLACE, changed, replace=new.to_info(held))
    return Plan(Action.UPDATE, changed, update=update_for(old, new, written, held))


def replace_all(new: Spec, held: MediaConfig | None = None) -> Plan:
    """The write from an old state that cannot be read: a replace with the full spec, so
    nothing stale survives (an update would only add, never remove)."""
    return Plan(Action.REPLACE, new.fields(), replace=new.to_info(held))


def plan_from(old: Spec | None, new: Spec, held: MediaConfig | None = None) -> Plan:
    """`plan`, or `replace_all` when the old spec is unknown."""
    return replace_all(new, held) if old is None else plan(old, new, held)


def update_for(old: Spec, new: Spec, changed: tuple[str, ...], held: MediaConfig | None = None) -> WireModel:
    """The update action carrying exactly the `changed` fields of `new`."""
    slots = new.slots()
    fields: dict[str, Any] = {}
    for field in changed:
        write = slots[field].write
        if write is Write.LIST:
            fields[field] = list_update(getattr(old, field), getattr(new, field))
        elif write is Write.MEDIA:
            # The update action's `media` replaces the stored message with no merge, and once
            # `media.encryption` is set the server rewrites the legacy field from it: send both.
            fields.update(media_encryption=new.media_encryption, media=new.media(held))  # type: ignore[attr-defined]
        elif write is Write.MAP:
            fields[field] = map_diff(getattr(old, field), getattr(new, field))
        else:
            fields[field] = new.wire_value(field)
    return new.update_model.model_validate(fields)


def map_diff(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """`old` → `new` as LiveKit's map diff: changed keys with their value, removed ones as ""."""
    diff = {key: value for key, value in new.items() if old.get(key) != value}
    diff.update({key: "" for key in old if key not in new})
    return diff
