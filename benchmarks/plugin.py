"""The same commands on N trunks through the provider plugin: a Pulumi YAML program of N
`livekit-sip:index:OutboundTrunk` resources, run by the real CLI with `--parallel` as wide
as the plugin serves, against the same proxy as the dynamic path."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from benchmarks.stacks import COMMANDS, CommandResult, trunk_key, trunk_number
from livekit_sip.plugin.provider import WIDTH
from scripts import stack as stack_runner
from scripts.proxy import Proxy

PASSPHRASE = "bench-plugin"
#: The engine's `--parallel` for the plugin: as wide as its thread pool.
PARALLEL = WIDTH


def program(n: int) -> str:
    resources = {trunk_key(i): {"type": "livekit-sip:index:OutboundTrunk",
                                "properties": {"address": "sip.example.com", "numbers": [trunk_number(i)]}}
                 for i in range(n)}
    return str(yaml.safe_dump({"name": "bench-plugin", "runtime": "yaml", "resources": resources}, sort_keys=False))


def floor_seconds(n: int, rtt: float) -> float:
    """The least time N writes take through the plugin: ceil(N / its width) round trips."""
    return math.ceil(n / PARALLEL) * rtt


def _changes(output: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in output.splitlines():
        parts = line.strip().split()
        if len(parts) >= 2 and parts[-1] in ("created", "updated", "deleted", "unchanged", "refreshed") \
                and parts[-2].isdigit():
            found[parts[-1]] = int(parts[-2])
    return found


def bench_plugin_stack(base: Path, env: dict[str, str], proxy: Proxy, n: int) -> dict[str, CommandResult]:
    """Run the commands in order on a new stack of `n` plugin trunks."""
    work = base / f"plugin{n}"
    work.mkdir(parents=True, exist_ok=True)
    (work / "Pulumi.yaml").write_text(program(n))
    state = work / ".pulumi-state"
    state.mkdir(exist_ok=True)
    run_env = {**os.environ, **stack_runner.base_env(work, state, PASSPHRASE), **env}
    run_env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), run_env["PATH"]])
    pulumi = str(stack_runner.TOOLS / "bin" / "pulumi")

    def cli(*args: str) -> str:
        done = subprocess.run([pulumi, "--non-interactive", *args, "--stack", "bench"], cwd=work, env=run_env,
                              text=True, capture_output=True, timeout=3600)
        if done.returncode != 0:
            raise RuntimeError(f"pulumi {args[0]} of {n} plugin trunks failed: {done.stdout[-2000:]}{done.stderr}")
        return done.stdout

    cli("stack", "init")
    results: dict[str, CommandResult] = {}
    for command in COMMANDS:
        proxy.reset()
        engine_command = command.removesuffix("_converged")
        args = [engine_command] + (["--yes", "--skip-preview", f"--parallel={PARALLEL}"]
                                   if engine_command != "preview" else [f"--parallel={PARALLEL}"])
        started = time.perf_counter()
        output = cli(*args)
        seconds = time.perf_counter() - started
        methods = proxy.methods()
        lists: list[dict[str, Any]] = [dict(c.body) for c in list(proxy.calls) if c.method == "ListSIPOutboundTrunk"]
        results[command] = CommandResult(seconds, len(methods), dict(sorted(Counter(methods).items())),
                                         proxy.busy_seconds(), _changes(output), lists)
    return results
