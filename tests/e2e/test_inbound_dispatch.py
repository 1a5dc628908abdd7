"""The whole SIP setup (inbound trunks, a dispatch rule to an agent, an outbound trunk)
under the real pulumi CLI and livekit-server, checked with the official SDK.

The steps share one stack and run in order: the full setup created, a converged
preview with no calls, a number added and a room prefix changed in place, an inbound
password rotated, a rule pointed at a second trunk, rule drift restored, the rule's
trunk deleted out of band and recreated, an in-stack conflict refused at preview,
and destroy. No SIP password, API secret or JWT may show in state or output.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from pulumi.automation.errors import CommandError

from livekit_sip.settings import Settings
from scripts.project import Project
from scripts.proxy import Proxy
from tests.support import official

PASSWORDS = ["inbound-Pa55word-one", "inbound-Pa55word-two"]
USERNAME = "carrier-user-e2e"
OUTBOUND = {"telnyx-us": {"address": "sip.telnyx.com", "numbers": ["+15105550100"]}}
CARRIER_US = {"name": "Carrier US", "numbers": ["+15105550200"], "allowedAddresses": ["192.0.2.0/24"],
              "krispEnabled": True, "ringingTimeout": "30s"}
CARRIER_EU = {"name": "Carrier EU", "numbers": ["+442071838800"], "allowedAddresses": ["198.51.100.7"]}
RULE = {"name": "To the agent", "trunks": ["carrier-us"], "individual": {"roomPrefix": "call-"},
        "attributes": {"team": "support"},
        "roomConfig": {"emptyTimeout": 120, "agents": [{"agentName": "inbound-agent", "metadata": "{}"}]}}
WRITES = ("Create", "Update", "Delete")


def write_config(project: Project, inbound: dict[str, Any], rules: dict[str, Any]) -> None:
    data = yaml.safe_load(project.stack_file.read_text()) or {}
    config = data.setdefault("config", {})
    config["livekit-sip:trunks"] = OUTBOUND
    config["livekit-sip:inboundTrunks"] = inbound
    config["livekit-sip:dispatchRules"] = rules
    project.stack_file.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture(scope="module")
def steps(project: Project, settings: Settings) -> Iterator[dict[str, Any]]:
    write_config(project, {"carrier-us": CARRIER_US, "carrier-eu": CARRIER_EU}, {"to-agent": RULE})
    for leaf, value in (("username", USERNAME), ("password", PASSWORDS[0])):
        project.cli("config", "set", "--secret", "--path", f"livekit-sip:inboundCredentials.carrier-us.{leaf}", "--",
                    value)
    yield {}


def writes(proxy: Proxy) -> list[str]:
    return [m for m in proxy.methods() if m.startswith(WRITES)]


def bodies(proxy: Proxy, method: str) -> list[dict[str, Any]]:
    return [c.body for c in proxy.calls if c.method == method]


def no_leaks(project: Project, settings: Settings) -> None:
    assert project.leaks([*PASSWORDS, USERNAME, settings.api_secret]) == []


def test_a_the_full_setup_is_created_and_preview_then_makes_no_call(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.run("up")
    outputs = project.outputs()
    steps.update(inbound=dict(outputs["inboundTrunkIds"]), rule=outputs["dispatchRuleIds"]["to-agent"],
                 outbound=outputs["trunkIds"]["telnyx-us"])
    trunk = official.list_inbound(settings)[steps["inbound"]["carrier-us"]]
    assert (trunk.name, list(trunk.numbers), list(trunk.allowed_addresses)) == (
        "Carrier US", ["+15105550200"], ["192.0.2.0/24"])
    assert (trunk.auth_username, trunk.auth_password, trunk.krisp_enabled) == (USERNAME, PASSWORDS[0], True)
    assert trunk.ringing_timeout.seconds == 30
    rule = official.list_rules(settings)[steps["rule"]]
    assert list(rule.trunk_ids) == [steps["inbound"]["carrier-us"]]
    assert rule.rule.dispatch_rule_individual.room_prefix == "call-"
    assert [a.agent_name for a in rule.room_config.agents] == ["inbound-agent"]
    assert rule.room_config.empty_timeout == 120 and dict(rule.attributes) == {"team": "support"}
    assert steps["outbound"] in official.list_trunks(settings)
    assert "authPassword" not in outputs["inboundTrunks"]["carrier-us"]

    proxy.reset()
    preview = project.run("preview")
    assert set(preview.change_summary) == {"same"}, preview.change_summary
    assert proxy.methods() == []
    no_leaks(project, settings)


def test_b_a_number_added_and_a_room_prefix_changed_are_update_actions_keeping_the_ids(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    us = {**CARRIER_US, "numbers": ["+15105550200", "+15105550201"]}
    rule = {**RULE, "individual": {"roomPrefix": "support-"}}
    write_config(project, {"carrier-us": us, "carrier-eu": CARRIER_EU}, {"to-agent": rule})
    proxy.reset()
    project.run("up")
    assert sorted(writes(proxy)) == ["UpdateSIPDispatchRule", "UpdateSIPInboundTrunk"]
    assert bodies(proxy, "UpdateSIPInboundTrunk")[0]["update"] == {"numbers": {"add": ["+15105550201"]}}
    assert bodies(proxy, "UpdateSIPDispatchRule")[0]["update"] == {
        "rule": {"dispatch_rule_individual": {"room_prefix": "support-", "pin": "", "no_randomness": False}}}
    assert project.outputs()["dispatchRuleIds"]["to-agent"] == steps["rule"]
    assert project.outputs()["inboundTrunkIds"] == steps["inbound"]
    assert list(official.list_inbound(settings)[steps["inbound"]["carrier-us"]].numbers) == [
        "+15105550200", "+15105550201"]
    assert official.list_rules(settings)[steps["rule"]].rule.dispatch_rule_individual.room_prefix == "support-"
    steps.update(us=us, rule_spec=rule)


def test_c_an_inbound_password_rotated_keeps_the_trunk(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.cli("config", "set", "--secret", "--path", "livekit-sip:inboundCredentials.carrier-us.password",
                "--", PASSWORDS[1])
    proxy.reset()
    project.run("up")
    assert writes(proxy) == ["UpdateSIPInboundTrunk"]
    assert bodies(proxy, "UpdateSIPInboundTrunk")[0]["update"] == {"auth_password": PASSWORDS[1]}
    trunk = official.list_inbound(settings)[steps["inbound"]["carrier-us"]]
    assert trunk.auth_password == PASSWORDS[1]
    no_leaks(project, settings)


def test_d_a_rule_pointed_at_a_second_trunk(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    rule = {**steps["rule_spec"], "trunks": ["carrier-us", "carrier-eu"]}
    write_config(project, {"carrier-us": steps["us"], "carrier-eu": CARRIER_EU}, {"to-agent": rule})
    proxy.reset()
    project.run("up")
    assert writes(proxy) == ["UpdateSIPDispatchRule"]
    assert bodies(proxy, "UpdateSIPDispatchRule")[0]["update"] == {
        "trunk_ids": {"add": [steps["inbound"]["carrier-eu"]]}}
    assert sorted(official.list_rules(settings)[steps["rule"]].trunk_ids) == sorted(steps["inbound"].values())
    steps["rule_spec"] = rule


def test_e_drift_in_a_rule_is_found_by_refresh_and_restored(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    official.update_rule(settings, steps["rule"], name="edited by hand", attributes={"extra": "x"})
    proxy.reset()
    project.run("up", refresh=True)
    live = official.list_rules(settings)[steps["rule"]]
    assert (live.name, dict(live.attributes)) == ("To the agent", {"team": "support"})
    assert proxy.methods().count("ListSIPDispatchRule") == 1, "refresh costs one listing per kind"
    assert writes(proxy) == ["UpdateSIPDispatchRule"]


def test_f_the_rules_trunk_deleted_out_of_band_is_recreated_and_the_rule_follows(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    old = steps["inbound"]["carrier-eu"]
    official.delete_trunk(settings, old)
    proxy.reset()
    project.run("up", refresh=True)
    new = project.outputs()["inboundTrunkIds"]["carrier-eu"]
    assert new != old and new in official.list_inbound(settings)
    assert sorted(official.list_rules(settings)[steps["rule"]].trunk_ids) == sorted(
        [steps["inbound"]["carrier-us"], new])
    assert project.outputs()["dispatchRuleIds"]["to-agent"] == steps["rule"]
    steps["inbound"]["carrier-eu"] = new


def test_g_an_in_stack_conflict_fails_preview_with_no_call_naming_both_entries(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    clash = {"trunks": ["carrier-us"], "direct": {"roomName": "lobby"}}
    write_config(project, {"carrier-us": steps["us"], "carrier-eu": CARRIER_EU},
                 {"to-agent": steps["rule_spec"], "lobby": clash})
    proxy.reset()
    with pytest.raises(CommandError) as failed:
        project.run("preview")
    text = str(failed.value)
    assert ("livekit-sip:dispatchRules.to-agent: conflicts with livekit-sip:dispatchRules.lobby" in text
            or "livekit-sip:dispatchRules.lobby: conflicts with livekit-sip:dispatchRules.to-agent" in text), text
    assert proxy.methods() == []
    write_config(project, {"carrier-us": steps["us"], "carrier-eu": CARRIER_EU}, {"to-agent": steps["rule_spec"]})


def test_h_destroy_leaves_nothing(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.run("destroy")
    assert official.list_inbound(settings) == {}
    assert official.list_rules(settings) == {}
    assert official.list_trunks(settings) == {}
    no_leaks(project, settings)
