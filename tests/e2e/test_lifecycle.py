"""The OutboundTrunk lifecycle under the real pulumi CLI and the real livekit-server.

The steps share one stack and run in order: up, converged preview, update,
password rotation, replace, drift, out-of-band delete, destroy. After each,
no SIP password, API secret or JWT may show in state or command output.
"""

from __future__ import annotations

from typing import Any

import pytest

from livekit_sip.client import SIPClient
from livekit_sip.outbound.models import OutboundTrunkUpdate
from livekit_sip.settings import Settings
from scripts.project import Project
from scripts.proxy import Proxy
from tests.support import official
from tests.support.specs import full_config

PASSWORDS = ["first-Pa55word-e2e", "rotated-Pa55word-e2e"]
USERNAME = "telnyx-user-e2e"

FULL = full_config(transport="SIP_TRANSPORT_TLS", destination_country="us")
PLAIN = {"address": "sip.example.org", "numbers": ["*"]}


@pytest.fixture(scope="module")
def steps(project: Project, proxy: Proxy, settings: Settings) -> dict[str, Any]:
    project.set_trunks({"telnyx-us": dict(FULL), "plain": dict(PLAIN)})
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.telnyx-us.username", "--", USERNAME)
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.telnyx-us.password", "--", PASSWORDS[0])
    return {}


def assert_no_leaks(project: Project, settings: Settings) -> None:
    assert project.leaks([*PASSWORDS, USERNAME, settings.api_secret]) == []


def trunk_ids(project: Project) -> dict[str, str]:
    return dict(project.outputs()["trunkIds"])


def test_up_creates_every_field_and_preview_is_then_silent(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.run("up")
    ids = trunk_ids(project)
    steps["ids"] = ids
    live = official.list_trunks(settings)
    trunk = live[ids["telnyx-us"]]
    assert trunk.name == "Telnyx US"
    assert trunk.address == "sip.telnyx.com:5061"
    assert list(trunk.numbers) == ["+15105550100", "+15105550101"]
    assert trunk.transport == 3  # SIP_TRANSPORT_TLS
    assert trunk.destination_country == "US"
    assert trunk.metadata == '{"team": "sales"}'
    assert dict(trunk.headers) == {"X-Team": "sales"}
    assert dict(trunk.headers_to_attributes) == {"X-Call-Id": "call.id"}
    assert dict(trunk.attributes_to_headers) == {"call.reason": "X-Reason"}
    assert trunk.include_headers == 1  # SIP_X_HEADERS
    assert trunk.media_encryption == 1  # SIP_MEDIA_ENCRYPT_ALLOW
    assert trunk.from_host == "sip.example.com"
    assert (trunk.auth_username, trunk.auth_password) == (USERNAME, PASSWORDS[0])
    assert live[ids["plain"]].name == "plain" and list(live[ids["plain"]].numbers) == ["*"]

    proxy.reset()
    preview = project.run("preview")
    assert preview.change_summary.get("same") == 3, preview.change_summary
    assert set(preview.change_summary) == {"same"}
    assert proxy.methods() == []
    assert_no_leaks(project, settings)


def test_name_and_numbers_change_is_an_update_with_only_those_fields(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    changed = dict(FULL, name="Telnyx US (renamed)", numbers=["+15105550101", "+15105550102"])
    project.set_trunks({"telnyx-us": changed, "plain": dict(PLAIN)})
    proxy.reset()
    project.run("up")
    writes = [c for c in proxy.calls if c.method != "ListSIPOutboundTrunk"]
    assert [c.method for c in writes] == ["UpdateSIPOutboundTrunk"]
    assert writes[0].body == {
        "sip_trunk_id": steps["ids"]["telnyx-us"],
        "update": {"name": "Telnyx US (renamed)",
                   "numbers": {"add": ["+15105550102"], "remove": ["+15105550100"]}},
    }
    assert trunk_ids(project) == steps["ids"]
    live = official.list_trunks(settings)[steps["ids"]["telnyx-us"]]
    assert live.name == "Telnyx US (renamed)"
    assert sorted(live.numbers) == ["+15105550101", "+15105550102"]
    steps["spec"] = changed
    assert_no_leaks(project, settings)


def test_password_rotation_keeps_the_trunk_id(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.telnyx-us.password", "--", PASSWORDS[1])
    proxy.reset()
    project.run("up")
    assert [c.method for c in proxy.calls] == ["UpdateSIPOutboundTrunk"]
    assert set(proxy.calls[0].body["update"]) == {"auth_password"}
    assert trunk_ids(project) == steps["ids"]
    live = official.list_trunks(settings)[steps["ids"]["telnyx-us"]]
    assert live.auth_password == PASSWORDS[1]
    assert_no_leaks(project, settings)


def test_headers_change_is_a_replace_that_keeps_the_id(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    changed = dict(steps["spec"], headers={"X-Team": "support"})
    project.set_trunks({"telnyx-us": changed, "plain": dict(PLAIN)})
    proxy.reset()
    project.run("up")
    assert [c.method for c in proxy.calls] == ["UpdateSIPOutboundTrunk"]
    assert "replace" in proxy.calls[0].body and "update" not in proxy.calls[0].body
    assert trunk_ids(project) == steps["ids"]
    live = official.list_trunks(settings)[steps["ids"]["telnyx-us"]]
    assert dict(live.headers) == {"X-Team": "support"}
    assert live.auth_password == PASSWORDS[1], "replace must resend the password"
    steps["spec"] = changed
    assert_no_leaks(project, settings)


def test_out_of_band_edit_is_caught_by_refresh_and_restored_by_up(
        steps: dict[str, Any], project: Project, settings: Settings, client: SIPClient) -> None:
    trunk_id = steps["ids"]["telnyx-us"]
    client.outbound.update(trunk_id, OutboundTrunkUpdate(name="edited by hand", auth_password="hand-set"))
    refresh = project.run("refresh")
    assert refresh.summary.resource_changes.get("update") == 1
    assert project.resource_outputs("telnyx-us")["name"] == "edited by hand"
    preview = project.run("preview")
    assert preview.change_summary.get("update") == 1
    project.run("up")
    live = client.outbound.get(trunk_id)
    assert live.name == steps["spec"]["name"]
    assert live.auth_password == PASSWORDS[1]
    assert_no_leaks(project, settings)


def test_out_of_band_delete_drops_on_refresh_and_up_recreates(
        steps: dict[str, Any], project: Project, settings: Settings, client: SIPClient) -> None:
    client.outbound.delete(steps["ids"]["plain"])
    project.run("refresh")
    assert project.resource_outputs("plain") is None
    project.run("up")
    ids = trunk_ids(project)
    assert ids["plain"] != steps["ids"]["plain"]
    assert ids["telnyx-us"] == steps["ids"]["telnyx-us"]
    assert set(official.list_trunks(settings)) == set(ids.values())
    assert_no_leaks(project, settings)


def test_destroy_leaves_nothing_on_the_server(
        steps: dict[str, Any], project: Project, settings: Settings) -> None:
    project.run("destroy")
    assert official.list_trunks(settings) == {}
    assert_no_leaks(project, settings)
