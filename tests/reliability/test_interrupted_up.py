"""A `pulumi up` of 40 trunks interrupted mid-way, whichever process dies, then the recovery
steps of docs/recovery.md run as written: exactly the 40 declared trunks remain, each once in
the state, none twice in LiveKit and none outside the state.

The ways in: the CLI's process group killed (SIGKILL), SIGTERM or SIGINT to every process of
the tree (the CLI, its language host, the program and the provider), the provider alone killed."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

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
#: The provider's deadline: a create whose answer never comes is looked for after it.
DEADLINE = "5"
#: How long a provider may outlive its CLI: its calls in flight run out their deadline first.
PROVIDER_GRACE = 30.0
VARIANTS = ["sigkill-cli", "sigterm-tree", "sigint-tree", "sigkill-provider"]


def readme_recovery_steps() -> list[list[str]]:
    """The commands of the docs' block for an interrupted `pulumi up`, comments dropped."""
    page = (ROOT / "docs" / "recovery.md").read_text()
    section = page.split("## Recovery after an interrupted `pulumi up`", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "docs/recovery.md has no recovery block"
    return [shlex.split(line.split("#", 1)[0]) for line in block.group(1).splitlines() if line.split("#", 1)[0].strip()]


def follow_recovery_steps(cli: Callable[..., subprocess.CompletedProcess[str]], work_dir: Path,
                          env: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run the docs' recovery steps as written, each of which must succeed; what each printed, by command."""
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    for step in readme_recovery_steps():
        if step[0] == "pulumi":
            ran = cli(*step[1:])
        else:
            # The console script of this checkout's package: `python -m livekit_sip`.
            assert step[0] == "livekit-sip", step
            ran = subprocess.run([sys.executable, "-m", "livekit_sip", *step[1:]], cwd=work_dir,
                                 text=True, capture_output=True, env={**env, "PYTHONPATH": str(ROOT)})
        assert ran.returncode == 0, f"{shlex.join(step)}:\n{ran.stdout}\n{ran.stderr}"
        done[" ".join(step[:2])] = ran
    return done


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


def running(work_dir: Path, marker: bytes) -> list[int]:
    """The processes left in the project whose command line holds `marker`."""
    found = []
    for pid in left_running(work_dir):
        try:
            cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline:
            found.append(pid)
    return found


def providers(work_dir: Path) -> list[int]:
    """The dynamic-provider processes (``python -m pulumi.dynamic``) of the project."""
    return running(work_dir, b"pulumi.dynamic")


def kill_what_is_left(up: subprocess.Popen[bytes], work_dir: Path) -> None:
    """SIGKILL to `up`'s group if it still runs, and to every process left in the project."""
    if up.poll() is None:
        os.killpg(up.pid, signal.SIGKILL)
        up.wait()
    signal_all(left_running(work_dir), signal.SIGKILL)


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


@pytest.fixture(autouse=True)
def _no_trunks(server_settings: Settings) -> Iterator[None]:
    for trunk_id in official.list_trunks(server_settings):
        official.delete_trunk(server_settings, trunk_id)
    yield


def counts(state: dict[str, object], settings: Settings) -> dict[str, int]:
    """Trunks in LiveKit and in the state, pending creates, duplicates (a name twice in LiveKit)
    and orphans (in LiveKit, in no resource of the state)."""
    resources = state.get("resources") or []
    assert isinstance(resources, list)
    ids = {r["id"] for r in resources if r["type"].endswith(":OutboundTrunk") and r.get("id")}
    on_server = official.list_trunks(settings)
    names = Counter(t.name for t in on_server.values())
    pending = [op for op in state.get("pending_operations") or [] if op["type"] == "creating"]  # type: ignore[attr-defined]
    return {"server": len(on_server), "state": len(ids), "pending": len(pending),
            "duplicates": sum(n - 1 for n in names.values()), "orphans": len(set(on_server) - ids)}


@pytest.mark.parametrize("variant", VARIANTS)
def test_up_of_40_interrupted_mid_way_recovers_by_the_documented_steps_to_exactly_40_trunks(
        variant: str, tmp_path: Path, server: devserver.DevServer, server_settings: Settings) -> None:
    stack = variant.replace("-", "")
    with Proxy(server.url) as proxy:
        project = make_project(tmp_path, proxy, server, stack, LIVEKIT_SIP_DEADLINE=DEADLINE)
        project.set_trunks(many(TRUNKS))
        env = {**os.environ, **stack_runner.base_env(project.work_dir, project.state_dir, None), **project.env}
        pulumi = str(stack_runner.TOOLS / "bin" / "pulumi")

        def landed() -> int:
            return sum(1 for c in proxy.calls if c.method == "CreateSIPOutboundTrunk" and c.status == 200)

        proxy.fault = lambda method, attempt: (
            "land" if method == "CreateSIPOutboundTrunk" and attempt > ANSWERED else None)
        # A process group of its own: a group kill reaches pulumi and nothing else of this machine.
        up = subprocess.Popen([pulumi, "--non-interactive", "up", "--yes", "--skip-preview", "--stack", stack],
                              cwd=project.work_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
        provider_outlived = 0.0
        try:
            deadline = time.monotonic() + 180
            # The provider serves four calls at once: four creates land and wait for answers that never come.
            while landed() < ANSWERED + 4 and time.monotonic() < deadline and up.poll() is None:
                time.sleep(0.1)
            time.sleep(1)
            if variant == "sigkill-cli":
                os.killpg(up.pid, signal.SIGKILL)
            elif variant == "sigkill-provider":
                signal_all(providers(project.work_dir), signal.SIGKILL)
            else:
                # The whole tree: pulumi, its language host, the program, the provider's shell and python.
                signal_all(left_running(project.work_dir),
                           signal.SIGTERM if variant == "sigterm-tree" else signal.SIGINT)
            up.wait(timeout=180)
            ended = time.monotonic()
            while providers(project.work_dir) and time.monotonic() - ended < PROVIDER_GRACE:
                time.sleep(0.2)
            provider_outlived = time.monotonic() - ended
            still = providers(project.work_dir)
        finally:
            kill_what_is_left(up, project.work_dir)
        proxy.fault = None
        interrupted = landed()
        # A graceful cancel may still send the creates the engine had under way.
        assert interrupted == ANSWERED + 4 or (variant != "sigkill-cli" and interrupted > ANSWERED + 4), interrupted
        assert still == [], "the provider exits once its CLI is gone and its calls are answered"

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([pulumi, "--non-interactive", *args, "--stack", stack], cwd=project.work_dir,
                                  env=env, text=True, capture_output=True)

        if variant == "sigkill-cli":
            locked = cli("refresh", "--yes")
            assert locked.returncode != 0 and "the stack is currently locked" in locked.stderr + locked.stdout
        before = counts(json.loads(cli("stack", "export").stdout)["deployment"], server_settings)

        follow_recovery_steps(cli, project.work_dir, env)

        after_state = json.loads(cli("stack", "export").stdout)["deployment"]
        after = counts(after_state, server_settings)
        print(f"\n{variant}: {interrupted} creates landed in the interrupted up; up exit {up.returncode}; "
              f"provider gone {provider_outlived:.1f} s after the CLI; "
              f"before recovery {before}; after {after}")
        ids = [r["id"] for r in after_state["resources"] if r["type"].endswith(":OutboundTrunk")]
        assert len(ids) == TRUNKS and len(set(ids)) == TRUNKS, "every trunk once in the state"
        assert set(official.list_trunks(server_settings)) == set(ids), "no duplicate and no orphan in LiveKit"
        assert after == {"server": TRUNKS, "state": TRUNKS, "pending": 0, "duplicates": 0, "orphans": 0}
        proxy.reset()
        preview = project.run("preview")
        assert set(preview.change_summary) == {"same"} and proxy.methods() == []
        project.run("destroy")
