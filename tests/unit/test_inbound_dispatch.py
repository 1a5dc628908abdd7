"""Inbound trunk and dispatch rule: specs, plans, conflict keys, stack config, and wire
models cross-checked against LiveKit's protobuf."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from livekit.protocol import sip

from livekit_sip import conflicts
from livekit_sip.dispatch.models import DispatchRuleInfo, DispatchRuleUpdate
from livekit_sip.dispatch.spec import DispatchRuleSpec
from livekit_sip.dispatch.spec import parse_spec as parse_rule
from livekit_sip.errors import ConfigError
from livekit_sip.fields import Write
from livekit_sip.inbound.models import InboundTrunkInfo, InboundTrunkUpdate
from livekit_sip.inbound.spec import InboundTrunkSpec
from livekit_sip.inbound.spec import parse_spec as parse_trunk
from livekit_sip.plan import Action, plan
from livekit_sip.secrecy import Secrecy
from tests.support.config import read_stack_config

TRUNK: dict[str, Any] = {"name": "carrier", "numbers": ["+15550001000"], "allowed_addresses": ["10.0.0.0/24"],
                         "auth_username": "u", "auth_password": "p", "headers": {"X-A": "b"},
                         "ringing_timeout": "30s", "max_call_duration": "1h", "krisp_enabled": True,
                         "codecs": ["PCMU/8000"]}
RULE: dict[str, Any] = {"name": "r", "rule": {"callee": {"roomPrefix": "desk-", "pin": "12", "randomize": True}},
                        "trunk_ids": ["ST_abcdefgh1234"], "inbound_numbers": ["+15557770000"],
                        "attributes": {"a": "b"}, "room_config": {"agents": [{"agentName": "bot"}]}}


def spec(parse: Any, props: dict[str, Any]) -> Any:
    got, errors = parse(props)
    assert errors == [] and got is not None
    return got


@pytest.mark.parametrize(("message", "model"), [(sip.SIPInboundTrunkInfo, InboundTrunkInfo),
                                                (sip.SIPDispatchRuleInfo, DispatchRuleInfo)])
def test_the_wire_info_the_spec_writes_is_read_by_livekits_protobuf_unchanged(message: Any, model: Any) -> None:
    info = (spec(parse_trunk, TRUNK) if model is InboundTrunkInfo else spec(parse_rule, RULE)).to_info()
    parsed = json_format.ParseDict(info.to_wire(), message())
    again = model.model_validate(json_format.MessageToDict(parsed, preserving_proto_field_name=True))
    assert again == info


@pytest.mark.parametrize(("message", "model"), [(sip.SIPInboundTrunkUpdate, InboundTrunkUpdate),
                                                (sip.SIPDispatchRuleUpdate, DispatchRuleUpdate)])
def test_every_update_field_is_one_livekit_has(message: Any, model: Any) -> None:
    assert set(model.model_fields) <= {f.name for f in message.DESCRIPTOR.fields}


def test_the_registries_write_each_field_as_livekits_update_action_allows() -> None:
    assert InboundTrunkSpec.written(Write.LIST) == {"numbers", "allowed_addresses", "allowed_numbers"}
    replace = {"headers", "headers_to_attributes", "attributes_to_headers", "include_headers", "ringing_timeout",
               "max_call_duration", "krisp_enabled"}
    assert InboundTrunkSpec.written(Write.REPLACE) == replace
    assert DispatchRuleSpec.written(Write.REPLACE) == {
        "inbound_numbers", "numbers", "hide_phone_number", "room_preset", "room_config", "krisp_enabled"}


def test_a_spec_read_back_from_its_own_info_has_no_change() -> None:
    trunk = spec(parse_trunk, TRUNK)
    assert trunk.changed(InboundTrunkSpec.from_info(trunk.to_info(), trunk.unmanaged())) == ()
    rule = spec(parse_rule, RULE)
    assert rule.changed(DispatchRuleSpec.from_info(rule.to_info(), rule.unmanaged())) == ()


def test_an_added_number_is_an_update_with_add_only() -> None:
    old = spec(parse_trunk, TRUNK)
    new = spec(parse_trunk, {**TRUNK, "numbers": ["+15550001000", "+15550001001"]})
    step = plan(old, new)
    assert step.action is Action.UPDATE and step.update is not None
    assert step.update.to_wire() == {"numbers": {"add": ["+15550001001"]}}


def test_a_removed_attribute_is_sent_as_an_empty_value() -> None:
    old = spec(parse_rule, RULE)
    new = spec(parse_rule, {**RULE, "attributes": {"c": "d"}})
    assert plan(old, new).update.to_wire() == {"attributes": {"a": "", "c": "d"}}  # type: ignore[union-attr]


def test_a_room_config_change_is_a_replace() -> None:
    old = spec(parse_rule, RULE)
    new = spec(parse_rule, {**RULE, "room_config": {"agents": [{"agentName": "other"}]}})
    assert plan(old, new).action is Action.REPLACE


@pytest.mark.parametrize(("props", "field"), [
    ({"numbers": ["+15550001000", "1 555 0001 000"]}, "numbers[1]"),
    ({"allowed_addresses": ["sip://carrier"]}, "allowed_addresses[0]"),
    ({"numbers": [], "allowed_addresses": [], "auth_username": "", "auth_password": ""}, "numbers"),
    ({"auth_password": ""}, "auth_password"),
    ({"ringing_timeout": "0s"}, "ringing_timeout"),
])
def test_an_inbound_trunk_breaking_a_rule_names_the_field(props: dict[str, Any], field: str) -> None:
    got, errors = parse_trunk({**TRUNK, **props})
    assert got is None and [e.field for e in errors] == [field]


@pytest.mark.parametrize(("props", "field"), [
    ({"rule": {"direct": {}}}, "rule.direct.roomName"),
    ({"rule": {"direct": {"roomName": "a"}, "callee": {"roomPrefix": "b"}}}, "rule"),
    ({"rule": {"individual": {"roomPrefix": "a", "pin": "12ab"}}}, "rule.individual.pin"),
    ({"attributes": {"a": ""}}, "attributes.a"),
    ({"trunk_ids": ["ST_abcdefgh1234", "ST_abcdefgh1234"]}, "trunk_ids[1]"),
    ({"room_config": {"agents": [{"agentNam": "x"}]}}, "room_config.agents[0].agentNam"),
    ({"rule": None}, "rule"),
])
def test_a_rule_breaking_a_rule_names_the_field(props: dict[str, Any], field: str) -> None:
    got, errors = parse_rule({**RULE, **props})
    assert got is None and [e.field for e in errors] == [field]


def test_conflict_keys_follow_livekits_normalisation() -> None:
    assert conflicts.inbound_keys(["1 (555) 0001"], []) == {("+15550001", "")}
    assert conflicts.first_conflicts([("a", {1, 2}), ("b", {3}), ("c", {2})]) == [("a", "c", 2)]
    assert conflicts.rule_keys("", [], [], []) == {("", "", "", "")}


def test_the_stack_config_names_both_entries_of_an_in_stack_conflict() -> None:
    with pytest.raises(ConfigError) as failed:
        read_stack_config({}, Path("."), inbound_trunks={"a": {"numbers": ["+15550001"]},
                                                         "b": {"numbers": ["15550001"]}})
    assert failed.value.problems[0][0] == "livekit-sip:inboundTrunks.b"
    assert "livekit-sip:inboundTrunks.a" in failed.value.problems[0][1]


def test_a_rule_names_trunks_by_stack_key_or_id_and_says_all_explicitly() -> None:
    stack = read_stack_config({}, Path("."), inbound_trunks={"carrier-us": {"numbers": ["+15550001"]}},
                              dispatch_rules={"one": {"trunks": ["carrier-us", "ST_abcdefgh1234"],
                                                      "individual": {"roomPrefix": "call-"}},
                                              "every": {"trunks": "all", "direct": {"roomName": "lobby"}}},
                              pins={"every": "1"})
    assert stack.dispatch_rules["one"].trunks == ("carrier-us", "ST_abcdefgh1234")
    assert stack.dispatch_rules["every"].all_trunks
    with pytest.raises(ConfigError) as failed:
        read_stack_config({}, Path("."), dispatch_rules={"r": {"individual": {"roomPrefix": "x"}}})
    assert failed.value.problems[0][0] == "livekit-sip:dispatchRules.r.trunks"


def test_inbound_credentials_live_in_their_own_section_and_must_be_secret() -> None:
    with pytest.raises(ConfigError) as failed:
        read_stack_config({}, Path("."), inbound_trunks={"c": {"numbers": ["+15550001"], "authPassword": "x"}},
                          inbound_credentials={"c": {"username": "u", "password": "p"}},
                          secrecy={"inboundCredentials": Secrecy(plaintext=frozenset({("c", "username"),
                                                                                   ("c", "password")}))})
    paths = [path for path, _ in failed.value.problems]
    assert "livekit-sip:inboundTrunks.c.authPassword" in paths
    assert "livekit-sip:inboundCredentials.c.password" in paths
    assert all("'p'" not in message and "'x'" not in message for _, message in failed.value.problems)


def test_export_names_a_rules_exported_trunks_by_stack_key_and_others_by_id() -> None:
    import yaml

    from livekit_sip.export import render
    trunk = spec(parse_trunk, {"name": "Carrier US", "numbers": ["+15550001"]}).to_info().model_copy(
        update={"sip_trunk_id": "ST_aaaabbbb1111"})
    rule = spec(parse_rule, {**RULE, "trunk_ids": ["ST_aaaabbbb1111", "ST_other000000"]}).to_info().model_copy(
        update={"sip_dispatch_rule_id": "SDR_aaaabbbb1111"})
    config = yaml.safe_load(render([], inbound=[trunk], rules=[rule]))["config"]
    assert config["livekit-sip:inboundTrunks"]["carrier-us"]["adoptTrunkId"] == "ST_aaaabbbb1111"
    entry = config["livekit-sip:dispatchRules"]["r"]
    assert entry["trunks"] == ["carrier-us", "ST_other000000"] and entry["adoptRuleId"] == "SDR_aaaabbbb1111"
    # The PIN is a secret: not in the block, only the command that stores it.
    assert entry["callee"] == {"roomPrefix": "desk-", "randomize": True}
    text = render([], inbound=[trunk], rules=[rule])
    assert "'12'" not in text and "pin" not in yaml.safe_dump(entry)
    assert "#   pulumi config set --secret --path 'livekit-sip:pins.r'" in text


@pytest.mark.parametrize("provider", ["inbound", "dispatch"])
def test_an_adopt_input_naming_another_object_replaces_the_resource_and_the_same_one_changes_nothing(
        provider: str) -> None:
    from livekit_sip.dispatch.provider import DispatchRuleProvider
    from livekit_sip.inbound.provider import InboundTrunkProvider

    if provider == "inbound":
        made: Any = InboundTrunkProvider()
        held, other = "ST_heldheldheld", "ST_otherotherot"
        props: dict[str, Any] = {"name": "a", "numbers": ["+15550001"]}
    else:
        made = DispatchRuleProvider()
        held, other = "SDR_heldheldheld", "SDR_otherotherot"
        props = {"name": "a", "rule": {"individual": {"room_prefix": "call-"}}, "trunk_ids": ["ST_abcdabcdabcd"]}
    adopt, id_field = made.kind.adopt, made.kind.id_field
    olds = {**made.kind.parse(props)[0].props(), id_field: held, adopt: held}
    news = {**made.kind.parse(props)[0].props(), adopt: other}
    switched = made.diff(held, olds, news)
    assert (switched.changes, switched.replaces, switched.delete_before_replace) == (True, [adopt], False)
    same = made.diff(held, olds, {**news, adopt: held})
    assert (same.changes, same.replaces) == (False, [])
    dropped = made.diff(held, olds, {k: v for k, v in news.items() if k != adopt})
    assert (dropped.changes, dropped.replaces) == (False, [])
