"""`pulumi up / up (converged) / preview / refresh / destroy` on N trunks: wall time,
LiveKit API calls, and how much of the wall time was spent waiting on LiveKit.

Each size gets its own throwaway project (scripts.project.Project) driven by
the real pulumi CLI through the Automation API with its default parallelism.
The project's LIVEKIT_URL is the recording proxy, so every call the provider
makes is counted, and its round-trip delay is the proxy's.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.memory import ProviderMemory
from scripts.project import Project
from scripts.proxy import Proxy

#: The commands in the order they run; "up_converged" is a second `up` with nothing to change,
#: the run CI makes on every merge.
COMMANDS = ("up", "up_converged", "preview", "refresh", "destroy")
#: The Python dynamic-provider server runs at most this many operations at once.
ENGINE_WIDTH = 4


def trunk_key(i: int) -> str:
    return f"t{i:03d}"


def trunk_number(i: int) -> str:
    return "+1510555" + f"{i:04d}"


def trunks(n: int) -> dict[str, dict[str, Any]]:
    """The stack config for N trunks: keys t000.., one number each."""
    return {trunk_key(i): {"address": "sip.example.com", "numbers": [trunk_number(i)]} for i in range(n)}


def refresh_target(n: int) -> int:
    """The most calls a refresh of `n` trunks may make."""
    return math.ceil(n / 100) + 1


def floor_seconds(n: int, rtt: float) -> float:
    """The least time N writes can take through a 4-wide provider: ceil(N/4) round trips."""
    return math.ceil(n / ENGINE_WIDTH) * rtt


@dataclass
class CommandResult:
    seconds: float
    calls: int
    methods: dict[str, int]
    #: Seconds during which at least one LiveKit request was in flight.
    busy_seconds: float
    #: The engine's summary of what changed, e.g. {"create": 10, "same": 1}.
    changes: dict[str, int] = field(default_factory=dict)
    #: Bodies of the ListSIPOutboundTrunk calls (they hold no secrets), to see how pages were asked for.
    list_requests: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "engine_share": self.engine_share}

    @property
    def engine_share(self) -> float:
        """The share of wall time not spent waiting on LiveKit."""
        return max(0.0, 1 - self.busy_seconds / self.seconds) if self.seconds > 0 else 0.0


def rate_limited_up(base: Path, env: dict[str, str], proxy: Proxy, n: int,
                    names: Callable[[], list[str]]) -> dict[str, Any]:
    """`up` of N new trunks while the proxy enforces its rate limit; then `destroy` with no limit.

    `names` lists the project's trunk names (through the official SDK), to count what the
    up made and any duplicates. Returns the wall time, the 429s the provider got, and those counts.
    """
    project = Project.create(base / f"limited-{n}", env, stack_name=f"limited{n}")
    project.set_trunks(trunks(n))
    proxy.reset()
    started = time.perf_counter()
    error = ""
    try:
        project.run("up")
    except Exception as err:  # the figure is the failure count; the message goes in the record
        error = " ".join(str(err).split())[-300:]
    seconds = time.perf_counter() - started
    statuses = Counter(call.status for call in list(proxy.calls))
    created = sum(1 for c in list(proxy.calls) if c.method == "CreateSIPOutboundTrunk" and c.status == 200)
    limit, proxy.limit = proxy.limit, None
    found = names()
    try:
        project.run("destroy")
    finally:
        proxy.limit = limit
    return {"trunks": n, "seconds": seconds, "created": created, "failures": n - created,
            "trunks_found": len(found), "duplicates": len(found) - len(set(found)),
            "calls": sum(statuses.values()), "status_429": statuses.get(429, 0), "error": error}


def _changes(command: str, result: Any) -> dict[str, int]:
    if command == "preview":
        summary = result.change_summary
    else:
        summary = result.summary.resource_changes or {}
    return {str(k): int(v) for k, v in summary.items()}


def mixed(inbound: int = 50, rules: int = 50, outbound: int = 100) -> dict[str, Any]:
    """A whole setup: `inbound` inbound trunks, `rules` dispatch rules (each to one inbound
    trunk, by stack key) and `outbound` outbound trunks, as stack config keys."""
    return {
        "livekit-sip:trunks": trunks(outbound),
        "livekit-sip:inboundTrunks": {f"in{i:03d}": {"numbers": ["+1415555" + f"{i:04d}"]} for i in range(inbound)},
        "livekit-sip:dispatchRules": {f"rule{i:03d}": {"trunks": [f"in{i % inbound:03d}"],
                                                       "individual": {"roomPrefix": f"room{i:03d}-"}}
                                      for i in range(rules)},
    }


def bench_stack(base: Path, env: dict[str, str], proxy: Proxy, n: int,
                memory: ProviderMemory | None = None, config: dict[str, Any] | None = None,
                name: str = "") -> dict[str, CommandResult]:
    """Run the commands in order on a new stack of `n` trunks (or of `config`'s objects).

    `memory`, if given, samples the provider during `up`.
    """
    name = name or f"bench{n}"
    project = Project.create(base / name, env, stack_name=name)
    project.set_config(config or {"livekit-sip:trunks": trunks(n)})
    results: dict[str, CommandResult] = {}
    for command in COMMANDS:
        proxy.reset()
        engine_command = command.removesuffix("_converged")
        started = time.perf_counter()
        if command == "up" and memory is not None:
            with memory:
                outcome = project.run(engine_command)
        else:
            outcome = project.run(engine_command)
        seconds = time.perf_counter() - started
        methods = proxy.methods()
        lists = [dict(call.body) for call in list(proxy.calls) if call.method == "ListSIPOutboundTrunk"]
        results[command] = CommandResult(seconds, len(methods), dict(sorted(Counter(methods).items())),
                                         proxy.busy_seconds(), _changes(engine_command, outcome), lists)
    return results


def fit(sizes: list[int], seconds: list[float]) -> dict[str, Any]:
    """Least-squares line through (N, seconds), its R², and the slope of each segment."""
    if len(sizes) < 2:
        return {"slope_s_per_trunk": None, "intercept_s": None, "r2": None, "segment_slopes": []}
    mean_x = sum(sizes) / len(sizes)
    mean_y = sum(seconds) / len(seconds)
    sxx = sum((x - mean_x) ** 2 for x in sizes)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(sizes, seconds, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    ss_tot = sum((y - mean_y) ** 2 for y in seconds)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(sizes, seconds, strict=True))
    segments = [(seconds[i + 1] - seconds[i]) / (sizes[i + 1] - sizes[i]) for i in range(len(sizes) - 1)]
    return {
        "slope_s_per_trunk": slope,
        "intercept_s": intercept,
        "r2": 1 - ss_res / ss_tot if ss_tot > 0 else 1.0,
        "segment_slopes": segments,
    }
