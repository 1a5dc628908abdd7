"""A shared team backend: Pulumi's DIY backend on a real PostgreSQL, used by two "runners".

Each runner has its own working copy and PULUMI_HOME, as two laptops or two CI jobs do,
and both talk to one LiveKit project. Stacks `dev` and `prod` go up at the same moment;
then two `up`s of the same stack collide on the backend's lock.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from livekit_sip.settings import Settings
from scripts import devserver
from scripts.project import ROOT
from scripts.proxy import Proxy
from scripts.stack import with_stack
from tests.support import official

PASSPHRASE = "team-passphrase-e2e"
KEYS = [f"carrier-{i}" for i in range(4)]
NUMBERS = {"dev": "+1415555{:04d}", "prod": "+1646555{:04d}"}


@dataclass
class Runner:
    """One working copy of the infra repo and its own PULUMI_HOME."""

    work_dir: Path
    env: dict[str, str]

    def start(self, *args: str, stack: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(ROOT / ".tools" / "bin" / "pulumi"), "--non-interactive", *with_stack(list(args), stack)],
            cwd=self.work_dir, env=self.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def pulumi(self, *args: str, stack: str, check: bool = True) -> str:
        proc = self.start(*args, stack=stack)
        out, _ = proc.communicate(timeout=300)
        assert not check or proc.returncode == 0, out
        return out

    def stack_file(self, stack: str) -> Path:
        return self.work_dir / "stacks" / f"Pulumi.{stack}.yaml"


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PostgreSQL on a free loopback port, stopped by its recorded PID."""
    state = tmp_path_factory.mktemp("postgres")
    try:
        url = devserver.start_postgres(state)
    except devserver.ToolMissing as err:
        pytest.fail(str(err), pytrace=False)
    yield url
    devserver.stop(state)


@pytest.fixture(scope="module")
def runners(tmp_path_factory: pytest.TempPathFactory, backend: str, proxy: Proxy,
            settings: Settings) -> Iterator[tuple[Runner, Runner]]:
    made = []
    for name in ("a", "b"):
        work = tmp_path_factory.mktemp(f"runner-{name}")
        (work / "stacks").mkdir()
        shutil.copy(ROOT / "__main__.py", work / "__main__.py")
        (work / "Pulumi.yaml").write_text(
            f"name: livekit-sip\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
            "stackConfigDir: stacks\n")
        env = {"PATH": f"{ROOT / '.tools' / 'bin'}:/usr/bin:/bin", "HOME": str(work),
               "PULUMI_HOME": str(work / ".pulumi-home"), "PULUMI_BACKEND_URL": backend,
               "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, "PULUMI_SKIP_UPDATE_CHECK": "true",
               "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true", "PYTHONPATH": str(ROOT),
               **settings.as_env(proxy.url)}
        made.append(Runner(work, env))
    a, b = made
    # Runner a sets the stacks up, as the first teammate does, and "pushes" the stack files.
    for stack in ("dev", "prod"):
        a.pulumi("stack", "init", "--secrets-provider", "passphrase", stack=stack)
        data = yaml.safe_load(a.stack_file(stack).read_text()) or {}
        data.setdefault("config", {})["livekit-sip:trunks"] = {
            key: {"name": f"team {stack} {key}", "address": f"{stack}.sip.example.com",
                  "numbers": [NUMBERS[stack].format(i)]} for i, key in enumerate(KEYS)}
        a.stack_file(stack).write_text(yaml.safe_dump(data, sort_keys=False))
        a.pulumi("config", "set", "--secret", "--path", "livekit-sip:credentials.carrier-0.username",
                 "--", f"{stack}-user", stack=stack)
        a.pulumi("config", "set", "--secret", "--path", "livekit-sip:credentials.carrier-0.password",
                 "--", f"{stack}-Pa55-team", stack=stack)
    for stack in ("dev", "prod"):
        shutil.copy(a.stack_file(stack), b.stack_file(stack))
    yield a, b
    proxy.fault = None
    for stack in ("dev", "prod"):
        a.pulumi("destroy", "--yes", stack=stack, check=False)


def trunks_named(settings: Settings, stack: str) -> dict[str, Any]:
    return {t.name: t for t in official.list_trunks(settings).values() if t.name.startswith(f"team {stack} ")}


def test_two_runners_bring_up_dev_and_prod_at_the_same_moment(
        runners: tuple[Runner, Runner], settings: Settings) -> None:
    a, b = runners
    ups = [a.start("up", "--yes", stack="dev"), b.start("up", "--yes", stack="prod")]
    outputs = [proc.communicate(timeout=300)[0] for proc in ups]
    assert [proc.returncode for proc in ups] == [0, 0], outputs
    for stack, runner in (("dev", b), ("prod", a)):  # each reads the other's stack from the backend
        live = trunks_named(settings, stack)
        assert sorted(live) == [f"team {stack} {key}" for key in KEYS]
        assert {t.address for t in live.values()} == {f"{stack}.sip.example.com"}
        # Secrets set by runner a decrypt on runner b with the same passphrase, and reached LiveKit.
        first = live[f"team {stack} carrier-0"]
        assert (first.auth_username, first.auth_password) == (f"{stack}-user", f"{stack}-Pa55-team")
        assert runner.pulumi("config", "get", "--path", "livekit-sip:credentials.carrier-0.password",
                             stack=stack).strip() == f"{stack}-Pa55-team"
        ids = yaml.safe_load(runner.pulumi("stack", "output", "trunkIds", "--json", stack=stack))
        assert set(ids.values()) == {t.sip_trunk_id for t in live.values()}
    assert "5 unchanged" in b.pulumi("preview", stack="dev")


def test_a_second_up_of_the_same_stack_is_refused_by_the_lock(
        runners: tuple[Runner, Runner], proxy: Proxy, settings: Settings) -> None:
    a, b = runners
    for runner in runners:  # both working copies carry the same change
        data = yaml.safe_load(runner.stack_file("dev").read_text())
        for entry in data["config"]["livekit-sip:trunks"].values():
            entry["metadata"] = "changed by the team"
        runner.stack_file("dev").write_text(yaml.safe_dump(data, sort_keys=False))
    # Hold runner a's first write until runner b has tried: a then certainly holds the lock.
    writing, release = threading.Event(), threading.Event()

    def hold(method: str, attempt: int) -> None:
        if method == "UpdateSIPOutboundTrunk":
            writing.set()
            release.wait(120)

    proxy.reset()
    proxy.fault = hold
    first = a.start("up", "--yes", stack="dev")
    try:
        assert writing.wait(120), "runner a never reached LiveKit"
        second = b.pulumi("up", "--yes", stack="dev", check=False)
    finally:
        release.set()
    out, _ = first.communicate(timeout=300)
    proxy.fault = None
    assert first.returncode == 0, out
    assert "the stack is currently locked by 1 lock(s)" in second, second
    assert "pulumi cancel" in second
    updates = [c for c in proxy.calls if c.method == "UpdateSIPOutboundTrunk"]
    assert len(updates) == len(KEYS), "only runner a wrote"
    assert {t.metadata for t in trunks_named(settings, "dev").values()} == {"changed by the team"}
    assert "5 unchanged" in b.pulumi("preview", stack="dev")
