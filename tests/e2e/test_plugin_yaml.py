"""Pulumi YAML programs on the livekit-sip provider plugin, with the real CLI and YAML language
host: bad input is refused at preview in one line with no API call, and the plugin serves as many
operations at once as `--parallel` allows. (The whole scenario runs in test_plugin_languages.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from livekit_sip.settings import Settings
from scripts import stack as stack_runner
from scripts.proxy import Proxy
from tests.e2e.plugin_project import PluginProject
from tests.reliability.test_interrupted_up import left_running, running
from tests.support import official

BAD = {
    "carrier": ({"type": "livekit-sip:index:OutboundTrunk",
                 "properties": {"address": "sip.example.com", "numbers": ["5105550100"]}}, "numbers[0]: "),
    "everyone": ({"type": "livekit-sip:index:DispatchRule",
                  "properties": {"trunkIds": [], "rule": {"individual": {"roomPrefix": "call-"}}}},
                 "trunkIds: is empty"),
    "door": ({"type": "livekit-sip:index:DispatchRule",
              "properties": {"rule": {"direct": {"roomName": "lobby", "pin": "12ab"}}, "allTrunks": True}},
             "rule.direct.pin: is not a PIN"),
    # A secret given as a number: the engine would print a failing property's value; this one is not shown.
    "numeric": ({"type": "livekit-sip:index:OutboundTrunk",
                 "properties": {"address": "sip.example.com", "numbers": ["+15105550100"], "authUsername": "u",
                                "authPassword": 918273645}}, "authPassword: must be a string"),
}
#: What a failing entry holds that no message may show.
HIDDEN = ("12ab", "918273645")


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_refused_at_preview_in_one_line_naming_the_field_with_no_api_call(
        name: str, tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> None:
    resource, reason = BAD[name]
    bad = PluginProject.create(tmp_path_factory.mktemp("plugin-yaml-bad"), proxy)
    bad.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-yaml-bad", "runtime": "yaml",
                                            "resources": {name: resource}}))
    bad.init(proxy.url, settings.api_key, settings.api_secret)
    proxy.reset()
    done = bad.pulumi("preview", check=False)
    assert done.returncode != 0
    errors = {line.strip() for line in done.stdout.splitlines() if line.strip().startswith("error: livekit-sip")}
    print(f"\n{errors}")
    assert len(errors) == 1, done.stdout
    line = errors.pop()
    assert f"resource '{name}'" in line and reason in line, line
    assert not [hidden for hidden in HIDDEN if hidden in done.stdout + done.stderr], done.stdout
    assert proxy.methods() == []


def test_the_plugin_serves_as_many_creates_at_once_as_parallel_allows(
        tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> None:
    """The dynamic-provider server is 4 wide; the plugin takes what `--parallel` gives it."""
    wide = PluginProject.create(tmp_path_factory.mktemp("plugin-yaml-wide"), proxy)
    resources = {f"w{i:02d}": {"type": "livekit-sip:index:OutboundTrunk",
                               "properties": {"address": "sip.example.com", "numbers": [f"+1510555{8700 + i}"]}}
                 for i in range(16)}
    wide.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-yaml-wide", "runtime": "yaml", "resources": resources}))
    wide.init(proxy.url, settings.api_key, settings.api_secret)
    proxy.reset()
    proxy.delay = 0.5
    try:
        wide.pulumi("up", "--yes", "--skip-preview", "--parallel", "16")
    finally:
        proxy.delay = 0.0
    creates = [c for c in list(proxy.calls) if c.method == "CreateSIPOutboundTrunk"]
    assert len(creates) == 16
    at_once = max(sum(1 for o in creates if o.started <= c.started < o.ended) for c in creates)
    print(f"\n16 creates, --parallel 16, 0.5 s round trip: {at_once} in flight at once")
    assert at_once > 8, at_once
    wide.pulumi("destroy", "--yes", "--skip-preview")


def test_a_killed_cli_leaves_no_plugin_behind_and_the_next_up_makes_no_duplicate(
        tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> None:
    """The plugin answers the calls under way and leaves once its CLI's pipe ends; the creates
    that landed unanswered are taken over by the next `up`, so every trunk exists once."""
    killed = PluginProject.create(tmp_path_factory.mktemp("plugin-yaml-killed"), proxy)
    numbers = [f"+1510555{8800 + i}" for i in range(8)]
    resources = {f"k{i}": {"type": "livekit-sip:index:OutboundTrunk",
                           "properties": {"address": "sip.example.com", "numbers": [number]}}
                 for i, number in enumerate(numbers)}
    killed.write("Pulumi.yaml", yaml.safe_dump({"name": "plugin-yaml-killed", "runtime": "yaml",
                                                "resources": resources}))
    killed.init(proxy.url, settings.api_key, settings.api_secret)
    killed.pulumi("config", "set", "livekit-sip:deadline", "--", "3")

    def landed() -> int:
        return sum(1 for c in list(proxy.calls) if c.method == "CreateSIPOutboundTrunk" and c.status == 200)

    proxy.reset()
    proxy.fault = lambda method, attempt: "land" if method == "CreateSIPOutboundTrunk" and attempt > 2 else None
    up = subprocess.Popen([str(stack_runner.TOOLS / "bin" / "pulumi"), "--non-interactive", "up", "--yes",
                           "--skip-preview", "--stack", killed.stack], cwd=killed.work_dir, env=killed.env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while landed() < 4 and time.monotonic() < deadline and up.poll() is None:
            time.sleep(0.1)
        assert landed() >= 4
        os.killpg(up.pid, signal.SIGKILL)
        up.wait()
        gone = time.monotonic() + 30
        while plugins(killed.work_dir) and time.monotonic() < gone:
            time.sleep(0.2)
        assert plugins(killed.work_dir) == [], "the plugin leaves with its CLI"
    finally:
        proxy.fault = None
        # What a killed CLI leaves besides the plugin (its language host) is this test's to stop.
        for pid in left_running(killed.work_dir):
            os.kill(pid, signal.SIGKILL)
    killed.pulumi("cancel", "--yes")
    killed.pulumi("up", "--yes", "--skip-preview")
    on_server = [t for t in official.list_trunks(settings).values() if t.numbers and t.numbers[0] in numbers]
    assert sorted(t.numbers[0] for t in on_server) == sorted(numbers), "every trunk once"
    assert set(killed.outputs()) == set() and len(killed.resources(":OutboundTrunk")) == 8
    killed.pulumi("destroy", "--yes", "--skip-preview")


def plugins(work_dir: Path) -> list[int]:
    """The plugin processes the project's CLI started (found by their working directory)."""
    return running(work_dir, b"pulumi-resource-livekit-sip")
