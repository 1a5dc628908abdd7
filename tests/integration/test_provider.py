"""The provider's create / read / update / delete against the real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from livekit_sip.client import SIPClient
from livekit_sip.enums import MediaEncryption
from livekit_sip.errors import TrunkError
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.outbound.provider import AUTH_GIVEN, RESOURCE_NAME, TrunkProvider
from livekit_sip.outbound.spec import parse_spec
from livekit_sip.settings import Settings
from livekit_sip.wire import Codec, ListUpdate, MediaConfig
from scripts.proxy import Proxy

SPEC: dict[str, Any] = {"name": "prov", "address": "sip.example.com", "numbers": ["+15105557000"],
                        "auth_username": "u", "auth_password": "p"}


@pytest.fixture
def recorded(livekit: Any) -> Iterator[Proxy]:
    with Proxy(livekit.url) as proxy:
        yield proxy


def provider_for(url: str, settings: Settings, deadline: str = "10") -> TrunkProvider:
    provider = TrunkProvider()
    provider.configure(ConfigureRequest(Config({
        "livekit:url": url, "livekit:apiKey": settings.api_key, "livekit:apiSecret": settings.api_secret,
        "livekit-sip:deadline": deadline}, "livekit-sip")))
    return provider


def checked(provider: TrunkProvider, **changes: Any) -> dict[str, Any]:
    result = provider.check({}, {**SPEC, **changes})
    assert result.failures == []
    return dict(result.inputs)


def test_create_whose_answer_is_lost_adopts_the_trunk_that_landed(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    recorded.fault = lambda method, attempt: "drop" if method == "CreateSIPOutboundTrunk" and attempt == 1 else None
    provider = provider_for(recorded.url, settings)
    created = provider.create(checked(provider))
    # The first create of a process lists what may be taken over, then the lost create is looked for.
    assert recorded.methods() == ["ListSIPOutboundTrunk", "CreateSIPOutboundTrunk", "ListSIPOutboundTrunk"]
    assert [t.sip_trunk_id for t in client.outbound.list()] == [created.id]


def test_create_that_never_reached_the_server_is_sent_again_once(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    recorded.fault = lambda method, attempt: "stall" if method == "CreateSIPOutboundTrunk" and attempt == 1 else None
    provider = provider_for(recorded.url, settings, deadline="1")
    created = provider.create(checked(provider))
    assert recorded.methods() == ["ListSIPOutboundTrunk", "CreateSIPOutboundTrunk", "ListSIPOutboundTrunk",
                                  "CreateSIPOutboundTrunk"]
    assert [t.sip_trunk_id for t in client.outbound.list()] == [created.id]


def test_a_create_takes_over_the_identical_trunk_an_interrupted_up_left_and_lists_once(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = provider_for(recorded.url, settings)
    inputs = checked(provider, numbers=["+15105557300"])
    spec, _ = parse_spec(inputs)
    assert spec is not None
    # Made and never recorded, as a `pulumi up` killed mid-create leaves it; and one that differs.
    left = client.outbound.create(spec.to_info()).sip_trunk_id
    other = client.outbound.create(spec.model_copy(update={"address": "other.example.com"}).to_info()).sip_trunk_id
    taken = provider.create(inputs)
    assert taken.id == left and taken.outs["sip_trunk_id"] == left
    assert recorded.methods() == ["ListSIPOutboundTrunk"], "no create is sent"
    # The one taken is held now: an identical entry gets a trunk of its own, with no second listing.
    second = provider.create(inputs)
    assert second.id not in (left, other)
    assert recorded.methods() == ["ListSIPOutboundTrunk", "CreateSIPOutboundTrunk"]
    assert sorted(t.sip_trunk_id for t in client.outbound.list()) == sorted([left, other, second.id])


def test_of_two_identical_trunks_left_one_is_taken_over_and_the_other_is_named(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient,
        capsys: pytest.CaptureFixture[str]) -> None:
    provider = provider_for(recorded.url, settings)
    inputs = checked(provider, numbers=["+15105557301"])
    spec, _ = parse_spec(inputs)
    assert spec is not None
    ids = sorted(client.outbound.create(spec.to_info()).sip_trunk_id for _ in range(2))
    assert provider.create(inputs).id == ids[0]
    warning = capsys.readouterr()
    text = warning.out + warning.err
    assert f"took over the identical trunk {ids[0]}" in text and f"{ids[1]} is identical too" in text


def test_reads_of_many_trunks_cost_one_listing(
        clean_project: None, recorded: Proxy, settings: Settings) -> None:
    provider = provider_for(recorded.url, settings)
    ids = [provider.create(checked(provider, numbers=[f"+1510555710{i}"])).id for i in range(5)]
    recorded.reset()
    for sip_trunk_id in ids:
        result = provider.read(sip_trunk_id, {})
        assert result.id == sip_trunk_id and result.outs["auth_password"] == "p"
        assert "sip_trunk_id" not in (result.inputs or {})
    assert recorded.methods() == ["ListSIPOutboundTrunk"]


def test_a_write_drops_the_listing_so_reads_see_it(
        clean_project: None, recorded: Proxy, settings: Settings) -> None:
    provider = provider_for(recorded.url, settings)
    created = provider.create(checked(provider))
    provider.read(created.id, {})
    olds = {**created.outs}
    provider.update(created.id, olds, checked(provider, name="renamed"))
    assert provider.read(created.id, {}).outs["name"] == "renamed"


def test_read_of_a_deleted_trunk_drops_it_from_state(
        clean_project: None, settings: Settings, client: SIPClient) -> None:
    provider = provider_for(settings.url, settings)
    created = provider.create(checked(provider))
    client.outbound.delete(created.id)
    result = provider.read(created.id, dict(created.outs))
    assert not result.id and result.outs == {}


def test_update_of_a_trunk_deleted_out_of_band_says_to_refresh(
        clean_project: None, settings: Settings, client: SIPClient) -> None:
    provider = provider_for(settings.url, settings)
    created = provider.create(checked(provider))
    client.outbound.delete(created.id)
    with pytest.raises(TrunkError, match="run `pulumi refresh`"):
        provider.update(created.id, dict(created.outs), checked(provider, name="renamed"))


def test_adopting_a_missing_trunk_fails_check_naming_the_id_and_the_fix(
        clean_project: None, settings: Settings) -> None:
    provider = provider_for(settings.url, settings)
    [failure] = provider.check({}, {**SPEC, "adopt_trunk_id": "ST_doesnotexist", RESOURCE_NAME: "telnyx-us"}).failures
    assert failure.property == "adopt_trunk_id"
    assert "ST_doesnotexist does not exist in this LiveKit project" in failure.reason
    assert "remove adoptTrunkId from livekit-sip:trunks.telnyx-us" in failure.reason


def test_a_trunk_to_adopt_that_vanishes_after_check_fails_create_with_the_fix(
        clean_project: None, settings: Settings, make_trunk: Callable[..., OutboundTrunkInfo],
        client: SIPClient) -> None:
    provider = provider_for(settings.url, settings)
    doomed = make_trunk()
    inputs = checked(provider, adopt_trunk_id=doomed.sip_trunk_id)
    client.outbound.delete(doomed.sip_trunk_id)
    with pytest.raises(TrunkError, match=f"adopt_trunk_id {doomed.sip_trunk_id} does not exist.*remove adoptTrunkId"):
        provider.create(inputs)
    assert client.outbound.list() == []


def test_check_of_an_adopt_names_the_trunk_and_makes_one_call(
        clean_project: None, recorded: Proxy, settings: Settings, make_trunk: Callable[..., OutboundTrunkInfo]) -> None:
    existing = make_trunk(name="Telnyx US")
    provider = provider_for(recorded.url, settings)
    result = provider.check({}, {**SPEC, "adopt_trunk_id": existing.sip_trunk_id})
    assert result.failures == []
    assert recorded.methods() == ["GetSIPOutboundTrunk"]
    recorded.reset()
    provider.check(result.inputs, {**SPEC, "adopt_trunk_id": existing.sip_trunk_id})
    assert recorded.methods() == [], "an adopted trunk already in state costs no call"


def test_adopting_a_trunk_with_credentials_and_giving_none_fails_check(
        clean_project: None, settings: Settings, make_trunk: Callable[..., OutboundTrunkInfo]) -> None:
    existing = make_trunk(auth_username="someone", auth_password="hunter2-secret")
    provider = provider_for(settings.url, settings)
    news = {**SPEC, "auth_username": "", "auth_password": "", "adopt_trunk_id": existing.sip_trunk_id}
    [failure] = provider.check({}, {**news, AUTH_GIVEN: False}).failures
    assert f"{existing.sip_trunk_id} has SIP credentials in LiveKit" in failure.reason
    assert "hunter2-secret" not in failure.reason and "someone" not in failure.reason
    assert provider.check({}, {**news, AUTH_GIVEN: True}).failures == []


def test_update_after_drift_restores_the_trunk_with_one_replace(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = provider_for(recorded.url, settings)
    inputs = checked(provider, numbers=["+15105557000", "+15105557001"])
    created = provider.create(inputs)
    client.outbound.update(created.id, OutboundTrunkUpdate(name="edited by hand", auth_password="hand-set",
                                          numbers=ListUpdate(add=["+15105557999"], remove=["+15105557001"])))
    recorded.reset()
    news = checked(provider, numbers=["+15105557000", "+15105557001", "+15105557002"], address="sip2.example.com")
    result = provider.update(created.id, created.outs, news)
    assert [c.method for c in recorded.calls] == ["UpdateSIPOutboundTrunk", "UpdateSIPOutboundTrunk"]
    assert "update" in recorded.calls[0].body and "replace" in recorded.calls[1].body
    live = client.outbound.get(created.id)
    assert (live.name, live.address, live.auth_password) == ("prov", "sip2.example.com", "p")
    assert sorted(live.numbers) == ["+15105557000", "+15105557001", "+15105557002"]
    assert result.outs["name"] == "prov"


def test_delete_of_a_missing_trunk_is_not_an_error(clean_project: None, settings: Settings) -> None:
    provider_for(settings.url, settings).delete("ST_doesnotexist", {})


def test_adopting_keeps_the_media_the_spec_leaves_out_and_replaces_the_rest(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    media = MediaConfig(codecs=[Codec(name="PCMU", rate=8000)], only_listed_codecs=True, media_timeout="20s",
                        encryption=MediaEncryption.ALLOW)
    existing = client.outbound.create(
        OutboundTrunkInfo(name="old", address="sip.example.org", numbers=["+15105557200"], media=media))
    provider = provider_for(recorded.url, settings)
    adopted = provider.create(checked(provider, adopt_trunk_id=existing.sip_trunk_id, media_timeout="1m"))
    assert recorded.methods() == ["GetSIPOutboundTrunk", "UpdateSIPOutboundTrunk"]
    live = client.outbound.get(existing.sip_trunk_id)
    assert live.media == MediaConfig(codecs=[Codec(name="PCMU", rate=8000)], only_listed_codecs=True,
                                     media_timeout="60s", encryption=MediaEncryption.DISABLE)
    assert (live.name, live.address) == ("prov", "sip.example.com")
    assert (adopted.outs["codecs"], adopted.outs["media_timeout"]) == (None, "60s")


def test_a_media_change_with_every_media_field_managed_needs_no_read(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = provider_for(recorded.url, settings)
    managed = {"codecs": ["PCMU/8000"], "only_listed_codecs": False, "media_timeout": "30s"}
    created = provider.create(checked(provider, **managed))
    recorded.reset()
    provider.update(created.id, dict(created.outs), checked(provider, **{**managed, "codecs": ["G722/16000"]}))
    assert recorded.methods() == ["UpdateSIPOutboundTrunk"]
    media = client.outbound.get(created.id).media
    assert media is not None and media.codecs == [Codec(name="G722", rate=16000)]
