"""`make bench`: what livekit-sip costs, next to a bare request and to the official SDK.

    python -m benchmarks.run [--sizes 10,100,500] [--iterations 50] [--out benchmarks/results]

Starts its own livekit-server (with Redis) in a temp dir and stops it at the end.
Writes <out>/<YYYY-MM-DD>.json (every figure) and <out>/latest.md (the tables the
README includes). See SPEC.md §7.
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
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import devserver  # noqa: E402
from benchmarks import report  # noqa: E402
from benchmarks.baseline import CONCURRENCY, sdk_creates  # noqa: E402
from benchmarks.memory import ProviderMemory  # noqa: E402
from benchmarks.operations import bench_operations  # noqa: E402
from benchmarks.stacks import COMMANDS, bench_stack, fit  # noqa: E402
from livekit_sip.client import SIPClient  # noqa: E402
from livekit_sip.settings import Settings  # noqa: E402
from tests.support.proxy import Proxy  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results"
DEFAULT_SIZES = "10,100,500"


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
        for trunk in client.list():
            client.delete(trunk.sip_trunk_id)
    finally:
        client.close()


def measure(work: Path, sizes: list[int], iterations: int, say: Progress) -> dict[str, Any]:
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
        env = {"LIVEKIT_URL": proxy.url, "LIVEKIT_API_KEY": server.api_key,
               "LIVEKIT_API_SECRET": server.api_secret}
        stacks: dict[str, Any] = {}
        baseline: dict[str, Any] = {}
        memory = ProviderMemory()
        for n in sizes:
            _clear(settings)
            results = bench_stack(work, env, proxy, n, memory if n == max(sizes) else None)
            stacks[str(n)] = {c: r.to_json() for c, r in results.items()}
            for c, r in results.items():
                say(f"  N={n} {c}: {r.seconds:.1f} s, {r.calls} calls {r.methods}")
            _clear(settings)
            proxy.reset()
            seconds, ids = sdk_creates(proxy.url, server.api_key, server.api_secret, n)
            baseline[str(n)] = {"seconds": seconds, "calls": len(proxy.methods()), "trunks": len(ids),
                                "concurrency": CONCURRENCY, "up_ratio": results["up"].seconds / seconds}
            say(f"  N={n} official SDK: {seconds:.1f} s for {len(ids)} creates")
            _clear(settings)
        say(f"  provider peak: {memory.peak_hwm_kib / 1024:.1f} MiB over {memory.samples} samples")
    finally:
        proxy.close()
        server.stop()
    scaling = {c: fit(sizes, [stacks[str(n)][c]["seconds"] for n in sizes]) for c in COMMANDS}
    scaling["sdk"] = fit(sizes, [baseline[str(n)]["seconds"] for n in sizes])
    return {
        "operations": {op: r.to_json() for op, r in operations.items()},
        "stacks": stacks,
        "baseline": baseline,
        "scaling": scaling,
        "memory": {"trunks": max(sizes), **memory.to_json()},
    }


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="trunk counts, comma-separated (default %(default)s)")
    parser.add_argument("--iterations", type=int, default=50, help="calls per operation and side (default 50)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] < 1 or args.iterations < 1:
        parser.error("--sizes and --iterations must be positive")
    say = Progress()
    started = time.monotonic()
    today = datetime.date.today().isoformat()
    cwd = os.getcwd()
    data: dict[str, Any] = {
        "date": today,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "settings": {"sizes": sizes, "iterations": args.iterations, "concurrency": CONCURRENCY},
        "environment": environment(),
        "load_average": {"start": list(os.getloadavg())},
    }
    try:
        with tempfile.TemporaryDirectory(prefix="livekit-sip-bench-") as work:
            data.update(measure(Path(work), sizes, args.iterations, say))
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
