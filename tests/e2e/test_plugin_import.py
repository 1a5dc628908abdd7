"""`pulumi import livekit-sip:index:<Kind> NAME ID` for each kind, of objects made as `lk` makes
them (the official SDK): the plugin reads the object, the engine writes state and prints code
without secrets; that code, pasted into a YAML program with the credentials and PIN from secret
config (as the docs say), previews with no change and no write. An ID of the wrong kind, a wrong
API key and an unreachable URL each give one line and write nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from livekit import api

from livekit_sip.settings import Settings
from scripts.proxy import Proxy
from tests.e2e.plugin_project import PluginProject
from tests.support import official

PASSWORD, PIN = "-import-Pa55word", "97531864"
CONFIG = {"password": {"type": "string", "secret": True}, "pin": {"type": "string", "secret": True}}


@pytest.fixture(scope="module")
def made(settings: Settings) -> Iterator[dict[str, Any]]:
    trunk = official.create_trunk(settings, name="lk outbound", address="sip.carrier.example",
                                  numbers=["+15105558501"], auth_username="lk-user", auth_password=PASSWORD)
    inbound = official.create_inbound(settings, name="lk inbound", numbers=["+15105558601"],
                                      allowed_addresses=["198.51.100.0/24"])
    individual = api.SIPDispatchRuleIndividual(room_prefix="lk-", pin=PIN)
    rule = official.create_rule(settings, name="lk rule", trunk_ids=[inbound.sip_trunk_id],
                                rule=api.SIPDispatchRule(dispatch_rule_individual=individual))
    # A rule for every trunk, told apart from others by the number called.
    everyone = official.create_rule(settings, name="lk every trunk", numbers=["+15105558699"],
                                    rule=api.SIPDispatchRule(dispatch_rule_direct=api.SIPDispatchRuleDirect(
                                        room_name="front-desk")))
    yield {"OutboundTrunk": trunk.sip_trunk_id, "InboundTrunk": inbound.sip_trunk_id,
           "DispatchRule": rule.sip_dispatch_rule_id, "DispatchRule:every": everyone.sip_dispatch_rule_id}
    official.delete_rule(settings, everyone.sip_dispatch_rule_id)
    official.delete_rule(settings, rule.sip_dispatch_rule_id)
    for trunk_id in (trunk.sip_trunk_id, inbound.sip_trunk_id):
        official.delete_trunk(settings, trunk_id)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> PluginProject:
    found = PluginProject.create(tmp_path_factory.mktemp("plugin-import"), proxy)
    found.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-import", "runtime": "yaml", "config": CONFIG}))
    found.init(proxy.url, settings.api_key, settings.api_secret)
    found.secret("password", PASSWORD)
    found.secret("pin", PIN)
    return found


def test_each_kind_is_imported_and_its_code_previews_with_no_change(
        project: PluginProject, made: dict[str, Any], proxy: Proxy) -> None:
    resources: dict[str, Any] = {}
    for which, object_id in made.items():
        kind, name = which.split(":")[0], which.lower().replace(":", "-")
        done = project.pulumi("import", f"livekit-sip:index:{kind}", name, object_id, "--yes",
                              "--out", f"{name}.yaml")
        print(f"\n$ pulumi import livekit-sip:index:{kind} {name} {object_id} --yes\n{done.stdout}")
        assert "= 1 imported" in done.stdout, done.stdout
        code = (project.work_dir / f"{name}.yaml").read_text()
        assert PASSWORD not in code and PIN not in code
        resources.update(yaml.safe_load(code)["resources"])
    assert project.resources(":OutboundTrunk")["outboundtrunk"]["id"] == made["OutboundTrunk"]
    # What LiveKit keeps secret comes from secret config, as the docs say.
    resources["outboundtrunk"]["properties"].update(authUsername="lk-user", authPassword="${password}")
    rule = resources["dispatchrule"]["properties"]["rule"]
    assert rule == {"individual": {"roomPrefix": "lk-"}}, rule
    rule["individual"]["pin"] = "${pin}"
    # An empty trunk list is every trunk: the code says so.
    assert resources["dispatchrule-every"]["properties"] == {
        "name": "lk every trunk", "numbers": ["+15105558699"], "rule": {"direct": {"roomName": "front-desk"}},
        "allTrunks": True}, resources["dispatchrule-every"]
    project.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-import", "runtime": "yaml", "config": CONFIG,
                                                 "resources": resources}))
    proxy.reset()
    preview = project.pulumi("preview", "--diff")
    assert "5 unchanged" in preview.stdout, preview.stdout
    assert [m for m in proxy.methods() if not m.startswith(("List", "Get"))] == []
    text = project.files_text() + "\n".join(project.seen)
    assert PASSWORD not in text and PIN not in text


def one_error(done: Any) -> str:
    assert done.returncode != 0
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip().startswith("error:")]
    assert lines, done.stdout + done.stderr
    return lines[0]


def test_an_id_of_another_kind_is_refused_in_one_line_and_nothing_is_written(
        project: PluginProject, made: dict[str, Any]) -> None:
    before = project.export()
    done = project.pulumi("import", "livekit-sip:index:InboundTrunk", "wrong", made["OutboundTrunk"], "--yes",
                          check=False)
    line = one_error(done)
    print(f"\nwrong kind: {line}")
    assert made["OutboundTrunk"] in line, line
    assert project.export().get("resources") == before.get("resources")


def test_a_wrong_api_key_or_an_unreachable_url_is_one_line_and_nothing_is_written(
        tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings, made: dict[str, Any]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    cases = ((proxy.url, "APIwrongkey", "check livekit-sip:apiKey and livekit-sip:apiSecret"),
             (closed, settings.api_key, "cannot reach"))
    for url, key, want in cases:
        found = PluginProject.create(tmp_path_factory.mktemp("plugin-bad"), proxy, {"LIVEKIT_SIP_DEADLINE": "2"})
        found.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-bad", "runtime": "yaml"}))
        found.init(url, key, settings.api_secret)
        found.pulumi("config", "set", "livekit-sip:deadline", "--", "2")
        line = one_error(found.pulumi("import", "livekit-sip:index:OutboundTrunk", "t", made["OutboundTrunk"],
                                      "--yes", check=False))
        print(f"\n{want}: {line}")
        assert want in line and settings.api_secret not in line, line
        assert not [r for r in found.export().get("resources") or [] if "OutboundTrunk" in r["type"]]
