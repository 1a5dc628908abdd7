"""`read_stack_config` called the way the tests read best: the outbound trunks first, the
other sections by their snake_case names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from livekit_sip import stack_config
from livekit_sip.names import camel
from livekit_sip.section import StackConfig


def read_stack_config(trunks: Any, base_dir: Path, secrecy: Any = None, **sections: Any) -> StackConfig:
    """`stack_config.read_stack_config` of `trunks` and `sections` (``inbound_trunks=...``)."""
    values = {"trunks": trunks, **{camel(name): value for name, value in sections.items()}}
    unknown = set(values) - set(stack_config.CONFIG_KEYS)
    assert not unknown, f"no such section: {unknown}"
    return stack_config.read_stack_config(values, base_dir, secrecy)
