"""Bad connection settings give one clear line naming the fix, no token, no traceback wall."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from scripts import devserver
from scripts.project import Project
from tests.reliability.conftest import many

JWT = re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def failing_up(project: Project) -> str:
    project.set_trunks(many(1))
    with pytest.raises(auto_errors.CommandError) as raised:
        project.run("up")
    return str(raised.value)


def error_lines(text: str) -> list[str]:
    """The distinct error messages from the provider (the engine repeats each one)."""
    return sorted({line[line.index("TrunkError"):] for line in text.splitlines() if "TrunkError" in line})


def no_provider_traceback(text: str) -> bool:
    # The Automation API adds its own program-side traceback; the provider's must not appear.
    return "livekit_sip/" not in text and "_abort_with_traceback" not in text


def test_wrong_api_secret_names_the_setting_to_fix(tmp_path: Path, server: devserver.DevServer) -> None:
    wrong = "not-the-secret-" + "x" * 24
    project = Project.create(tmp_path, {**server.env(), "LIVEKIT_API_SECRET": wrong}, "wrongsecret")
    text = failing_up(project)
    lines = error_lines(text)
    assert len(lines) == 1, text
    assert "unauthenticated" in lines[0] and "livekit:apiSecret" in lines[0] and "t000" in lines[0]
    assert not JWT.search(text) and wrong not in text
    assert no_provider_traceback(text)


def test_unreachable_url_names_the_url(tmp_path: Path, server: devserver.DevServer) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    project = Project.create(tmp_path, {**server.env(url), "LIVEKIT_SIP_DEADLINE": "2"}, "unreachable")
    text = failing_up(project)
    lines = error_lines(text)
    assert len(lines) == 1, text
    assert f"cannot reach {url}" in lines[0]
    assert no_provider_traceback(text) and server.api_secret not in text


def test_missing_settings_fail_preview_naming_config_and_env(tmp_path: Path) -> None:
    project = Project.create(tmp_path, {}, "nosettings")
    project.set_trunks(many(1))
    with pytest.raises(auto_errors.CommandError) as raised:
        project.run("preview")
    assert "livekit:url (or env LIVEKIT_URL)" in str(raised.value)


def test_cleartext_url_to_a_remote_host_warns_at_preview(tmp_path: Path, server: devserver.DevServer) -> None:
    # preview makes no API call, so nothing leaves loopback.
    project = Project.create(tmp_path, {"LIVEKIT_URL": "http://livekit.internal.example:7880",
                                        "LIVEKIT_API_KEY": server.api_key,
                                        "LIVEKIT_API_SECRET": server.api_secret}, "cleartext")
    project.set_trunks(many(1))
    project.run("preview")
    assert "would travel in clear" in project.outputs_seen[-1] + project.outputs_seen[-2]
