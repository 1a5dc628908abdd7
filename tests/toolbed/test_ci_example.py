"""The CI example under examples/ci/ passes actionlint, the GitHub Actions linter."""

from __future__ import annotations

import json
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


def test_preview_and_up_run_the_policy_pack_with_the_stacks_pack_config() -> None:
    steps = {step.get("name"): step for step in yaml.safe_load(WORKFLOW.read_text())["jobs"]["pulumi"]["steps"]}
    for name in ("Preview", "Up"):
        assert ('--policy-pack policy --policy-pack-config "policy/config/${{ matrix.stack }}.json"'
                in steps[name]["run"]), name
    assert "policy/.venv/bin/pip install -r policy/requirements.txt" in "".join(
        str(step.get("run", "")) for step in steps.values())


def test_every_stack_of_the_workflow_has_a_pack_config_and_prod_makes_every_rule_mandatory() -> None:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    for stack in jobs["pulumi"]["strategy"]["matrix"]["stack"]:
        assert (ROOT / "policy" / "config" / f"{stack}.json").is_file(), stack
    assert json.loads((ROOT / "policy" / "config" / "prod.json").read_text()) == {"all": "mandatory"}
    assert json.loads((ROOT / "policy" / "config" / "dev.json").read_text()) == {"all": "advisory"}
