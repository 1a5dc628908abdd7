"""The example stacks and the stack block of the LiveKit Cloud quickstart are valid configs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.support.config import read_stack_config

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_local_dev_and_prod_stacks_exist() -> None:
    assert {p.name for p in STACKS} >= {"Pulumi.local.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"}


@pytest.mark.parametrize("path", STACKS, ids=[p.stem for p in STACKS])
def test_example_stack_trunks_validate(path: Path) -> None:
    config = yaml.safe_load(path.read_text())["config"]
    stack = read_stack_config(config["livekit-sip:trunks"], ROOT, protect=config.get("livekit-sip:protect"))
    assert stack.trunks and all(e.fields["address"] and e.fields["numbers"] for e in stack.trunks.values())


def test_the_cloud_quickstart_block_validates() -> None:
    page = (ROOT / "docs" / "stack-config.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", page, re.S) if b.startswith("config:")]
    assert blocks, "docs/stack-config.md has no stack config block"
    config = yaml.safe_load(blocks[0].replace("{secure: ...}", "x"))["config"]
    assert set(read_stack_config(config["livekit-sip:trunks"], ROOT).trunks) == {"telnyx-us", "twilio-eu"}
