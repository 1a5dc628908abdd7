"""The faults of `test_faults.py` against a whole setup of inbound trunks and dispatch
rules: rate limits and unavailability, high parallelism, and a killed server. Each
object is made once, none is left over, and every rule names the live trunks of its keys."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from livekit_sip.settings import Settings
from scripts import devserver
from scripts.project import Project
from scripts.proxy import Proxy
from tests.reliability.conftest import flaky, make_project, up_with_livekit_killed
from tests.support import official

CREATES = ("CreateSIPInboundTrunk", "CreateSIPDispatchRule")


@pytest.fixture(autouse=True)
def _clear(fault_proxy: Proxy, server_settings: Settings) -> None:
    fault_proxy.fault = None
    fault_proxy.reset()
    for rule_id in official.list_rules(server_settings):
        official.delete_rule(server_settings, rule_id)
    for trunk_id in official.list_inbound(server_settings):
        official.delete_trunk(server_settings, trunk_id)


def number(i: int) -> str:
    return f"+1415555{i:04d}"


def setup(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """`n` inbound trunks with distinct numbers, and `n` rules: rule i names trunk i, and
    every third rule also trunk i+1. Each rule's called number (trunk i's) keeps LiveKit's
    conflict keys of rules sharing a trunk apart."""
    inbound = {f"in{i:03d}": {"numbers": [number(i)], "allowedAddresses": ["192.0.2.0/24"]} for i in range(n)}
    rules = {}
    for i in range(n):
        trunks = [f"in{i:03d}"] + ([f"in{(i + 1) % n:03d}"] if i % 3 == 0 else [])
        rules[f"r{i:03d}"] = {"trunks": trunks, "numbers": [number(i)], "individual": {"roomPrefix": f"call{i}-"}}
    return inbound, rules


def declare(project: Project, n: int) -> dict[str, Any]:
    inbound, rules = setup(n)
    project.set_config({"livekit-sip:inboundTrunks": inbound, "livekit-sip:dispatchRules": rules})
    return rules


def check_converged(project: Project, settings: Settings, rules: dict[str, Any]) -> None:
    """Exactly the declared trunks and rules, none twice, no orphan, each rule on its own trunks."""
    n = len(rules)
    trunks, live_rules = official.list_inbound(settings), official.list_rules(settings)
    trunk_names = Counter(t.name for t in trunks.values())
    rule_names = Counter(r.name for r in live_rules.values())
    assert (len(trunks), len(live_rules)) == (n, n), (
        f"{len(trunks)} inbound trunks and {len(live_rules)} rules on the server, {n} of each declared")
    assert set(trunk_names.values()) == {1}, f"duplicated trunks: {+(trunk_names - Counter(set(trunk_names)))}"
    assert set(rule_names.values()) == {1}, f"duplicated rules: {+(rule_names - Counter(set(rule_names)))}"
    outputs = project.outputs()
    trunk_ids, rule_ids = outputs["inboundTrunkIds"], outputs["dispatchRuleIds"]
    assert set(trunk_ids) == {f"in{i:03d}" for i in range(n)} and set(rule_ids) == set(rules)
    assert set(trunk_ids.values()) == set(trunks), "stack's inbound trunks are the server's"
    assert set(rule_ids.values()) == set(live_rules), "stack's rules are the server's"
    for key, trunk_id in trunk_ids.items():
        assert trunks[trunk_id].name == key
    for key, rule_id in rule_ids.items():
        live = live_rules[rule_id]
        assert live.name == key
        assert sorted(live.trunk_ids) == sorted(trunk_ids[k] for k in rules[key]["trunks"]), key
        assert list(live.numbers) == rules[key]["numbers"]


def test_setup_of_20_survives_429_and_503_on_30_percent_of_requests(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    fault, injected = flaky(11)

    project = make_project(tmp_path, fault_proxy, server, "flakysetup")
    rules = declare(project, 20)
    fault_proxy.fault = fault
    project.run("up")
    fault_proxy.fault = None
    calls = Counter(c.method for c in fault_proxy.calls)
    print(f"injected: {dict(injected)}; calls: {dict(calls)}")
    assert injected[429] > 0 and injected[503] > 0
    check_converged(project, server_settings, rules)
    project.run("destroy")
    assert official.list_inbound(server_settings) == {} and official.list_rules(server_settings) == {}


def test_parallel_16_setup_of_50_creates_each_trunk_and_rule_exactly_once(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    project = make_project(tmp_path, fault_proxy, server, "widesetup")
    rules = declare(project, 50)
    project.run("up", parallel=16)
    for method in CREATES:
        creates = [c for c in fault_proxy.calls if c.method == method]
        assert len(creates) == 50 and all(c.status == 200 for c in creates), (
            method, Counter(c.status for c in creates))
    check_converged(project, server_settings, rules)
    project.run("destroy")
    assert official.list_inbound(server_settings) == {} and official.list_rules(server_settings) == {}


@pytest.mark.parametrize(("during", "at_least"), [("CreateSIPInboundTrunk", 10), ("CreateSIPDispatchRule", 5)],
                         ids=["during-trunk-creates", "during-rule-creates"])
def test_livekit_killed_mid_setup_up_converges_to_exactly_the_declared_setup(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings,
        during: str, at_least: int) -> None:
    n = 25
    project = make_project(tmp_path, fault_proxy, server, "crashsetup")
    rules = declare(project, n)
    seen: dict[str, Counter[str]] = {}

    def creates() -> Counter[str]:
        return Counter(m for m in fault_proxy.methods() if m in CREATES)

    def at_kill() -> None:
        seen["sent"] = creates()
        seen["answered"] = Counter(c.method for c in list(fault_proxy.calls) if c.method in CREATES and c.status == 200)
        assert seen["sent"][during] >= at_least and seen["answered"][during] < n, (
            f"the server must die in the middle of the {during} calls: {dict(seen['sent'])}, "
            f"answered {dict(seen['answered'])}")

    failed = up_with_livekit_killed(project, fault_proxy, server, CREATES, lambda: creates()[during] >= at_least,
                                    at_kill)
    print(f"creates at kill: {dict(seen['sent'])}, of which answered: {dict(seen['answered'])}; "
          f"interrupted up failed: {failed}; calls: {dict(Counter(c.method for c in fault_proxy.calls))}")
    # The documented recovery: refresh, then up.
    project.run("refresh")
    project.run("up")
    check_converged(project, server_settings, rules)
    project.run("destroy")
    assert official.list_inbound(server_settings) == {} and official.list_rules(server_settings) == {}
