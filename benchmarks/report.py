"""The benchmark's targets, and its figures as JSON and as the markdown table the README includes."""

from __future__ import annotations

from typing import Any

from benchmarks.operations import OPERATIONS, TARGET_RATIO
from benchmarks.stacks import COMMANDS, refresh_target

#: Up is linear in N when the line fits this well and no segment's slope outgrows the first by more.
MIN_R2 = 0.99
MAX_SEGMENT_GROWTH = 1.5
TARGET_IDS = ("operation_ratio", "preview_calls", "refresh_calls", "up_linear")


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def calls(count: int) -> str:
    return f"{count} call" if count == 1 else f"{count} calls"


def _met(flag: bool | None) -> str:
    return "n/a" if flag is None else ("met" if flag else "**not met**")


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its figure and whether it was met (None: not enough sizes to tell)."""
    ops = data["operations"]
    worst = max(OPERATIONS, key=lambda op: ops[op]["ratio"])
    stacks = data["stacks"]
    sizes = [int(n) for n in stacks]
    preview = {n: stacks[str(n)]["preview"]["calls"] for n in sizes}
    refresh = {n: stacks[str(n)]["refresh"]["calls"] for n in sizes}
    up = data["scaling"]["up"]
    linear: bool | None = None
    if up["r2"] is not None:
        segments = up["segment_slopes"]
        growth = max(segments) / segments[0] if segments[0] > 0 else float("inf")
        linear = up["r2"] >= MIN_R2 and growth <= MAX_SEGMENT_GROWTH
        up_figure = (f"{up['slope_s_per_trunk']:.3f} s/trunk (least squares), R² {up['r2']:.3f}, "
                     "segment slopes " + " → ".join(f"{s:.3f}" for s in segments))
    else:
        up_figure = "needs two sizes or more"
    return [
        {"id": "operation_ratio",
         "target": f"each operation ≤ {TARGET_RATIO:.2f}× a bare request (median ratio)",
         "figure": f"worst {worst} {ops[worst]['ratio']:.3f}×",
         "met": all(ops[op]["met"] for op in OPERATIONS)},
        {"id": "preview_calls", "target": "converged `preview` makes 0 API calls",
         "figure": ", ".join(f"N={n}: {c}" for n, c in preview.items()),
         "met": all(c == 0 for c in preview.values())},
        {"id": "refresh_calls", "target": "`refresh` of N trunks makes ≤ ceil(N/100)+1 API calls",
         "figure": ", ".join(f"N={n}: {c} (≤ {refresh_target(n)})" for n, c in refresh.items()),
         "met": all(c <= refresh_target(n) for n, c in refresh.items())},
        {"id": "up_linear", "target": "`up` wall time grows linearly in N",
         "figure": up_figure, "met": linear},
    ]


def markdown(data: dict[str, Any]) -> str:
    """latest.md: three tables (operations, commands, targets) and a line on the setup."""
    env = data["environment"]
    settings = data["settings"]
    lines = [
        f"_Measured {data['date']} by `make bench` ({data['total_seconds']:.0f} s): livekit-server "
        f"{env['livekit_server']} on loopback, pulumi {env['pulumi']}, Python {env['python']}, "
        f"{env['cpus']} CPUs._",
        "",
        f"**Per-operation cost** — `SIPClient` against a bare httpx request with the same body and token, "
        f"interleaved, {settings['iterations']} calls each; medians.",
        "",
        "| Operation | livekit-sip | bare httpx | ratio | target ≤ 1.10× |",
        "|---|---:|---:|---:|---|",
    ]
    for op in OPERATIONS:
        r = data["operations"][op]
        lines.append(f"| {op} | {r['client_ms']:.2f} ms | {r['bare_ms']:.2f} ms | {r['ratio']:.3f}× "
                     f"| {_met(r['met'])} |")
    lines += [
        "",
        "**Pulumi commands** — wall time · LiveKit API calls (counted by a recording proxy); "
        f"baseline: the same creates through the official livekit-api SDK, {settings['concurrency']} at a time.",
        "",
        "| Trunks | `up` | `preview` | `refresh` | `destroy` | SDK creates | `up` ÷ SDK |",
        "|---:|---|---|---|---|---|---:|",
    ]
    for n, stack in data["stacks"].items():
        base = data["baseline"][n]
        cells = [f"{seconds(stack[c]['seconds'])} · {calls(stack[c]['calls'])}" for c in COMMANDS]
        lines.append(f"| {n} | " + " | ".join(cells)
                     + f" | {seconds(base['seconds'])} · {calls(base['calls'])} | {base['up_ratio']:.1f}× |")
    slopes = [data["scaling"][c]["slope_s_per_trunk"] for c in (*COMMANDS, "sdk")]
    lines.append("| s/trunk | " + " | ".join("—" if s is None else f"{s:.3f}" for s in slopes) + " | |")
    memory = data["memory"]
    lines += [
        "",
        "**Targets**",
        "",
        "| Target | Figure | Status |",
        "|---|---|---|",
    ]
    for target in data["targets"]:
        lines.append(f"| {target['target']} | {target['figure']} | {_met(target['met'])} |")
    lines.append(f"| dynamic provider peak memory, `up` of {memory['trunks']} trunks (no target) "
                 f"| {memory['peak_hwm_mib']:.1f} MiB (VmHWM) | — |")
    return "\n".join(lines) + "\n"
