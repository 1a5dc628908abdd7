"""The Pulumi YAML program of docs/plugin.md on the livekit-sip provider plugin, with the real CLI and YAML language
host, checked with LiveKit's official SDK: create an outbound trunk, an inbound trunk and a rule
naming it; change numbers in place; rotate a secret password; refresh after a change made outside
Pulumi; destroy. Nothing secret reaches the state, the CLI's output or its home."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from livekit_sip.settings import Settings
from scripts.project import ROOT
from scripts.proxy import Proxy
from tests.e2e.plugin_project import PluginProject
from tests.support import official

PASSWORDS = ["-yaml-Pa55word-one", "-yaml-Pa55word-two"]
PIN = "04241357"
OUTBOUND, INBOUND = "+15105558101", "+15105558201"


def program(numbers: list[str]) -> str:
    """The program of docs/plugin.md, with the outbound trunk's numbers given."""
    page = (ROOT / "docs" / "plugin.md").read_text().split("## A Pulumi YAML program", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert block, "docs/plugin.md has no YAML program"
    found = yaml.safe_load(block.group(1))
    found["resources"]["carrier"]["properties"]["numbers"] = numbers
    return str(yaml.safe_dump(found, sort_keys=False))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> Iterator[PluginProject]:
    found = PluginProject.create(tmp_path_factory.mktemp("plugin-yaml"), proxy)
    found.write("Pulumi.yaml", program([OUTBOUND]))
    found.init(proxy.url, settings.api_key, settings.api_secret)
    found.secret("password", PASSWORDS[0])
    found.secret("pin", PIN)
    yield found
    found.pulumi("destroy", "--yes", check=False)


@pytest.fixture(scope="module")
def steps() -> dict[str, Any]:
    return {}


def test_up_creates_the_three_objects(project: PluginProject, settings: Settings, steps: dict[str, Any]) -> None:
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "+ 4 created" in done.stdout, done.stdout
    outputs = project.outputs()
    steps.update(outputs)
    trunk = official.list_trunks(settings)[outputs["trunkId"]]
    assert (list(trunk.numbers), trunk.address, trunk.auth_username) == ([OUTBOUND], "sip.example.com", "yaml-user")
    assert trunk.auth_password == PASSWORDS[0] and trunk.name == "carrier" and trunk.metadata == "from yaml"
    inbound = official.list_inbound(settings)[outputs["inboundId"]]
    assert list(inbound.numbers) == [INBOUND] and list(inbound.allowed_addresses) == ["192.0.2.0/24"]
    rule = official.list_rules(settings)[outputs["ruleId"]]
    assert list(rule.trunk_ids) == [outputs["inboundId"]]
    assert rule.rule.dispatch_rule_individual.room_prefix == "call-"
    assert rule.rule.dispatch_rule_individual.pin == PIN, "the PIN keeps its leading zero"


def test_a_second_preview_is_converged(project: PluginProject, proxy: Proxy) -> None:
    proxy.reset()
    done = project.pulumi("preview", "--diff")
    assert "3 unchanged" in done.stdout or "4 unchanged" in done.stdout, done.stdout
    assert [m for m in proxy.methods() if not m.startswith("List")] == []


def test_numbers_change_in_place_with_the_update_action(
        project: PluginProject, proxy: Proxy, settings: Settings, steps: dict[str, Any]) -> None:
    project.write("Pulumi.yaml", program([OUTBOUND, "+15105558102"]))
    proxy.reset()
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "~ 1 updated" in done.stdout, done.stdout
    assert project.outputs()["trunkId"] == steps["trunkId"]
    assert [m for m in proxy.methods() if m.startswith(("Create", "Update", "Delete"))] == ["UpdateSIPOutboundTrunk"]
    assert list(official.list_trunks(settings)[steps["trunkId"]].numbers) == [OUTBOUND, "+15105558102"]


def test_a_rotated_password_is_an_update_of_the_same_trunk(
        project: PluginProject, settings: Settings, steps: dict[str, Any]) -> None:
    project.secret("password", PASSWORDS[1])
    project.pulumi("up", "--yes", "--skip-preview")
    assert project.outputs()["trunkId"] == steps["trunkId"]
    assert official.list_trunks(settings)[steps["trunkId"]].auth_password == PASSWORDS[1]


def test_refresh_sees_a_change_made_outside_pulumi_and_up_restores_it(
        project: PluginProject, settings: Settings, steps: dict[str, Any]) -> None:
    official.update_trunk(settings, steps["trunkId"], metadata="changed by hand")
    project.pulumi("refresh", "--yes", "--skip-preview")
    outputs = project.resources(":OutboundTrunk")["carrier"]["outputs"]
    assert outputs["metadata"] == "changed by hand"
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "~ 1 updated" in done.stdout, done.stdout
    assert official.list_trunks(settings)[steps["trunkId"]].metadata == "from yaml"


def test_no_secret_is_in_state_output_or_the_cli_home(project: PluginProject, settings: Settings) -> None:
    text = project.files_text() + "\n".join(project.seen)
    for secret in (*PASSWORDS, PIN, settings.api_secret):
        assert secret not in text


def test_destroy_removes_the_three_objects(project: PluginProject, settings: Settings, steps: dict[str, Any]) -> None:
    project.pulumi("destroy", "--yes", "--skip-preview")
    assert steps["trunkId"] not in official.list_trunks(settings)
    assert steps["inboundId"] not in official.list_inbound(settings)
    assert steps["ruleId"] not in official.list_rules(settings)


BAD = {
    "carrier": ({"type": "livekit-sip:index:OutboundTrunk",
                 "properties": {"address": "sip.example.com", "numbers": ["5105550100"]}}, "numbers[0]: "),
    "everyone": ({"type": "livekit-sip:index:DispatchRule",
                  "properties": {"trunkIds": [], "rule": {"individual": {"roomPrefix": "call-"}}}},
                 "trunkIds: is empty"),
    "door": ({"type": "livekit-sip:index:DispatchRule",
              "properties": {"rule": {"direct": {"roomName": "lobby", "pin": "12ab"}}, "allTrunks": True}},
             "rule.direct.pin: is not a PIN"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_refused_at_preview_in_one_line_naming_the_field_with_no_api_call(
        name: str, tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> None:
    resource, reason = BAD[name]
    bad = PluginProject.create(tmp_path_factory.mktemp("plugin-yaml-bad"), proxy)
    bad.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-yaml-bad", "runtime": "yaml",
                                            "resources": {name: resource}}))
    bad.init(proxy.url, settings.api_key, settings.api_secret)
    proxy.reset()
    done = bad.pulumi("preview", check=False)
    assert done.returncode != 0
    errors = {line.strip() for line in done.stdout.splitlines() if line.strip().startswith("error: livekit-sip")}
    print(f"\n{errors}")
    assert len(errors) == 1, done.stdout
    line = errors.pop()
    assert f"resource '{name}'" in line and reason in line and "12ab" not in line, line
    assert proxy.methods() == []


def test_the_plugin_serves_as_many_creates_at_once_as_parallel_allows(
        tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> None:
    """The dynamic-provider server is 4 wide; the plugin takes what `--parallel` gives it."""
    wide = PluginProject.create(tmp_path_factory.mktemp("plugin-yaml-wide"), proxy)
    resources = {f"w{i:02d}": {"type": "livekit-sip:index:OutboundTrunk",
                               "properties": {"address": "sip.example.com", "numbers": [f"+1510555{8700 + i}"]}}
                 for i in range(16)}
    wide.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-yaml-wide", "runtime": "yaml", "resources": resources}))
    wide.init(proxy.url, settings.api_key, settings.api_secret)
    proxy.reset()
    proxy.delay = 0.5
    try:
        wide.pulumi("up", "--yes", "--skip-preview", "--parallel", "16")
    finally:
        proxy.delay = 0.0
    creates = [c for c in list(proxy.calls) if c.method == "CreateSIPOutboundTrunk"]
    assert len(creates) == 16
    at_once = max(sum(1 for o in creates if o.started <= c.started < o.ended) for c in creates)
    print(f"\n16 creates, --parallel 16, 0.5 s round trip: {at_once} in flight at once")
    assert at_once > 8, at_once
    wide.pulumi("destroy", "--yes", "--skip-preview")
