"""Adopting inbound trunks and dispatch rules under the real pulumi CLI and livekit-server.

An inbound trunk and a dispatch rule made outside Pulumi (by the official SDK, as
`lk` makes them) are taken over by entries with `adoptTrunkId` / `adoptRuleId`. Then
the rule's trunk gets a new ID twice, and each time the rule follows in the same
`up`: a new entry adopts another existing trunk in place of the old one, an entry
is switched to adopt another existing trunk, and a trunk deleted outside Pulumi is
recreated by `up --refresh`. Last, `file:` entries load the JSON `lk sip inbound
create` and `lk sip dispatch create` take.

The steps share one stack and run in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from livekit import api
from pulumi.automation.errors import CommandError

from livekit_sip.settings import Settings
from scripts.project import Project
from scripts.proxy import Proxy
from tests.support import official

LEGACY = {"name": "Made by lk", "numbers": ["+15105550300"], "allowed_addresses": ["192.0.2.10"]}
SPARE = {"name": "Spare carrier", "numbers": ["+15105550301"], "allowed_addresses": ["192.0.2.11"]}
CARRIER = {"name": "Carrier", "numbers": ["+15105550300"], "allowedAddresses": ["192.0.2.10"],
           "krispEnabled": True}
SECOND = {"name": "Second carrier", "numbers": ["+15105550301"], "allowedAddresses": ["192.0.2.11"]}
THIRD = {"name": "Third, made by lk", "numbers": ["+15105550302"], "allowed_addresses": ["192.0.2.12"]}
RULE = {"name": "To the agent", "individual": {"roomPrefix": "call-"}, "attributes": {"team": "support"},
        "roomConfig": {"agents": [{"agentName": "inbound-agent"}]}}
CREATES = ("CreateSIPInboundTrunk", "CreateSIPDispatchRule")


def write_config(project: Project, inbound: dict[str, Any], rules: dict[str, Any]) -> None:
    data = yaml.safe_load(project.stack_file.read_text()) or {}
    config = data.setdefault("config", {})
    config["livekit-sip:inboundTrunks"] = inbound
    config["livekit-sip:dispatchRules"] = rules
    project.stack_file.write_text(yaml.safe_dump(data, sort_keys=False))


def wipe(settings: Settings) -> None:
    for rule_id in official.list_rules(settings):
        official.delete_rule(settings, rule_id)
    for sip_trunk_id in official.list_inbound(settings):
        official.delete_trunk(settings, sip_trunk_id)


@pytest.fixture(scope="module")
def steps(settings: Settings) -> Iterator[dict[str, Any]]:
    """What the steps learn, passed on in order; the project starts and ends with no inbound objects."""
    wipe(settings)
    yield {}
    wipe(settings)


def test_a_an_inbound_trunk_and_a_rule_made_outside_pulumi_are_adopted_with_their_ids(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    legacy = official.create_inbound(settings, **LEGACY).sip_trunk_id
    spare = official.create_inbound(settings, **SPARE).sip_trunk_id
    rule = official.create_rule(settings, name="lk rule", trunk_ids=[legacy], rule=api.SIPDispatchRule(
        dispatch_rule_direct=api.SIPDispatchRuleDirect(room_name="lobby"))).sip_dispatch_rule_id
    steps.update(legacy=legacy, spare=spare, rule=rule)
    write_config(project, {"carrier": {**CARRIER, "adoptTrunkId": legacy}},
                 {"to-agent": {**RULE, "trunks": ["carrier"], "adoptRuleId": rule}})

    proxy.reset()
    project.run("up")
    assert not [m for m in proxy.methods() if m in CREATES], proxy.methods()
    outputs = project.outputs()
    assert outputs["inboundTrunkIds"] == {"carrier": legacy}
    assert outputs["dispatchRuleIds"] == {"to-agent": rule}
    trunks, rules = official.list_inbound(settings), official.list_rules(settings)
    assert set(trunks) == {legacy, spare} and set(rules) == {rule}, "adoption creates nothing"
    assert (trunks[legacy].name, trunks[legacy].krisp_enabled) == ("Carrier", True)
    live = rules[rule]
    assert (live.name, list(live.trunk_ids), dict(live.attributes)) == ("To the agent", [legacy], {"team": "support"})
    assert live.rule.WhichOneof("rule") == "dispatch_rule_individual"
    assert live.rule.dispatch_rule_individual.room_prefix == "call-"
    assert [a.agent_name for a in live.room_config.agents] == ["inbound-agent"]

    proxy.reset()
    preview = project.run("preview")
    assert set(preview.change_summary) == {"same"}, preview.change_summary
    assert proxy.methods() == []


def test_b_an_entry_adopting_another_trunk_in_place_of_the_old_one_moves_the_rule_in_the_same_up(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    write_config(project, {"second": {**SECOND, "adoptTrunkId": steps["spare"]}},
                 {"to-agent": {**RULE, "trunks": ["second"], "adoptRuleId": steps["rule"]}})
    proxy.reset()
    project.run("up")
    assert not [m for m in proxy.methods() if m in CREATES], proxy.methods()
    assert project.outputs()["inboundTrunkIds"] == {"second": steps["spare"]}
    assert list(official.list_rules(settings)[steps["rule"]].trunk_ids) == [steps["spare"]]
    assert set(official.list_inbound(settings)) == {steps["spare"]}, "the dropped entry's trunk is deleted"
    assert official.list_inbound(settings)[steps["spare"]].name == "Second carrier"

    proxy.reset()
    preview = project.run("preview")
    assert set(preview.change_summary) == {"same"}, preview.change_summary


def test_c_an_entry_switched_to_adopt_another_trunk_takes_its_id_and_the_rule_follows_in_the_same_up(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    third = official.create_inbound(settings, **THIRD).sip_trunk_id
    write_config(project, {"second": {**SECOND, "adoptTrunkId": third}},
                 {"to-agent": {**RULE, "trunks": ["second"], "adoptRuleId": steps["rule"]}})
    proxy.reset()
    project.run("up")
    assert not [m for m in proxy.methods() if m in CREATES], proxy.methods()
    assert project.outputs()["inboundTrunkIds"] == {"second": third}
    assert list(official.list_rules(settings)[steps["rule"]].trunk_ids) == [third]
    trunks = official.list_inbound(settings)
    assert set(trunks) == {third}, "the trunk the entry held before is deleted, as if its entry were removed"
    assert (trunks[third].name, list(trunks[third].numbers)) == ("Second carrier", ["+15105550301"])
    steps["spare"] = third

    proxy.reset()
    preview = project.run("preview")
    assert set(preview.change_summary) == {"same"}, preview.change_summary
    assert proxy.methods() == []


def test_d_an_adopted_trunk_deleted_outside_pulumi_fails_the_up_naming_adopt_trunk_id(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    official.delete_trunk(settings, steps["spare"])
    proxy.reset()
    with pytest.raises(CommandError) as failed:
        project.run("up", refresh=True)
    text = str(failed.value)
    assert f"{steps['spare']} does not exist in this LiveKit project" in text, text
    assert "livekit-sip:inboundTrunks.second" in text, text
    assert not [m for m in proxy.methods() if m.startswith(("Create", "Update", "Delete"))], proxy.methods()


def test_e_without_adopt_trunk_id_up_refresh_recreates_the_trunk_and_the_rule_follows_in_the_same_up(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    write_config(project, {"second": SECOND},
                 {"to-agent": {**RULE, "trunks": ["second"], "adoptRuleId": steps["rule"]}})
    proxy.reset()
    project.run("up", refresh=True)
    new = project.outputs()["inboundTrunkIds"]["second"]
    assert new != steps["spare"] and set(official.list_inbound(settings)) == {new}
    assert list(official.list_rules(settings)[steps["rule"]].trunk_ids) == [new]
    assert proxy.methods().count("CreateSIPInboundTrunk") == 1
    assert "CreateSIPDispatchRule" not in proxy.methods()
    assert project.outputs()["dispatchRuleIds"] == {"to-agent": steps["rule"]}

    proxy.reset()
    preview = project.run("preview")
    assert set(preview.change_summary) == {"same"}, preview.change_summary


def test_f_destroy_deletes_the_adopted_rule_and_the_trunk(
        steps: dict[str, Any], project: Project, settings: Settings) -> None:
    project.run("destroy")
    assert official.list_rules(settings) == {}
    assert official.list_inbound(settings) == {}


def test_g_file_entries_load_the_json_lk_takes_for_an_inbound_trunk_and_a_rule(
        steps: dict[str, Any], project: Project, settings: Settings) -> None:
    outside = official.create_inbound(settings, name="Outside the stack", numbers=["+15105550310"]).sip_trunk_id
    (project.work_dir / "sip").mkdir()
    (project.work_dir / "sip" / "trunk.json").write_text(json.dumps({"trunk": {
        "name": "From lk", "numbers": ["+15105550311"], "allowed_addresses": ["192.0.2.20"],
        "include_headers": "SIP_X_HEADERS", "media": {"encryption": "SIP_MEDIA_ENCRYPT_ALLOW"}}}))
    (project.work_dir / "sip" / "rule.json").write_text(json.dumps({"dispatch_rule": {
        "name": "From lk", "trunk_ids": [outside], "rule": {"dispatch_rule_direct": {"room_name": "lobby"}},
        "room_config": {"agents": [{"agent_name": "lk-agent"}]}}}))
    write_config(project, {"from-lk": {"file": "sip/trunk.json", "name": "Overridden"}},
                 {"from-lk": {"file": "sip/rule.json"}, "keyed": {"file": "sip/rule.json", "trunks": ["from-lk"],
                                                                  "direct": {"roomName": "desk"}}})
    project.run("up")
    ids = project.outputs()["inboundTrunkIds"]
    rules = project.outputs()["dispatchRuleIds"]
    trunk = official.list_inbound(settings)[ids["from-lk"]]
    assert (trunk.name, list(trunk.numbers), trunk.include_headers) == (
        "Overridden", ["+15105550311"], api.SIPHeaderOptions.SIP_X_HEADERS)
    assert trunk.media_encryption == api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW
    live = official.list_rules(settings)
    assert list(live[rules["from-lk"]].trunk_ids) == [outside], "a file's trunk IDs are kept as they are"
    assert live[rules["from-lk"]].rule.dispatch_rule_direct.room_name == "lobby"
    assert [a.agent_name for a in live[rules["from-lk"]].room_config.agents] == ["lk-agent"]
    assert list(live[rules["keyed"]].trunk_ids) == [ids["from-lk"]]
    assert live[rules["keyed"]].rule.dispatch_rule_direct.room_name == "desk"
    project.run("destroy")
