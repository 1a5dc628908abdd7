"""Reliability fixtures: a dev server of its own (its processes get killed), a
recording proxy in front of it, and a project copy driven by the real CLI."""

from __future__ import annotations

from collections.abc import Iterator
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
