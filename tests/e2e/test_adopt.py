"""Migration under the real pulumi CLI and livekit-server: `export` + adoption, and `file:` entries.

Trunks made outside Pulumi (by the official SDK, as `lk` or the dashboard would) are
taken over through the block `python -m livekit_sip export` prints, and an `lk`-style
JSON file in a stack entry makes the same trunk `lk` makes from it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import json_format
from livekit import api
from pulumi.automation.errors import CommandError

from livekit_sip.settings import Settings
from scripts.project import ROOT, Project
from scripts.proxy import Proxy
from tests.support import official

USERNAME = "adopt-user-e2e"
PASSWORD = "adopt-Pa55word-e2e"
LK_USERNAME = "lk-user-e2e"
LK_PASSWORD = "lk-Pa55word-e2e"

#: What `lk sip outbound create trunk.json` takes: CreateSIPOutboundTrunkRequest, proto names.
LK_FILE = {"trunk": {
    "name": "From lk",
    "address": "sip.example.net:5080",
    "numbers": ["+15105550123", "+15105550124"],
    "auth_username": LK_USERNAME,
    "auth_password": LK_PASSWORD,
    "transport": "SIP_TRANSPORT_TCP",
    "destination_country": "FR",
    "metadata": '{"source": "lk"}',
    "headers": {"X-Source": "lk"},
    "headers_to_attributes": {"X-Call-Id": "call.id"},
    "include_headers": "SIP_ALL_HEADERS",
    "media_encryption": "SIP_MEDIA_ENCRYPT_REQUIRE",
    "from_host": "from.example.net",
}}


def connection(url: str, settings: Settings) -> dict[str, str]:
    return settings.as_env(url)


def export(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m livekit_sip export` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "livekit_sip", "export", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def as_dicts(trunks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {sip_trunk_id: json_format.MessageToDict(t) for sip_trunk_id, t in trunks.items()}


def test_exported_block_adopts_every_trunk_without_creating_or_changing_one(
        tmp_path: Path, settings: Settings, proxy: Proxy, clean_project: None) -> None:
    made = [
        official.create_trunk(
            settings, name="Telnyx US", address="sip.telnyx.com:5061",
            numbers=["+15105550100", "+15105550101"], auth_username=USERNAME, auth_password=PASSWORD,
            transport=api.SIPTransport.SIP_TRANSPORT_TLS, destination_country="US",
            metadata='{"team": "sales"}', headers={"X-Team": "sales"},
            headers_to_attributes={"X-Call-Id": "call.id"}, attributes_to_headers={"call.reason": "X-Reason"},
            include_headers=api.SIPHeaderOptions.SIP_X_HEADERS,
            media_encryption=api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW, from_host="sip.example.com"),
        official.create_trunk(settings, name="Twilio EU", address="main.pstn.twilio.com", numbers=["*"]),
        official.create_trunk(settings, name="Twilio EU", address="backup.pstn.twilio.com",
                              numbers=["+442071838750"], transport=api.SIPTransport.SIP_TRANSPORT_UDP),
    ]
    ids = {t.sip_trunk_id for t in made}
    before = as_dicts(official.list_trunks(settings))

    done = export(connection(settings.url, settings))
    assert done.returncode == 0, done.stderr
    for secret in (PASSWORD, USERNAME, settings.api_secret):
        assert secret not in done.stdout + done.stderr
    trunks = yaml.safe_load(done.stdout)["config"]["livekit-sip:trunks"]
    keys = {entry["adoptTrunkId"]: key for key, entry in trunks.items()}
    assert set(keys) == ids
    assert len(set(keys.values())) == 3, "the two 'Twilio EU' trunks need distinct keys"

    project = Project.create(tmp_path / "project", connection(proxy.url, settings), stack_name="adopt")
    project.set_trunks(trunks)
    paths = re.findall(r"^#\s+pulumi config set --secret --path '([^']+)'$", done.stdout, re.MULTILINE)
    telnyx = keys[made[0].sip_trunk_id]
    assert paths == [f"livekit-sip:credentials.{telnyx}.username", f"livekit-sip:credentials.{telnyx}.password"]
    for path, value in zip(paths, (USERNAME, PASSWORD), strict=True):
        project.cli("config", "set", "--secret", "--path", path, "--", value)

    proxy.reset()
    project.run("up")
    assert "CreateSIPOutboundTrunk" not in proxy.methods()
    assert project.outputs()["trunkIds"] == {key: sip_trunk_id for sip_trunk_id, key in keys.items()}
    assert set(official.list_trunks(settings)) == ids
    assert as_dicts(official.list_trunks(settings)) == before, "adoption must leave each trunk as it was"

    proxy.reset()
    preview = project.run("preview")
    assert set(preview.change_summary) == {"same"}, preview.change_summary
    assert preview.change_summary["same"] == 4  # three trunks and the stack
    assert proxy.methods() == []
    assert project.leaks([PASSWORD, USERNAME, settings.api_secret]) == []


def test_export_writes_keys_from_ids_to_a_file(
        tmp_path: Path, settings: Settings, clean_project: None) -> None:
    made = official.create_trunk(settings, name="Telnyx US", address="sip.telnyx.com", numbers=["*"])
    target = tmp_path / "trunks.yaml"
    done = export(connection(settings.url, settings), "--stack-key-from", "id", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    trunks = yaml.safe_load(target.read_text())["config"]["livekit-sip:trunks"]
    key = made.sip_trunk_id.lower().replace("_", "-")
    assert trunks == {key: {"name": "Telnyx US", "address": "sip.telnyx.com", "numbers": ["*"],
                            "adoptTrunkId": made.sip_trunk_id}}


def test_export_with_a_wrong_secret_fails_with_one_line_and_no_secret(settings: Settings) -> None:
    wrong = "wrong-secret-e2e-" + "x" * 32  # long enough that pyjwt does not warn about it
    done = export({**connection(settings.url, settings), "LIVEKIT_API_SECRET": wrong})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "unauthenticated" in done.stderr
    assert wrong not in done.stderr and "eyJ" not in done.stderr and "Traceback" not in done.stderr


def test_a_file_entry_with_lk_json_makes_the_trunk_lk_makes(
        tmp_path: Path, livekit: Any, settings: Settings, clean_project: None) -> None:
    project = Project.create(tmp_path / "project", connection(livekit.url, settings), stack_name="adopt")
    (project.work_dir / "trunks").mkdir()
    # The file is committed, so its credentials move to the stack's secrets.
    committed = {"trunk": {k: v for k, v in LK_FILE["trunk"].items() if not k.startswith("auth_")}}
    (project.work_dir / "trunks" / "from-lk.json").write_text(json.dumps(committed, indent=2))
    project.set_trunks({"from-lk": {"file": "trunks/from-lk.json"}})
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.from-lk.username", "--", LK_USERNAME)
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.from-lk.password", "--", LK_PASSWORD)
    project.run("up")
    ours = official.list_trunks(settings)[project.outputs()["trunkIds"]["from-lk"]]

    request = json_format.ParseDict(LK_FILE, api.CreateSIPOutboundTrunkRequest())
    theirs = official.create_trunk(settings, **{f.name: v for f, v in request.trunk.ListFields()})

    expected = json_format.MessageToDict(theirs, preserving_proto_field_name=True)
    actual = json_format.MessageToDict(ours, preserving_proto_field_name=True)
    assert expected.pop("sip_trunk_id") != actual.pop("sip_trunk_id")
    assert actual == expected
    assert actual["auth_password"] == LK_PASSWORD, "the stack's credentials reach LiveKit"
    assert project.leaks([LK_PASSWORD, LK_USERNAME, settings.api_secret]) == []


def test_stack_config_fields_override_the_file(
        tmp_path: Path, livekit: Any, settings: Settings, clean_project: None) -> None:
    project = Project.create(tmp_path / "project", connection(livekit.url, settings), stack_name="adopt")
    (project.work_dir / "trunks").mkdir()
    dashboard = {"name": "From the dashboard", "address": "sip.example.net", "numbers": ["*"],
                 "transport": "SIP_TRANSPORT_UDP", "headers": {"X-Source": "dashboard"}}
    (project.work_dir / "trunks" / "dash.json").write_text(json.dumps(dashboard))
    project.set_trunks({"dash": {"file": "trunks/dash.json", "name": "Overridden", "transport": "tls"}})
    project.run("up")
    live = official.list_trunks(settings)[project.outputs()["trunkIds"]["dash"]]
    assert (live.name, live.transport) == ("Overridden", api.SIPTransport.SIP_TRANSPORT_TLS)
    assert (live.address, dict(live.headers)) == ("sip.example.net", {"X-Source": "dashboard"})


@pytest.mark.parametrize(("content", "named"), [
    ('{"trunk": {"name": "x", "address": "sip.example.net",', ["not valid JSON"]),
    (json.dumps({"trunk": {"adress": "sip.example.net", "numbers": ["*"]}}), ["adress", "did you mean 'address'"]),
], ids=["bad-json", "unknown-field"])
def test_a_malformed_file_fails_preview_naming_the_file_and_the_problem(
        tmp_path: Path, livekit: Any, settings: Settings, clean_project: None,
        content: str, named: list[str]) -> None:
    project = Project.create(tmp_path / "project", connection(livekit.url, settings), stack_name="adopt")
    (project.work_dir / "trunks").mkdir()
    (project.work_dir / "trunks" / "broken.json").write_text(content)
    project.set_trunks({"broken": {"file": "trunks/broken.json"}})
    with pytest.raises(CommandError) as failed:
        project.run("preview")
    text = str(failed.value)
    for part in ["livekit-sip:trunks.broken", "trunks/broken.json", *named]:
        assert part in text, f"{part!r} not in:\n{text}"
    assert official.list_trunks(settings) == {}
