"""A project in another Pulumi language that uses the livekit-sip provider plugin, run with the
real CLI: the plugin is this checkout's `pulumi-resource-livekit-sip`, found on PATH as the
CLI finds any plugin installed there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts import stack as stack_runner
from scripts.proxy import Proxy

PASSPHRASE = "plugin-e2e-passphrase"


@dataclass
class PluginProject:
    work_dir: Path
    env: dict[str, str]
    stack: str = "dev"
    seen: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, work_dir: Path, proxy: Proxy, extra_env: dict[str, str] | None = None,
               stack: str = "dev") -> PluginProject:
        """An empty project directory with a stack; LiveKit is reached through `proxy`, whose
        URL and keys the provider config holds (`livekit-sip:url`, ...), not the environment."""
        work_dir.mkdir(parents=True, exist_ok=True)
        state = work_dir / ".pulumi-state"
        state.mkdir(exist_ok=True)
        env = {**os.environ, **stack_runner.base_env(work_dir, state, PASSPHRASE), **(extra_env or {})}
        for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"):
            env.pop(name, None)
        # The plugin the virtualenv installs, as `pip install livekit-sip` puts it on PATH.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
        return cls(work_dir, env, stack)

    def write(self, name: str, text: str) -> None:
        (self.work_dir / name).write_text(text)

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        at = args.index("--") if "--" in args else len(args)
        command = [str(stack_runner.TOOLS / "bin" / "pulumi"), "--non-interactive", *args[:at], "--stack",
                   self.stack, *args[at:]]
        done = subprocess.run(command, cwd=self.work_dir, env=self.env, text=True, capture_output=True, timeout=600)
        self.seen.append(done.stdout + done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def init(self, url: str, api_key: str, api_secret: str) -> None:
        self.pulumi("stack", "init", check=False)
        self.pulumi("config", "set", "livekit-sip:url", "--", url)
        self.pulumi("config", "set", "livekit-sip:apiKey", "--", api_key)
        self.pulumi("config", "set", "--secret", "livekit-sip:apiSecret", "--", api_secret)

    def secret(self, key: str, value: str) -> None:
        self.pulumi("config", "set", "--secret", key, "--", value)

    def export(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "export").stdout)["deployment"])

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.pulumi("stack", "output", "--json").stdout))

    def resources(self, type_suffix: str) -> dict[str, dict[str, Any]]:
        """The state's resources of a type, by name."""
        return {r["urn"].rsplit("::", 1)[-1]: r for r in self.export().get("resources", [])
                if r["type"].endswith(type_suffix)}

    def files_text(self) -> str:
        """Everything the project's state and the CLI's home hold, as text (for leak scans)."""
        texts = []
        for root in (self.work_dir / ".pulumi-state", Path(self.env["PULUMI_HOME"])):
            for path in root.rglob("*"):
                if path.is_file() and path.stat().st_size < 5_000_000:
                    texts.append(path.read_bytes().decode("utf-8", "replace"))
        return "\n".join(texts)
