"""`InboundTrunk`: a LiveKit SIP inbound trunk as a Pulumi resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource

from livekit_sip.inbound.provider import ID, InboundTrunkProvider
from livekit_sip.inbound.spec import ADOPT, FIELDS, SECRET_FIELDS
from livekit_sip.resource_base import export_outputs, secret_options, trunk_props

_PROVIDER = InboundTrunkProvider()
_MODULE, _TYPE_NAME = "livekit", "InboundTrunk"
RESOURCE_TYPE = f"pulumi-python:dynamic/{_MODULE}:{_TYPE_NAME}"


@dataclass
class InboundTrunkArgs:
    """The desired state of an inbound trunk. Every field takes a value or an Input.

    LiveKit refuses a trunk anyone could call: give `numbers` (the numbers callers
    dial), `allowed_addresses` (source IPs, CIDR ranges or hosts) or credentials.
    `allowed_numbers` are the callers' numbers. Numbers are stored as the carrier
    sends them; a number twice (``+15550001`` and ``1 555 0001`` count as one) is refused.
    `auth_username` and `auth_password` are always secret; a trunk that had
    credentials keeps failing `check` while both are None, and both ``""`` clear them.
    `ringing_timeout` and `max_call_duration` are durations (``30s``, ``2h``).
    `adopt_trunk_id` makes the first create take over that existing trunk.
    """

    numbers: Input[list[Input[str]]] | None = None
    allowed_addresses: Input[list[Input[str]]] | None = None
    allowed_numbers: Input[list[Input[str]]] | None = None
    name: Input[str] | None = None
    metadata: Input[str] | None = None
    auth_username: Input[str] | None = None
    auth_password: Input[str] | None = None
    auth_realm: Input[str] | None = None
    headers: Input[dict[str, Input[str]]] | None = None
    headers_to_attributes: Input[dict[str, Input[str]]] | None = None
    attributes_to_headers: Input[dict[str, Input[str]]] | None = None
    include_headers: Input[str] | None = None
    ringing_timeout: Input[str] | None = None
    max_call_duration: Input[str] | None = None
    krisp_enabled: Input[bool] | None = None
    media_encryption: Input[str] | None = None
    codecs: Input[list[Input[str] | Input[dict[str, Input[str | int]]]]] | None = None
    only_listed_codecs: Input[bool] | None = None
    media_timeout: Input[str] | None = None
    adopt_trunk_id: Input[str] | None = None


class InboundTrunk(Resource, module=_MODULE, name=_TYPE_NAME):
    """A LiveKit SIP inbound trunk. Its resource ID is the trunk ID (``ST_...``)."""

    sip_trunk_id: Output[str]
    name: Output[str]
    metadata: Output[str]
    numbers: Output[list[str]]
    allowed_addresses: Output[list[str]]
    allowed_numbers: Output[list[str]]
    auth_username: Output[str]
    auth_password: Output[str]
    auth_realm: Output[str]
    headers: Output[dict[str, str]]
    headers_to_attributes: Output[dict[str, str]]
    attributes_to_headers: Output[dict[str, str]]
    include_headers: Output[str]
    ringing_timeout: Output[str | None]
    max_call_duration: Output[str | None]
    krisp_enabled: Output[bool]
    media_encryption: Output[str]
    codecs: Output[list[dict[str, Any]] | None]
    only_listed_codecs: Output[bool | None]
    media_timeout: Output[str | None]
    adopt_trunk_id: Output[str]

    def __init__(self, resource_name: str, args: InboundTrunkArgs, opts: ResourceOptions | None = None) -> None:
        props = trunk_props(resource_name, args, FIELDS, SECRET_FIELDS, ADOPT, ID)
        super().__init__(_PROVIDER, resource_name, props, secret_options(opts, SECRET_FIELDS))


def export_inbound_trunk(trunk: InboundTrunk) -> Output[dict[str, Any]]:
    """The trunk's non-secret outputs, camelCase, for a stack output."""
    return export_outputs(trunk, (ID, *FIELDS), SECRET_FIELDS)
