"""Shared fixtures: one real livekit-server (with Redis) per test session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from livekit_sip.client import SIPClient
from livekit_sip.settings import Settings
from scripts import devserver

ROOT = Path(__file__).resolve().parent.parent


def serve(state_dir: Path) -> Iterator[devserver.DevServer]:
    """A real livekit-server on free loopback ports, stopped by PID afterwards;
    fails (never skips) when a tool is missing."""
    try:
        server = devserver.start(state_dir)
    except devserver.ToolMissing as err:
        pytest.fail(str(err), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def livekit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devserver.DevServer]:
    """The session's livekit-server, shared by integration and end-to-end tests."""
    yield from serve(tmp_path_factory.mktemp("devserver"))


@pytest.fixture(scope="session")
def settings(livekit: devserver.DevServer) -> Settings:
    return Settings(livekit.url, livekit.api_key, livekit.api_secret)


@pytest.fixture
def client(settings: Settings) -> Iterator[SIPClient]:
    sip = SIPClient(settings)
    yield sip
    sip.close()


@pytest.fixture
def clean_project(client: SIPClient) -> Iterator[None]:
    """Starts and leaves the project with no outbound trunks."""
    for trunk in client.outbound.list():
        client.outbound.delete(trunk.sip_trunk_id)
    yield
    for trunk in client.outbound.list():
        client.outbound.delete(trunk.sip_trunk_id)


@pytest.fixture(autouse=True)
def _no_livekit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    os.environ.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")


@pytest.fixture(autouse=True)
def _restore_tracebacklimit() -> Iterator[None]:
    """Provider errors set sys.tracebacklimit for the CLI; don't let that reach other tests."""
    yield
    sys.__dict__.pop("tracebacklimit", None)
