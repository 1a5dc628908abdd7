"""Real faults under `pulumi up`: rate limits, a killed server, a flushed store, a
stalled server and high parallelism. No trunk is lost and none is made twice."""

from __future__ import annotations

import socket
import time
from collections import Counter
from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from livekit_sip.settings import Settings
from scripts import devserver
from scripts.proxy import Proxy
from tests.reliability.conftest import flaky, make_project, many, up_with_livekit_killed
from tests.support import official


@pytest.fixture(autouse=True)
def _clear(fault_proxy: Proxy, server_settings: Settings) -> None:
    fault_proxy.fault = None
    fault_proxy.reset()
    for trunk_id in official.list_trunks(server_settings):
        official.delete_trunk(server_settings, trunk_id)


def names_on_server(settings: Settings) -> Counter[str]:
    return Counter(t.name for t in official.list_trunks(settings).values())


def test_up_of_50_survives_429_and_503_on_30_percent_of_requests(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    fault, injected = flaky(7)
    project = make_project(tmp_path, fault_proxy, server, "flaky")
    project.set_trunks(many(50))
    fault_proxy.fault = fault
    project.run("up")
    fault_proxy.fault = None
    assert injected[429] > 0 and injected[503] > 0
    names = names_on_server(server_settings)
    assert len(names) == 50 and set(names.values()) == {1}
    assert set(project.outputs()["trunkIds"].values()) == set(official.list_trunks(server_settings))
    project.run("destroy")


def test_parallel_16_up_of_100_creates_each_trunk_exactly_once(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    project = make_project(tmp_path, fault_proxy, server, "wide")
    project.set_trunks(many(100))
    project.run("up", parallel=16)
    creates = [c for c in fault_proxy.calls if c.method == "CreateSIPOutboundTrunk"]
    assert len(creates) == 100 and all(c.status == 200 for c in creates)
    names = names_on_server(server_settings)
    assert len(names) == 100 and set(names.values()) == {1}
    project.run("destroy")
    assert official.list_trunks(server_settings) == {}


def flush_redis(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"FLUSHALL\r\n")
        assert sock.recv(16).startswith(b"+OK")


def test_flushed_store_is_recreated_by_refresh_then_up(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    project = make_project(tmp_path, fault_proxy, server, "flush")
    project.set_trunks(many(20))
    project.run("up")
    before = set(project.outputs()["trunkIds"].values())
    flush_redis(server.redis_port)
    assert official.list_trunks(server_settings) == {}
    project.run("refresh")
    project.run("up")
    after = project.outputs()["trunkIds"]
    assert len(after) == 20 and not before & set(after.values())
    assert set(after.values()) == set(official.list_trunks(server_settings))
    project.run("destroy")


def test_livekit_killed_mid_up_converges_to_exactly_50_trunks(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer, server_settings: Settings) -> None:
    project = make_project(tmp_path, fault_proxy, server, "crash")
    project.set_trunks(many(50))
    seen: list[int] = []

    def at_kill() -> None:
        seen.append(fault_proxy.methods().count("CreateSIPOutboundTrunk"))
        assert 15 <= seen[0] < 50, "the server must die in the middle of the up"

    failed = up_with_livekit_killed(project, fault_proxy, server, {"CreateSIPOutboundTrunk"},
                                    lambda: fault_proxy.methods().count("CreateSIPOutboundTrunk") >= 15, at_kill)
    print(f"creates at kill: {seen[0]}; interrupted up failed: {failed}; "
          f"calls: {Counter(c.method for c in fault_proxy.calls)}")
    # The documented recovery: refresh, then up.
    project.run("refresh")
    project.run("up")
    names = names_on_server(server_settings)
    assert len(names) == 50, f"trunks on server: {sum(names.values())}"
    assert set(names.values()) == {1}, "no duplicates"
    assert set(project.outputs()["trunkIds"].values()) == set(official.list_trunks(server_settings))
    assert project.resource_outputs("t000") is not None
    project.run("destroy")


def test_stalled_server_fails_up_with_a_timeout_within_the_deadline(
        tmp_path: Path, fault_proxy: Proxy, server: devserver.DevServer) -> None:
    project = make_project(tmp_path, fault_proxy, server, "stall", LIVEKIT_SIP_DEADLINE="3")
    project.set_trunks(many(1))
    fault_proxy.fault = lambda method, attempt: "stall"
    started = time.monotonic()
    with pytest.raises(auto_errors.CommandError) as raised:
        project.run("up")
    elapsed = time.monotonic() - started
    text = str(raised.value)
    # One create (ambiguous, not resent) and one lookup, each bounded by the 3 s deadline.
    assert elapsed < 3 * 2 + 30
    assert "no answer from" in text and "trunk 't000'" in text
    assert "livekit_sip/" not in text, "no provider traceback"
