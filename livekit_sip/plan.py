"""Planning: from the trunk LiveKit holds and the spec wanted, the one write to send.

Pure functions, no I/O. The `update` action patches only the fields that
changed (numbers as add/remove). It cannot patch the three header maps or
`include_headers`, so a change to any of those becomes a `replace` with the
full spec, password included. Nothing is ever deleted and recreated.

Both actions replace LiveKit's `media` message whole, so a write that carries it
fills the media fields the spec leaves unset with what LiveKit holds (`held`):
media set outside Pulumi survives.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from livekit_sip.models import ListUpdate, MediaConfig, TrunkInfo, TrunkUpdate
from livekit_sip.spec import MEDIA_FIELDS, TrunkSpec, changed_fields

#: Fields the `update` action has no slot for (livekit_sip.proto SIPOutboundTrunkUpdate).
REPLACE_ONLY = frozenset({"headers", "headers_to_attributes", "attributes_to_headers", "include_headers"})
#: Fields the `update` action can only send inside the whole `media` message.
MEDIA_MESSAGE = frozenset({"media_encryption", *MEDIA_FIELDS})


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

    @property
    def sends_media(self) -> bool:
        """Whether the write carries a whole `media` message, which LiveKit stores as sent."""
        return self.replace is not None or (self.update is not None and self.update.media is not None)


def plan(old: TrunkSpec, new: TrunkSpec, held: MediaConfig | None = None) -> Plan:
    """The write that turns `old` into `new`.

    Args:
        old: the spec the trunk had after the last write or refresh.
        new: the spec wanted.
        held: LiveKit's current `media`, for the media fields `new` leaves unset;
            None when not read (those fields are then sent empty).
    """
    changed = tuple(changed_fields(old, new))
    # A field the new spec leaves unset is left as LiveKit holds it: nothing to send.
    written = tuple(field for field in changed if getattr(new, field) is not None)
    if not written:
        return Plan(Action.NONE, changed)
    if REPLACE_ONLY.intersection(written):
        return Plan(Action.REPLACE, changed, replace=new.to_info(held))
    return Plan(Action.UPDATE, changed, update=update_for(old, new, written, held))


def update_for(old: TrunkSpec, new: TrunkSpec, changed: tuple[str, ...],
               held: MediaConfig | None = None) -> TrunkUpdate:
    """The update action carrying exactly the `changed` fields of `new`."""
    fields: dict[str, object] = {}
    for field in changed:
        if field == "numbers":
            fields["numbers"] = numbers_update(old.numbers, new.numbers)
        elif field in MEDIA_MESSAGE:
            fields.update(media_update(new, held))
        else:
            fields[field] = getattr(new, field)
    return TrunkUpdate.model_validate(fields)


def numbers_update(old: tuple[str, ...], new: tuple[str, ...]) -> ListUpdate:
    """Numbers as add/remove; the server removes first, then appends what is new."""
    remove = [n for n in old if n not in new]
    add = [n for n in new if n not in old]
    return ListUpdate(add=add or None, remove=remove or None)


def media_update(new: TrunkSpec, held: MediaConfig | None) -> dict[str, object]:
    """The whole `media` message, and the legacy `media_encryption` next to it.

    The update action's `media` replaces the stored message with no merge
    (livekit/protocol sip.go updateMediaConfig), so it carries every media field.
    Once `media.encryption` is set, the server rewrites the legacy field from it,
    so patching the legacy field alone does nothing.
    """
    return {"media_encryption": new.media_encryption, "media": new.media(held)}
