"""The distribution: what `pip wheel .` builds, what it declares, and every way to install it."""

from __future__ import annotations

import re
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from scripts.project import ROOT
from tests.package.conftest import clean_env, run

RUNTIME = {"pulumi", "httpx", "pyjwt", "pydantic"}


def metadata(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = Parser().parsestr(archive.read(name).decode())
    return [Requirement(r) for r in message.get_all("Requires-Dist") or []]


def test_wheel_holds_only_the_package_with_its_typed_marker(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    outside = [n for n in names if not n.startswith(("livekit_sip/", "livekit_sip-"))]
    assert outside == []
    assert "livekit_sip/py.typed" in names
    sources = {f"livekit_sip/{p.name}" for p in (ROOT / "livekit_sip").glob("*.py")}
    assert sources - set(names) == set(), "every module of the package ships"


def test_wheel_declares_the_four_runtime_dependencies_as_ranges(wheel: Path) -> None:
    requirements = metadata(wheel)
    assert {r.name for r in requirements} == RUNTIME
    for requirement in requirements:
        operators = {s.operator for s in requirement.specifier}
        assert "==" not in operators and "<" in operators and ">=" in operators, requirement


def test_the_repo_pins_fall_inside_the_declared_ranges(wheel: Path) -> None:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower()] = version.strip()
    ranges = {r.name.lower(): r.specifier for r in metadata(wheel)}
    assert set(pins) == set(ranges)
    for name, version in pins.items():
        assert ranges[name].contains(version), f"requirements.txt pins {name}=={version}, outside {ranges[name]}"


def test_the_console_script_and_the_module_both_run_export(infra: Path) -> None:
    venv = infra / "venv" / "bin"
    assert "export" in run(venv / "livekit-sip", "--help", env=clean_env()).stdout
    for command in ([venv / "livekit-sip"], [venv / "python", "-m", "livekit_sip"]):
        done = run(*command, "export", cwd=infra, env=clean_env(), check=False)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "set LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET" in lines[0], done.stderr


def test_the_installed_package_is_the_wheel_not_this_checkout(infra: Path) -> None:
    where = run(infra / "venv" / "bin" / "python", "-c", "import livekit_sip; print(livekit_sip.__file__)",
                cwd=infra, env=clean_env()).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(ROOT))


@pytest.mark.parametrize("method", ["path", "git", "editable"])
def test_pip_installs_from_a_path_a_git_url_and_editable(method: str, tmp_path: Path) -> None:
    target = {"path": [str(ROOT)], "git": [f"git+file://{ROOT}"], "editable": ["-e", str(ROOT)]}[method]
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, env=clean_env())
    # Dependencies are proven by the wheel install; here only the package itself is checked.
    run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", *target, env=clean_env())
    origin = run(venv / "bin" / "python", "-c",
                 "import importlib.util; print(importlib.util.find_spec('livekit_sip').origin)",
                 cwd=tmp_path, env=clean_env()).stdout.strip()
    if method == "editable":
        assert origin == str(ROOT / "livekit_sip" / "__init__.py")
    else:
        assert re.search(r"site-packages/livekit_sip/__init__\.py$", origin), origin
    assert (venv / "bin" / "livekit-sip").exists()


def test_python_older_than_3_11_is_refused_with_the_reason(wheel: Path, tmp_path: Path) -> None:
    done = run(sys.executable, "-m", "pip", "install", "--no-deps", "--only-binary=:all:", "--python-version",
               "3.10", "--target", tmp_path / "py310", wheel, env=clean_env(), check=False)
    assert done.returncode != 0
    assert "requires a different Python: 3.10" in done.stderr and ">=3.11" in done.stderr, done.stderr
    assert not (tmp_path / "py310" / "livekit_sip").exists()


def test_run_outside_a_pulumi_program_is_one_clear_line(infra: Path) -> None:
    done = run(infra / "venv" / "bin" / "python", "-c", "from livekit_sip import program; program.run()",
               cwd=infra, env=clean_env(), check=False)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("livekit_sip.program.ProgramError: ") and "pulumi up" in last, done.stderr
