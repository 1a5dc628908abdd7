"""`python -m benchmarks.run` at a tiny size: every figure is written, every table row is there.

No timing is asserted; only the shape of the results and the call counts that do
not depend on speed.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from benchmarks import run

OPERATIONS = ["create", "get", "update", "replace", "delete"]
COMMANDS = ["up", "up_converged", "preview", "refresh", "destroy"]
OPERATION_KEYS = {"client_ms", "bare_ms", "ratio", "ratio_of_medians", "client_p90_ms", "bare_p90_ms",
                  "iterations", "target", "met"}
COMMAND_KEYS = {"seconds", "calls", "methods", "busy_seconds", "engine_share", "changes", "list_requests"}
TARGET_IDS = ["operation_ratio", "preview_calls", "converged_up_calls", "refresh_calls", "up_floor", "up_linear",
              "rate_limited", "mixed_preview_calls", "mixed_refresh_listings"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    assert run.main(["--sizes", "2", "--latencies", "0,5", "--iterations", "3", "--rate-limit", "60",
                     "--burst", "1", "--mixed", "2,2,3", "--out", str(out)]) == 0
    data = json.loads((out / f"{datetime.date.today().isoformat()}.json").read_text())
    return data, (out / "latest.md").read_text()


def test_json_has_every_figure(results: tuple[dict[str, Any], str]) -> None:
    data, _ = results
    assert {"date", "started_at", "settings", "environment", "load_average", "operations", "stacks",
            "baseline", "plugin", "scaling", "rate_limited", "mixed", "memory", "total_seconds", "targets"} <= set(data)
    assert data["settings"] == {"sizes": [2], "latencies_ms": [0, 5], "iterations": 3, "concurrency": 4,
                                "rate_limit": {"per_minute": 60, "burst": 1},
                                "mixed": {"inbound": 2, "rules": 2, "outbound": 3}}
    assert {"python", "pulumi", "pulumi_sdk", "livekit_server", "livekit_api", "cpus"} <= set(data["environment"])
    for op in OPERATIONS:
        assert set(data["operations"][op]) == OPERATION_KEYS
        assert data["operations"][op]["iterations"] == 3
    assert set(data["stacks"]) == set(data["baseline"]) == {"0", "5"}
    for latency in ("0", "5"):
        assert set(data["stacks"][latency]) == {"2"}
        for command in COMMANDS:
            assert set(data["stacks"][latency]["2"][command]) == COMMAND_KEYS
        assert {"sdk4", "sdk_unbounded", "floor_s", "up_ratio_sdk4", "up_ratio_floor"} == \
            set(data["baseline"][latency]["2"])
    assert set(data["scaling"]) == {*COMMANDS, "sdk"}
    for fit in data["scaling"].values():
        assert set(fit) == {"slope_s_per_trunk", "intercept_s", "r2", "segment_slopes"}
    assert {"trunks", "peak_hwm_mib", "peak_rss_mib", "samples", "interval_s", "processes"} <= set(data["memory"])
    assert [t["id"] for t in data["targets"]] == TARGET_IDS
    for target in data["targets"]:
        assert {"target", "figure", "met"} <= set(target)


def test_calls_are_counted_and_the_provider_is_sampled(results: tuple[dict[str, Any], str]) -> None:
    data, _ = results
    for latency in ("0", "5"):
        stack = data["stacks"][latency]["2"]
        # The first create lists the kind once, to take over what an interrupted `up` left.
        assert stack["up"]["methods"] == {"CreateSIPOutboundTrunk": 2, "ListSIPOutboundTrunk": 1}
        assert stack["up_converged"]["calls"] == 0
        assert stack["preview"]["calls"] == 0
        assert stack["refresh"]["methods"] == {"ListSIPOutboundTrunk": 1}
        assert stack["destroy"]["methods"] == {"DeleteSIPTrunk": 2}
        # The plugin path makes the same calls for the same trunks.
        served = data["plugin"][latency]["2"]
        assert served["commands"]["up"]["methods"] == {"CreateSIPOutboundTrunk": 2, "ListSIPOutboundTrunk": 1}
        assert served["commands"]["up_converged"]["calls"] == served["commands"]["preview"]["calls"] == 0
        assert served["commands"]["refresh"]["methods"] == {"ListSIPOutboundTrunk": 1}
        assert served["commands"]["destroy"]["methods"] == {"DeleteSIPTrunk": 2}
        assert served["parallel"] == 64 and (served["floor_s"] is None) == (latency == "0")
        assert 0 < stack["up"]["busy_seconds"] < stack["up"]["seconds"]
        for sdk in ("sdk4", "sdk_unbounded"):
            assert data["baseline"][latency]["2"][sdk]["calls"] == 2
            assert data["baseline"][latency]["2"][sdk]["trunks"] == 2
    # The round trip is added to every request: 2 creates 4 at a time cannot beat one round trip.
    assert data["baseline"]["5"]["2"]["floor_s"] == 0.005
    assert data["baseline"]["5"]["2"]["sdk4"]["seconds"] >= 0.005
    assert data["baseline"]["0"]["2"]["floor_s"] is None
    limited = data["rate_limited"]
    assert (limited["trunks"], limited["failures"], limited["duplicates"], limited["trunks_found"]) == (2, 0, 0, 2)
    assert limited["calls"] == 3 + limited["status_429"], "each 429 is retried once the bucket refills"
    mixed = data["mixed"]["commands"]
    assert mixed["up"]["methods"] == {"CreateSIPDispatchRule": 2, "CreateSIPInboundTrunk": 2,
                                      "CreateSIPOutboundTrunk": 3, "ListSIPDispatchRule": 1,
                                      "ListSIPInboundTrunk": 1, "ListSIPOutboundTrunk": 1}
    assert mixed["preview"]["calls"] == 0 and mixed["up_converged"]["calls"] == 0
    assert mixed["refresh"]["methods"] == {"ListSIPDispatchRule": 1, "ListSIPInboundTrunk": 1,
                                           "ListSIPOutboundTrunk": 1}
    assert data["targets"][7]["met"] and data["targets"][8]["met"]
    assert data["memory"]["trunks"] == 2
    assert data["memory"]["samples"] > 0 and data["memory"]["peak_hwm_mib"] > 0
    assert data["targets"][5]["met"] is None  # one size cannot show a slope
    assert data["targets"][4]["met"] is None  # 100 trunks at 50 ms were not measured


def test_markdown_has_every_row(results: tuple[dict[str, Any], str]) -> None:
    _, table = results
    rows = [line for line in table.splitlines() if line.startswith("|")]
    firsts = [row.split("|")[1].strip() for row in rows]
    for op in OPERATIONS:
        assert op in firsts
    assert "2" in firsts
    for text in ("each operation ≤ 1.10× a bare request", "converged `preview` makes 0 API calls",
                 "converged `up` makes 0 API calls", "`refresh` of N trunks makes ≤ ceil(N/100)+1 API calls",
                 "`up` of 100 trunks at 50 ms", "`up` wall time grows linearly in N",
                 "`up` of 2 trunks under 60/min", "dynamic provider peak memory"):
        assert any(first.startswith(text) for first in firsts), text
    headers = [row for row in rows if row.startswith("| Trunks")]
    assert len(headers) == 3  # a commands table per latency, and the rate limit
    assert [c.strip() for c in headers[0].split("|")[1:-1]] == [
        "Trunks", "`up`", "converged `up`", "`preview`", "`refresh`", "`destroy`", "engine share of `up`"]
    tables = [block.splitlines() for block in table.split("\n\n") if block.startswith("|")]
    assert len(tables) == 8
    side_by_side = next(lines for lines in tables if "`up` plugin" in lines[0])
    assert [row.split("|")[1:3] for row in side_by_side[2:]] == [[" 0 ms ", " 2 "], [" 5 ms ", " 2 "]]
    for lines in tables:
        assert all(line.count("|") == lines[0].count("|") for line in lines), lines
