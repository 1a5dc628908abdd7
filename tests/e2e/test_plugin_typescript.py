"""A TypeScript program on the livekit-sip provider plugin, with the real CLI, the Node.js language
host and `@pulumi/pulumi` from npm, checked with LiveKit's official SDK: create an outbound trunk,
an inbound trunk and a rule naming it; change numbers in place; rotate a secret password; refresh
after a change made outside Pulumi; destroy. Nothing secret reaches the state, output or home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from livekit_sip.settings import Settings
from scripts.project import ROOT
from scripts.proxy import Proxy
from tests.e2e.plugin_project import PluginProject
from tests.support import official

NODE_MODULES = ROOT / ".tools" / "node" / "node_modules"
PASSWORDS = ["-ts-Pa55word-one", "-ts-Pa55word-two"]
PIN = "24680135"
OUTBOUND, INBOUND = "+15105558301", "+15105558401"

PROGRAM = """
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

// The plugin's resources by type token, as any language declares a provider's resources.
class Resource extends pulumi.CustomResource {
    constructor(type: string, name: string, props: Record<string, pulumi.Input<any>>, outputs: string[]) {
        const all: Record<string, pulumi.Input<any>> = { ...props };
        for (const output of outputs) { all[output] = undefined; }
        super(`livekit-sip:index:${type}`, name, all, {});
    }
}

const carrier = new Resource("OutboundTrunk", "carrier", {
    address: "sip.example.com",
    numbers: NUMBERS,
    authUsername: "ts-user",
    authPassword: config.requireSecret("password"),
    metadata: "from typescript",
}, ["sipTrunkId"]);
const office = new Resource("InboundTrunk", "office", {
    numbers: ["INBOUND"],
    allowedAddresses: ["192.0.2.0/24"],
}, ["sipTrunkId"]);
const lobby = new Resource("DispatchRule", "lobby", {
    trunkIds: [(office as any).sipTrunkId],
    rule: { individual: { roomPrefix: "call-", pin: config.requireSecret("pin") } },
}, ["sipDispatchRuleId"]);

export const trunkId = (carrier as any).sipTrunkId;
export const inboundId = (office as any).sipTrunkId;
export const ruleId = (lobby as any).sipDispatchRuleId;
"""


def program(numbers: list[str]) -> str:
    return PROGRAM.replace("NUMBERS", json.dumps(numbers)).replace("INBOUND", INBOUND)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> Iterator[PluginProject]:
    found = PluginProject.create(tmp_path_factory.mktemp("plugin-ts"), proxy)
    found.write("Pulumi.yaml", "name: plugin-ts\nruntime: nodejs\n")
    found.write("package.json", '{"name": "plugin-ts", "main": "index.ts"}\n')
    found.write("index.ts", program([OUTBOUND]))
    # The tool bed's @pulumi/pulumi, typescript and ts-node, as `npm install` would put them here.
    (found.work_dir / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
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
    assert (list(trunk.numbers), trunk.auth_username, trunk.auth_password) == ([OUTBOUND], "ts-user", PASSWORDS[0])
    inbound = official.list_inbound(settings)[outputs["inboundId"]]
    assert list(inbound.numbers) == [INBOUND]
    rule = official.list_rules(settings)[outputs["ruleId"]]
    assert list(rule.trunk_ids) == [outputs["inboundId"]] and rule.rule.dispatch_rule_individual.pin == PIN


def test_numbers_change_in_place_with_the_update_action(
        project: PluginProject, proxy: Proxy, settings: Settings, steps: dict[str, Any]) -> None:
    project.write("index.ts", program([OUTBOUND, "+15105558302"]))
    proxy.reset()
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "~ 1 updated" in done.stdout, done.stdout
    assert project.outputs()["trunkId"] == steps["trunkId"]
    assert [m for m in proxy.methods() if m.startswith(("Create", "Update", "Delete"))] == ["UpdateSIPOutboundTrunk"]
    assert list(official.list_trunks(settings)[steps["trunkId"]].numbers) == [OUTBOUND, "+15105558302"]


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
    assert project.resources(":OutboundTrunk")["carrier"]["outputs"]["metadata"] == "changed by hand"
    project.pulumi("up", "--yes", "--skip-preview")
    assert official.list_trunks(settings)[steps["trunkId"]].metadata == "from typescript"


def test_no_secret_is_in_state_output_or_the_cli_home(project: PluginProject, settings: Settings) -> None:
    text = project.files_text() + "\n".join(project.seen)
    for secret in (*PASSWORDS, PIN, settings.api_secret):
        assert secret not in text


def test_destroy_removes_the_three_objects(project: PluginProject, settings: Settings, steps: dict[str, Any]) -> None:
    project.pulumi("destroy", "--yes", "--skip-preview")
    assert steps["trunkId"] not in official.list_trunks(settings)
    assert steps["inboundId"] not in official.list_inbound(settings)
    assert steps["ruleId"] not in official.list_rules(settings)
