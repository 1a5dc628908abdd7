"""The same scenario from two other Pulumi languages on the livekit-sip provider plugin, with the
real CLI and language hosts, checked with LiveKit's official SDK: the Pulumi YAML program of
docs/plugin.md, and a TypeScript program on `@pulumi/pulumi` from npm. Each creates an outbound
trunk, an inbound trunk and a rule naming it; changes numbers in place; rotates a secret password;
refreshes after a change made outside Pulumi; destroys. Nothing secret reaches the state, the CLI's
output or its home."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from livekit_sip.settings import Settings
from scripts.project import ROOT
from scripts.proxy import Proxy
from tests.e2e.plugin_project import PluginProject
from tests.support import official

NODE_MODULES = ROOT / ".tools" / "node" / "node_modules"

TYPESCRIPT = """
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
    authUsername: "USERNAME",
    authPassword: config.requireSecret("password"),
    metadata: "METADATA",
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


@dataclass(frozen=True)
class Language:
    name: str
    #: The program's file and its text for the outbound trunk's numbers.
    file: str
    program: Callable[[list[str]], str]
    #: The other files of the project.
    files: dict[str, str]
    outbound: str
    inbound: str
    username: str
    metadata: str
    passwords: tuple[str, str]
    #: Long enough that no other digits match it by chance in the leak scan; a leading zero kept.
    pin: str


def docs_program() -> dict[str, Any]:
    """The program of docs/plugin.md."""
    page = (ROOT / "docs" / "plugin.md").read_text().split("## A Pulumi YAML program", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert block, "docs/plugin.md has no YAML program"
    return dict(yaml.safe_load(block.group(1)))


def yaml_program(numbers: list[str]) -> str:
    found = docs_program()
    found["resources"]["carrier"]["properties"]["numbers"] = numbers
    return str(yaml.safe_dump(found, sort_keys=False))


DOCS = docs_program()["resources"]
YAML = Language("yaml", "Pulumi.yaml", yaml_program, {}, DOCS["carrier"]["properties"]["numbers"][0],
                DOCS["office"]["properties"]["numbers"][0], DOCS["carrier"]["properties"]["authUsername"],
                DOCS["carrier"]["properties"]["metadata"], ("-yaml-Pa55word-one", "-yaml-Pa55word-two"), "04241357")


def ts_program(numbers: list[str]) -> str:
    return (TYPESCRIPT.replace("NUMBERS", json.dumps(numbers)).replace("INBOUND", TS.inbound)
            .replace("USERNAME", TS.username).replace("METADATA", TS.metadata))


TS = Language("typescript", "index.ts", ts_program,
              {"Pulumi.yaml": "name: plugin-ts\nruntime: nodejs\n",
               "package.json": '{"name": "plugin-ts", "main": "index.ts"}\n'},
              "+15105558301", "+15105558401", "ts-user", "from typescript", ("-ts-Pa55word-one", "-ts-Pa55word-two"),
              "024680135")


@pytest.fixture(scope="module", params=[YAML, TS], ids=lambda lang: lang.name)
def lang(request: pytest.FixtureRequest) -> Language:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings,
            lang: Language) -> Iterator[PluginProject]:
    found = PluginProject.create(tmp_path_factory.mktemp(f"plugin-{lang.name}"), proxy)
    for name, text in lang.files.items():
        found.write(name, text)
    found.write(lang.file, lang.program([lang.outbound]))
    if lang is TS:
        # The tool bed's @pulumi/pulumi, typescript and ts-node, as `npm install` would put them here.
        (found.work_dir / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    found.init(proxy.url, settings.api_key, settings.api_secret)
    found.secret("password", lang.passwords[0])
    found.secret("pin", lang.pin)
    yield found
    found.pulumi("destroy", "--yes", check=False)


@pytest.fixture(scope="module")
def steps(lang: Language) -> dict[str, Any]:
    return {}


def test_up_creates_the_three_objects(
        project: PluginProject, lang: Language, settings: Settings, steps: dict[str, Any]) -> None:
    done = project.pulumi("up", "--yes", "--skip-preview")
    print(f"\n{lang.name}: pulumi up\n{done.stdout}")
    assert "+ 4 created" in done.stdout, done.stdout
    outputs = project.outputs()
    steps.update(outputs)
    trunk = official.list_trunks(settings)[outputs["trunkId"]]
    assert (list(trunk.numbers), trunk.address, trunk.auth_username) == ([lang.outbound], "sip.example.com",
                                                                          lang.username)
    assert trunk.auth_password == lang.passwords[0] and trunk.name == "carrier" and trunk.metadata == lang.metadata
    inbound = official.list_inbound(settings)[outputs["inboundId"]]
    assert list(inbound.numbers) == [lang.inbound] and list(inbound.allowed_addresses) == ["192.0.2.0/24"]
    rule = official.list_rules(settings)[outputs["ruleId"]]
    assert list(rule.trunk_ids) == [outputs["inboundId"]]
    assert rule.rule.dispatch_rule_individual.room_prefix == "call-"
    assert rule.rule.dispatch_rule_individual.pin == lang.pin, "the PIN keeps its leading zero"


def test_a_second_preview_is_converged(project: PluginProject, proxy: Proxy) -> None:
    proxy.reset()
    done = project.pulumi("preview", "--diff")
    assert "4 unchanged" in done.stdout, done.stdout
    assert [m for m in proxy.methods() if not m.startswith("List")] == []


def test_numbers_change_in_place_with_the_update_action(
        project: PluginProject, lang: Language, proxy: Proxy, settings: Settings, steps: dict[str, Any]) -> None:
    numbers = [lang.outbound, lang.outbound[:-1] + "9"]
    project.write(lang.file, lang.program(numbers))
    proxy.reset()
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "~ 1 updated" in done.stdout, done.stdout
    assert project.outputs()["trunkId"] == steps["trunkId"]
    assert [m for m in proxy.methods() if m.startswith(("Create", "Update", "Delete"))] == ["UpdateSIPOutboundTrunk"]
    assert list(official.list_trunks(settings)[steps["trunkId"]].numbers) == numbers


def test_a_rotated_password_is_an_update_of_the_same_trunk(
        project: PluginProject, lang: Language, settings: Settings, steps: dict[str, Any]) -> None:
    project.secret("password", lang.passwords[1])
    project.pulumi("up", "--yes", "--skip-preview")
    assert project.outputs()["trunkId"] == steps["trunkId"]
    assert official.list_trunks(settings)[steps["trunkId"]].auth_password == lang.passwords[1]


def test_refresh_sees_a_change_made_outside_pulumi_and_up_restores_it(
        project: PluginProject, lang: Language, settings: Settings, steps: dict[str, Any]) -> None:
    official.update_trunk(settings, steps["trunkId"], metadata="changed by hand")
    project.pulumi("refresh", "--yes", "--skip-preview")
    assert project.resources(":OutboundTrunk")["carrier"]["outputs"]["metadata"] == "changed by hand"
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "~ 1 updated" in done.stdout, done.stdout
    assert official.list_trunks(settings)[steps["trunkId"]].metadata == lang.metadata


def test_no_secret_is_in_state_output_or_the_cli_home(
        project: PluginProject, lang: Language, settings: Settings) -> None:
    text = project.files_text() + "\n".join(project.seen)
    for secret in (*lang.passwords, lang.pin, settings.api_secret):
        assert secret not in text


def test_destroy_removes_the_three_objects(project: PluginProject, settings: Settings, steps: dict[str, Any]) -> None:
    done = project.pulumi("destroy", "--yes", "--skip-preview")
    assert "- 4 deleted" in done.stdout, done.stdout
    assert steps["trunkId"] not in official.list_trunks(settings)
    assert steps["inboundId"] not in official.list_inbound(settings)
    assert steps["ruleId"] not in official.list_rules(settings)
