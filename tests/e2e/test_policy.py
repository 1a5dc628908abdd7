"""The policy pack (policy/) under the real pulumi CLI: `pulumi preview --policy-pack policy`.

A production stack (the pack config policy/config/prod.json: every rule mandatory) that
breaks each rule once gets each violation reported and the preview fails; the same
violations under policy/config/dev.json are advisory and the preview passes; a production
stack that breaks none passes. No preview makes a LiveKit API call (counted by the
recording proxy the provider talks to), and no credential or PIN shows in any output or
state. A pack config naming an unknown rule or enforcement level fails with one line.

The inbound trunk open to any caller cannot come from the stack config (the program refuses
it); the test program declares it directly, after everything else, and the provider's check
refuses it too: the pack still reports it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from livekit_sip.settings import Settings
from scripts.project import ROOT, Project
from scripts.proxy import Proxy

PACK = ROOT / "policy"
PROD, DEV = PACK / "config" / "prod.json", PACK / "config" / "dev.json"
PIN, USERNAME, PASSWORD = "90817263", "policy-e2e-user", "policy-e2e-Pa55word"
RULES = ("tls-transport", "srtp-media", "inbound-restricted-callers", "no-wildcard-numbers",
         "dispatch-pin-or-trunks")

PROGRAM = '''\
import pulumi

from livekit_sip import program
from livekit_sip.inbound.resource import InboundTrunk, InboundTrunkArgs

declared = program.run()
if pulumi.Config("policy-e2e").get_bool("openInbound"):
    # Past the stack config's check: an inbound trunk with no numbers, addresses or credentials.
    everything = [*declared.outbound.values(), *declared.inbound.values(), *declared.rules.values()]
    InboundTrunk("open-door", InboundTrunkArgs(media_encryption="require"),
                 pulumi.ResourceOptions(depends_on=everything))
'''

#: Breaks tls-transport and no-wildcard-numbers (open-us), srtp-media (carrier-us) and
#: dispatch-pin-or-trunks (everyone), each once. carrier-us takes callers by its credentials
#: alone, and with-pin every trunk behind a PIN: both secrets, read only as "set".
BROKEN = {
    "livekit-sip:trunks": {
        "open-us": {"address": "sip.example.com", "numbers": ["*"], "transport": "udp", "mediaEncryption": "require"},
    },
    "livekit-sip:inboundTrunks": {"carrier-us": {"name": "Carrier US"}},
    "livekit-sip:dispatchRules": {
        "everyone": {"trunks": "all", "individual": {"roomPrefix": "call-"}},
        "with-pin": {"trunks": "all", "direct": {"roomName": "lobby"}},
    },
}
CLEAN = {
    "livekit-sip:trunks": {
        "telnyx-us": {"address": "sip.telnyx.com", "numbers": ["+15105550100"], "transport": "tls",
                      "mediaEncryption": "require"},
    },
    "livekit-sip:inboundTrunks": {"carrier-us": {"name": "Carrier US", "mediaEncryption": "require"}},
    "livekit-sip:dispatchRules": {
        "to-agent": {"trunks": ["carrier-us"], "individual": {"roomPrefix": "call-"}},
        "with-pin": {"trunks": "all", "direct": {"roomName": "lobby"}},
    },
}
VIOLATION = re.compile(r"^\s*- \[(advisory|mandatory)\]\s+(\S+)\s+\((\S+): ([^)]+)\)$", re.M)


def make_stack(base: Path, env: dict[str, str], name: str, config: dict[str, Any], open_inbound: bool) -> Project:
    project = Project.create(base, env, stack_name=name)
    (base / "__main__.py").write_text(PROGRAM)
    project.set_config({**config, "policy-e2e:openInbound": open_inbound})
    for leaf, value in (("username", USERNAME), ("password", PASSWORD)):
        project.cli("config", "set", "--secret", "--path", f"livekit-sip:inboundCredentials.carrier-us.{leaf}",
                    "--", value)
    project.cli("config", "set", "--secret", "--path", "livekit-sip:pins.with-pin", "--", PIN)
    return project


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory, proxy: Proxy, settings: Settings) -> Iterator[dict[str, Project]]:
    base = Path(tmp_path_factory.mktemp("policy"))
    env = settings.as_env(proxy.url)
    made = {
        "broken": make_stack(base, env, "prod-broken", BROKEN, open_inbound=True),
        "rules": make_stack(base, env, "prod-rules", BROKEN, open_inbound=False),
        "clean": make_stack(base, env, "prod-clean", CLEAN, open_inbound=False),
    }
    yield made
    for project in made.values():
        assert project.leaks([PIN, USERNAME, PASSWORD, settings.api_secret]) == []


def preview(project: Project, proxy: Proxy, config: Path) -> tuple[int, str, list[tuple[str, str, str, str]]]:
    """The preview's exit code, its output, and its violations as (level, rule, type, name);
    it must make no LiveKit API call."""
    proxy.reset()
    done: subprocess.CompletedProcess[str] = project.cli(
        "preview", "--color", "never", "--policy-pack", str(PACK), "--policy-pack-config", str(config), check=False)
    assert proxy.methods() == [], "preview called LiveKit"
    output = done.stdout + done.stderr
    print(output)  # shown with -s
    return done.returncode, output, VIOLATION.findall(output)


def test_a_production_stack_breaking_each_rule_once_gets_each_reported_and_fails(
        stacks: dict[str, Project], proxy: Proxy) -> None:
    code, output, found = preview(stacks["broken"], proxy, PROD)
    assert code != 0, output
    assert sorted(found) == sorted([
        ("mandatory", "tls-transport", "pulumi-python:dynamic/livekit:OutboundTrunk", "open-us"),
        ("mandatory", "no-wildcard-numbers", "pulumi-python:dynamic/livekit:OutboundTrunk", "open-us"),
        ("mandatory", "srtp-media", "pulumi-python:dynamic/livekit:InboundTrunk", "carrier-us"),
        ("mandatory", "inbound-restricted-callers", "pulumi-python:dynamic/livekit:InboundTrunk", "open-door"),
        ("mandatory", "dispatch-pin-or-trunks", "pulumi-python:dynamic/livekit:DispatchRule", "everyone"),
    ]), output
    for message in ("livekit-sip:trunks.open-us.transport is udp: set transport: tls",
                    "livekit-sip:trunks.open-us.numbers has '*'",
                    "livekit-sip:inboundTrunks.carrier-us.mediaEncryption is disable: set mediaEncryption: require",
                    "livekit-sip:inboundTrunks.open-door accepts any caller",
                    "livekit-sip:dispatchRules.everyone.trunks is all and the rule has no PIN"):
        assert message in output


def test_mandatory_violations_alone_fail_the_preview(stacks: dict[str, Project], proxy: Proxy) -> None:
    code, output, found = preview(stacks["rules"], proxy, PROD)
    assert code != 0, output
    assert {rule for _, rule, _, _ in found} == set(RULES) - {"inbound-restricted-callers"}
    assert {level for level, _, _, _ in found} == {"mandatory"}
    # Nothing else refused the stack: the program and the provider's checks passed.
    assert "has a problem" not in output and "invalid stack config" not in output


def test_the_same_violations_are_advisory_outside_production(stacks: dict[str, Project], proxy: Proxy) -> None:
    code, output, found = preview(stacks["rules"], proxy, DEV)
    assert code == 0, output
    assert {rule for _, rule, _, _ in found} == set(RULES) - {"inbound-restricted-callers"}
    assert {level for level, _, _, _ in found} == {"advisory"}


def test_a_production_stack_breaking_no_rule_passes(stacks: dict[str, Project], proxy: Proxy) -> None:
    code, output, found = preview(stacks["clean"], proxy, PROD)
    assert code == 0, output
    assert found == []
    assert "livekit-sip@v0.1.0" in output  # the pack ran


@pytest.mark.parametrize(("config", "named"), [
    ('{"all": "mandatory", "tls-transprt": "mandatory"}', "unknown rule 'tls-transprt'"),
    ('{"srtp-media": "blocking"}', '"blocking" is not a valid enforcement level'),
    ('{"srtp-media": "remediate"}', "unknown enforcement level 'remediate'"),
])
def test_a_pack_config_with_an_unknown_rule_or_level_fails_with_one_line_naming_it(
        stacks: dict[str, Project], proxy: Proxy, tmp_path: Path, config: str, named: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(config)
    code, output, found = preview(stacks["clean"], proxy, path)
    assert code != 0 and found == []
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and named in errors[0], output
