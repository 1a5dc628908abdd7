"""The tool bed's YAML and Node.js language hosts: Pulumi YAML and TypeScript programs go up
through the real `pulumi` CLI with only `.tools/bin` on PATH and a local file backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from scripts.project import ROOT

BIN = ROOT / ".tools" / "bin"
NODE_MODULES = ROOT / ".tools" / "node" / "node_modules"


def system_path() -> str:
    venv_bin = str(Path(sys.prefix) / "bin")
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin)


class Project:
    """A Pulumi project in `work_dir` with stack `dev` on a file backend of its own."""

    def __init__(self, work_dir: Path, home: Path) -> None:
        self.work_dir = work_dir
        state = work_dir.parent / (work_dir.name + "-state")
        state.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("PULUMI_") and k not in ("NODE_PATH", "PYTHONPATH", "VIRTUAL_ENV")}
        self.env.update(PATH=f"{BIN}{os.pathsep}{system_path()}", PULUMI_HOME=str(home),
                        PULUMI_BACKEND_URL=state.as_uri(), PULUMI_CONFIG_PASSPHRASE="livekit-sip-local",
                        PULUMI_SKIP_UPDATE_CHECK="true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true")

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(BIN / "pulumi"), "--non-interactive", *args], cwd=self.work_dir,
                              env=self.env, capture_output=True, text=True, timeout=120)
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def up(self, **kw: bool) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", **kw)

    def outputs(self) -> dict[str, object]:
        return json.loads(self.run("stack", "output", "--json").stdout)


def new_project(tmp_path: Path, name: str, files: dict[str, str]) -> Project:
    work_dir = tmp_path / name
    work_dir.mkdir()
    for file, text in files.items():
        (work_dir / file).write_text(textwrap.dedent(text).lstrip())
    project = Project(work_dir, tmp_path / "home")
    project.run("stack", "init", "dev", "--secrets-provider", "passphrase")
    return project


def test_language_hosts_sit_next_to_the_cli() -> None:
    for name in ("pulumi-language-yaml", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"):
        path = BIN / name
        assert path.is_file() and os.access(path, os.X_OK), f"{path} missing: run `make tools`"
    for pkg in ("@pulumi/pulumi", "ts-node", "typescript"):
        assert (NODE_MODULES / pkg / "package.json").is_file(), f"{pkg} missing in .tools/node: run `make tools`"
    pinned = json.loads((ROOT / "tools" / "node" / "package.json").read_text())["dependencies"]["@pulumi/pulumi"]
    installed = json.loads((NODE_MODULES / "@pulumi" / "pulumi" / "package.json").read_text())["version"]
    assert installed == pinned


def test_yaml_program_goes_up_and_reports_its_outputs(tmp_path: Path) -> None:
    project = new_project(tmp_path, "yamlsmoke", {"Pulumi.yaml": """
        name: yamlsmoke
        runtime: yaml
        variables:
          greeting:
            fn::join:
              - "-"
              - ["hello", "${pulumi.stack}", "yaml"]
        outputs:
          greeting: ${greeting}
          answer: 42
    """})
    up = project.up()
    assert "+ 1 created" in up.stdout, up.stdout
    # A host found on PATH rather than beside the CLI is reported as such: this one is the tool bed's.
    assert "from $PATH" not in up.stdout + up.stderr
    assert project.outputs() == {"greeting": "hello-dev-yaml", "answer": 42}
    assert project.run("stack", "output", "greeting").stdout.strip() == "hello-dev-yaml"


TS_PROGRAM = """
    import * as pulumi from "@pulumi/pulumi";

    const parts: string[] = ["hello", pulumi.getStack(), "typescript"];
    export const greeting: string = parts.join("-");
    export const answer = 6 * 7;
"""


def test_typescript_program_goes_up_with_the_tool_beds_node_modules(tmp_path: Path) -> None:
    project = new_project(tmp_path, "tssmoke", {
        "Pulumi.yaml": "name: tssmoke\nruntime: nodejs\n",
        "package.json": '{"name": "tssmoke", "main": "index.ts"}\n',
        "index.ts": TS_PROGRAM,
    })
    # The host resolves @pulumi/pulumi from the program's directory and ts-node type-checks
    # against it; NODE_PATH would reach the first but not the second, so the program links it.
    (project.work_dir / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    up = project.up()
    assert "+ 1 created" in up.stdout, up.stdout
    assert "from $PATH" not in up.stdout + up.stderr
    assert project.outputs() == {"greeting": "hello-dev-typescript", "answer": 42}

    # It is TypeScript, type-checked: a wrong type fails the update.
    with (project.work_dir / "index.ts").open("a") as index:
        index.write('export const wrong: number = "forty-two";\n')
    failed = project.up(ok=False)
    assert failed.returncode != 0
    assert "TS2322" in failed.stdout + failed.stderr, failed.stdout + failed.stderr
