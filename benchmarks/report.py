"""The benchmark's targets, and its figures as JSON and as the markdown tables the README includes."""

from __future__ import annotations

from typing import Any

from benchmarks.operations import OPERATIONS, TARGET_RATIO
from benchmarks.stacks import COMMANDS, refresh_target

#: Up is linear in N when the line fits this well and no segment's slope outgrows the first by more.
MIN_R2 = 0.99
MAX_SEGMENT_GROWTH = 1.5
#: `up` of FLOOR_TRUNKS at FLOOR_LATENCY_MS should take at most FLOOR_RATIO × ceil(N/4) round trips.
FLOOR_RATIO, FLOOR_TRUNKS, FLOOR_LATENCY_MS = 1.5, 100, 50
TARGET_IDS = ("operation_ratio", "preview_calls", "converged_up_calls", "refresh_calls", "up_floor",
              "up_linear", "rate_limited", "mixed_preview_calls", "mixed_refresh_listings")
#: One listing per kind of object is all a refresh of a whole setup may cost.
LISTINGS = {"ListSIPOutboundTrunk": 1, "ListSIPInboundTrunk": 1, "ListSIPDispatchRule": 1}
HEADINGS = {"up": "`up`", "up_converged": "converged `up`", "preview": "`preview`", "refresh": "`refresh`",
            "destroy": "`destroy`"}


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def calls(count: int) -> str:
    return f"{count} call" if count == 1 else f"{count} calls"


def _met(flag: bool | None) -> str:
    return "n/a" if flag is None else ("met" if flag else "**not met**")


def _each(data: dict[str, Any], command: str, key: str) -> dict[tuple[int, int], Any]:
    """`key` of `command` at every (latency ms, trunks)."""
    return {(int(ms), int(n)): stack[command][key]
            for ms, sizes in data["stacks"].items() for n, stack in sizes.items()}


def _listing(figures: dict[tuple[int, int], Any], bound: Any = None) -> str:
    return ", ".join(f"{ms} ms N={n}: {v}" + (f" (≤ {bound(n)})" if bound else "")
                     for (ms, n), v in figures.items())


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its figure and whether it was met (None: these settings cannot tell)."""
    ops = data["operations"]
    worst = max(OPERATIONS, key=lambda op: ops[op]["ratio"])
    preview = _each(data, "preview", "calls")
    converged = _each(data, "up_converged", "calls")
    refresh = _each(data, "refresh", "calls")
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
    base = data["baseline"].get(str(FLOOR_LATENCY_MS), {}).get(str(FLOOR_TRUNKS))
    floor_met = None if base is None else base["up_ratio_floor"] <= FLOOR_RATIO
    floor_figure = "not measured at these settings"
    if base is not None:
        up_seconds = data["stacks"][str(FLOOR_LATENCY_MS)][str(FLOOR_TRUNKS)]["up"]["seconds"]
        floor_figure = f"{base['up_ratio_floor']:.1f}× (up {seconds(up_seconds)}, floor {seconds(base['floor_s'])})"
    limited = data["rate_limited"]
    mixed = data["mixed"]["commands"]
    return [
        {"id": "operation_ratio",
         "target": f"each operation ≤ {TARGET_RATIO:.2f}× a bare request (median ratio)",
         "figure": f"worst {worst} {ops[worst]['ratio']:.3f}×",
         "met": all(ops[op]["met"] for op in OPERATIONS)},
        {"id": "preview_calls", "target": "converged `preview` makes 0 API calls",
         "figure": _listing(preview), "met": all(c == 0 for c in preview.values())},
        {"id": "converged_up_calls", "target": "converged `up` makes 0 API calls",
         "figure": _listing(converged), "met": all(c == 0 for c in converged.values())},
        {"id": "refresh_calls", "target": "`refresh` of N trunks makes ≤ ceil(N/100)+1 API calls",
         "figure": _listing(refresh, refresh_target),
         "met": all(c <= refresh_target(n) for (_, n), c in refresh.items())},
        {"id": "up_floor",
         "target": f"`up` of {FLOOR_TRUNKS} trunks at {FLOOR_LATENCY_MS} ms ≤ {FLOOR_RATIO}× ceil(N/4) round trips",
         "figure": floor_figure, "met": floor_met},
        {"id": "up_linear", "target": "`up` wall time grows linearly in N (0 ms)",
         "figure": up_figure, "met": linear},
        {"id": "rate_limited",
         "target": f"`up` of {limited['trunks']} trunks under {limited['per_minute']}/min: 0 failures, 0 duplicates",
         "figure": f"{limited['failures']} failures, {limited['duplicates']} duplicates "
                   f"({limited['trunks_found']} trunks found by the official SDK)",
         "met": limited["failures"] == limited["duplicates"] == 0 and limited["trunks_found"] == limited["trunks"]},
        {"id": "mixed_preview_calls", "target": "converged `preview` of the mixed stack makes 0 API calls",
         "figure": calls(mixed["preview"]["calls"]), "met": mixed["preview"]["calls"] == 0},
        {"id": "mixed_refresh_listings", "target": "`refresh` of the mixed stack makes one listing per kind",
         "figure": ", ".join(f"{m} {n}" for m, n in mixed["refresh"]["methods"].items()) or "0 calls",
         "met": mixed["refresh"]["methods"] == LISTINGS},
    ]


def _plugin_width(data: dict[str, Any]) -> str:
    widths = {served["parallel"] for sizes in data.get("plugin", {}).values() for served in sizes.values()}
    return ", ".join(str(w) for w in sorted(widths)) or "—"


def markdown(data: dict[str, Any]) -> str:
    """latest.md: operations, commands per latency, baselines, the rate-limited up, targets."""
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
    for ms, sizes in data["stacks"].items():
        lines += [
            "",
            f"**Pulumi commands, {ms} ms round trip** — wall time · LiveKit API calls (counted by a recording "
            "proxy that adds the round trip); engine share: the part of `up` with no LiveKit request in flight.",
            "",
            "| Trunks | " + " | ".join(HEADINGS[c] for c in COMMANDS) + " | engine share of `up` |",
            "|---:|" + "---|" * len(COMMANDS) + "---:|",
        ]
        for n, stack in sizes.items():
            cells = [f"{seconds(stack[c]['seconds'])} · {calls(stack[c]['calls'])}" for c in COMMANDS]
            lines.append(f"| {n} | " + " | ".join(cells) + f" | {stack['up']['engine_share']:.0%} |")
    lines += [
        "",
        f"**`up` against its references** — the same creates through the official livekit-api SDK, "
        f"{settings['concurrency']} at a time and all at once; the floor is ceil(N/4) round trips, the least "
        "a 4-wide provider can take.",
        "",
        "| Round trip | Trunks | `up` | SDK 4-wide | SDK unbounded | floor | `up` ÷ SDK 4-wide | `up` ÷ floor |",
        "|---:|---:|---|---|---|---|---:|---:|",
    ]
    for ms, sizes in data["baseline"].items():
        for n, base in sizes.items():
            floor = "—" if base["floor_s"] is None else seconds(base["floor_s"])
            ratio = "—" if base["up_ratio_floor"] is None else f"{base['up_ratio_floor']:.1f}×"
            lines.append(f"| {ms} ms | {n} | {seconds(data['stacks'][ms][n]['up']['seconds'])} "
                         f"| {seconds(base['sdk4']['seconds'])} | {seconds(base['sdk_unbounded']['seconds'])} "
                         f"| {floor} | {base['up_ratio_sdk4']:.1f}× | {ratio} |")
    lines += [
        "",
        "**Dynamic resources and the provider plugin side by side** — the same N trunks, the same proxy: the "
        "dynamic provider serves 4 operations at once, the plugin as many as `--parallel` "
        f"({_plugin_width(data)} here); each floor is ceil(N / width) round trips.",
        "",
        "| Round trip | Trunks | `up` dynamic | `up` plugin | ÷ floor dynamic | ÷ floor plugin "
        "| converged `up` dynamic · plugin | `refresh` dynamic · plugin |",
        "|---:|---:|---|---|---:|---:|---|---|",
    ]
    for ms, sizes in data.get("plugin", {}).items():
        for n, served in sizes.items():
            dynamic, plugin = data["stacks"][ms][n], served["commands"]
            base = data["baseline"][ms][n]
            ratios = ["—" if r is None else f"{r:.1f}×" for r in (base["up_ratio_floor"], served["up_ratio_floor"])]
            lines.append(f"| {ms} ms | {n} | {seconds(dynamic['up']['seconds'])} | {seconds(plugin['up']['seconds'])} "
                         f"| {ratios[0]} | {ratios[1]} "
                         f"| {seconds(dynamic['up_converged']['seconds'])} · {calls(dynamic['up_converged']['calls'])}"
                         f" / {seconds(plugin['up_converged']['seconds'])} · {calls(plugin['up_converged']['calls'])} "
                         f"| {calls(dynamic['refresh']['calls'])} / {calls(plugin['refresh']['calls'])} |")
    limited = data["rate_limited"]
    lines += [
        "",
        f"**Rate limit** — `up` of {limited['trunks']} new trunks while the proxy allows {limited['per_minute']} "
        f"requests a minute (burst {limited['burst']}) and answers 429 with Retry-After beyond that.",
        "",
        "| Trunks | `up` | floor (N − burst) / rate | `up` ÷ floor | 429s received | failures | duplicates |",
        "|---:|---|---|---:|---:|---:|---:|",
        f"| {limited['trunks']} | {seconds(limited['seconds'])} · {calls(limited['calls'])} "
        f"| {seconds(limited['floor_s'])} | {limited['seconds'] / max(limited['floor_s'], 1e-9):.2f}× "
        f"| {limited['status_429']} | {limited['failures']} | {limited['duplicates']} |",
    ]
    objects = data["mixed"]["objects"]
    lines += [
        "",
        f"**A whole setup** — {objects['inbound']} inbound trunks, {objects['rules']} dispatch rules (each naming "
        f"an inbound trunk) and {objects['outbound']} outbound trunks in one stack, 0 ms round trip.",
        "",
        "| Command | wall time | LiveKit API calls |",
        "|---|---|---|",
    ]
    for command, result in data["mixed"]["commands"].items():
        methods = ", ".join(f"{m} {n}" for m, n in result["methods"].items()) or "none"
        lines.append(f"| {HEADINGS[command]} | {seconds(result['seconds'])} | {calls(result['calls'])}: {methods} |")
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
