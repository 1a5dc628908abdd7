"""No SIP credential, API secret or JWT in state, backups, command output or the
pickled provider, across up, refresh, rotation, adopt and destroy."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from livekit_sip.settings import Settings
from scripts import devserver
from scripts.project import JWT, Project
from scripts.proxy import Proxy
from tests.support import official

USERS = ["leak-scan-user-1", "leak-scan-user-2"]
PASSWORDS = ["leak-scan-pass-1", "leak-scan-pass-2", "leak-scan-pass-3"]


def test_secret_scan_finds_nothing_after_every_operation(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    adopted = official.create_trunk(server_settings, name="adopt-me", address="sip.example.net",
                                    numbers=["+15105550999"], auth_username=USERS[1], auth_password=PASSWORDS[2])
    log_file = tmp_path / "provider.log"
    # The connection comes from stack config this time, the API secret as a Pulumi secret.
    project = Project.create(tmp_path / "project", {"LIVEKIT_SIP_LOG_FILE": str(log_file)}, "leaks")
    project.cli("config", "set", "livekit:url", "--", fault_proxy.url)
    project.cli("config", "set", "livekit:apiKey", "--", server.api_key)
    project.cli("config", "set", "--secret", "livekit:apiSecret", "--", server.api_secret)
    project.set_trunks({
        "one": {"address": "sip.example.com", "numbers": ["+15105550001"]},
        "adopted": {"address": "sip.example.net", "numbers": ["+15105550999"],
                    "adoptTrunkId": adopted.sip_trunk_id},
    })
    for key, user, password in (("one", USERS[0], PASSWORDS[0]), ("adopted", USERS[1], PASSWORDS[2])):
        project.cli("config", "set", "--secret", "--path", f"livekit-sip:credentials.{key}.username", "--", user)
        project.cli("config", "set", "--secret", "--path", f"livekit-sip:credentials.{key}.password", "--", password)
    project.run("up")
    project.run("refresh")
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.one.password", "--", PASSWORDS[1])
    project.run("up")
    project.run("preview")
    secrets = [*USERS, *PASSWORDS, server.api_secret]
    found = project.leaks(secrets)

    exported = project.cli("stack", "export", "--show-secrets").stdout
    project.outputs_seen.pop()  # this one shows secrets on purpose
    blobs = [r["inputs"]["__provider"] for r in json.loads(exported)["deployment"]["resources"]
             if "__provider" in r.get("inputs", {})]
    assert len(blobs) == 2
    for blob in blobs:
        if isinstance(blob, dict):  # a secret: {<sig>: ..., "plaintext": "<json string>"}
            blob = json.loads(blob["plaintext"])
        raw = base64.b64decode(blob)
        assert b"TrunkProvider" in raw
        found += [f"__provider: {s[:4]}" for s in secrets if s.encode() in raw]
        found += ["__provider: JWT"] if JWT.search(raw) else []

    project.run("destroy")
    found += project.leaks(secrets)
    provider_log = log_file.read_bytes()
    assert b"CreateSIPOutboundTrunk -> 200" in provider_log and b"DeleteSIPTrunk -> 200" in provider_log
    found += [f"provider log: {s[:4]}" for s in secrets if s.encode() in provider_log]
    found += ["provider log: JWT"] if JWT.search(provider_log) else []
    assert found == []
    assert official.list_trunks(server_settings) == {}
