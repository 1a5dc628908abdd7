"""Run `pulumi up / preview / refresh / destroy` on a stack of this project, for tests and benchmarks.

The real `pulumi` CLI from `.tools/bin` runs the on-disk program (`__main__.py`)
through the real Python language host; Pulumi's Automation API only drives the
CLI and parses its results. `make up` calls the CLI directly.

    python scripts/stack.py preview local      # also: up, refresh, destroy, outputs
    python scripts/stack.py cli local -- config set --secret --path 'livekit-sip:credentials.x.password' -- NEW
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
#: The passphrase of stack `local` only (its secrets are the dev server's throwaway keys).
LOCAL_PASSPHRASE = "livekit-sip-local"


def base_env(work_dir: Path, state_dir: Path, passphrase: str | None) -> dict[str, str]:
    """Environment for the CLI, the language host and the dynamic-provider process.

    The interpreter comes from the project's `virtualenv` option, as with any
    Pulumi CLI; the program and provider import this checkout's `livekit_sip`
    through PYTHONPATH.
    """
    env = {
        "PULUMI_BACKEND_URL": state_dir.resolve().as_uri(),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_HOME": str(TOOLS / "pulumi-home"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        "PATH": os.pathsep.join([str(TOOLS / "bin"), os.environ.get("PATH", "")]),
    }
    if passphrase is not None:
        env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    return env


def passphrase_for(stack: str) -> str | None:
    given = os.environ.get("PULUMI_CONFIG_PASSPHRASE")
    if given is not None or os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        return given
    return LOCAL_PASSPHRASE if stack == "local" else None


def select(stack: str, work_dir: Path = ROOT, state_dir: Path | None = None,
           env: Mapping[str, str] | None = None) -> auto.Stack:
    """Create or select `stack` of the project in `work_dir` with the file backend."""
    state_dir = state_dir or work_dir / ".pulumi-state"
    state_dir.mkdir(parents=True, exist_ok=True)
    env_vars = {**base_env(work_dir, state_dir, passphrase_for(stack)), **(env or {})}
    command = auto.PulumiCommand(root=str(TOOLS))
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir), pulumi_home=env_vars["PULUMI_HOME"], env_vars=env_vars,
        secrets_provider="passphrase", pulumi_command=command)
    return auto.create_or_select_stack(stack, work_dir=str(work_dir), opts=opts)


def with_stack(args: list[str], stack: str) -> list[str]:
    """`args` with ``--stack`` added before a ``--`` (after which everything is a value, even
    ``-x``), or at the end."""
    at = args.index("--") if "--" in args else len(args)
    return [*args[:at], "--stack", stack, *args[at:]]


def cli(stack: str, args: list[str], work_dir: Path = ROOT, state_dir: Path | None = None,
        env: Mapping[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `pulumi` CLI on `stack` (commands that need no program, e.g. config)."""
    state_dir = state_dir or work_dir / ".pulumi-state"
    full_env = {**os.environ, **base_env(work_dir, state_dir, passphrase_for(stack)), **(env or {})}
    return subprocess.run([str(TOOLS / "bin" / "pulumi"), "--non-interactive", *with_stack(args, stack)],
                          cwd=work_dir, env=full_env, text=True, capture_output=True, check=check)


def run(command: str, stack: auto.Stack, echo: Callable[[str], Any] = print, **kwargs: Any) -> Any:
    """Run one engine command with its output streamed to `echo`."""
    if command == "up":
        return stack.up(on_output=echo, color="never", **kwargs)
    if command == "preview":
        return stack.preview(on_output=echo, color="never", **kwargs)
    if command == "refresh":
        return stack.refresh(on_output=echo, color="never", **kwargs)
    if command == "destroy":
        return stack.destroy(on_output=echo, color="never", **kwargs)
    raise ValueError(f"unknown command {command!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run pulumi on a livekit-sip stack.")
    parser.add_argument("command", choices=["up", "preview", "refresh", "destroy", "outputs", "cli"])
    parser.add_argument("stack")
    parser.add_argument("rest", nargs="*")
    parser.add_argument("--refresh", action="store_true", help="refresh state from LiveKit first")
    raw = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(raw)
    if args.command == "cli":
        # argparse drops every `--`; the CLI needs the one that keeps a value like `-x` a value.
        rest = raw[raw.index("--") + 1:] if "--" in raw else args.rest
        done = cli(args.stack, rest, check=False)
        sys.stdout.write(done.stdout)
        sys.stderr.write(done.stderr)
        return done.returncode
    try:
        stack = select(args.stack)
        if args.command != "outputs":
            extra: dict[str, Any] = {"refresh": True} if args.refresh and args.command in ("up", "preview") else {}
            run(args.command, stack, **extra)
        outputs = {k: v.value for k, v in stack.outputs().items() if not v.secret}
    except auto.errors.CommandError as err:
        print(f"pulumi {args.command} failed on stack {args.stack}:\n{err}", file=sys.stderr)
        return 1
    if args.command in ("up", "outputs"):
        print(json.dumps({"trunkIds": outputs.get("trunkIds", {})}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
