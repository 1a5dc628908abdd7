"""Fixtures for the distribution tests: the wheel, built once, and a user's own project venv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.project import ROOT


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the assertion shows its whole output."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n" \
                                     f"{done.stdout}\n{done.stderr}"
    return done


def clean_env(**extra: str) -> dict[str, str]:
    """The environment a user's shell would have: no PYTHONPATH into this checkout, no venv of ours."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PULUMI_PYTHON_CMD", "VIRTUAL_ENV", "PYTHONHOME")}
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    return {**env, **extra}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel .` of this checkout: the distribution a user installs."""
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, ROOT, env=clean_env())
    (built,) = out.glob("livekit_sip-*.whl")
    return built


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A user's infra repo outside this checkout, with its own venv holding the wheel and
    what the wheel's metadata pulls in, and nothing installed by hand."""
    project = tmp_path_factory.mktemp("infra")
    run(sys.executable, "-m", "venv", project / "venv", env=clean_env())
    run(project / "venv" / "bin" / "python", "-m", "pip", "install", "-q", wheel, env=clean_env())
    return project
