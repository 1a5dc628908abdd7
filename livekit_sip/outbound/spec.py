"""The outbound trunk spec: the one registry of its fields, normalized and validated.

`OutboundTrunkSpec` declares each field once, with its check and the way LiveKit's
`update` action writes it (`Slot`). `parse_spec` validates provider inputs (or stored
outputs) at `pulumi preview`, before any API call; `to_info` and `from_info` convert
to and from LiveKit's `SIPOutboundTrunkInfo`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field, ValidationInfo, model_validator

from livekit_sip import fields, validators
from livekit_sip import media as media_fields
from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.errors import SpecError
from livekit_sip.fields import Slot, Write, check
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.wire import MediaConfig, WireModel

ADOPT = "adopt_trunk_id"


class OutboundTrunkSpec(media_fields.MediaSpec):
    """A normalized, valid outbound trunk. Enums hold short names."""

    update_model: ClassVar[type[WireModel]] = OutboundTrunkUpdate

    name: fields.Name = ""
    address: Annotated[str, Slot(Write.UPDATE), check(lambda v: validators.host(validators.text(v, required=True)))
                       ] = Field("", validate_default=True)
    numbers: Annotated[tuple[str, ...], Slot(Write.LIST),
                       check(lambda v: validators.e164_numbers(v, wildcard=True, required=True))
                       ] = Field((), validate_default=True)
    auth_username: fields.AuthUsername = ""
    auth_password: fields.AuthPassword = ""
    transport: Annotated[Transport, Slot(Write.UPDATE),
                         check(lambda v: validators.wire_enum(Transport, v) or Transport.AUTO)] = Transport.AUTO
    destination_country: Annotated[str, Slot(Write.UPDATE), check(validators.country)] = ""
    metadata: fields.Metadata = ""
    headers: fields.Headers = {}
    headers_to_attributes: fields.HeadersToAttributes = {}
    attributes_to_headers: fields.AttributesToHeaders = {}
    include_headers: fields.IncludeHeadersField = IncludeHeaders.NONE
    media_encryption: media_fields.Encryption = MediaEncryption.DISABLE
    codecs: media_fields.Codecs = None
    only_listed_codecs: media_fields.OnlyListedCodecs = None
    media_timeout: media_fields.MediaTimeout = None
    from_host: Annotated[str, Slot(Write.UPDATE),
                         check(lambda v: validators.host(t) if (t := validators.text(v)) else t)] = ""

    @model_validator(mode="after")
    def _auth_pair(self, info: ValidationInfo) -> OutboundTrunkSpec:
        if not fields.is_partial(info):
            fields.check_auth_pair(self.auth_username, self.auth_password)
        return self

    def to_info(self, held: MediaConfig | None = None) -> OutboundTrunkInfo:
        """The spec as LiveKit's `SIPOutboundTrunkInfo` (no id); `media` as `media_fields.needed` says."""
        return media_fields.to_info(self, OutboundTrunkInfo, held)

    @classmethod
    def from_info(cls, info: OutboundTrunkInfo, unmanaged: Iterable[str] = ()) -> OutboundTrunkSpec:
        """The spec a trunk read from LiveKit holds (no validation: it is the truth).

        Args:
            info: the trunk as LiveKit answered.
            unmanaged: media fields to leave unset, as the spec they are compared with does.
        """
        return cls.model_construct(**media_fields.spec_values(cls, info, unmanaged, ("numbers",)))


def parse_spec(props: Mapping[str, Any], unknown: object = None) -> tuple[OutboundTrunkSpec | None, list[SpecError]]:
    """`OutboundTrunkSpec.parse`, plus the check of `adopt_trunk_id` (an input, not a field)."""
    return fields.parse_adopting(OutboundTrunkSpec, props, unknown, ADOPT, fields.TRUNK_ID,
                                 "a trunk id like ST_xxxxxxxxxxxx")


#: The fields, in the order outputs list them, and the secret ones: both read off the registry.
FIELDS = OutboundTrunkSpec.fields()
SECRET_FIELDS = OutboundTrunkSpec.secret_fields()
