"""The inbound-trunk and dispatch-rule providers against the real server: every field
round-trips, each field changes through the write its registry slot says, drift is
restored, lost create answers never duplicate, and conflicts name the other object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from livekit_sip.client import SIPClient
from livekit_sip.dispatch.models import DispatchRuleUpdate
from livekit_sip.dispatch.provider import DispatchRuleProvider
from livekit_sip.dispatch.spec import DispatchRuleSpec
from livekit_sip.errors import TrunkError
from livekit_sip.fields import Write
from livekit_sip.inbound.models import InboundTrunkUpdate
from livekit_sip.inbound.provider import InboundTrunkProvider
from livekit_sip.inbound.spec import InboundTrunkSpec
from livekit_sip.kind import ALL_TRUNKS, AUTH_GIVEN
from livekit_sip.object_provider import ObjectProvider
from livekit_sip.settings import Settings
from scripts.proxy import Proxy

TRUNK: dict[str, Any] = {
    "name": "carrier", "metadata": "m", "numbers": ["+15550001000", "+15550001001"],
    "allowed_addresses": ["10.0.0.0/24", "sip.carrier.example"], "allowed_numbers": ["+15559990000"],
    "auth_username": "in-user", "auth_password": "in-Pa55word", "auth_realm": "carrier.example",
    "headers": {"X-Team": "in"}, "headers_to_attributes": {"X-Call-Id": "call.id"},
    "attributes_to_headers": {"call.reason": "X-Reason"}, "include_headers": "all",
    "ringing_timeout": "30s", "max_call_duration": "2h", "krisp_enabled": True, "media_encryption": "allow",
    "codecs": ["PCMU/8000"], "only_listed_codecs": True, "media_timeout": "15s"}
RULE: dict[str, Any] = {
    "name": "to-agent", "rule": {"individual": {"roomPrefix": "call-", "pin": "", "noRandomness": False}},
    "trunk_ids": [], "inbound_numbers": ["+15557770000"], "numbers": ["+15550001000"], "hide_phone_number": True,
    "metadata": "rm", "attributes": {"team": "support"}, "room_preset": "preset",
    "room_config": {"emptyTimeout": 60, "agents": [{"agentName": "inbound-agent", "metadata": "x"}]},
    "krisp_enabled": True, "media_encryption": "require"}

# A changed value for every field, and the write each must take.
TRUNK_CHANGES: dict[str, Any] = {
    "name": "carrier 2", "metadata": "m2", "numbers": ["+15550001000", "+15550001002"],
    "allowed_addresses": ["10.0.1.0/24"], "allowed_numbers": ["+15559990001"], "auth_username": "in-user-2",
    "auth_password": "in-Pa55word-2", "auth_realm": "realm2", "headers": {"X-Team": "in2"},
    "headers_to_attributes": {"X-Other": "other"}, "attributes_to_headers": {"call.x": "X-X"},
    "include_headers": "x_headers", "ringing_timeout": "45s", "max_call_duration": "1h", "krisp_enabled": False,
    "media_encryption": "disable", "codecs": ["opus/48000"], "only_listed_codecs": False, "media_timeout": "20s"}
RULE_CHANGES: dict[str, Any] = {
    "name": "to-agent 2", "rule": {"direct": {"roomName": "lobby", "pin": "1234"}}, "trunk_ids": ["ST_abcdefgh1234"],
    "inbound_numbers": ["+15557770001"], "numbers": ["+15550001001"], "hide_phone_number": False, "metadata": "rm2",
    "attributes": {"team": "sales"}, "room_preset": "p2", "room_config": {"agents": [{"agentName": "other"}]},
    "krisp_enabled": False, "media_encryption": "allow", "codecs": ["PCMA/8000"], "only_listed_codecs": False,
    "media_timeout": "25s"}


@pytest.fixture
def recorded(livekit: Any) -> Iterator[Proxy]:
    with Proxy(livekit.url) as proxy:
        yield proxy


@pytest.fixture
def empty(client: SIPClient) -> Iterator[None]:
    def clear() -> None:
        for rule in client.dispatch.list():
            client.dispatch.delete(rule.sip_dispatch_rule_id)
        for trunk in client.inbound.list():
            client.inbound.delete(trunk.sip_trunk_id)
    clear()
    yield
    clear()


def configured(provider: ObjectProvider, url: str, settings: Settings) -> ObjectProvider:
    provider.configure(ConfigureRequest(Config({
        "livekit:url": url, "livekit:apiKey": settings.api_key, "livekit:apiSecret": settings.api_secret,
        "livekit-sip:deadline": "5"}, "livekit-sip")))
    return provider


def checked(provider: ObjectProvider, props: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, {**props, AUTH_GIVEN: True, ALL_TRUNKS: True})
    assert result.failures == []
    return dict(result.inputs)


def updates(proxy: Proxy) -> list[dict[str, Any]]:
    return [c.body for c in proxy.calls if c.method.startswith("UpdateSIP")]


def test_an_inbound_trunk_round_trips_every_field_and_preview_sees_no_change(
        empty: None, recorded: Proxy, settings: Settings) -> None:
    provider = configured(InboundTrunkProvider(), recorded.url, settings)
    inputs = checked(provider, TRUNK)
    created = provider.create(inputs)
    read = provider.read(created.id, dict(created.outs))
    assert read.outs == created.outs
    assert provider.diff(created.id, dict(created.outs), inputs).changes is False
    assert created.outs["ringing_timeout"] == "30s" and created.outs["max_call_duration"] == "7200s"


@pytest.mark.parametrize("field", sorted(TRUNK_CHANGES))
def test_each_inbound_field_changes_through_the_write_its_slot_names(
        field: str, empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = configured(InboundTrunkProvider(), recorded.url, settings)
    inputs = checked(provider, TRUNK)
    created = provider.create(inputs)
    new = checked(provider, {**TRUNK, field: TRUNK_CHANGES[field]})
    recorded.reset()
    result = provider.update(created.id, dict(created.outs), new)
    sent = updates(recorded)
    assert len(sent) == 1, sent
    expected = "replace" if InboundTrunkSpec.slots()[field].write is Write.REPLACE else "update"
    assert set(sent[0]) == {"sip_trunk_id", expected}
    wanted, _ = InboundTrunkSpec.parse(new)
    assert wanted is not None
    assert not wanted.changed(InboundTrunkSpec.from_info(client.inbound.get(created.id), wanted.unmanaged()))
    assert dict(result.outs)["sip_trunk_id"] == created.id


@pytest.mark.parametrize("field", sorted(RULE_CHANGES))
def test_each_rule_field_changes_through_the_write_its_slot_names(
        field: str, empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = configured(DispatchRuleProvider(), recorded.url, settings)
    inputs = checked(provider, RULE)
    created = provider.create(inputs)
    assert provider.read(created.id, dict(created.outs)).outs == created.outs
    new = checked(provider, {**RULE, field: RULE_CHANGES[field]})
    recorded.reset()
    provider.update(created.id, dict(created.outs), new)
    sent = updates(recorded)
    assert len(sent) == 1, sent
    expected = "replace" if DispatchRuleSpec.slots()[field].write is Write.REPLACE else "update"
    assert set(sent[0]) == {"sip_dispatch_rule_id", expected}
    wanted, _ = DispatchRuleSpec.parse(new)
    assert wanted is not None
    assert not wanted.changed(DispatchRuleSpec.from_info(client.dispatch.get(created.id), wanted.unmanaged()))


def test_rule_drift_is_restored_by_the_next_update(
        empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = configured(DispatchRuleProvider(), recorded.url, settings)
    created = provider.create(checked(provider, RULE))
    client.dispatch.update(created.id, DispatchRuleUpdate(name="edited by hand"))
    provider.update(created.id, dict(created.outs), checked(provider, {**RULE, "metadata": "new"}))
    live = client.dispatch.get(created.id)
    assert (live.name, live.metadata) == ("to-agent", "new")


def test_removing_an_attribute_deletes_it_through_the_map_diff(
        empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = configured(DispatchRuleProvider(), recorded.url, settings)
    created = provider.create(checked(provider, {**RULE, "attributes": {"a": "1", "b": "2"}}))
    recorded.reset()
    provider.update(created.id, dict(created.outs), checked(provider, {**RULE, "attributes": {"b": "3"}}))
    assert updates(recorded)[0]["update"]["attributes"] == {"a": "", "b": "3"}
    assert client.dispatch.get(created.id).attributes == {"b": "3"}


@pytest.mark.parametrize("kind", ["inbound", "dispatch"])
def test_a_create_whose_answer_is_lost_takes_the_object_that_landed(
        kind: str, empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    method = "CreateSIPInboundTrunk" if kind == "inbound" else "CreateSIPDispatchRule"
    recorded.fault = lambda name, attempt: "drop" if name == method and attempt == 1 else None
    provider = configured(InboundTrunkProvider() if kind == "inbound" else DispatchRuleProvider(),
                          recorded.url, settings)
    created = provider.create(checked(provider, TRUNK if kind == "inbound" else RULE))
    listing = "ListSIPInboundTrunk" if kind == "inbound" else "ListSIPDispatchRule"
    assert recorded.methods() == [listing, method, listing]
    listed = client.inbound.list() if kind == "inbound" else client.dispatch.list()
    assert len(listed) == 1 and created.id in str(listed[0])


def test_a_conflict_with_a_trunk_outside_the_stack_names_its_id_in_one_line(
        empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = configured(InboundTrunkProvider(), recorded.url, settings)
    other = provider.create(checked(provider, {"name": "other", "numbers": ["+15550001000"]}))
    with pytest.raises(TrunkError) as failed:
        provider.create(checked(provider, {"name": "mine", "numbers": ["+15550001000"],
                                           "allowed_addresses": ["10.0.0.1"]}))
    text = str(failed.value)
    assert "\n" not in text and other.id in text and "'other'" in text


def test_a_rule_conflict_outside_the_stack_names_the_other_rule(
        empty: None, recorded: Proxy, settings: Settings) -> None:
    provider = configured(DispatchRuleProvider(), recorded.url, settings)
    other = provider.create(checked(provider, {"name": "other", "rule": {"direct": {"roomName": "a"}}}))
    with pytest.raises(TrunkError) as failed:
        provider.create(checked(provider, {"name": "mine", "rule": {"individual": {"roomPrefix": "b"}}}))
    text = str(failed.value)
    assert "\n" not in text and other.id in text


def test_an_inbound_password_changed_by_hand_shows_on_refresh(
        empty: None, recorded: Proxy, settings: Settings, client: SIPClient) -> None:
    provider = configured(InboundTrunkProvider(), recorded.url, settings)
    created = provider.create(checked(provider, TRUNK))
    client.inbound.update(created.id, InboundTrunkUpdate(auth_password="by-hand"))
    read = provider.read(created.id, dict(created.outs))
    assert read.outs["auth_password"] == "by-hand"


def test_an_empty_trunk_list_needs_all_trunks_said(recorded: Proxy, settings: Settings) -> None:
    provider = configured(DispatchRuleProvider(), recorded.url, settings)
    result = provider.check({}, {**RULE, "trunk_ids": []})
    assert [f.property for f in result.failures] == ["trunk_ids"]
    assert "all_trunks" in result.failures[0].reason
