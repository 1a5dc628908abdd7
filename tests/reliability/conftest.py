"""Reliability fixtures: a dev server of its own (its processes get killed), a
recording proxy in front of it, and a project copy driven by the real CLI."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import pytest

from livekit_sip.settings import Settings
from scripts import devserver
from scripts.project import Project
from scripts.proxy import Proxy
from tests.conftest import serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devserver.DevServer]:
    """A server of this module's own: fault tests kill and flush it."""
    yield from serve(tmp_path_factory.mktemp("faultserver"))


@pytest.fixture(scope="module")
def server_settings(server: devserver.DevServer) -> Settings:
    return Settings(server.url, server.api_key, server.api_secret)


@pytest.fixture(scope="module")
def fault_proxy(server: devserver.DevServer) -> Iterator[Proxy]:
    with Proxy(server.url) as proxy:
        yield proxy


def make_project(base: Path, proxy: Proxy, server: devserver.DevServer, stack: str, **env: str) -> Project:
    return Project.create(base, {**server.env(proxy.url), **env}, stack_name=stack)


def many(n: int, prefix: str = "t") -> dict[str, dict[str, object]]:
    """`n` valid trunk entries with distinct keys and numbers."""
    return {f"{prefix}{i:03d}": {"address": "sip.example.com", "numbers": [f"+1510555{i:04d}"]}
            for i in range(n)}


def up_with_livekit_killed(project: Project, proxy: Proxy, server: devserver.DevServer, creates: Collection[str],
                           ready: Callable[[], bool], at_kill: Callable[[], None]) -> bool:
    """`up` with each of `creates` slowed by 50 ms, livekit-server killed once `ready()` holds
    (then `at_kill()` runs, to look at what got through) and started again a second later.
    Returns whether the interrupted `up` failed; the documented recovery is the caller's."""
    failure: list[BaseException] = []

    def up() -> None:
        try:
            project.run("up")
        except BaseException as err:  # the interrupted up may fail; recovery follows
            failure.append(err)

    def slow_creates(method: str, attempt: int) -> None:
        if method in creates:
            time.sleep(0.05)  # keeps the up in flight long enough to be cut in the middle
        return None

    proxy.fault = slow_creates
    runner = threading.Thread(target=up)
    runner.start()
    deadline = time.monotonic() + 60
    while not ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    devserver.stop_one(server.state_dir, "livekit")
    at_kill()
    time.sleep(1.0)
    devserver.start_livekit(server.state_dir, server.http_port, server.redis_port, server.api_key, server.api_secret)
    runner.join(timeout=300)
    assert not runner.is_alive()
    proxy.fault = None
    return bool(failure)


def flaky(seed: int, share: float = 0.3) -> tuple[Callable[[str, int], tuple[int, str] | None], Counter[int]]:
    """A proxy fault answering `share` of requests 429 or 503 (seeded, thread-safe), and the
    count of each status it injected."""
    rng, injected, lock = random.Random(seed), Counter[int](), threading.Lock()

    def fault(method: str, attempt: int) -> tuple[int, str] | None:
        with lock:
            if rng.random() >= share:
                return None
            status = rng.choice([429, 503])
            injected[status] += 1
        code = "resource_exhausted" if status == 429 else "unavailable"
        return status, f'{{"code": "{code}", "msg": "injected"}}'

    return fault, injected
