"""The CI example under examples/ci/ passes actionlint, the GitHub Actions linter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from scripts.project import ROOT

ACTIONLINT = ROOT / ".tools" / "bin" / "actionlint"
WORKFLOW = ROOT / "examples" / "ci" / "pulumi.yml"


def lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ACTIONLINT), "-no-color", str(path)], capture_output=True, text=True)


def test_the_workflow_passes_actionlint() -> None:
    done = lint(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("${{ matrix.stack }}", "${{ matrix.stak }}"))
    done = lint(broken)
    assert done.returncode == 1 and "stak" in done.stdout, done.stdout + done.stderr


def test_the_workflow_covers_every_example_stack_but_local() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    stacks = {p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")} - {"local"}
    assert set(jobs["pulumi"]["strategy"]["matrix"]["stack"]) == stacks
