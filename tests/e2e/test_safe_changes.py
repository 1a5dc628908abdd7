"""Everyday edits of a stack under the real pulumi CLI and livekit-server, checked with the official SDK.

The steps share one stack and run in order: a rename through `aliases`, the same
rename without them (refused), a rename with `adoptTrunkId` (the trunk survives),
two entries for one trunk (refused), drift followed by an unrelated change, bad
config (plain-text credentials, five mistakes at once), credentials that vanish,
protection, and an adopted trunk deleted outside Pulumi.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from livekit import api
from pulumi.automation.errors import CommandError

from livekit_sip.settings import Settings
from scripts.project import Project
from scripts.proxy import Proxy
from tests.support import official

USERNAME = "telnyx-user-safe"
PASSWORD = "telnyx-Pa55word-safe"
PLAIN_PASSWORD = "plain-Pa55word-safe"
FILE_PASSWORD = "file-Pa55word-safe"
TELNYX = {"name": "Telnyx US", "address": "sip.telnyx.com", "numbers": ["+15105550100", "+15105550101"]}
TWILIO = {"name": "Twilio EU", "address": "example.pstn.twilio.com", "numbers": ["+442071838750"]}
WRITES = ("CreateSIPOutboundTrunk", "UpdateSIPOutboundTrunk", "DeleteSIPTrunk")


@pytest.fixture(scope="module")
def steps(project: Project, settings: Settings) -> Iterator[dict[str, Any]]:
    project.set_trunks({"telnyx-us": dict(TELNYX), "twilio-eu": dict(TWILIO)})
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.telnyx-us.username", "--", USERNAME)
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.telnyx-us.password", "--", PASSWORD)
    yield {}
    for sip_trunk_id in official.list_trunks(settings):  # protected trunks outlive the stack
        official.delete_trunk(settings, sip_trunk_id)


def config(project: Project) -> dict[str, Any]:
    return dict(yaml.safe_load(project.stack_file.read_text())["config"])


def edit_config(project: Project, **changes: Any) -> None:
    """Set (or, with None, remove) top-level config keys in the stack file, keeping the secure values."""
    data = yaml.safe_load(project.stack_file.read_text())
    for key, value in changes.items():
        key = key.replace("__", ":").replace("_", "-")
        if value is None:
            data["config"].pop(key, None)
        else:
            data["config"][key] = value
    project.stack_file.write_text(yaml.safe_dump(data, sort_keys=False))


def move_credentials(project: Project, old: str, new: str) -> None:
    """What a user does in the stack file: the encrypted values move as they are."""
    creds = config(project)["livekit-sip:credentials"]
    creds[new] = creds.pop(old)
    edit_config(project, livekit_sip__credentials=creds)


def failed_preview(project: Project) -> str:
    """The output of a preview that must fail."""
    with pytest.raises(CommandError) as failed:
        project.run("preview")
    return str(failed.value)


def show(title: str, text: str) -> None:
    """Print a preview's output; `pytest -s` shows them."""
    print(f"\n===== {title} =====\n{text}\n===== end =====")


def writes(proxy: Proxy) -> list[str]:
    return [m for m in proxy.methods() if m in WRITES]


def live(settings: Settings, sip_trunk_id: str) -> Any:
    return official.list_trunks(settings)[sip_trunk_id]


def test_a_key_renamed_through_aliases_keeps_its_trunk_without_a_write(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.run("up")
    steps["id"] = project.outputs()["trunkIds"]["telnyx-us"]
    project.set_trunks({"telnyx-usa": {**TELNYX, "aliases": ["telnyx-us"]}, "twilio-eu": dict(TWILIO)})
    move_credentials(project, "telnyx-us", "telnyx-usa")
    proxy.reset()
    result = project.run("up")
    assert proxy.methods() == [], "a rename is no API call"
    assert project.outputs()["trunkIds"]["telnyx-usa"] == steps["id"]
    assert result.summary.resource_changes == {"same": 3}
    trunk = live(settings, steps["id"])
    assert (trunk.name, trunk.auth_username, trunk.auth_password) == ("Telnyx US", USERNAME, PASSWORD)


def test_b1_a_rename_without_aliases_fails_preview_on_the_orphaned_credentials(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.set_trunks({"telnyx-us": dict(TELNYX), "twilio-eu": dict(TWILIO)})
    proxy.reset()
    text = failed_preview(project)
    show("B1: key renamed, credentials left under the old key", text)
    assert ("livekit-sip:credentials.telnyx-usa: matches no trunk key in livekit-sip:trunks; "
            "did you mean 'telnyx-us'?") in text
    assert "aliases: [telnyx-usa]" in text
    assert proxy.methods() == []
    assert set(official.list_trunks(settings)) == {steps["id"], project.outputs()["trunkIds"]["twilio-eu"]}


def test_b2_a_rename_with_adopt_trunk_id_keeps_the_trunk_alive_and_managed(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.set_trunks({"telnyx-us": {**TELNYX, "adoptTrunkId": steps["id"]}, "twilio-eu": dict(TWILIO)})
    move_credentials(project, "telnyx-usa", "telnyx-us")
    preview = project.run("preview")
    show("B2: key renamed back with adoptTrunkId", preview.stdout)
    assert f"adopts the existing trunk {steps['id']} ('Telnyx US')" in preview.stdout
    assert "no new trunk is created" in preview.stdout
    assert preview.change_summary == {"create": 1, "delete": 1, "same": 2}

    proxy.reset()
    up = project.run("up")
    assert writes(proxy) == ["UpdateSIPOutboundTrunk"], "one replace, no create, no delete"
    assert "not deleted, because another resource of this stack holds it" in up.stdout
    trunk = live(settings, steps["id"])
    assert (trunk.name, trunk.auth_username, trunk.auth_password) == ("Telnyx US", USERNAME, PASSWORD)
    assert project.outputs()["trunkIds"]["telnyx-us"] == steps["id"]
    assert project.resource_outputs("telnyx-usa") is None

    proxy.reset()
    assert set(project.run("preview").change_summary) == {"same"}
    assert proxy.methods() == []
    refreshed = project.run("up", refresh=True)
    assert set(refreshed.summary.resource_changes) == {"same"}, refreshed.summary.resource_changes
    assert writes(proxy) == []


def test_two_entries_for_one_trunk_fail_preview(
        steps: dict[str, Any], project: Project, proxy: Proxy) -> None:
    adopting = {**TELNYX, "numbers": ["+15105550199"], "adoptTrunkId": steps["id"]}
    project.set_trunks({"telnyx-us": {**TELNYX, "adoptTrunkId": steps["id"]}, "twilio-eu": dict(TWILIO),
                        "telnyx-copy": adopting})
    text = failed_preview(project)
    # Pulumi hands the program config maps sorted by key, so telnyx-copy comes first.
    assert (f"livekit-sip:trunks.telnyx-us.adoptTrunkId: {steps['id']} is also adopted by "
            "livekit-sip:trunks.telnyx-copy; one trunk can be managed by one entry only") in text

    twilio = project.outputs()["trunkIds"]["twilio-eu"]
    project.set_trunks({"telnyx-us": {**TELNYX, "adoptTrunkId": steps["id"]}, "twilio-eu": dict(TWILIO),
                        "twilio-copy": {**TWILIO, "adoptTrunkId": twilio}})
    proxy.reset()
    text = failed_preview(project)
    assert (f"livekit-sip:trunks.twilio-copy.adoptTrunkId: {twilio} is already managed by "
            "livekit-sip:trunks.twilio-eu in this stack") in text
    assert writes(proxy) == []
    project.set_trunks({"telnyx-us": {**TELNYX, "adoptTrunkId": steps["id"]}, "twilio-eu": dict(TWILIO)})


@pytest.mark.parametrize(("out_of_band", "change", "drifted"), [
    ({"name": "renamed by hand"}, {"address": "sip2.telnyx.com"}, "name"),
    ({"numbers": ["+15105550100", "+15105550177"]}, {"numbers": ["+15105550100", "+15105550101", "+15105550102"]},
     "numbers"),
    ({"auth_password": "set-by-hand"}, {"metadata": '{"team": "sales"}'}, "auth_password"),
], ids=["name", "numbers", "password"])
def test_drift_then_an_unrelated_change_ends_as_configured_in_one_plain_up(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings,
        out_of_band: dict[str, Any], change: dict[str, Any], drifted: str) -> None:
    official.update_trunk(settings, steps["id"], **out_of_band)
    spec = {**TELNYX, **steps.get("drift", {}), **change}
    steps["drift"] = {**steps.get("drift", {}), **change}
    project.set_trunks({"telnyx-us": {**spec, "adoptTrunkId": steps["id"]}, "twilio-eu": dict(TWILIO)})
    proxy.reset()
    up = project.run("up")
    updates = [c.body for c in proxy.calls if c.method == "UpdateSIPOutboundTrunk"]
    assert [next(iter(set(body) - {"sip_trunk_id"})) for body in updates] == ["update", "replace"]
    assert f"{drifted} had been changed outside Pulumi since the last refresh" in up.stdout
    assert "older than" not in up.stdout
    trunk = live(settings, steps["id"])
    assert (trunk.name, trunk.address, sorted(trunk.numbers), trunk.metadata) == (
        spec["name"], spec["address"], sorted(spec["numbers"]), spec.get("metadata", ""))
    assert (trunk.auth_username, trunk.auth_password) == (USERNAME, PASSWORD)
    assert PASSWORD not in up.stdout and "set-by-hand" not in up.stdout


def test_plain_text_credentials_fail_preview_both_ways_with_the_fix_and_without_the_value(
        steps: dict[str, Any], project: Project, proxy: Proxy) -> None:
    entry = {**TELNYX, **steps["drift"], "adoptTrunkId": steps["id"]}
    project.cli("config", "set", "--plaintext", "--path", "livekit-sip:credentials.telnyx-us.password",
                "--", PLAIN_PASSWORD)
    text = failed_preview(project)
    assert ("livekit-sip:credentials.telnyx-us.password: is stored in plain text; SIP credentials must be "
            "secrets: run pulumi config set --secret --path 'livekit-sip:credentials.telnyx-us.password' "
            "-- <value>") in text
    assert PLAIN_PASSWORD not in text
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.telnyx-us.password", "--", PASSWORD)

    (project.work_dir / "twilio.json").write_text(json.dumps({"trunk": {**TWILIO, "auth_username": "u",
                                                                        "auth_password": FILE_PASSWORD}}))
    project.set_trunks({"telnyx-us": entry, "twilio-eu": {"file": "twilio.json"}})
    proxy.reset()
    text = failed_preview(project)
    assert ("livekit-sip:trunks.twilio-eu.authPassword (in file "
            f"{str(project.work_dir / 'twilio.json')!r}): credentials are secrets") in text
    assert "pulumi config set --secret --path 'livekit-sip:credentials.twilio-eu.password' -- <value>" in text
    assert FILE_PASSWORD not in text
    assert proxy.methods() == []
    project.set_trunks({"telnyx-us": entry, "twilio-eu": dict(TWILIO)})


def test_one_preview_reports_five_mistakes_in_two_entries(
        steps: dict[str, Any], project: Project, proxy: Proxy) -> None:
    good = {"telnyx-us": {**TELNYX, **steps["drift"], "adoptTrunkId": steps["id"]}, "twilio-eu": dict(TWILIO)}
    project.set_trunks({
        "telnyx-us": {**good["telnyx-us"], "numbers": ["5105550100"], "transport": "quic",
                      "authPassword": PLAIN_PASSWORD},
        "twilio-eu": {**TWILIO, "destinationCountry": "UK"},
    })
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.twilio-eu.pasword", "--", "typo")
    proxy.reset()
    text = failed_preview(project)
    show("five mistakes in two entries", text)
    for line in [
        "livekit-sip:trunks.telnyx-us.authPassword: credentials are secrets",
        "livekit-sip:trunks.telnyx-us.numbers[0]: '5105550100' is not an E.164 number",
        "livekit-sip:trunks.telnyx-us.transport: 'quic' is not one of auto | udp | tcp | tls",
        "livekit-sip:trunks.twilio-eu.destinationCountry: 'UK' is not an ISO 3166-1 alpha-2 country code",
        "livekit-sip:credentials.twilio-eu.pasword: unknown key; did you mean 'password'? known keys: "
        "username, password",
    ]:
        assert line in text, f"{line!r} not in:\n{text}"
    assert "Traceback" not in text and PLAIN_PASSWORD not in text and "typo" not in text
    assert proxy.methods() == []
    project.cli("config", "rm", "--path", "livekit-sip:credentials.twilio-eu")
    project.set_trunks(good)


def test_credentials_that_vanish_fail_preview_until_cleared_on_purpose(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    creds = config(project)["livekit-sip:credentials"]
    edit_config(project, livekit_sip__credentials=None)
    text = failed_preview(project)
    assert "would be cleared" in text
    assert "pulumi config set --secret --path 'livekit-sip:credentials.telnyx-us.username' \"\"" in text
    for leaf in ("username", "password"):
        project.cli("config", "set", "--secret", "--path", f"livekit-sip:credentials.telnyx-us.{leaf}", "--", "")
    project.run("up")
    trunk = live(settings, steps["id"])
    assert (trunk.auth_username, trunk.auth_password) == ("", "")
    steps["credentials"] = creds


def test_protected_trunks_cannot_be_removed_and_retained_ones_stay_in_livekit(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    telnyx = {**TELNYX, **steps["drift"], "adoptTrunkId": steps["id"]}
    twilio_id = project.outputs()["trunkIds"]["twilio-eu"]
    project.cli("config", "set", "livekit-sip:protect", "--", "true")
    project.set_trunks({"telnyx-us": telnyx, "twilio-eu": {**TWILIO, "protect": False, "retainOnDelete": True}})
    proxy.reset()
    project.run("up")
    assert proxy.methods() == [], "resource options are no API call"

    before = official.list_trunks(settings)
    cleared = config(project)["livekit-sip:credentials"]
    project.set_trunks({"twilio-eu": {**TWILIO, "protect": False, "retainOnDelete": True}})
    edit_config(project, livekit_sip__credentials=None)  # a removed trunk takes its credentials along
    proxy.reset()
    text = failed_preview(project)
    show("a protected trunk removed from config", text)
    assert "OutboundTrunk::telnyx-us\" cannot be deleted\n    because it is protected" in text
    assert official.list_trunks(settings) == before
    assert writes(proxy) == []

    project.set_trunks({"telnyx-us": telnyx})
    edit_config(project, livekit_sip__credentials=cleared)
    proxy.reset()
    project.run("up")
    assert writes(proxy) == []
    assert project.resource_outputs("twilio-eu") is None
    assert twilio_id in official.list_trunks(settings), "retainOnDelete leaves the trunk in LiveKit"


def test_an_adopted_trunk_deleted_outside_pulumi_fails_preview_with_the_fix(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    official.delete_trunk(settings, steps["id"])
    project.run("refresh")
    assert project.resource_outputs("telnyx-us") is None
    text = failed_preview(project)
    assert (f"{steps['id']} does not exist in this LiveKit project (deleted outside Pulumi, or another project?); "
            "remove adoptTrunkId from livekit-sip:trunks.telnyx-us") in text

    project.set_trunks({"telnyx-us": {**TELNYX, **steps["drift"]}})
    edit_config(project, livekit_sip__credentials=steps["credentials"])
    project.run("up")
    sip_trunk_id = project.outputs()["trunkIds"]["telnyx-us"]
    assert sip_trunk_id != steps["id"]
    trunk = live(settings, sip_trunk_id)
    assert (trunk.name, trunk.auth_password, trunk.transport) == (
        "Telnyx US", PASSWORD, api.SIPTransport.SIP_TRANSPORT_AUTO)
    assert project.leaks([PASSWORD, USERNAME, PLAIN_PASSWORD, FILE_PASSWORD, settings.api_secret]) == []
