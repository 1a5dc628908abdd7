"""A user's own infra repo: the wheel in its own venv, plain `pulumi` from the tool bed, and
nothing of this checkout on the path. Runs the two-line program and the README's Python API
snippet against the dev server, checks with the official SDK, then destroys."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from livekit_sip.settings import Settings
from scripts.project import ROOT
from scripts.stack import with_stack
from tests.package.conftest import clean_env, run
from tests.support import official

PULUMI = ROOT / ".tools" / "bin" / "pulumi"
TWO_LINES = "from livekit_sip import program\n\nprogram.run()\n"
STACK_CONFIG = """\
config:
  livekit-sip:trunks:
    carrier-us:
      name: infra repo trunk
      address: sip.example.com
      numbers: ["+15105550177"]
      transport: tls
"""


def readme_python_snippet() -> str:
    """The first python block of the Python API page, as a user would copy it."""
    section = (ROOT / "docs" / "python-api.md").read_text()
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "docs/python-api.md has no python block"
    return match.group(1)


@pytest.fixture
def pulumi(infra: Path, settings: Settings, tmp_path: Path) -> Iterator[Callable[..., str]]:
    (infra / "Pulumi.yaml").write_text(
        "name: infra\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    env = clean_env(
        PATH=f"{PULUMI.parent}:{clean_env()['PATH']}",
        PULUMI_HOME=str(tmp_path / "home"), PULUMI_BACKEND_URL=(tmp_path / "state").as_uri(),
        PULUMI_CONFIG_PASSPHRASE="infra-test", PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        LIVEKIT_URL=settings.url, LIVEKIT_API_KEY=settings.api_key, LIVEKIT_API_SECRET=settings.api_secret)
    (tmp_path / "state").mkdir()
    stacks: list[str] = []

    def cli(*args: str, stack: str) -> str:
        if stack not in stacks:
            run("pulumi", "stack", "init", stack, "--secrets-provider", "passphrase", cwd=infra, env=env)
            stacks.append(stack)
        return run("pulumi", "--non-interactive", *with_stack(list(args), stack), cwd=infra, env=env).stdout

    yield cli
    for stack in stacks:  # leave nothing behind even when a check failed
        run("pulumi", "--non-interactive", "destroy", "--yes", "--stack", stack, cwd=infra, env=env, check=False)
    shutil.rmtree(tmp_path / "state", ignore_errors=True)


def test_two_line_program_and_readme_snippet_in_a_users_own_project(
        infra: Path, pulumi: Callable[..., str], settings: Settings) -> None:
    cli = pulumi

    # The stack-config program, as a user's __main__.py.
    (infra / "__main__.py").write_text(TWO_LINES)
    (infra / "Pulumi.dev.yaml").write_text(STACK_CONFIG)
    cli("config", "set", "--secret", "--path", "livekit-sip:credentials.carrier-us.username", "--", "infra-user",
        stack="dev")
    cli("config", "set", "--secret", "--path", "livekit-sip:credentials.carrier-us.password", "--", "infra-pass-1",
        stack="dev")
    up = cli("up", "--yes", stack="dev")
    assert "+ 2 created" in up, up
    ids = json.loads(cli("stack", "output", "trunkIds", "--json", stack="dev"))
    trunk = official.list_trunks(settings)[ids["carrier-us"]]
    assert (trunk.name, trunk.address, list(trunk.numbers)) == ("infra repo trunk", "sip.example.com",
                                                                ["+15105550177"])
    assert (trunk.auth_username, trunk.auth_password) == ("infra-user", "infra-pass-1")
    assert "2 unchanged" in cli("preview", stack="dev")

    # The README's Python API snippet, copied as is.
    (infra / "__main__.py").write_text(readme_python_snippet())
    up = cli("up", "--yes", stack="api")
    assert "+ 2 created" in up, up
    api_id = cli("stack", "output", "id", stack="api").strip()
    assert api_id.startswith("ST_")
    assert official.list_trunks(settings)[api_id].address == "sip.telnyx.com"

    for stack in ("api", "dev"):
        assert "deleted" in cli("destroy", "--yes", stack=stack)
    left = official.list_trunks(settings)
    assert ids["carrier-us"] not in left and api_id not in left
