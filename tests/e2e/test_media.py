"""Media under the real pulumi CLI, checked and edited out of band with LiveKit's official SDK.

Trunk `managed` sets codecs, onlyListedCodecs and mediaTimeout in config; trunk
`left` sets none of them, so LiveKit keeps whatever it holds for them. The steps
share one stack and run in order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from livekit import api

from livekit_sip.settings import Settings
from scripts.project import Project
from scripts.proxy import Proxy
from tests.support import official

MANAGED: dict[str, Any] = {"address": "sip.example.com", "numbers": ["+15105556100"], "mediaEncryption": "allow",
                           "codecs": ["PCMU/8000", {"name": "opus", "rate": 48000}], "onlyListedCodecs": True,
                           "mediaTimeout": "1.5s"}
LEFT: dict[str, Any] = {"address": "sip.example.org", "numbers": ["+15105556200"]}
OUT_OF_BAND = api.SIPMediaConfig(codecs=[api.SIPCodec(name="G722", rate=16000), api.SIPCodec(name="PCMU", rate=8000)],
                                 only_listed_codecs=True)
OUT_OF_BAND.media_timeout.FromSeconds(20)


@pytest.fixture(scope="module")
def steps(project: Project) -> dict[str, Any]:
    project.set_trunks({"managed": dict(MANAGED), "left": dict(LEFT)})
    return {"config": {"managed": dict(MANAGED), "left": dict(LEFT)}}


def reconfigure(project: Project, steps: dict[str, Any], key: str, **changes: Any) -> None:
    entry = {**steps["config"][key], **changes}
    steps["config"][key] = {k: v for k, v in entry.items() if v is not None}
    project.set_trunks(steps["config"])


def codecs(trunk: Any) -> list[tuple[str, int]]:
    return [(c.name, c.rate) for c in trunk.media.codecs]


def timeout(trunk: Any) -> timedelta | None:
    return trunk.media.media_timeout.ToTimedelta() if trunk.media.HasField("media_timeout") else None


def writes(proxy: Proxy) -> list[str]:
    return [c.method for c in proxy.calls if c.method != "ListSIPOutboundTrunk"]


def assert_converged(project: Project, proxy: Proxy) -> None:
    proxy.reset()
    preview = project.run("preview")
    assert preview.change_summary == {"same": 3}, preview.change_summary
    assert proxy.methods() == []


def test_codecs_and_timeout_from_config_are_created_and_read_back_with_a_converged_preview(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    project.run("up")
    steps["ids"] = ids = project.outputs()["trunkIds"]
    managed = official.list_trunks(settings)[ids["managed"]]
    assert codecs(managed) == [("PCMU", 8000), ("opus", 48000)]
    assert managed.media.only_listed_codecs is True
    assert timeout(managed) == timedelta(seconds=1.5)
    assert managed.media.encryption == api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW
    outputs = project.outputs()["trunks"]
    assert outputs["managed"]["codecs"] == [{"name": "PCMU", "rate": 8000}, {"name": "opus", "rate": 48000}]
    assert outputs["managed"]["mediaTimeout"] == "1.500s", "normalized as LiveKit answers"
    assert outputs["managed"]["onlyListedCodecs"] is True
    assert not {"codecs", "onlyListedCodecs", "mediaTimeout"} & set(outputs["left"]), "left to LiveKit"
    assert_converged(project, proxy)
    # A refresh reads back exactly what the create stored.
    assert not project.run("refresh").summary.resource_changes.get("update")


def up_keeps_the_out_of_band_media(project: Project, proxy: Proxy, settings: Settings,
                                   left_id: str) -> tuple[Any, dict[str, Any]]:
    """`pulumi up`, which must read the trunk before its one write and keep OUT_OF_BAND's media;
    returns the trunk as the official SDK reads it, and the body of the write."""
    proxy.reset()
    project.run("up")
    assert writes(proxy) == ["GetSIPOutboundTrunk", "UpdateSIPOutboundTrunk"]
    sent = proxy.calls[-1].body
    left = official.list_trunks(settings)[left_id]
    assert codecs(left) == [("G722", 16000), ("PCMU", 8000)]
    assert left.media.only_listed_codecs is True and timeout(left) == timedelta(seconds=20)
    assert left.media.encryption == api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE
    assert_converged(project, proxy)
    return left, sent


def test_codecs_set_out_of_band_survive_a_media_encryption_change(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    official.update_trunk(settings, steps["ids"]["left"], media=OUT_OF_BAND)
    reconfigure(project, steps, "left", mediaEncryption="require")
    _, sent = up_keeps_the_out_of_band_media(project, proxy, settings, steps["ids"]["left"])
    assert sent["update"]["media"]["codecs"] == [{"name": "G722", "rate": 16000}, {"name": "PCMU", "rate": 8000}]


def test_codecs_set_out_of_band_survive_a_headers_change(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    reconfigure(project, steps, "left", headers={"X-Team": "support"}, includeHeaders="x_headers")
    left, sent = up_keeps_the_out_of_band_media(project, proxy, settings, steps["ids"]["left"])
    assert "replace" in sent and "update" not in sent
    assert dict(left.headers) == {"X-Team": "support"}


def test_refresh_sees_no_drift_in_media_that_config_leaves_to_livekit(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    media = api.SIPMediaConfig(codecs=[api.SIPCodec(name="PCMA", rate=8000)],
                               encryption=api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE)
    official.update_trunk(settings, steps["ids"]["left"], media=media)
    refresh = project.run("refresh")
    assert not refresh.summary.resource_changes.get("update"), refresh.summary.resource_changes
    assert_converged(project, proxy)


def test_codecs_set_out_of_band_are_caught_by_refresh_when_config_manages_them(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    managed_id = steps["ids"]["managed"]
    media = api.SIPMediaConfig(codecs=[api.SIPCodec(name="PCMA", rate=8000)], only_listed_codecs=True,
                               encryption=api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW)
    media.media_timeout.FromMilliseconds(1500)
    official.update_trunk(settings, managed_id, media=media)
    refresh = project.run("refresh")
    assert refresh.summary.resource_changes.get("update") == 1
    assert project.resource_outputs("managed")["codecs"] == [{"name": "PCMA", "rate": 8000}]
    preview = project.run("preview")
    assert preview.change_summary.get("update") == 1
    project.run("up")
    assert codecs(official.list_trunks(settings)[managed_id]) == [("PCMU", 8000), ("opus", 48000)]
    assert_converged(project, proxy)


def test_media_fields_taken_out_of_config_stay_on_the_server_and_leave_the_outputs(
        steps: dict[str, Any], project: Project, proxy: Proxy, settings: Settings) -> None:
    managed_id = steps["ids"]["managed"]
    reconfigure(project, steps, "managed", codecs=None, mediaTimeout=None)
    proxy.reset()
    project.run("up")
    assert writes(proxy) == [], "nothing to send: LiveKit keeps what it holds"
    managed = official.list_trunks(settings)[managed_id]
    assert codecs(managed) == [("PCMU", 8000), ("opus", 48000)]
    assert timeout(managed) == timedelta(seconds=1.5)
    outputs = project.outputs()["trunks"]["managed"]
    assert "codecs" not in outputs and "mediaTimeout" not in outputs and outputs["onlyListedCodecs"] is True
    assert_converged(project, proxy)


def test_destroy_leaves_nothing_on_the_server(project: Project, settings: Settings) -> None:
    project.run("destroy")
    assert official.list_trunks(settings) == {}
    assert project.leaks([settings.api_secret]) == []
