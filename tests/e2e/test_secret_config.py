"""Secrets however config arrives, PINs as secrets, and values that begin with `-`,
under the real pulumi CLI and livekit-server, checked with the official SDK.

The module's server has an API secret that begins with `-`, and every secret goes
in with `pulumi config set --secret ... -- <value>`, as the README shows.
A credential stored in plain text is refused at preview, from the stack file in
`stackConfigDir`, from `--config-file`, from the Automation API and with the stack
file missing or broken; no plain value is ever echoed, and no call reaches LiveKit.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pulumi import automation as auto

from livekit_sip.secrecy import CONFIG_FILE_ENV
from scripts import devserver
from scripts import stack as stack_runner
from scripts.project import Project
from scripts.proxy import Proxy
from tests.support import official

#: Plain values that must never be echoed.
PLAIN_PASSWORD = "-plain-Pa55-" + secrets.token_hex(4)
PASSWORD = "-sip-Pa55-" + secrets.token_hex(4)
# Long enough that no digits elsewhere in state or output can match them by chance.
PIN = "00" + str(secrets.randbelow(10**10)).zfill(10)
NEW_PIN, DASH_PIN = str(secrets.randbelow(10**12)).zfill(12), "-1234"
TRUNKS = {"one": {"address": "sip.example.com", "numbers": ["+15105550301"]},
          "two": {"address": "sip.example.net", "numbers": ["+15105550302"]}}
INBOUND = {"carrier": {"numbers": ["+15105550401"], "allowedAddresses": ["192.0.2.0/24"]}}
RULES = {"lobby": {"trunks": ["carrier"], "direct": {"roomName": "lobby"}}}
REFUSED = ("is stored in plain text", "cannot tell which of its values are secrets")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[devserver.DevServer]:
    """A server whose API secret begins with `-`, as `secrets.token_urlsafe` sometimes makes one."""
    state = tmp_path_factory.mktemp("dashserver")
    try:
        started = devserver.start(state, api_secret="-" + secrets.token_urlsafe(40))
    except devserver.ToolMissing as err:
        pytest.fail(str(err), pytrace=False)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def proxy(server: devserver.DevServer) -> Iterator[Proxy]:
    with Proxy(server.url) as recording:
        yield recording


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, server: devserver.DevServer, proxy: Proxy) -> Project:
    project = Project.create(tmp_path_factory.mktemp("secrets"), {}, "secrets")
    project.cli("config", "set", "livekit:url", "--", proxy.url)
    project.cli("config", "set", "livekit:apiKey", "--", server.api_key)
    project.cli("config", "set", "--secret", "livekit:apiSecret", "--", server.api_secret)
    project.set_config({"livekit-sip:trunks": TRUNKS, "livekit-sip:inboundTrunks": INBOUND,
                        "livekit-sip:dispatchRules": RULES})
    for leaf, value in (("username", "sip-user"), ("password", PASSWORD)):
        project.cli("config", "set", "--secret", "--path", f"livekit-sip:credentials.one.{leaf}", "--", value)
    project.cli("config", "set", "--secret", "--path", "livekit-sip:pins.lobby", "--", PIN)
    return project


def pulumi(project: Project, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI on the project's stack, output recorded for the leak scan."""
    done = stack_runner.cli(project.stack_name, list(args), project.work_dir, project.state_dir,
                            {**project.env, **(env or {})}, check=False)
    project.outputs_seen.append(done.stdout + done.stderr)
    return done


def refusal(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of a failed preview that refuse a secret."""
    assert done.returncode != 0, done.stdout
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if any(r in line for r in REFUSED)]
    print(f"exit {done.returncode}: {lines}")  # shown with -s
    return lines


def with_plain_entry(project: Project, target: Path) -> None:
    """`target`: the stack file plus a second trunk's credentials in plain text."""
    data = yaml.safe_load(project.stack_file.read_text())
    data["config"]["livekit-sip:credentials"]["two"] = {"username": "plain-user", "password": PLAIN_PASSWORD}
    target.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_up_with_secrets_beginning_with_a_dash_creates_the_setup_with_the_pin(
        project: Project, server: devserver.DevServer) -> None:
    project.run("up")
    settings = server.settings
    assert {t.name for t in official.list_trunks(settings).values()} == {"one", "two"}
    one = next(t for t in official.list_trunks(settings).values() if t.name == "one")
    assert one.auth_password == PASSWORD
    [rule] = official.list_rules(settings).values()
    assert rule.rule.dispatch_rule_direct.pin == PIN
    outputs = project.outputs()
    assert outputs["dispatchRules"]["lobby"]["rule"]["pin"] == "[secret]"
    assert outputs["dispatchRules"]["lobby"]["rule"]["room_name"] == "lobby"


def test_the_stack_file_in_stack_config_dir_shows_one_plain_leaf_beside_secret_ones(
        project: Project, proxy: Proxy) -> None:
    original = project.stack_file.read_text()
    try:
        pulumi(project, "config", "set", "--plaintext", "--path", "livekit-sip:credentials.one.password", "--",
               PLAIN_PASSWORD)
        proxy.reset()
        lines = refusal(pulumi(project, "preview"))
        assert lines == ["livekit-sip:credentials.one.password: is stored in plain text; SIP credentials must be "
                         "secrets: run pulumi config set --secret --path 'livekit-sip:credentials.one.password' -- "
                         "<value>"]
        assert proxy.calls == []
    finally:
        project.stack_file.write_text(original)


def test_a_config_file_with_a_plain_entry_fails_closed_or_names_the_leaf_when_named(
        project: Project, proxy: Proxy, tmp_path: Path) -> None:
    other = tmp_path / "ci-config.yaml"
    with_plain_entry(project, other)
    proxy.reset()
    [line] = refusal(pulumi(project, "preview", "--config-file", str(other)))
    assert line == ("livekit-sip:credentials: cannot tell which of its values are secrets: Pulumi marks only whole "
                    "keys as secret, and stacks/Pulumi.secrets.yaml does not hold the config in use for it (given "
                    "with --config-file, the Automation API or an environment?); keep livekit-sip:credentials in "
                    "the stack file with pulumi config set --secret --path, or name the config file in use in "
                    f"{CONFIG_FILE_ENV}")
    lines = refusal(pulumi(project, "preview", "--config-file", str(other), env={CONFIG_FILE_ENV: str(other)}))
    assert sorted(line.split(":", 2)[1] for line in lines) == ["credentials.two.password", "credentials.two.username"]
    assert proxy.calls == []
    # The same file with only secrets, named, previews as it should.
    shutil.copy(project.stack_file, other)
    done = pulumi(project, "preview", "--config-file", str(other), env={CONFIG_FILE_ENV: str(other)})
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("broken", ["missing", "not-yaml"])
def test_a_missing_or_broken_stack_file_fails_closed(project: Project, proxy: Proxy, tmp_path: Path,
                                                     broken: str) -> None:
    other = tmp_path / "config.yaml"
    shutil.copy(project.stack_file, other)
    kept = tmp_path / "kept.yaml"
    shutil.move(project.stack_file, kept)
    try:
        if broken == "not-yaml":
            project.stack_file.write_text("config: [unclosed\n")
        proxy.reset()
        [line] = refusal(pulumi(project, "preview", "--config-file", str(other)))
        why = "does not exist" if broken == "missing" else "is not valid YAML"
        assert line.startswith("livekit-sip:credentials: cannot tell which of its values are secrets: Pulumi marks "
                               f"only whole keys as secret, and stacks/Pulumi.secrets.yaml {why}; ")
        assert proxy.calls == []
    finally:
        shutil.move(kept, project.stack_file)


def test_automation_api_config_is_judged_from_the_stack_file_it_writes_or_fails_closed(
        project: Project, proxy: Proxy, tmp_path: Path) -> None:
    original = project.stack_file.read_text()
    stack = project.stack()
    try:
        stack.set_config("livekit-sip:credentials.two.username", auto.ConfigValue("plain-user"), path=True)
        stack.set_config("livekit-sip:credentials.two.password", auto.ConfigValue(PLAIN_PASSWORD), path=True)
        proxy.reset()
        with pytest.raises(auto.errors.CommandError) as failed:
            project.run("preview")
        text = str(failed.value)
        project.outputs_seen.append(text)
        assert "livekit-sip:credentials.two.password: is stored in plain text" in text
        assert proxy.calls == []
    finally:
        project.stack_file.write_text(original)
    other = tmp_path / "automation.yaml"
    with_plain_entry(project, other)
    with pytest.raises(auto.errors.CommandError) as failed:
        project.run("preview", config_file=str(other))
    text = str(failed.value)
    project.outputs_seen.append(text)
    assert "livekit-sip:credentials: cannot tell which of its values are secrets" in text
    assert proxy.calls == []


def test_a_pin_in_plain_text_or_in_the_rule_is_refused_with_the_secret_command(
        project: Project, proxy: Proxy) -> None:
    original = project.stack_file.read_text()
    try:
        pulumi(project, "config", "set", "--plaintext", "--path", "livekit-sip:pins.lobby", "--", NEW_PIN)
        proxy.reset()
        assert refusal(pulumi(project, "preview")) == [
            "livekit-sip:pins.lobby: is stored in plain text; PINs must be secrets: run pulumi config set --secret "
            "--path 'livekit-sip:pins.lobby' -- <value>"]
        project.stack_file.write_text(original)
        project.set_config({"livekit-sip:dispatchRules": {
            "lobby": {**RULES["lobby"], "direct": {"roomName": "lobby", "pin": NEW_PIN}}}})
        done = pulumi(project, "preview")
        assert done.returncode != 0
        assert ("livekit-sip:dispatchRules.lobby.direct.pin: PINs are secrets and live in livekit-sip:pins: remove "
                "it here and run pulumi config set --secret --path 'livekit-sip:pins.lobby' -- <value>") in done.stdout
        # A value that begins with `-` reaches the config as a value, not a flag; it is no PIN of digits.
        project.stack_file.write_text(original)
        set_dash = pulumi(project, "config", "set", "--secret", "--path", "livekit-sip:pins.lobby", "--", DASH_PIN)
        assert set_dash.returncode == 0, set_dash.stderr
        got = pulumi(project, "config", "get", "--path", "livekit-sip:pins.lobby")
        assert got.stdout.strip() == DASH_PIN
        project.outputs_seen.pop()  # shows the value on purpose
        done = pulumi(project, "preview")
        assert done.returncode != 0 and "livekit-sip:pins.lobby: is not a PIN: digits only (0-9)" in done.stdout
        assert proxy.calls == []
    finally:
        project.stack_file.write_text(original)


def test_a_new_pin_is_an_update_of_the_rule_that_keeps_its_id(
        project: Project, proxy: Proxy, server: devserver.DevServer) -> None:
    [before] = official.list_rules(server.settings)
    pulumi(project, "config", "set", "--secret", "--path", "livekit-sip:pins.lobby", "--", NEW_PIN)
    proxy.reset()
    project.run("up")
    writes = [m for m in proxy.methods() if m.startswith(("Create", "Update", "Delete"))]
    assert writes == ["UpdateSIPDispatchRule"]
    [update] = [c.body for c in proxy.calls if c.method == "UpdateSIPDispatchRule"]
    assert "update" in update and update["sip_dispatch_rule_id"] == before
    [(after, rule)] = official.list_rules(server.settings).items()
    assert after == before and rule.rule.dispatch_rule_direct.pin == NEW_PIN


def test_no_secret_or_pin_shows_in_state_outputs_logs_or_pulumi_home_and_destroy_leaves_nothing(
        project: Project, server: devserver.DevServer) -> None:
    exported = pulumi(project, "stack", "export").stdout
    state = json.loads(exported)
    [rule] = [r for r in state["deployment"]["resources"] if r["type"].endswith("DispatchRule")]
    for where in ("inputs", "outputs"):  # Pulumi's secret signature: encrypted, not the PIN
        assert rule[where]["rule"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    values = [PASSWORD, PLAIN_PASSWORD, server.api_secret, PIN, NEW_PIN]
    found = project.leaks(values)
    home = stack_runner.TOOLS / "pulumi-home"
    found += [f"PULUMI_HOME {p.name}" for p in home.rglob("*") if p.is_file() and p.stat().st_size < 50_000_000
              and any(v.encode() in p.read_bytes() for v in values)]
    assert found == []
    project.run("destroy")
    assert official.list_trunks(server.settings) == {} and official.list_rules(server.settings) == {}
    assert project.leaks(values) == []
