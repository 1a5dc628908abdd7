"""Plain `pulumi` in this repo: the tool bed's CLI honours Pulumi.yaml's `virtualenv: .venv`,
with no PULUMI_PYTHON_CMD, no PYTHONPATH and no virtualenv on PATH."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scripts import devserver
from scripts.project import ROOT

BIN = ROOT / ".tools" / "bin"
LOCAL_STACK = ROOT / "stacks" / "Pulumi.local.yaml"


def system_path() -> str:
    venv_bin = str(Path(sys.prefix) / "bin")
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin)


def test_pulumi_preview_in_the_repo_root_needs_only_the_tool_bed_on_path(
        livekit: devserver.DevServer, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PULUMI_PYTHON_CMD", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(livekit.env())
    env.update(PATH=f"{BIN}{os.pathsep}{system_path()}", PULUMI_HOME=str(tmp_path / "home"),
               PULUMI_BACKEND_URL=tmp_path.as_uri(), PULUMI_CONFIG_PASSPHRASE="livekit-sip-local",
               PULUMI_SKIP_UPDATE_CHECK="true")
    before = LOCAL_STACK.read_text()
    try:
        for args in (["stack", "select", "--create", "--secrets-provider", "passphrase", "local"],
                     ["preview", "--stack", "local"]):
            done = subprocess.run(["pulumi", "--non-interactive", *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr
        assert "+ 5 to create" in done.stdout, done.stdout
    finally:
        if LOCAL_STACK.read_text() != before:
            LOCAL_STACK.write_text(before)
            raise AssertionError("selecting stack local rewrote stacks/Pulumi.local.yaml")


def test_make_env_puts_the_tool_bed_and_local_settings_in_a_shell(tmp_path: Path) -> None:
    script = 'eval "$(make -s env)" && printf "%s\\n" "$PATH" "$PULUMI_HOME" "$PULUMI_BACKEND_URL" ' \
             '"$PULUMI_CONFIG_PASSPHRASE" && command -v pulumi'
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "MAKE"))}
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    path, home, backend, passphrase, pulumi = done.stdout.splitlines()
    assert path.split(os.pathsep)[0] == str(BIN)
    assert home == str(ROOT / ".tools" / "pulumi-home")
    assert backend == (ROOT / ".pulumi-state").as_uri()
    assert passphrase == "livekit-sip-local"
    assert pulumi == str(BIN / "pulumi")
