"""Fixtures for end-to-end tests: a project copy driven by the real pulumi CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from livekit_sip.settings import Settings
from scripts.project import Project
from scripts.proxy import Proxy


@pytest.fixture(scope="module")
def proxy(livekit: object) -> Iterator[Proxy]:
    """A recording proxy between the provider and the test server."""
    with Proxy(livekit.url) as recording:  # type: ignore[attr-defined]
        yield recording


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> Project:
    env = settings.as_env(proxy.url)
    return Project.create(Path(tmp_path_factory.mktemp("project")), env)
