"""The plugin's Pulumi package schema, derived from the field registry of each kind.

Every spec field is an input and an output property (camelCase), secret where the
registry says so; the object's ID is an output. Nested values that the stack config
also takes in several shapes (a rule, room options, codecs) are typed as any value
and checked by the same validators as everywhere else.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping
from enum import Enum
from typing import Any

from livekit_sip.kinds import SECTIONS
from livekit_sip.names import camel
from livekit_sip.section import Section

PACKAGE = "livekit-sip"
#: Inputs the plugin takes besides the spec fields: an empty `trunkIds` meant as every trunk.
ALL_TRUNKS_INPUT = "allTrunks"
ANY = {"$ref": "pulumi.json#/Any"}

#: The provider's own config: `livekit-sip:url`, `livekit-sip:apiKey`, ... (or `LIVEKIT_*`).
CONFIG = {
    "url": {"type": "string", "description": "The LiveKit project's URL (https:// or wss://); falls back to "
                                             "LIVEKIT_URL."},
    "apiKey": {"type": "string", "description": "The API key; falls back to LIVEKIT_API_KEY."},
    "apiSecret": {"type": "string", "secret": True, "description": "The API secret; falls back to "
                                                                   "LIVEKIT_API_SECRET."},
    "deadline": {"type": "number", "description": "Seconds one LiveKit call may take, retries included "
                                                  "(default 60); falls back to LIVEKIT_SIP_DEADLINE."},
}


def type_token(section: Section) -> str:
    """`livekit-sip:index:OutboundTrunk` for the section whose resources are `…:OutboundTrunk`."""
    return f"{PACKAGE}:index:{section.resource_type.rsplit(':', 1)[-1]}"


def property_type(annotation: Any) -> dict[str, Any]:
    """The schema type of a spec field's annotation."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return property_type(args[0]) if len(args) == 1 else ANY
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer"}
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return {"type": "string"}
    if origin is tuple and args and args[0] is str:
        return {"type": "array", "items": {"type": "string"}}
    if origin is dict and args == [str, str]:
        return {"type": "object", "additionalProperties": {"type": "string"}}
    return ANY


def properties(section: Section) -> dict[str, dict[str, Any]]:
    """The input properties of a section's resource, by camelCase name."""
    spec = section.kind.spec
    # A rule is secret only when its PIN is set: the plugin marks that value, not the schema.
    secret = set(spec.secret_fields())
    found: dict[str, dict[str, Any]] = {}
    for name, info in spec.model_fields.items():
        prop = property_type(info.annotation)
        if name in secret:
            prop = {**prop, "secret": True}
        found[camel(name)] = prop
    if "trunk_ids" in spec.fields():
        found[ALL_TRUNKS_INPUT] = {"type": "boolean", "description": "Say that an empty trunkIds means every "
                                                                     "trunk, and calls that match none."}
    return found


def resource_schema(section: Section) -> dict[str, Any]:
    inputs = properties(section)
    outputs = {k: v for k, v in inputs.items() if k != ALL_TRUNKS_INPUT}
    outputs[camel(section.kind.id_field)] = {"type": "string", "description": f"The {section.kind.noun}'s ID."}
    return {"description": f"A LiveKit SIP {section.kind.noun}.", "inputProperties": inputs,
            "properties": outputs, "required": [camel(section.kind.id_field)]}


def package_schema(version: str) -> dict[str, Any]:
    """The whole package schema."""
    return {
        "name": PACKAGE, "version": version, "displayName": "LiveKit SIP",
        "description": "LiveKit SIP trunks and dispatch rules", "keywords": ["livekit", "sip", "telephony"],
        "config": {"variables": CONFIG},
        "provider": {"description": "The LiveKit project to manage.", "inputProperties": CONFIG},
        "resources": {type_token(section): resource_schema(section) for section in SECTIONS},
        "language": {"nodejs": {"packageName": "@livekit-sip/pulumi"},
                     "python": {"packageName": "livekit_sip_plugin"}},
    }


def schema_json(version: str) -> str:
    return json.dumps(package_schema(version), indent=2)


def sections_by_token() -> Mapping[str, Section]:
    return {type_token(section): section for section in SECTIONS}
