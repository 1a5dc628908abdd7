"""LiveKit stopped: a refresh of many trunks fails in about one deadline, not one per trunk."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from scripts import devserver
from scripts.project import Project
from tests.reliability.conftest import many
from tests.reliability.test_connection import error_lines, no_provider_traceback

TRUNKS = 24
DEADLINE = 4.0
#: Room for a loaded machine on top of the converged refresh measured first.
SLACK = 10.0


def test_refresh_of_24_trunks_with_livekit_stopped_fails_within_two_deadlines(
        tmp_path: Path, server: devserver.DevServer) -> None:
    project = Project.create(tmp_path, {**server.env(), "LIVEKIT_SIP_DEADLINE": str(DEADLINE)}, "outage")
    project.set_trunks(many(TRUNKS))
    project.run("up")
    started = time.monotonic()
    project.run("refresh")
    converged = time.monotonic() - started

    devserver.stop_one(server.state_dir, "livekit")
    try:
        started = time.monotonic()
        with pytest.raises(auto_errors.CommandError) as raised:
            project.run("refresh")
        elapsed = time.monotonic() - started
    finally:
        devserver.start_livekit(server.state_dir, server.http_port, server.redis_port,
                                server.api_key, server.api_secret)
    text = str(raised.value)
    lines = error_lines(text)
    print(f"refresh of {TRUNKS} trunks: {converged:.1f} s with LiveKit up, "
          f"{elapsed:.1f} s with it stopped (deadline {DEADLINE:.0f} s), {len(lines)} error lines")
    assert elapsed < converged + 2 * DEADLINE + SLACK, f"{elapsed:.1f} s"
    # One line per trunk, each naming its trunk and the unreachable URL.
    assert len(lines) == TRUNKS, text
    for key in many(TRUNKS):
        assert sum(f"'{key}'" in line for line in lines) == 1, key
    assert all(f"cannot reach {server.url}" in line for line in lines), lines
    assert no_provider_traceback(text) and server.api_secret not in text
    project.run("refresh")
    project.run("destroy")
