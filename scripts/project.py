"""A throwaway copy of the livekit-sip project, driven by the real `pulumi` CLI.

Each `Project` has its own Pulumi.yaml, program, stack files and file-backend
state under a temp dir, and talks to LiveKit through `LIVEKIT_*` env vars
(normally a recording proxy in front of the test server).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts import stack as stack_runner

ROOT = Path(__file__).resolve().parents[1]

JWT = re.compile(rb"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*")


@dataclass
class Project:
    work_dir: Path
    env: dict[str, str]
    stack_name: str = "e2e"
    outputs_seen: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, base: Path, env: dict[str, str], stack_name: str = "e2e") -> Project:
        base.mkdir(parents=True, exist_ok=True)
        (base / "stacks").mkdir(exist_ok=True)
        shutil.copy(ROOT / "__main__.py", base / "__main__.py")
        # The interpreter is this checkout's virtualenv, named the way a user's project names its own.
        venv = Path(sys.prefix)
        (base / "Pulumi.yaml").write_text(
            "name: livekit-sip\nruntime:\n  name: python\n  options:\n"
            f"    virtualenv: {json.dumps(str(venv))}\nstackConfigDir: stacks\n")
        env = {"PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase", **env}
        project = cls(base, env, stack_name)
        project.stack()  # creates the stack and its encryption salt
        return project

    @property
    def state_dir(self) -> Path:
        return self.work_dir / ".pulumi-state"

    @property
    def stack_file(self) -> Path:
        return self.work_dir / "stacks" / f"Pulumi.{self.stack_name}.yaml"

    def stack(self) -> Any:
        return stack_runner.select(self.stack_name, self.work_dir, self.state_dir, self.env)

    def set_trunks(self, trunks: dict[str, Any]) -> None:
        """Write `livekit-sip:trunks`, keeping the salt and secure values."""
        self.set_config({"livekit-sip:trunks": trunks})

    def set_config(self, values: dict[str, Any]) -> None:
        """Write stack config keys (``livekit-sip:inboundTrunks``, ...), keeping the salt and secure values."""
        data = yaml.safe_load(self.stack_file.read_text()) if self.stack_file.exists() else {}
        data = data or {}
        data.setdefault("config", {}).update(values)
        self.stack_file.write_text(yaml.safe_dump(data, sort_keys=False))

    def cli(self, *args: str, check: bool = True) -> Any:
        done = stack_runner.cli(self.stack_name, list(args), self.work_dir, self.state_dir,
                                self.env, check=check)
        self.outputs_seen.append(done.stdout + done.stderr)
        return done

    def run(self, command: str, **kwargs: Any) -> Any:
        lines: list[str] = []
        try:
            result = stack_runner.run(command, self.stack(), echo=lines.append, **kwargs)
        finally:
            self.outputs_seen.append("\n".join(lines))
        if hasattr(result, "stdout"):
            self.outputs_seen.append(result.stdout + getattr(result, "stderr", ""))
        return result

    def outputs(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.stack().outputs().items()}

    def resource_outputs(self, key: str) -> dict[str, Any] | None:
        """The state's outputs of the OutboundTrunk named `key` (secrets stay encrypted)."""
        deployment = self.stack().export_stack().deployment
        for resource in deployment.get("resources", []):
            if resource["urn"].endswith(f"OutboundTrunk::{key}"):
                return dict(resource.get("outputs", {}))
        return None

    def leaks(self, secrets: list[str]) -> list[str]:
        """Where any of `secrets`, or any JWT, shows in state files or command output."""
        found = []
        blobs: list[tuple[str, bytes]] = [
            (str(p.relative_to(self.work_dir)), p.read_bytes())
            for p in self.state_dir.rglob("*") if p.is_file()]
        blobs += [(f"output[{i}]", text.encode()) for i, text in enumerate(self.outputs_seen)]
        for where, data in blobs:
            for secret in secrets:
                if secret and secret.encode() in data:
                    found.append(f"{where}: secret {secret[:2]}…")
            if JWT.search(data):
                found.append(f"{where}: JWT")
        return found
