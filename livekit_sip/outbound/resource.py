"""`OutboundTrunk`: a LiveKit SIP outbound trunk as a Pulumi resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource

from livekit_sip.outbound.provider import ID, TrunkProvider
from livekit_sip.outbound.spec import ADOPT, FIELDS, SECRET_FIELDS
from livekit_sip.resource_base import export_outputs, secret_options, trunk_props

_PROVIDER = TrunkProvider()
_MODULE, _TYPE_NAME = "livekit", "OutboundTrunk"
#: The Pulumi type token of `OutboundTrunk`, as state files show it.
RESOURCE_TYPE = f"pulumi-python:dynamic/{_MODULE}:{_TYPE_NAME}"


@dataclass
class OutboundTrunkArgs:
    """The desired state of an outbound trunk. Every field takes a value or an Input.

    Enum fields take the short names (``tls``, ``x_headers``, ``allow``) or
    LiveKit's names (``SIP_TRANSPORT_TLS``), case-insensitive. `name` defaults to
    the resource name. `auth_username` and `auth_password` are always secret; a
    trunk that had credentials keeps failing `check` while both are left out (None),
    and both set to ``""`` clear its auth on purpose.
    `codecs` takes ``"PCMU/8000"`` or ``{"name": "PCMU", "rate": 8000}`` items;
    `media_timeout` a duration such as ``"30s"`` (at most 10 min). When `codecs`,
    `only_listed_codecs` or `media_timeout` is None, LiveKit keeps its value.
    `adopt_trunk_id` makes the first create take over that existing trunk.
    """

    address: Input[str] | None = None
    numbers: Input[list[Input[str]]] | None = None
    name: Input[str] | None = None
    auth_username: Input[str] | None = None
    auth_password: Input[str] | None = None
    transport: Input[str] | None = None
    destination_country: Input[str] | None = None
    metadata: Input[str] | None = None
    headers: Input[dict[str, Input[str]]] | None = None
    headers_to_attributes: Input[dict[str, Input[str]]] | None = None
    attributes_to_headers: Input[dict[str, Input[str]]] | None = None
    include_headers: Input[str] | None = None
    media_encryption: Input[str] | None = None
    codecs: Input[list[Input[str] | Input[dict[str, Input[str | int]]]]] | None = None
    only_listed_codecs: Input[bool] | None = None
    media_timeout: Input[str] | None = None
    from_host: Input[str] | None = None
    adopt_trunk_id: Input[str] | None = None


class OutboundTrunk(Resource, module=_MODULE, name=_TYPE_NAME):
    """A LiveKit SIP outbound trunk. Its resource ID is the trunk ID (``ST_...``)."""

    sip_trunk_id: Output[str]
    name: Output[str]
    address: Output[str]
    numbers: Output[list[str]]
    auth_username: Output[str]
    auth_password: Output[str]
    transport: Output[str]
    destination_country: Output[str]
    metadata: Output[str]
    headers: Output[dict[str, str]]
    headers_to_attributes: Output[dict[str, str]]
    attributes_to_headers: Output[dict[str, str]]
    include_headers: Output[str]
    media_encryption: Output[str]
    #: ``{name, rate}`` objects; None when LiveKit's codecs are not managed (likewise below).
    codecs: Output[list[dict[str, Any]] | None]
    only_listed_codecs: Output[bool | None]
    #: Normalized as LiveKit answers: ``1.5s`` is ``1.500s``, ``2m`` is ``120s``.
    media_timeout: Output[str | None]
    from_host: Output[str]
    adopt_trunk_id: Output[str]

    def __init__(
        self, resource_name: str, args: OutboundTrunkArgs, opts: ResourceOptions | None = None
    ) -> None:
        props = trunk_props(resource_name, args, FIELDS, SECRET_FIELDS, ADOPT, ID)
        super().__init__(_PROVIDER, resource_name, props, secret_options(opts, SECRET_FIELDS))


def export_trunk(trunk: OutboundTrunk) -> Output[dict[str, Any]]:
    """The trunk's non-secret outputs, camelCase, for a stack output; media fields
    LiveKit keeps for itself (unset in the spec) are left out."""
    return export_outputs(trunk, (ID, *FIELDS), SECRET_FIELDS)
