"""The plugin's schema agrees with the field registry, and its values round-trip."""

from __future__ import annotations

import json

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from livekit_sip.kinds import SECTIONS
from livekit_sip.names import camel
from livekit_sip.plugin import values
from livekit_sip.plugin.provider import Service
from livekit_sip.plugin.schema import ALL_TRUNKS_INPUT, package_schema, schema_json, type_token

SCHEMA = package_schema("1.2.3")


def test_each_kind_is_a_resource_with_its_token() -> None:
    assert sorted(SCHEMA["resources"]) == ["livekit-sip:index:DispatchRule", "livekit-sip:index:InboundTrunk",
                                           "livekit-sip:index:OutboundTrunk"]
    assert json.loads(schema_json("1.2.3")) == SCHEMA and SCHEMA["version"] == "1.2.3"


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.name)
def test_every_registry_field_is_an_input_and_output_with_its_secrecy(section: object) -> None:
    resource = SCHEMA["resources"][type_token(section)]  # type: ignore[arg-type]
    spec = section.kind.spec  # type: ignore[attr-defined]
    fields = {camel(f) for f in spec.fields()}
    extra = {ALL_TRUNKS_INPUT} if "trunk_ids" in spec.fields() else set()
    assert set(resource["inputProperties"]) == fields | extra
    id_field = camel(section.kind.id_field)  # type: ignore[attr-defined]
    assert set(resource["properties"]) == fields | {id_field} and resource["required"] == [id_field]
    secret = {name for name, prop in resource["inputProperties"].items() if prop.get("secret")}
    assert secret == {camel(f) for f in spec.secret_fields()}
    assert {n for n, p in resource["properties"].items() if p.get("secret")} == secret


def test_simple_fields_have_their_types() -> None:
    outbound = SCHEMA["resources"]["livekit-sip:index:OutboundTrunk"]["inputProperties"]
    assert outbound["numbers"] == {"type": "array", "items": {"type": "string"}}
    assert outbound["headers"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert outbound["transport"] == {"type": "string"} and outbound["onlyListedCodecs"] == {"type": "boolean"}
    assert outbound["codecs"] == {"$ref": "pulumi.json#/Any"}


def test_the_api_secret_is_a_secret_in_config_and_provider_inputs() -> None:
    assert SCHEMA["config"]["variables"]["apiSecret"]["secret"] is True
    assert SCHEMA["provider"]["inputProperties"]["apiSecret"]["secret"] is True
    assert set(SCHEMA["config"]["variables"]) == {"url", "apiKey", "apiSecret", "deadline"}


def test_values_reach_the_core_snake_case_with_secrets_and_unknowns_known() -> None:
    props = {"authPassword": PropertyValue("-pw", is_secret=True), "numbers": PropertyValue([PropertyValue("+1")]),
             "trunkIds": PropertyValue([PropertyValue.computed()]), "emptyTimeout": PropertyValue(120.0)}
    core, secret = values.to_core(props)
    assert core == {"auth_password": "-pw", "numbers": ["+1"], "trunk_ids": [rpc.UNKNOWN], "empty_timeout": 120}
    assert secret == {"auth_password"}


def test_values_go_back_camel_case_with_secrets_marked_and_unset_left_out() -> None:
    wire = values.to_wire({"auth_password": "-pw", "numbers": ["+1"], "media_timeout": None, "rule": {"pin": "1"}},
                          frozenset({"auth_password", "rule"}))
    assert set(wire) == {"authPassword", "numbers", "rule"}
    assert wire["authPassword"].is_secret and wire["rule"].is_secret and not wire["numbers"].is_secret
    back, secret = values.to_core(PropertyValue.unmarshal_map(PropertyValue.marshal_map(wire)))
    assert back == {"auth_password": "-pw", "numbers": ["+1"], "rule": {"pin": "1"}}
    assert secret == {"auth_password", "rule"}


def test_a_failing_secret_field_is_not_named_to_the_engine_which_would_print_its_value() -> None:
    news = {"address": PropertyValue("sip.example.com"), "numbers": PropertyValue([PropertyValue("5105550100")]),
            "authUsername": PropertyValue("u"), "authPassword": PropertyValue(918273645.0)}
    request = provider_pb2.CheckRequest(urn="urn:pulumi:dev::p::livekit-sip:index:OutboundTrunk::t",
                                        type="livekit-sip:index:OutboundTrunk", name="t",
                                        news=PropertyValue.marshal_map(news))
    failures = {f.reason.split(":")[0]: f.property for f in Service("0.0.0")._check(request).failures}
    assert failures["authPassword"] == "" and failures["numbers[0]"] == "numbers[0]"
