"""Every block a reader would copy from README.md and docs/ works, or says it is illustrative.

- ```yaml stack config (`config:`, or a snippet of `livekit-sip:` sections) validates as the
  program validates it, secure values standing for secrets;
- ```yaml `Pulumi.yaml` parses with a name and a runtime;
- ```python compiles, and runs under Pulumi's mocks;
- ```sh made of `pulumi config` commands runs, line by line, with the real CLI on a throwaway stack;
- any other block of those languages carries a marker on the line before it:
  ``<!-- illustrative: why -->`` or ``<!-- run by tests/<path> -->`` (that test reads the page).

Output samples (``` with no language) are shown, not copied, and are left alone.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from livekit_sip.stack_config import read_stack_config
from scripts import stack as stack_runner
from scripts.project import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
MARKER = re.compile(r"<!-- (illustrative|run by ([\w/.]+))\b.*-->\s*$")
LANGUAGES = ("sh", "yaml", "python")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    text: str
    marker: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text()
        for match in FENCE.finditer(text):
            if match.group(1) not in LANGUAGES:
                continue
            before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            marker = MARKER.search(before)
            found.append(Block(page, text[:match.start()].count("\n") + 1, match.group(1), match.group(2),
                               marker.group(0) if marker else ""))
    return found


ALL = blocks()


def kind(block: Block) -> str:
    """How the block is checked; "" when it cannot be, and must be marked."""
    text = block.text
    if block.language == "yaml":
        if text.startswith("config:") or text.startswith("  livekit-sip:"):
            return "stack-config"
        if text.startswith("# Pulumi.yaml"):
            return "project"
    if block.language == "python":
        return "python"
    if block.language == "sh":
        commands = [line for line in text.splitlines() if line.split("#", 1)[0].strip()]
        if commands and all(line.startswith(("pulumi config set ", "pulumi config rm ")) for line in commands):
            return "config-commands"
    return ""


def test_the_pages_have_blocks_of_every_kind() -> None:
    kinds = {kind(block) for block in ALL if not block.marker}
    assert {"stack-config", "project", "python", "config-commands"} <= kinds


@pytest.mark.parametrize("block", [b for b in ALL if b.marker], ids=lambda b: b.name)
def test_a_marked_block_says_why_or_names_the_test_that_runs_it(block: Block) -> None:
    match = MARKER.search(block.marker)
    assert match
    if match.group(2):
        test = ROOT / match.group(2)
        assert test.is_file(), f"{block.name}: {match.group(2)} does not exist"
        assert block.page.name in test.read_text(), f"{block.name}: {match.group(2)} does not read {block.page.name}"
    else:
        assert re.search(r"illustrative: \S", block.marker), f"{block.name}: say why it is illustrative"


@pytest.mark.parametrize("block", [b for b in ALL if not b.marker], ids=lambda b: b.name)
def test_an_unmarked_block_can_be_checked(block: Block) -> None:
    assert kind(block), (f"{block.name}: a {block.language} block that no test runs; make it checkable or mark "
                         "it <!-- illustrative: why -->")


def stack_config_values(text: str) -> dict[str, Any]:
    """The `livekit-sip:` sections of a stack config block, secure values as placeholders."""
    text = text.replace("{secure: ...}", "secret-placeholder")
    if not text.startswith("config:"):
        text = "config:\n" + text
    config = yaml.safe_load(text)["config"]
    return {key.removeprefix("livekit-sip:"): value for key, value in config.items() if key.startswith("livekit-sip:")}


@pytest.mark.parametrize("block", [b for b in ALL if not b.marker and kind(b) == "stack-config"],
                         ids=lambda b: b.name)
def test_a_stack_config_block_validates(block: Block) -> None:
    values = stack_config_values(block.text)
    assert values, f"{block.name}: no livekit-sip: section"
    if "pins" in values or "credentials" in values or "inboundCredentials" in values:
        # The placeholder stands for a secret: the program would see the real value.
        values = {k: ({key: "4711" for key in v} if k == "pins" and isinstance(v, dict) else v)
                  for k, v in values.items()}
    read_stack_config(values, block.page.parent)


@pytest.mark.parametrize("block", [b for b in ALL if not b.marker and kind(b) == "project"], ids=lambda b: b.name)
def test_a_project_block_is_a_pulumi_project(block: Block) -> None:
    project = yaml.safe_load(block.text)
    assert project["name"] and project["runtime"]


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Iterator[None]:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(Mocks(), project="docs", stack="dev", preview=False)
    yield
    # No engine again: later tests of this process log as a provider outside Pulumi does.
    pulumi.runtime.settings.configure(pulumi.runtime.settings.Settings(project=None, stack=None))
    asyncio.set_event_loop(None)
    loop.close()


@pytest.mark.parametrize("block", [b for b in ALL if not b.marker and kind(b) == "python"], ids=lambda b: b.name)
def test_a_python_block_runs_under_pulumis_mocks(block: Block, mocks: None) -> None:
    code = compile(block.text, block.name, "exec")
    # Config the block reads with require_secret / require: any value will do under mocks.
    for key in re.findall(r"require(?:_secret)?\(\"(\w+)\"\)", block.text):
        pulumi.runtime.set_config(f"docs:{key}", "docs-value")
    namespace: dict[str, Any] = {"__name__": "__main__"}

    @pulumi.runtime.test
    def run() -> Any:
        exec(code, namespace)  # noqa: S102 - the block, as a reader would paste it
        return None

    run()


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project with one stack, for the config commands (they need no program and no server)."""
    work = tmp_path_factory.mktemp("docs-project")
    (work / "Pulumi.yaml").write_text("name: docs\nruntime: python\n")
    env = {"PULUMI_CONFIG_PASSPHRASE": "docs"}
    (work / "state").mkdir()
    stack_runner.cli("docs", ["stack", "init", "--secrets-provider", "passphrase"], work, work / "state", env)
    return work, env


@pytest.mark.parametrize("block", [b for b in ALL if not b.marker and kind(b) == "config-commands"],
                         ids=lambda b: b.name)
def test_config_commands_run_with_the_real_cli(block: Block, throwaway: tuple[Path, dict[str, str]]) -> None:
    work, env = throwaway
    for line in block.text.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        done = stack_runner.cli("docs", words[1:], work, work / "state", env, check=False)
        assert done.returncode == 0, f"{block.name}: {line}\n{done.stderr}"
