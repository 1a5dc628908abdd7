"""The inbound trunk spec: the one registry of its fields, normalized and validated.

Each field says how LiveKit's `update` action writes it (`Slot`): `numbers`,
`allowed_addresses` and `allowed_numbers` as add/remove; name, metadata, auth and
realm as values; the media fields as the whole `media` message; the header maps,
`include_headers`, the timeouts and krisp only through a `replace`
(livekit/protocol sip.go `SIPInboundTrunkUpdate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import ValidationInfo, model_validator

from livekit_sip import conflicts, fields, media_values, validators
from livekit_sip import media as media_fields
from livekit_sip.enums import IncludeHeaders, MediaEncryption
from livekit_sip.errors import SpecError
from livekit_sip.fields import Slot, Write, check, invalid, text
from livekit_sip.inbound.models import InboundTrunkInfo, InboundTrunkUpdate
from livekit_sip.wire import MediaConfig, WireModel

ADOPT = "adopt_trunk_id"
SECURITY = ("LiveKit refuses an inbound trunk that anyone could call: give numbers, allowedAddresses, "
            "or credentials (username and password)")


class InboundTrunkSpec(media_fields.MediaSpec):
    """A normalized, valid inbound trunk. Enums hold short names."""

    update_model: ClassVar[type[WireModel]] = InboundTrunkUpdate

    name: fields.Name = ""
    metadata: fields.Metadata = ""
    numbers: Annotated[tuple[str, ...], Slot(Write.LIST), check(validators.phone_numbers)] = ()
    allowed_addresses: Annotated[tuple[str, ...], Slot(Write.LIST), check(validators.allowed_addresses)] = ()
    allowed_numbers: Annotated[tuple[str, ...], Slot(Write.LIST), check(validators.phone_numbers)] = ()
    auth_username: fields.AuthUsername = ""
    auth_password: fields.AuthPassword = ""
    auth_realm: Annotated[str, Slot(Write.UPDATE), text()] = ""
    headers: fields.Headers = {}
    headers_to_attributes: fields.HeadersToAttributes = {}
    attributes_to_headers: fields.AttributesToHeaders = {}
    include_headers: fields.IncludeHeadersField = IncludeHeaders.NONE
    ringing_timeout: Annotated[str | None, Slot(Write.REPLACE), check(media_values.positive_duration)] = None
    max_call_duration: Annotated[str | None, Slot(Write.REPLACE), check(media_values.positive_duration)] = None
    krisp_enabled: Annotated[bool, Slot(Write.REPLACE), check(lambda v: bool(validators.boolean(v)))] = False
    media_encryption: media_fields.Encryption = MediaEncryption.DISABLE
    codecs: media_fields.Codecs = None
    only_listed_codecs: media_fields.OnlyListedCodecs = None
    media_timeout: media_fields.MediaTimeout = None

    @model_validator(mode="after")
    def _auth_and_security(self, info: ValidationInfo) -> InboundTrunkSpec:
        if not fields.is_partial(info):
            fields.check_auth_pair(self.auth_username, self.auth_password)
            if not (self.auth_username or self.numbers or self.allowed_addresses):
                raise invalid(SECURITY, "numbers")
        return self

    def conflict_keys(self) -> set[tuple[str, str]]:
        """LiveKit's conflict keys of this trunk (`livekit_sip.conflicts`)."""
        return conflicts.inbound_keys(self.numbers, self.allowed_numbers)

    def to_info(self, held: MediaConfig | None = None) -> InboundTrunkInfo:
        """The spec as LiveKit's `SIPInboundTrunkInfo` (no id); `media` as `media_fields.needed` says."""
        return media_fields.to_info(self, InboundTrunkInfo, held)

    @classmethod
    def from_info(cls, info: InboundTrunkInfo, unmanaged: Iterable[str] = ()) -> InboundTrunkSpec:
        """The spec a trunk read from LiveKit holds (no validation: it is the truth)."""
        values = media_fields.spec_values(cls, info, unmanaged, ("numbers", "allowed_addresses", "allowed_numbers"))
        for name in ("ringing_timeout", "max_call_duration"):
            values[name] = media_values.canonical_duration(values[name]) if values[name] else None
        return cls.model_construct(**values)


def parse_spec(props: Mapping[str, Any], unknown: object = None) -> tuple[InboundTrunkSpec | None, list[SpecError]]:
    """`InboundTrunkSpec.parse`, plus the check of `adopt_trunk_id` (an input, not a field)."""
    return fields.parse_adopting(InboundTrunkSpec, props, unknown, ADOPT, fields.TRUNK_ID,
                                 "a trunk id like ST_xxxxxxxxxxxx")


FIELDS = InboundTrunkSpec.fields()
SECRET_FIELDS = InboundTrunkSpec.secret_fields()
