"""The tool bed: the real pulumi CLI, the dynamic-provider launcher and the dev server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from livekit_sip.tokens import TokenSource
from scripts import devserver
from scripts.project import ROOT, stack_runner

BIN = ROOT / ".tools" / "bin"


def pinned_pulumi_version() -> str:
    match = re.search(r'^PULUMI_VERSION="([0-9.]+)"', (ROOT / "scripts" / "tools.sh").read_text(), re.M)
    assert match, "scripts/tools.sh pins no PULUMI_VERSION"
    return match.group(1)


def test_pulumi_version_matches_the_pin() -> None:
    out = subprocess.run([str(BIN / "pulumi"), "version"], capture_output=True, text=True, check=True,
                         env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"})
    assert out.stdout.strip() == "v" + pinned_pulumi_version()


def test_python_sdk_is_not_newer_than_the_cli() -> None:
    pinned = re.search(r"^pulumi==([0-9.]+)", (ROOT / "requirements.txt").read_text(), re.M)
    assert pinned
    sdk = tuple(int(p) for p in pinned.group(1).split("."))
    cli = tuple(int(p) for p in pinned_pulumi_version().split("."))
    assert sdk <= cli and sdk[:2] >= (3, 270)


def test_provider_launcher_and_runner_scripts_are_installed() -> None:
    libexec = ROOT / ".tools" / "libexec"
    for path in (BIN / "pulumi-language-python", BIN / "pulumi-resource-pulumi-python",
                 libexec / "pulumi-language-python", libexec / "pulumi-language-python-exec"):
        assert path.is_file() and os.access(path, os.X_OK), f"{path} missing: run `make tools`"


ECHO_PROVIDER = textwrap.dedent('''
    import os

    from pulumi.dynamic import CreateResult, ResourceProvider

    class EchoProvider(ResourceProvider):
        def create(self, props):
            return CreateResult("echo-" + props["word"], {"word": props["word"], "pid": os.getpid()})
''')

ECHO_PROGRAM = textwrap.dedent('''
    import os

    import pulumi
    from pulumi.dynamic import Resource

    from echo_provider import EchoProvider

    class Echo(Resource):
        def __init__(self, name):
            super().__init__(EchoProvider(), name, {"word": "hello", "pid": None})

    pulumi.export("pid", Echo("echo").pid)
    pulumi.export("program_pid", os.getpid())
''')


def test_trivial_dynamic_resource_goes_up_and_down_through_the_real_cli(tmp_path: Path) -> None:
    (tmp_path / "echo_provider.py").write_text(ECHO_PROVIDER)
    (tmp_path / "__main__.py").write_text(ECHO_PROGRAM)
    (tmp_path / "Pulumi.yaml").write_text(
        f"name: smoke\nruntime:\n  name: python\n  options:\n    virtualenv: {json.dumps(sys.prefix)}\n")
    (tmp_path / "state").mkdir()
    env = {**os.environ, **stack_runner.base_env(tmp_path, tmp_path / "state", "smoke")}

    def pulumi(*args: str) -> str:
        done = subprocess.run([str(BIN / "pulumi"), "--non-interactive", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    pulumi("stack", "init", "smoke", "--secrets-provider", "passphrase")
    up = pulumi("up", "--yes", "--skip-preview")
    assert "+ 2 created" in up
    pids = [int(pulumi("stack", "output", name)) for name in ("pid", "program_pid")]
    assert len(set(pids)) == 2 and os.getpid() not in pids, "program and provider run in their own processes"
    state_files = list((tmp_path / "state" / ".pulumi" / "stacks").rglob("*.json"))
    assert any("echo-hello" in p.read_text() for p in state_files)
    down = pulumi("destroy", "--yes", "--skip-preview")
    assert "- 2 deleted" in down
    assert not any("echo-hello" in p.read_text() for p in state_files)


def test_dev_server_answers_an_authenticated_list(livekit: devserver.DevServer) -> None:
    url = f"{livekit.url}/twirp/livekit.SIP/ListSIPOutboundTrunk"
    token = TokenSource(livekit.api_key, livekit.api_secret).token()
    ok = httpx.post(url, json={}, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and "items" in ok.json()
    refused = httpx.post(url, json={})
    assert refused.status_code == 401


def test_dev_server_records_the_pids_it_started(livekit: devserver.DevServer) -> None:
    pids = (livekit.state_dir / "pids.json").read_text()
    assert '"redis"' in pids and '"livekit"' in pids


def test_a_missing_tool_fails_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devserver, "TOOLS_BIN", Path("/nonexistent"))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(devserver.ToolMissing, match="make tools"):
        devserver.tool("livekit-server")
    with pytest.raises(devserver.ToolMissing, match="apt-get install redis-server|redis-server package"):
        devserver.tool("redis-server")


def test_tools_script_without_go_says_to_install_go(tmp_path: Path) -> None:
    # A PATH holding only what the script needs before it looks for Go.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("bash", "dirname"):
        found = shutil.which(name)
        assert found, name
        (bin_dir / name).symlink_to(found)
    done = subprocess.run([str(bin_dir / "bash"), str(ROOT / "scripts" / "tools.sh")], capture_output=True,
                          text=True, env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert done.returncode != 0
    assert "Go is not installed" in done.stderr
