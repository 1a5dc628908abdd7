"""The import contracts of `make lint` hold, and break on an import that points up or across kinds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.project import ROOT

LINT = Path(sys.executable).parent / "lint-imports"


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)}, text=True, capture_output=True)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts."""
    shutil.copytree(ROOT / "livekit_sip", tmp_path / "livekit_sip", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_layers_and_its_kinds_apart(tree: Path) -> None:
    done = lint(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(("module", "planted", "broken"), [
    ("wire.py", "from livekit_sip import stack_config", "Layers point down"),
    ("outbound/spec.py", "from livekit_sip.outbound import resource", "Layers point down"),
    ("dispatch/config.py", "from livekit_sip.inbound import provider", "Kinds are independent"),
], ids=["wire-imports-config", "spec-imports-resource", "kind-imports-kind"])
def test_a_planted_import_breaks_a_contract(tree: Path, module: str, planted: str, broken: str) -> None:
    with (tree / "livekit_sip" / module).open("a") as file:
        file.write(f"\n{planted}  # noqa: F401\n")
    done = lint(tree)
    assert done.returncode != 0
    assert "Broken contracts" in done.stdout, done.stdout
    assert broken in done.stdout.split("Broken contracts", 1)[1]
