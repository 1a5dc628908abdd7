"""Wire models of LiveKit's `livekit.SIP` outbound-trunk messages.

Encoding writes the JSON LiveKit's Twirp server decodes: snake_case proto names,
enums as LiveKit's names, unset fields omitted. Decoding is tolerant: snake_case
or camelCase keys, nulls, missing fields, enum names or numbers, unknown keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport, WireEnum

E = TypeVar("E", bound=WireEnum)


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


class WireModel(BaseModel):
    """Base: accepts both key spellings, ignores unknown keys, hides secrets from repr."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON object LiveKit expects, with unset (None) fields omitted."""
        return self.model_dump(mode="json", exclude_none=True)


class Codec(WireModel):
    name: Str = ""
    rate: int = 0


class MediaConfig(WireModel):
    """`SIPMediaConfig` (livekit-server v1.13.2+)."""

    only_listed_codecs: bool = False
    codecs: Annotated[list[Codec], _none_as(list)] = []
    encryption: WireMediaEncryption | None = None
    media_timeout: str | None = None


class TrunkInfo(WireModel):
    """`SIPOutboundTrunkInfo`: an outbound trunk as LiveKit stores it."""

    sip_trunk_id: Str = ""
    name: Str = ""
    metadata: Str = ""
    address: Str = ""
    destination_country: Str = ""
    transport: WireTransport = Transport.AUTO
    numbers: StrList = []
    auth_username: Str = ""
    auth_password: Str = ""
    headers: StrMap = {}
    headers_to_attributes: StrMap = {}
    attributes_to_headers: StrMap = {}
    include_headers: WireIncludeHeaders = IncludeHeaders.NONE
    media_encryption: WireMediaEncryption = MediaEncryption.DISABLE
    media: MediaConfig | None = None
    from_host: Str = ""
    created_at: str | None = None
    updated_at: str | None = None

    def __repr_args__(self) -> Any:
        for key, value in super().__repr_args__():
            yield key, ("[secure]" if key == "auth_password" and value else value)

    @property
    def effective_media_encryption(self) -> MediaEncryption:
        """`media.encryption` when set, else the legacy field, as the server applies it."""
        if self.media is not None and self.media.encryption is not None:
            return self.media.encryption
        return self.media_encryption


class ListUpdate(WireModel):
    """`ListUpdate`: set, or remove then add; `clear` empties the list."""

    set: list[str] | None = None
    add: list[str] | None = None
    remove: list[str] | None = None
    clear: bool | None = None


class TrunkUpdate(WireModel):
    """`SIPOutboundTrunkUpdate`: None means absent (unchanged); "" clears a string."""

    address: str | None = None
    transport: WireTransport | None = None
    destination_country: str | None = None
    numbers: ListUpdate | None = None
    auth_username: str | None = None
    auth_password: str | None = None
    name: str | None = None
    metadata: str | None = None
    media_encryption: WireMediaEncryption | None = None
    media: MediaConfig | None = None
    from_host: str | None = None

    def __repr_args__(self) -> Any:
        for key, value in super().__repr_args__():
            yield key, ("[secure]" if key == "auth_password" and value else value)

    def is_empty(self) -> bool:
        """True when the update changes nothing."""
        return not self.to_wire()


class Pagination(WireModel):
    after_id: str | None = None
    limit: int | None = None


class CreateRequest(WireModel):
    """`CreateSIPOutboundTrunkRequest`."""

    trunk: TrunkInfo


class GetRequest(WireModel):
    """`GetSIPOutboundTrunkRequest`."""

    sip_trunk_id: str


class GetResponse(WireModel):
    trunk: TrunkInfo | None = None


class ListRequest(WireModel):
    """`ListSIPOutboundTrunkRequest`."""

    page: Pagination | None = None
    trunk_ids: list[str] | None = None
    numbers: list[str] | None = None


class ListResponse(WireModel):
    items: Annotated[list[TrunkInfo | None], _none_as(list)] = []


class UpdateRequest(WireModel):
    """`UpdateSIPOutboundTrunkRequest`: exactly one of `replace` and `update`."""

    sip_trunk_id: str
    replace: TrunkInfo | None = None
    update: TrunkUpdate | None = None


class DeleteRequest(WireModel):
    """`DeleteSIPTrunkRequest`."""

    sip_trunk_id: str
