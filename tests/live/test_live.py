"""The lifecycle against a real LiveKit project: create with every field, update, rotation,
replace, drift, adopt, destroy, through the real `pulumi` CLI.

Every trunk it makes has this run's unique name prefix; it reads, changes and deletes only
those, and deletes them even when a step fails. Checks go through the official SDK. At the
end it prints what the run cost: API calls (the provider's call log plus the SDK's) and trunks.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from livekit_sip.settings import Settings
from scripts.project import Project
from tests.live.conftest import LIVE
from tests.support import official
from tests.support.specs import full_config

PASSWORDS = ["live-Pa55word-one", "live-Pa55word-two"]
USERNAME = "live-user"


@dataclass
class Run:
    prefix: str
    project: Project
    log: Path
    target: Settings
    sdk_calls: int = 0
    made: set[str] = field(default_factory=set)
    ids: dict[str, str] = field(default_factory=dict)

    def number(self, index: int) -> str:
        return f"+1555{int(self.prefix[-6:], 16) % 10**6:06d}{index}"

    def mine(self) -> dict[str, Any]:
        """This run's trunks on the server, by id (one SDK listing)."""
        self.sdk_calls += 1
        return {i: t for i, t in official.list_trunks(self.target).items() if t.name.startswith(self.prefix)}

    def set_trunks(self, **entries: dict[str, Any]) -> None:
        self.project.set_trunks(entries)

    def up(self, **kwargs: Any) -> None:
        self.project.run("up", **kwargs)
        self.ids = dict(self.project.outputs()["trunkIds"])
        self.made |= set(self.ids.values())

    def provider_calls(self) -> int:
        return sum(" -> " in line for line in self.log.read_text().splitlines()) if self.log.exists() else 0


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, target: Settings) -> Iterator[Run]:
    prefix = f"lksip-live-{secrets.token_hex(3)}"
    work = tmp_path_factory.mktemp("live")
    log = work / "provider.log"
    env = {**target.as_env(), "LIVEKIT_SIP_LOG_FILE": str(log)}
    live = Run(prefix, Project.create(work / "project", env, "live"), log, target)
    try:
        yield live
    finally:
        live.project.run("destroy")  # then delete whatever of ours survived a failed step
        for sip_trunk_id in live.mine():
            live.sdk_calls += 1
            official.delete_trunk(target, sip_trunk_id)
        print(f"\nlive suite against {'LIVEKIT_URL' if LIVE else 'the local dev server'}: "
              f"{live.provider_calls()} provider API calls, {live.sdk_calls} SDK calls, "
              f"{len(live.made)} trunks made")


def test_lifecycle(run: Run) -> None:
    full = full_config(name=f"{run.prefix} full", numbers=[run.number(0), run.number(1)])
    run.set_trunks(full=full, plain={"name": f"{run.prefix} plain", "address": "sip.example.org",
                                     "numbers": [run.number(2)]})
    run.project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.full.username", "--", USERNAME)
    run.project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.full.password", "--", PASSWORDS[0])

    # Create with every field.
    run.up()
    created = dict(run.ids)
    trunk = run.mine()[created["full"]]
    assert (trunk.address, list(trunk.numbers)) == (full["address"], full["numbers"])
    assert (trunk.transport, trunk.include_headers, trunk.media_encryption) == (3, 1, 1)
    assert dict(trunk.headers) == full["headers"] and trunk.from_host == full["fromHost"]
    assert trunk.auth_username == USERNAME
    assert run.project.run("preview").change_summary == {"same": 3}

    # Update in place: name and numbers.
    full = dict(full, name=f"{run.prefix} full renamed", numbers=[run.number(1), run.number(3)])
    run.set_trunks(full=full, plain={"name": f"{run.prefix} plain", "address": "sip.example.org",
                                     "numbers": [run.number(2)]})
    run.up()
    trunk = run.mine()[created["full"]]
    assert (trunk.name, sorted(trunk.numbers)) == (full["name"], sorted(full["numbers"]))

    # Password rotation.
    run.project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.full.password", "--", PASSWORDS[1])
    run.up()
    trunk = run.mine()[created["full"]]
    assert trunk.auth_password in (PASSWORDS[1], ""), "rotated, unless the server redacts passwords"

    # Replace: a header map changes.
    full = dict(full, headers={"X-Team": "support"})
    run.set_trunks(full=full, plain={"name": f"{run.prefix} plain", "address": "sip.example.org",
                                     "numbers": [run.number(2)]})
    run.up()
    assert dict(run.mine()[created["full"]].headers) == {"X-Team": "support"}

    # Drift: an out-of-band edit, restored by `up --refresh`.
    run.sdk_calls += 1
    official.update_trunk(run.target, created["plain"], name=f"{run.prefix} edited by hand")
    run.up(refresh=True)
    assert run.mine()[created["plain"]].name == f"{run.prefix} plain"

    # Adopt: a trunk made outside Pulumi is taken over with its ID.
    run.sdk_calls += 1
    outside = official.create_trunk(run.target, name=f"{run.prefix} outside", address="sip.example.net",
                                    numbers=[run.number(4)]).sip_trunk_id
    run.made.add(outside)
    run.set_trunks(full=full, plain={"name": f"{run.prefix} plain", "address": "sip.example.org",
                                     "numbers": [run.number(2)]},
                   adopted={"name": f"{run.prefix} adopted", "address": "sip.example.net",
                            "numbers": [run.number(4)], "adoptTrunkId": outside})
    run.up()
    assert run.ids == {**created, "adopted": outside}
    assert run.mine()[outside].name == f"{run.prefix} adopted"
    assert all(run.ids[key] == created[key] for key in created), "no trunk changed its ID"

    # Destroy: nothing of this run is left.
    run.project.run("destroy")
    assert run.mine() == {}
