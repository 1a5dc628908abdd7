"""One scenario, run on both Python front doors: the dynamic resources (`livekit_sip`) and the
provider plugin's (`livekit_sip.plugin.resources`), with the same Args. Create an outbound
trunk, an inbound trunk and a rule naming it; change numbers in place; rotate the password; a
preview with no change; destroy. Then a stack moves from the dynamic path to the plugin without
new IDs: the dynamic resources leave the state, the plugin's take the objects over with `import_`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from livekit_sip.settings import Settings
from scripts.proxy import Proxy
from tests.e2e.plugin_project import PluginProject
from tests.support import official

IMPORTS = {"dynamic": "import livekit_sip as lk", "plugin": "from livekit_sip.plugin import resources as lk"}
PROGRAM = '''
import json
import pulumi
from pulumi import ResourceOptions
IMPORT

config = pulumi.Config()
given = json.load(open("given.json"))
ids = given.get("import", {})
carrier = lk.OutboundTrunk("carrier", lk.OutboundTrunkArgs(
    address="sip.example.com", numbers=given["numbers"], auth_username="both-user",
    auth_password=config.require_secret("password")), ResourceOptions(import_=ids.get("carrier")))
office = lk.InboundTrunk("office", lk.InboundTrunkArgs(numbers=[given["inbound"]], allowed_addresses=["192.0.2.0/24"]),
                         ResourceOptions(import_=ids.get("office")))
lobby = lk.DispatchRule("lobby", lk.DispatchRuleArgs(
    trunk_ids=[office.sip_trunk_id], individual={"room_prefix": "call-", "pin": config.require_secret("pin")},
    attributes={"customer_id": "acme"}),
    ResourceOptions(import_=ids.get("lobby")))
pulumi.export("trunkId", carrier.sip_trunk_id)
pulumi.export("inboundId", office.sip_trunk_id)
pulumi.export("ruleId", lobby.sip_dispatch_rule_id)
'''
PIN = "86420975"


def python_project(tmp: Path, proxy: Proxy, settings: Settings, path: str, inbound: str) -> PluginProject:
    project = PluginProject.create(tmp, proxy)
    project.write("Pulumi.yaml", "name: both-paths\nruntime:\n  name: python\n  options:\n"
                                 f"    virtualenv: {json.dumps(sys.prefix)}\n")
    project.write("__main__.py", PROGRAM.replace("IMPORT", IMPORTS[path]))
    project.env.update(settings.as_env(proxy.url))
    project.init(proxy.url, settings.api_key, settings.api_secret)
    project.secret("password", "-both-Pa55word-one")
    project.secret("pin", PIN)
    project.write("given.json", json.dumps({"numbers": [inbound.replace("86", "87")], "inbound": inbound}))
    return project


def given(project: PluginProject, **values: Any) -> None:
    current = json.loads((project.work_dir / "given.json").read_text())
    project.write("given.json", json.dumps({**current, **values}))


@pytest.mark.parametrize("path", ["dynamic", "plugin"])
def test_the_whole_setup_lives_the_same_on_both_paths(
        path: str, tmp_path: Path, proxy: Proxy, settings: Settings) -> None:
    inbound = "+15105558601" if path == "dynamic" else "+15105558611"
    project = python_project(tmp_path / path, proxy, settings, path, inbound)
    project.pulumi("up", "--yes", "--skip-preview")
    ids = project.outputs()
    trunk = official.list_trunks(settings)[ids["trunkId"]]
    assert trunk.auth_username == "both-user" and trunk.auth_password == "-both-Pa55word-one"
    rule = official.list_rules(settings)[ids["ruleId"]]
    assert list(rule.trunk_ids) == [ids["inboundId"]] and rule.rule.dispatch_rule_individual.pin == PIN
    assert dict(rule.attributes) == {"customer_id": "acme"}, "keys inside a value keep their names"
    types = {r["type"] for r in project.export()["resources"]}
    assert ("livekit-sip:index:DispatchRule" in types) == (path == "plugin"), types

    given(project, numbers=[str(trunk.numbers[0]), "+15105558999" if path == "dynamic" else "+15105558998"])
    project.secret("password", "-both-Pa55word-two")
    proxy.reset()
    project.pulumi("up", "--yes", "--skip-preview")
    assert project.outputs() == ids
    assert [m for m in proxy.methods() if m.startswith(("Create", "Delete"))] == []
    trunk = official.list_trunks(settings)[ids["trunkId"]]
    assert len(trunk.numbers) == 2 and trunk.auth_password == "-both-Pa55word-two"

    proxy.reset()
    preview = project.pulumi("preview")
    assert "4 unchanged" in preview.stdout, preview.stdout
    assert [m for m in proxy.methods() if not m.startswith(("List", "Get"))] == []

    project.pulumi("destroy", "--yes", "--skip-preview")
    assert ids["trunkId"] not in official.list_trunks(settings)
    assert ids["ruleId"] not in official.list_rules(settings)


def test_a_stack_moves_from_the_dynamic_resources_to_the_plugin_keeping_every_id(
        tmp_path: Path, proxy: Proxy, settings: Settings) -> None:
    project = python_project(tmp_path / "move", proxy, settings, "dynamic", "+15105558621")
    project.pulumi("up", "--yes", "--skip-preview")
    ids = project.outputs()
    # The documented move: each dynamic resource leaves the state, dependents first (its object
    # stays in LiveKit) ...
    for resource in reversed(project.export()["resources"]):
        if resource["type"].startswith("pulumi-python:dynamic"):
            project.pulumi("state", "delete", resource["urn"], "--yes")
    # ... and the plugin's resource of the same name takes it over with `import_`.
    project.write("__main__.py", PROGRAM.replace("IMPORT", IMPORTS["plugin"]))
    given(project, **{"import": {"carrier": ids["trunkId"], "office": ids["inboundId"], "lobby": ids["ruleId"]}})
    proxy.reset()
    done = project.pulumi("up", "--yes", "--skip-preview")
    assert "= 3 imported" in done.stdout, done.stdout
    assert [m for m in proxy.methods() if m.startswith(("Create", "Delete"))] == []
    given(project, **{"import": {}})
    assert project.outputs() == ids
    preview = project.pulumi("preview")
    assert "4 unchanged" in preview.stdout, preview.stdout
    project.pulumi("destroy", "--yes", "--skip-preview")
    assert ids["trunkId"] not in official.list_trunks(settings)
