"""`make bench`: what livekit-sip costs, next to a bare request and to the official SDK.

    python -m benchmarks.run [--sizes 10,100,500] [--latencies 0,50] [--iterations 50]
                             [--rate-limit 1000] [--burst 10] [--out benchmarks/results]

Starts its own livekit-server (with Redis) in a temp dir and stops it at the end.
The stack figures run once per latency (a round trip the proxy adds to every
request), then one rate-limited `up` of the largest size. Writes
<out>/<YYYY-MM-DD>.json (every figure) and <out>/latest.md (the tables the
README includes).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.baseline import CONCURRENCY, sdk_creates, sdk_names
from benchmarks.memory import ProviderMemory
from benchmarks.operations import bench_operations
from benchmarks.plugin import PARALLEL, bench_plugin_stack
from benchmarks.plugin import floor_seconds as plugin_floor
from benchmarks.stacks import COMMANDS, bench_stack, fit, floor_seconds, mixed, rate_limited_up
from livekit_sip.client import SIPClient
from livekit_sip.settings import Settings
from scripts import devserver
from scripts.proxy import Proxy, TokenBucket

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_OUT = ROOT / "benchmarks" / "results"
DEFAULT_SIZES = "10,100,500"
DEFAULT_LATENCIES = "0,50"


@dataclass(frozen=True)
class RateLimit:
    """LiveKit Cloud's order of magnitude: 1000 requests a minute per project (its older
    "quotas and limits" page); the burst is our choice, small."""

    per_minute: int = 1000
    burst: int = 10


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "unknown"
    return (done.stdout.strip() or done.stderr.strip()).split()[-1] if done.returncode == 0 else "unknown"


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "pulumi": _version([str(ROOT / ".tools" / "bin" / "pulumi"), "version"]),
        "pulumi_sdk": metadata.version("pulumi"),
        "livekit_server": _version([devserver.tool("livekit-server"), "--version"]),
        "livekit_api": metadata.version("livekit-api"),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


class Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True)


def _clear(settings: Settings) -> None:
    client = SIPClient(settings)
    try:
        for trunk in client.outbound.list():
            client.outbound.delete(trunk.sip_trunk_id)
    finally:
        client.close()


def _clear_all(settings: Settings) -> None:
    """No object of any kind left in the project."""
    client = SIPClient(settings)
    try:
        for rule in client.dispatch.list():
            client.dispatch.delete(rule.sip_dispatch_rule_id)
        for inbound in client.inbound.list():
            client.inbound.delete(inbound.sip_trunk_id)
        for outbound in client.outbound.list():
            client.outbound.delete(outbound.sip_trunk_id)
    finally:
        client.close()


def _sdk(proxy: Proxy, server: devserver.DevServer, settings: Settings, n: int,
         concurrency: int | None) -> dict[str, Any]:
    _clear(settings)
    proxy.reset()
    seconds, ids = sdk_creates(proxy.url, server.api_key, server.api_secret, n, concurrency)
    result = {"seconds": seconds, "calls": len(proxy.methods()), "trunks": len(ids), "concurrency": concurrency}
    _clear(settings)
    return result


def measure(work: Path, sizes: list[int], iterations: int, latencies: list[int], rate: RateLimit,
            mix: tuple[int, int, int], say: Progress) -> dict[str, Any]:
    """Every figure, against a dev server started under `work`."""
    server = devserver.start(work / "devserver")
    proxy = Proxy(server.url)
    try:
        settings = Settings(server.url, server.api_key, server.api_secret)
        say(f"livekit-server on {server.url}; per-operation cost, {iterations} iterations each")
        operations = bench_operations(settings, iterations)
        for op, result in operations.items():
            say(f"  {op}: client {result.client_ms:.2f} ms, bare {result.bare_ms:.2f} ms, "
                f"ratio {result.ratio:.3f}")
        env = server.env(proxy.url)
        stacks: dict[str, Any] = {}
        baseline: dict[str, Any] = {}
        plugin: dict[str, Any] = {}
        memory = ProviderMemory()
        for latency in latencies:
            proxy.delay = latency / 1000
            stacks[str(latency)], baseline[str(latency)], plugin[str(latency)] = {}, {}, {}
            for n in sizes:
                _clear(settings)
                sample = memory if n == max(sizes) and latency == latencies[0] else None
                results = bench_stack(work / f"{latency}ms", env, proxy, n, sample)
                stacks[str(latency)][str(n)] = {c: r.to_json() for c, r in results.items()}
                for c, r in results.items():
                    say(f"  {latency} ms N={n} {c}: {r.seconds:.1f} s, {r.calls} calls, "
                        f"engine {r.engine_share:.0%} {r.methods}")
                sdk4 = _sdk(proxy, server, settings, n, CONCURRENCY)
                unbounded = _sdk(proxy, server, settings, n, None)
                floor = floor_seconds(n, proxy.delay) if latency else None
                up = results["up"].seconds
                baseline[str(latency)][str(n)] = {
                    "sdk4": sdk4, "sdk_unbounded": unbounded, "floor_s": floor,
                    "up_ratio_sdk4": up / sdk4["seconds"], "up_ratio_floor": up / floor if floor else None}
                say(f"  {latency} ms N={n} official SDK: {sdk4['seconds']:.2f} s 4-wide, "
                    f"{unbounded['seconds']:.2f} s unbounded; floor {floor or 0:.2f} s")
                _clear(settings)
                served = bench_plugin_stack(work / f"{latency}ms", env, proxy, n)
                wide = plugin_floor(n, proxy.delay) if latency else None
                plugin[str(latency)][str(n)] = {
                    "commands": {c: r.to_json() for c, r in served.items()}, "parallel": PARALLEL, "floor_s": wide,
                    "up_ratio_floor": served["up"].seconds / wide if wide else None}
                for c, r in served.items():
                    say(f"  plugin {latency} ms N={n} {c}: {r.seconds:.1f} s, {r.calls} calls {r.methods}")
        proxy.delay = 0.0
        n = max(sizes)
        _clear(settings)
        proxy.limit = TokenBucket(rate.per_minute / 60, rate.burst)
        say(f"rate limit {rate.per_minute}/min, burst {rate.burst}: up of {n} trunks")
        limited = rate_limited_up(work / "limited", env, proxy, n,
                                  lambda: sdk_names(server.url, server.api_key, server.api_secret))
        proxy.limit = None
        limited.update(per_minute=rate.per_minute, burst=rate.burst,
                       floor_s=max(0.0, n - rate.burst) / (rate.per_minute / 60))
        say(f"  {limited['seconds']:.1f} s, {limited['status_429']} answers 429, {limited['trunks_found']} trunks "
            f"found, {limited['duplicates']} duplicates")
        proxy.delay = 0.0
        counts = {"inbound": mix[0], "rules": mix[1], "outbound": mix[2]}
        _clear_all(settings)
        say(f"mixed stack: {counts}")
        mixed_results = bench_stack(work / "mixed", env, proxy, 0, config=mixed(*mix), name="mixed")
        for c, r in mixed_results.items():
            say(f"  mixed {c}: {r.seconds:.1f} s, {r.calls} calls {r.methods}")
        say(f"  provider peak: {memory.peak_hwm_kib / 1024:.1f} MiB over {memory.samples} samples")
    finally:
        proxy.close()
        server.stop()
    zero = str(latencies[0])
    scaling = {c: fit(sizes, [stacks[zero][str(n)][c]["seconds"] for n in sizes]) for c in COMMANDS}
    scaling["sdk"] = fit(sizes, [baseline[zero][str(n)]["sdk4"]["seconds"] for n in sizes])
    return {
        "operations": {op: r.to_json() for op, r in operations.items()},
        "stacks": stacks,
        "baseline": baseline,
        "plugin": plugin,
        "scaling": scaling,
        "rate_limited": limited,
        "mixed": {"objects": counts, "commands": {c: r.to_json() for c, r in mixed_results.items()}},
        "memory": {"trunks": max(sizes), **memory.to_json()},
    }


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="trunk counts, comma-separated (default %(default)s)")
    parser.add_argument("--latencies", default=DEFAULT_LATENCIES,
                        help="round trips in ms the proxy adds, comma-separated (default %(default)s)")
    parser.add_argument("--iterations", type=int, default=50, help="calls per operation and side (default 50)")
    parser.add_argument("--rate-limit", type=int, default=RateLimit.per_minute,
                        help="requests per minute for the rate-limited up (default %(default)s)")
    parser.add_argument("--burst", type=int, default=RateLimit.burst, help="its burst (default %(default)s)")
    parser.add_argument("--mixed", default="50,50,100",
                        help="inbound trunks, dispatch rules, outbound trunks of the mixed stack (default %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    latencies = sorted({int(s) for s in args.latencies.split(",") if s.strip()})
    if not sizes or sizes[0] < 1 or args.iterations < 1 or args.rate_limit < 1 or args.burst < 1:
        parser.error("--sizes, --iterations, --rate-limit and --burst must be positive")
    if not latencies or latencies[0] < 0:
        parser.error("--latencies must be zero or more")
    rate = RateLimit(args.rate_limit, args.burst)
    try:
        inbound, rules, outbound = (int(x) for x in args.mixed.split(","))
    except ValueError:
        parser.error("--mixed takes three counts: inbound,rules,outbound")
    if min(inbound, rules, outbound) < 1:
        parser.error("--mixed counts must be positive")
    mix = (inbound, rules, outbound)
    say = Progress()
    started = time.monotonic()
    today = datetime.date.today().isoformat()
    cwd = os.getcwd()
    data: dict[str, Any] = {
        "date": today,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": {"sizes": sizes, "latencies_ms": latencies, "iterations": args.iterations,
                     "concurrency": CONCURRENCY, "rate_limit": {"per_minute": rate.per_minute, "burst": rate.burst},
                     "mixed": {"inbound": mix[0], "rules": mix[1], "outbound": mix[2]}},
        "environment": environment(),
        "load_average": {"start": list(os.getloadavg())},
    }
    try:
        with tempfile.TemporaryDirectory(prefix="livekit-sip-bench-") as work:
            data.update(measure(Path(work), sizes, args.iterations, latencies, rate, mix, say))
    except devserver.ToolMissing as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    finally:
        os.chdir(cwd)  # the Automation API runs in the project's directory
    data["load_average"]["end"] = list(os.getloadavg())
    data["total_seconds"] = time.monotonic() - started
    data["targets"] = report.targets(data)
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / f"{today}.json", json.dumps(data, indent=2) + "\n")
    _write(args.out / "latest.md", report.markdown(data))
    say(f"wrote {args.out / (today + '.json')} and {args.out / 'latest.md'}")
    print(report.markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
