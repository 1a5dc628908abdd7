"""A stack written by livekit-sip 0.2's code, before the outbound subpackage, previews with
no changes and no API calls under today's code.

`fixtures/state-0.2/` holds what a user's repo and backend held: the stack file (its
`encryptionsalt` and the secure credentials, passphrase `compat-test-passphrase`) and
`pulumi stack export` of the state, recorded with that code (every field of the trunk set,
codecs included). Only the engine's registration stack traces and source positions were
taken out of the export, since they named the recording machine's paths. The state's
`__provider` blob names `livekit_sip.provider.TrunkProvider`, the class's old home.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from livekit_sip.settings import Settings
from scripts.project import ROOT
from scripts.proxy import Proxy

FIXTURE = Path(__file__).parent / "fixtures" / "state-0.2"
PASSPHRASE = "compat-test-passphrase"


def test_state_written_before_the_layout_change_previews_with_no_changes(
        tmp_path: Path, proxy: Proxy, settings: Settings) -> None:
    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    shutil.copy(ROOT / "__main__.py", project / "__main__.py")
    shutil.copy(FIXTURE / "Pulumi.compat.yaml", project / "stacks" / "Pulumi.compat.yaml")
    (project / "Pulumi.yaml").write_text(
        f"name: livekit-sip\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
        "stackConfigDir: stacks\n")
    env = {**os.environ, "PATH": f"{ROOT / '.tools' / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "PULUMI_HOME": str(tmp_path / "home"), "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
           "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE, "PULUMI_SKIP_UPDATE_CHECK": "true",
           "PYTHONPATH": str(ROOT), **settings.as_env(proxy.url)}
    (tmp_path / "state").mkdir()

    def pulumi(*args: str) -> str:
        done = subprocess.run(["pulumi", "--non-interactive", *args, "--stack", "compat"], cwd=project, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    before = (project / "stacks" / "Pulumi.compat.yaml").read_text()
    pulumi("stack", "init", "--secrets-provider", "passphrase")
    pulumi("stack", "import", "--file", str(FIXTURE / "state.json"))
    assert (project / "stacks" / "Pulumi.compat.yaml").read_text() == before, "the salt and secrets are kept"
    trunks = [r["id"] for r in json.loads((FIXTURE / "state.json").read_text())["deployment"]["resources"]
              if r["type"] == "pulumi-python:dynamic/livekit:OutboundTrunk"]
    assert len(trunks) == 2

    proxy.reset()
    preview = pulumi("preview")
    assert "3 unchanged" in preview and "to update" not in preview, preview
    assert proxy.methods() == [], "a converged preview makes no API call"

    # A delete runs with the provider pickled in the old state, so it proves the old blob loads.
    pulumi("destroy", "--yes")
    assert sorted(c.body["sip_trunk_id"] for c in proxy.calls if c.method == "DeleteSIPTrunk") == sorted(trunks)
