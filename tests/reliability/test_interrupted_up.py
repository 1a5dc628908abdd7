"""A `pulumi up` of 40 trunks killed mid-way, then the README's recovery steps, run as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from livekit_sip.settings import Settings
from scripts import devserver
from scripts import stack as stack_runner
from scripts.project import ROOT
from scripts.proxy import Proxy
from tests.reliability.conftest import make_project, many
from tests.support import official

TRUNKS = 40
#: Creates answered normally before the kill; the next ones land in LiveKit but never get an answer.
ANSWERED = 25


def readme_recovery_steps() -> list[list[str]]:
    """The commands of the docs' block for an interrupted `pulumi up`, comments dropped."""
    page = (ROOT / "docs" / "recovery.md").read_text()
    section = page.split("## Recovery after an interrupted `pulumi up`", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "docs/recovery.md has no recovery block"
    return [shlex.split(line.split("#", 1)[0]) for line in block.group(1).splitlines() if line.split("#", 1)[0].strip()]


def left_running(work_dir: Path) -> list[int]:
    """The processes still running in the project's directory: pulumi starts its language host,
    the program and the provider in process groups of their own, so killing its group leaves them."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cwd = os.readlink(entry / "cwd") if entry.name.isdigit() else ""
        except OSError:
            continue
        if cwd.removesuffix(" (deleted)").startswith(str(work_dir)):
            found.append(int(entry.name))
    return found


def test_up_of_40_killed_mid_way_recovers_by_the_readme_steps_to_exactly_40_trunks(
        tmp_path: Path, server: devserver.DevServer, server_settings: Settings) -> None:
    with Proxy(server.url) as proxy:
        project = make_project(tmp_path, proxy, server, "killed")
        project.set_trunks(many(TRUNKS))
        env = {**os.environ, **stack_runner.base_env(project.work_dir, project.state_dir, None), **project.env}
        pulumi = str(stack_runner.TOOLS / "bin" / "pulumi")

        def landed() -> int:
            return sum(1 for c in proxy.calls if c.method == "CreateSIPOutboundTrunk" and c.status == 200)

        proxy.fault = lambda method, attempt: (
            "land" if method == "CreateSIPOutboundTrunk" and attempt > ANSWERED else None)
        # A process group of its own: the kill reaches pulumi, its language host and the provider, nothing else.
        up = subprocess.Popen([pulumi, "--non-interactive", "up", "--yes", "--skip-preview", "--stack", "killed"],
                              cwd=project.work_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
        try:
            deadline = time.monotonic() + 180
            # The provider serves four calls at once: four creates land and wait for answers that never come.
            while landed() < ANSWERED + 4 and time.monotonic() < deadline and up.poll() is None:
                time.sleep(0.1)
            time.sleep(1)
        finally:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
            for pid in left_running(project.work_dir):
                os.kill(pid, signal.SIGKILL)
        proxy.fault = None
        assert landed() == ANSWERED + 4, f"{landed()} creates reached LiveKit before the kill"

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([pulumi, "--non-interactive", *args, "--stack", "killed"], cwd=project.work_dir,
                                  env=env, text=True, capture_output=True)

        locked = cli("refresh", "--yes")
        assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr + locked.stdout
        before = json.loads(cli("stack", "export").stdout)["deployment"]
        pending = [op for op in before.get("pending_operations", []) if op["type"] == "creating"]
        assert len(pending) >= 4 and len(before["resources"]) < TRUNKS

        for step in readme_recovery_steps():
            if step[0] == "pulumi":
                done = cli(*step[1:])
            else:
                # The console script of this checkout's package: `python -m livekit_sip`.
                assert step[0] == "livekit-sip", step
                done = subprocess.run([sys.executable, "-m", "livekit_sip", *step[1:]], cwd=project.work_dir,
                                      text=True, capture_output=True, env={**env, "PYTHONPATH": str(ROOT)})
            assert done.returncode == 0, f"{shlex.join(step)}:\n{done.stdout}\n{done.stderr}"

        after = json.loads(cli("stack", "export").stdout)["deployment"]
        ids = [r["id"] for r in after["resources"] if r["type"].endswith(":OutboundTrunk")]
        on_server = official.list_trunks(server_settings)
        assert len(ids) == TRUNKS and len(set(ids)) == TRUNKS, "every trunk once in the state"
        assert set(on_server) == set(ids), "no duplicate and no orphan in LiveKit"
        assert not after.get("pending_operations")
        proxy.reset()
        preview = project.run("preview")
        assert set(preview.change_summary) == {"same"} and proxy.methods() == []
        project.run("destroy")
