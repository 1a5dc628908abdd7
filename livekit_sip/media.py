"""LiveKit's `media` message as spec fields, shared by every SIP object that has one.

`media_encryption` always has a value. The other media fields (`codecs`,
`only_listed_codecs`, `media_timeout`) may be left unset (None): livekit-sip then
neither writes nor reads them, and LiveKit keeps what it holds. Every write that
carries `media` sends the whole message, since LiveKit replaces it with no merge
(livekit/protocol sip.go updateMediaConfig); the unset fields are filled from what
LiveKit holds (`held`), so media set outside Pulumi survives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from livekit_sip import media_values, validators
from livekit_sip.enums import MediaEncryption
from livekit_sip.fields import Slot, Spec, Write, check
from livekit_sip.wire import Codec, MediaConfig, MediaInfo

InfoT = TypeVar("InfoT", bound=MediaInfo)

#: What LiveKit holds for each optional media field never set.
MEDIA_DEFAULTS: dict[str, Any] = {"codecs": (), "only_listed_codecs": False, "media_timeout": "0s"}
MEDIA_FIELDS = tuple(MEDIA_DEFAULTS)

# The field types a spec model declares for its media fields.
Encryption = Annotated[
    MediaEncryption, Slot(Write.MEDIA),
    check(lambda v: validators.wire_enum(MediaEncryption, v) or MediaEncryption.DISABLE)]
Codecs = Annotated[tuple[Codec, ...] | None, Slot(Write.MEDIA), check(media_values.codecs)]
OnlyListedCodecs = Annotated[bool | None, Slot(Write.MEDIA), check(validators.boolean)]
MediaTimeout = Annotated[str | None, Slot(Write.MEDIA), check(media_values.media_timeout)]


def unmanaged(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The optional media fields that `values` (spec properties or stored outputs) leave unset."""
    return tuple(field for field in MEDIA_FIELDS if values.get(field) is None)


def message(spec: Any, held: MediaConfig | None = None) -> MediaConfig:
    """The whole `media` message of `spec`, with `held` for the fields it leaves unset."""
    kept = held or MediaConfig()
    values = {f: getattr(kept if getattr(spec, f) is None else spec, f) for f in MEDIA_FIELDS}
    return MediaConfig.model_validate({**values, "encryption": spec.media_encryption})


def needed(spec: Any, held: MediaConfig | None) -> bool:
    """Whether a full write must carry `media`: LiveKit holds one, or the spec sets a
    media field away from LiveKit's default. Otherwise `media` stays null, with the
    encryption in the legacy field only, as `lk` and the SDKs make objects."""
    return held is not None or any(getattr(spec, f) not in (None, MEDIA_DEFAULTS[f]) for f in MEDIA_FIELDS)


def from_info(media: MediaConfig | None, effective: MediaEncryption,
              unmanaged: Iterable[str] = ()) -> dict[str, Any]:
    """The media spec fields LiveKit holds; `unmanaged` ones are left unset."""
    got = media or MediaConfig()
    held: dict[str, Any] = {f: getattr(got, f) for f in MEDIA_FIELDS}
    held["codecs"] = tuple(held["codecs"])
    # A null timeout and "0s" both mean LiveKit's default.
    held["media_timeout"] = media_values.canonical_duration(got.media_timeout or "0s")
    held.update(dict.fromkeys(unmanaged))
    return {"media_encryption": effective, **held}


class MediaSpec(Spec):
    """Base of the spec models with media fields; each declares them itself, in its output order."""

    if TYPE_CHECKING:
        media_encryption: MediaEncryption

    def unmanaged(self) -> tuple[str, ...]:
        """The media fields this spec leaves to LiveKit."""
        return unmanaged(dict(self))

    def media(self, held: MediaConfig | None = None) -> MediaConfig:
        """The whole `media` message, with `held` for the media fields left unset."""
        return message(self, held)


def to_info(spec: MediaSpec, model: type[InfoT], held: MediaConfig | None, **top: Any) -> InfoT:
    """`spec` as LiveKit's info message `model` (no id): its fields as properties hold them,
    but `top` and the media ones; `media` as `needed` says."""
    values = {k: v for k, v in spec.props().items() if k not in spec.written(Write.MEDIA)}
    return model.model_validate({
        **values, **top, "media_encryption": spec.media_encryption,
        "media": spec.media(held) if needed(spec, held) else None})


def spec_values(cls: type[Spec], info: MediaInfo, unmanaged: Iterable[str] = (),
                lists: Iterable[str] = ()) -> dict[str, Any]:
    """The spec field values of an object read from LiveKit: `lists` as tuples, the media
    fields from `from_info`."""
    values = {name: getattr(info, name) for name in cls.fields() if name not in cls.written(Write.MEDIA)}
    for name in lists:
        values[name] = tuple(values[name])
    values.update(from_info(info.media, info.effective_media_encryption, unmanaged))
    return values
