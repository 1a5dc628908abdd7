"""The client's wire format, checked against LiveKit's own protobufs and the official Python SDK."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import Message
from livekit import api
from livekit.protocol import models as proto_models
from livekit.protocol import sip as proto_sip

from livekit_sip.client import SIPClient
from livekit_sip.enums import MediaEncryption, Transport
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.settings import Settings
from livekit_sip.wire import ListUpdate, MediaConfig
from scripts.proxy import Proxy
from tests.integration.conftest import MEDIA, full_trunk, number

MakeTrunk = Callable[..., OutboundTrunkInfo]

REQUESTS: dict[str, type[Message]] = {
    "CreateSIPOutboundTrunk": proto_sip.CreateSIPOutboundTrunkRequest,
    "GetSIPOutboundTrunk": proto_sip.GetSIPOutboundTrunkRequest,
    "ListSIPOutboundTrunk": proto_sip.ListSIPOutboundTrunkRequest,
    "UpdateSIPOutboundTrunk": proto_sip.UpdateSIPOutboundTrunkRequest,
    "DeleteSIPTrunk": proto_sip.DeleteSIPTrunkRequest,
}


def as_dict(message: Message) -> dict[str, Any]:
    """`message` as JSON with proto field names, zero values included."""
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def assert_carried(sent: Any, parsed: Any, path: str) -> None:
    """Every value in `sent` is in `parsed` unchanged (parsed may add zero values)."""
    if isinstance(sent, dict):
        assert isinstance(parsed, dict), path
        for key, value in sent.items():
            assert key in parsed, f"{path}.{key} was dropped"
            assert_carried(value, parsed[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(parsed, list) and len(parsed) == len(sent), path
        for i, (a, b) in enumerate(zip(sent, parsed, strict=True)):
            assert_carried(a, b, f"{path}[{i}]")
    else:
        assert parsed == sent, f"{path}: sent {sent!r}, protobuf read {parsed!r}"


def sdk_list(settings: Settings, trunk_ids: list[str]) -> list[proto_sip.SIPOutboundTrunkInfo]:
    """The outbound trunks with these ids, as the official SDK reads them."""

    async def read() -> list[proto_sip.SIPOutboundTrunkInfo]:
        lk = api.LiveKitAPI(settings.url, settings.api_key, settings.api_secret)
        try:
            response = await lk.sip.list_outbound_trunk(api.ListSIPOutboundTrunkRequest(trunk_ids=trunk_ids))
            return list(response.items)
        finally:
            await lk.aclose()

    return asyncio.run(read())


def sdk_create(settings: Settings, info: proto_sip.SIPOutboundTrunkInfo) -> proto_sip.SIPOutboundTrunkInfo:
    """`info` created through the official SDK."""

    async def create() -> proto_sip.SIPOutboundTrunkInfo:
        lk = api.LiveKitAPI(settings.url, settings.api_key, settings.api_secret)
        try:
            return await lk.sip.create_outbound_trunk(api.CreateSIPOutboundTrunkRequest(trunk=info))
        finally:
            await lk.aclose()

    return asyncio.run(create())


# -- request bodies ---------------------------------------------------------------


def test_every_request_body_parses_into_livekits_protobuf_without_losing_a_field(
    proxy: Proxy, proxied: SIPClient
) -> None:
    created = proxied.outbound.create(full_trunk(media=MEDIA))
    sip_trunk_id = created.sip_trunk_id
    try:
        proxied.outbound.get(sip_trunk_id)
        proxied.outbound.list()
        proxied.outbound.list(trunk_ids=[sip_trunk_id], numbers=created.numbers, page_size=3)
        proxied.outbound.update(sip_trunk_id, OutboundTrunkUpdate(
            address="10.0.0.1:5061", transport=Transport.TCP, destination_country="DE",
            numbers=ListUpdate(add=[number()], remove=[created.numbers[0]]),
            auth_username="bob", auth_password="pw-for-bob", name="renamed", metadata="m2",
            media_encryption=MediaEncryption.REQUIRE, media=MEDIA, from_host="from2.example.com",
        ))
        proxied.outbound.update(sip_trunk_id, OutboundTrunkUpdate(numbers=ListUpdate(set=[number(), number()])))
        proxied.outbound.update(sip_trunk_id, OutboundTrunkUpdate(auth_password="", media=MediaConfig()))
        proxied.outbound.replace(sip_trunk_id, full_trunk())
    finally:
        proxied.outbound.delete(sip_trunk_id)

    assert set(proxy.methods()) == set(REQUESTS)
    assert all(call.status == 200 for call in proxy.calls), [(c.method, c.status) for c in proxy.calls]
    for call in proxy.calls:
        # ParseDict raises on any key the protobuf does not define.
        parsed = ParseDict(call.body, REQUESTS[call.method](), ignore_unknown_fields=False)
        assert_carried(call.body, as_dict(parsed), call.method)


def test_an_update_sends_exactly_the_fields_it_sets(
    proxy: Proxy, proxied: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    proxied.outbound.update(created.sip_trunk_id,
                            OutboundTrunkUpdate(name="only this", numbers=ListUpdate(add=[number()])))

    (call,) = proxy.calls
    assert set(call.body) == {"sip_trunk_id", "update"}
    assert set(call.body["update"]) == {"name", "numbers"}
    assert set(call.body["update"]["numbers"]) == {"add"}


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (OutboundTrunkInfo, proto_sip.SIPOutboundTrunkInfo),
        (OutboundTrunkUpdate, proto_sip.SIPOutboundTrunkUpdate),
        (ListUpdate, proto_models.ListUpdate),
        (MediaConfig, proto_sip.SIPMediaConfig),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_wire_model_has_exactly_the_protobuf_fields(model: type[Any], message: type[Message]) -> None:
    assert set(model.model_fields) == set(message.DESCRIPTOR.fields_by_name)


# -- the official SDK -------------------------------------------------------------


def test_a_trunk_created_by_the_client_reads_back_identically_through_the_official_sdk(
    settings: Settings, client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk(**full_trunk(media=MEDIA).model_dump())

    (seen,) = sdk_list(settings, [created.sip_trunk_id])

    assert as_dict(seen) == created.to_wire()
    assert as_dict(seen) == client.outbound.get(created.sip_trunk_id).to_wire()


def test_a_trunk_created_by_the_official_sdk_reads_back_identically_through_the_client(
    settings: Settings, client: SIPClient
) -> None:
    info = api.SIPOutboundTrunkInfo(
        name="made by the sdk",
        metadata='{"sdk": true}',
        address="sdk.example.com:5070",
        destination_country="GB",
        transport=api.SIPTransport.SIP_TRANSPORT_TCP,
        numbers=[number(), number()],
        auth_username="sdk-user",
        auth_password="pw-from-sdk",
        headers={"X-From-Sdk": "yes"},
        headers_to_attributes={"X-Sdk-Ref": "sdk.ref"},
        attributes_to_headers={"sdk.ref": "X-Sdk-Ref"},
        include_headers=api.SIPHeaderOptions.SIP_ALL_HEADERS,
        media_encryption=api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_REQUIRE,
        from_host="from.sdk.example.com",
        media=proto_sip.SIPMediaConfig(
            only_listed_codecs=True,
            codecs=[proto_sip.SIPCodec(name="PCMA", rate=8000)],
            encryption=api.SIPMediaEncryption.SIP_MEDIA_ENCRYPT_ALLOW,
        ),
    )

    made = sdk_create(settings, info)
    try:
        expected = as_dict(made)
        got = client.outbound.get(made.sip_trunk_id)
        (listed,) = client.outbound.list(numbers=list(info.numbers))

        assert got.to_wire() == expected
        assert listed.to_wire() == expected
        assert expected["transport"] == "SIP_TRANSPORT_TCP" and expected["auth_password"] == "pw-from-sdk"
    finally:
        client.outbound.delete(made.sip_trunk_id)


def test_a_trunk_deleted_by_the_client_is_gone_for_the_official_sdk(
    settings: Settings, client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()
    client.outbound.delete(created.sip_trunk_id)

    assert sdk_list(settings, [created.sip_trunk_id]) == []
