"""Wire pieces every `livekit.SIP` message shares: the model base, enum encoding,
tolerant scalars, `ListUpdate`, `Pagination`, `SIPMediaConfig`, the media fields of
every stored object, and what inbound and outbound trunks and their RPCs have in common.

Encoding writes the JSON LiveKit's Twirp server decodes: snake_case proto names,
enums as LiveKit's names, unset fields omitted. Decoding is tolerant: snake_case
or camelCase keys, nulls, missing fields, enum names or numbers, unknown keys.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport, WireEnum

E = TypeVar("E", bound=WireEnum)
T = TypeVar("T")
InfoT = TypeVar("InfoT", bound="WireModel")
UpdateT = TypeVar("UpdateT", bound="WireModel")


def _wire_enum(cls: type[E]) -> Any:
    return Annotated[
        cls,
        # protojson reads null as absent, i.e. the zero value; `X | None` fields keep None.
        BeforeValidator(lambda value: cls.parse(0 if value is None else value)),
        PlainSerializer(lambda member: member.wire, return_type=str, when_used="json"),
    ]


def _none_as(empty: Any) -> BeforeValidator:
    return BeforeValidator(lambda v: empty() if v is None else v)


if TYPE_CHECKING:
    # mypy cannot see through the Annotated built at run time; the value type is the enum.
    WireTransport = Transport
    WireIncludeHeaders = IncludeHeaders
    WireMediaEncryption = MediaEncryption
else:
    WireTransport = _wire_enum(Transport)
    WireIncludeHeaders = _wire_enum(IncludeHeaders)
    WireMediaEncryption = _wire_enum(MediaEncryption)
Str = Annotated[str, _none_as(str)]
StrList = Annotated[list[str], _none_as(list)]
StrMap = Annotated[dict[str, str], _none_as(dict)]
Bool = Annotated[bool, _none_as(bool)]
#: A list that reads JSON null as empty.
Items = Annotated[list[T], _none_as(list)]


class WireModel(BaseModel):
    """Base: accepts both key spellings, ignores unknown keys, hides secrets from repr."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON object LiveKit expects, with unset (None) fields omitted."""
        return self.model_dump(mode="json", exclude_none=True)

    def __repr_args__(self) -> Any:
        for key, value in super().__repr_args__():
            yield key, ("[secure]" if key in ("auth_username", "auth_password") and value else value)


class Codec(WireModel):
    name: Str = ""
    rate: int = 0


class MediaConfig(WireModel):
    """`SIPMediaConfig` (livekit-server v1.13.2+)."""

    only_listed_codecs: Bool = False
    codecs: Items[Codec] = []
    encryption: WireMediaEncryption | None = None
    media_timeout: str | None = None


class ListUpdate(WireModel):
    """`ListUpdate`: set, or remove then add; `clear` empties the list."""

    set: list[str] | None = None
    add: list[str] | None = None
    remove: list[str] | None = None
    clear: bool | None = None


def list_update(old: tuple[str, ...] | list[str], new: tuple[str, ...] | list[str]) -> ListUpdate:
    """`old` → `new` as add/remove (the server removes first, then appends what is new);
    an empty `new` is `clear`, since removing every item is refused by some lists."""
    if not new:
        return ListUpdate(clear=True)
    remove = [item for item in old if item not in new]
    add = [item for item in new if item not in old]
    return ListUpdate(add=add or None, remove=remove or None)


class Pagination(WireModel):
    after_id: str | None = None
    limit: int | None = None


class MediaInfo(WireModel):
    """The media settings and timestamps of a stored trunk or dispatch rule."""

    media_encryption: WireMediaEncryption = MediaEncryption.DISABLE
    media: MediaConfig | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def effective_media_encryption(self) -> MediaEncryption:
        """`media.encryption` when set, else the legacy field, as the server applies it."""
        if self.media is not None and self.media.encryption is not None:
            return self.media.encryption
        return self.media_encryption


class MediaUpdate(WireModel):
    """What every `…Update` message can patch: name, metadata and media; None means absent."""

    name: str | None = None
    metadata: str | None = None
    media_encryption: WireMediaEncryption | None = None
    media: MediaConfig | None = None


class TrunkInfo(MediaInfo):
    """The fields `SIPInboundTrunkInfo` and `SIPOutboundTrunkInfo` share."""

    sip_trunk_id: Str = ""
    name: Str = ""
    metadata: Str = ""
    numbers: StrList = []
    auth_username: Str = ""
    auth_password: Str = ""
    headers: StrMap = {}
    headers_to_attributes: StrMap = {}
    attributes_to_headers: StrMap = {}
    include_headers: WireIncludeHeaders = IncludeHeaders.NONE


class TrunkUpdate(MediaUpdate):
    """The fields `SIPInboundTrunkUpdate` and `SIPOutboundTrunkUpdate` share; "" clears a string."""

    numbers: ListUpdate | None = None
    auth_username: str | None = None
    auth_password: str | None = None


class ItemsResponse(WireModel, Generic[InfoT]):
    """`ListSIP…Response`: one page of items."""

    items: Items[InfoT | None] = []


class TrunkCreateRequest(WireModel, Generic[InfoT]):
    """`CreateSIP…TrunkRequest`."""

    trunk: InfoT


class TrunkGetRequest(WireModel):
    """`GetSIP…TrunkRequest`."""

    sip_trunk_id: str


class TrunkGetResponse(WireModel, Generic[InfoT]):
    """`GetSIP…TrunkResponse`."""

    trunk: InfoT | None = None


class TrunkListRequest(WireModel):
    """`ListSIP…TrunkRequest`."""

    page: Pagination | None = None
    trunk_ids: list[str] | None = None
    numbers: list[str] | None = None

    @classmethod
    def pages(cls, trunk_ids: Sequence[str] | None, numbers: Sequence[str] | None
              ) -> Callable[[Pagination], TrunkListRequest]:
        """The request for each page of a listing with these filters (empty ones left out)."""
        return lambda page: cls(page=page, trunk_ids=list(trunk_ids) if trunk_ids else None,
                                numbers=list(numbers) if numbers else None)


class TrunkUpdateRequest(WireModel, Generic[InfoT, UpdateT]):
    """`UpdateSIP…TrunkRequest`: exactly one of `replace` and `update`."""

    sip_trunk_id: str
    replace: InfoT | None = None
    update: UpdateT | None = None


class DeleteTrunkRequest(WireModel):
    """`DeleteSIPTrunkRequest` (deletes a trunk of any kind)."""

    sip_trunk_id: str
