"""`livekit-sip recover` from the command line against the real server: every kind settled,
and each refusal one line on stderr, exit status 1, and nothing written."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from livekit import api

from livekit_sip.__main__ import main
from livekit_sip.client import SIPClient
from livekit_sip.dispatch.resource import RESOURCE_TYPE as RULE_TYPE
from livekit_sip.inbound.resource import RESOURCE_TYPE as INBOUND_TYPE
from livekit_sip.settings import Settings
from tests.support import official

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}


def pending(type_: str, key: str, inputs: dict[str, Any], stack: str = "dev") -> dict[str, Any]:
    urn = f"urn:pulumi:{stack}::livekit-sip::{type_}::{key}"
    return {"type": "creating", "resource": {"urn": urn, "custom": True, "type": type_, "inputs": inputs}}


def export_file(tmp_path: Path, resources: list[Any], operations: list[Any]) -> Path:
    path = tmp_path / "interrupted.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": resources,
                                                             "pending_operations": operations}}))
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    monkeypatch.setenv("LIVEKIT_URL", settings.url)
    monkeypatch.setenv("LIVEKIT_API_KEY", settings.api_key)
    monkeypatch.setenv("LIVEKIT_API_SECRET", settings.api_secret)
    return settings


def test_pending_inbound_trunks_and_rules_are_recorded_or_dropped(
        tmp_path: Path, env: Settings, client: SIPClient, capsys: pytest.CaptureFixture[str]) -> None:
    trunk = official.create_inbound(env, name="recover-in", numbers=["+15105557001"])
    individual = api.SIPDispatchRuleIndividual(room_prefix="call-", pin="4321")
    rule = official.create_rule(env, name="recover-rule", trunk_ids=[trunk.sip_trunk_id],
                                rule=api.SIPDispatchRule(dispatch_rule_individual=individual))
    try:
        state = export_file(tmp_path, [], [
            pending(INBOUND_TYPE, "in", {"name": "recover-in", "numbers": ["+15105557001"], "auth_username": SECRET,
                                         "auth_password": SECRET}),
            pending(INBOUND_TYPE, "never", {"name": "never-made", "numbers": ["+15105557002"]}),
            pending(RULE_TYPE, "rule", {"name": "recover-rule", "trunk_ids": [trunk.sip_trunk_id], "rule": SECRET})])
        out = tmp_path / "recovered.json"
        assert main(["recover", str(state), "--output", str(out), "--stack", "dev"]) == 0
        recovered = json.loads(out.read_text())["deployment"]
        assert {r["urn"].rsplit("::", 1)[-1]: r["id"] for r in recovered["resources"]} == {
            "in": trunk.sip_trunk_id, "rule": rule.sip_dispatch_rule_id}
        assert recovered["pending_operations"] == []
        err = capsys.readouterr().err
        assert f"inbound trunk in: its create had reached LiveKit as {trunk.sip_trunk_id}" in err
        assert "inbound trunk never: its create never reached LiveKit; dropped" in err
        assert f"dispatch rule rule: its create had reached LiveKit as {rule.sip_dispatch_rule_id}" in err
        assert "4321" not in out.read_text() + err
    finally:
        client.dispatch.delete(rule.sip_dispatch_rule_id)
        client.inbound.delete(trunk.sip_trunk_id)


def refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    out = tmp_path / "recovered.json"
    assert main(["recover", *args, "--output", str(out)]) == 1
    captured = capsys.readouterr()
    assert not out.exists() and captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("livekit-sip recover: "), captured.err
    return lines[0]


def test_a_file_that_is_not_an_export_is_refused_in_one_line(
        tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"deployment": ')
    assert "is not the JSON of `pulumi stack export`" in refused(tmp_path, capsys, str(bad))
    bad.write_text('{"version": 3}')
    assert "it has no deployment" in refused(tmp_path, capsys, str(bad))
    bad.write_bytes(b"\xff\xfe\x00")
    assert "it is not text" in refused(tmp_path, capsys, str(bad))
    assert "No such file" in refused(tmp_path, capsys, str(tmp_path / "missing.json"))


def test_an_export_of_another_stack_is_refused_in_one_line(
        tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    state = export_file(tmp_path, [], [pending(INBOUND_TYPE, "in", {"name": "x", "numbers": ["+15105557003"]},
                                               stack="prod")])
    line = refused(tmp_path, capsys, str(state), "--stack", "dev")
    assert "the export is of stack prod, not dev" in line


def test_an_export_of_another_livekit_project_is_refused_in_one_line(
        tmp_path: Path, env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    held = {"urn": f"urn:pulumi:dev::livekit-sip::{INBOUND_TYPE}::in", "type": INBOUND_TYPE, "custom": True,
            "id": "ST_notinthisproject", "inputs": {}, "outputs": {}}
    state = export_file(tmp_path, [held], [pending(INBOUND_TYPE, "new", {"name": "x", "numbers": ["+15105557004"]})])
    line = refused(tmp_path, capsys, str(state))
    assert f"none of the 1 objects the exported state holds is in the LiveKit project at {env.url}" in line


def test_an_unreachable_livekit_is_refused_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LIVEKIT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("LIVEKIT_API_KEY", "APIkey")
    monkeypatch.setenv("LIVEKIT_API_SECRET", "-secret-never-printed-0123456789abcdef")
    monkeypatch.setenv("LIVEKIT_SIP_DEADLINE", "1")
    state = export_file(tmp_path, [], [pending(INBOUND_TYPE, "in", {"name": "x", "numbers": ["+15105557005"]})])
    line = refused(tmp_path, capsys, str(state))
    assert "-secret-never-printed-0123456789abcdef" not in line and "127.0.0.1" in line
