"""The provider's create / read / update / delete against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from livekit_sip.client import SIPClient
from livekit_sip.enums import MediaEncryption
from livekit_sip.errors import TrunkError
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.provider import TrunkProvider
from livekit_sip.settings import Settings
from livekit_sip.wire import Codec, MediaConfig
from tests.support.proxy import Proxy

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
    assert recorded.methods() == ["CreateSIPOutboundTrunk", "ListSIPOutboundTrunk"]
    assert [t.sip_trunk_id for t in client.outbound.list()] == [created.id]


def test_create_that_never_reached_the_server_is_sent_again_once(
        clean_project: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    recorded.fault = lambda method, attempt: "stall" if method == "CreateSIPOutboundTrunk" and attempt == 1 else None
    provider = provider_for(recorded.url, settings, deadline="1")
    created = provider.create(checked(provider))
    assert recorded.methods() == ["CreateSIPOutboundTrunk", "ListSIPOutboundTrunk", "CreateSIPOutboundTrunk"]
    assert [t.sip_trunk_id for t in client.outbound.list()] == [created.id]


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


def test_adopting_a_missing_trunk_names_the_id(clean_project: None, settings: Settings) -> None:
    provider = provider_for(settings.url, settings)
    with pytest.raises(TrunkError, match="adopt_trunk_id ST_doesnotexist does not exist"):
        provider.create(checked(provider, adopt_trunk_id="ST_doesnotexist"))


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
