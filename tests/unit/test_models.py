"""Wire models: tolerant decoding, exact encoding, and agreement with LiveKit's own protobuf."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message
from livekit.protocol import sip
from pydantic import ValidationError

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.outbound.models import (
    CreateRequest,
    DeleteRequest,
    GetRequest,
    GetResponse,
    ListRequest,
    ListResponse,
    OutboundTrunkInfo,
    OutboundTrunkUpdate,
    UpdateRequest,
)
from livekit_sip.wire import Codec, ListUpdate, MediaConfig, Pagination

SNAKE: dict[str, Any] = {
    "sip_trunk_id": "ST_abcdEFGH1234",
    "name": "Telnyx US",
    "metadata": '{"team": "sales"}',
    "address": "sip.telnyx.com",
    "destination_country": "US",
    "transport": "SIP_TRANSPORT_TLS",
    "numbers": ["+15105550100", "+15105550101"],
    "auth_username": "user",
    "auth_password": "hunter2-secret",
    "headers": {"X-Team": "sales"},
    "headers_to_attributes": {"X-Call-Id": "call.id"},
    "attributes_to_headers": {"call.reason": "X-Reason"},
    "include_headers": "SIP_X_HEADERS",
    "media_encryption": "SIP_MEDIA_ENCRYPT_ALLOW",
    "media": {
        "only_listed_codecs": True,
        "codecs": [{"name": "PCMU", "rate": 8000}],
        "encryption": "SIP_MEDIA_ENCRYPT_REQUIRE",
        "media_timeout": "30s",
    },
    "from_host": "sip.example.com",
    "created_at": "2026-01-02T03:04:05Z",
    "updated_at": "2026-01-02T03:04:06Z",
}

CAMEL: dict[str, Any] = {
    "sipTrunkId": "ST_abcdEFGH1234",
    "name": "Telnyx US",
    "metadata": '{"team": "sales"}',
    "address": "sip.telnyx.com",
    "destinationCountry": "US",
    "transport": "SIP_TRANSPORT_TLS",
    "numbers": ["+15105550100", "+15105550101"],
    "authUsername": "user",
    "authPassword": "hunter2-secret",
    "headers": {"X-Team": "sales"},
    "headersToAttributes": {"X-Call-Id": "call.id"},
    "attributesToHeaders": {"call.reason": "X-Reason"},
    "includeHeaders": "SIP_X_HEADERS",
    "mediaEncryption": "SIP_MEDIA_ENCRYPT_ALLOW",
    "media": {
        "onlyListedCodecs": True,
        "codecs": [{"name": "PCMU", "rate": 8000}],
        "encryption": "SIP_MEDIA_ENCRYPT_REQUIRE",
        "mediaTimeout": "30s",
    },
    "fromHost": "sip.example.com",
    "createdAt": "2026-01-02T03:04:05Z",
    "updatedAt": "2026-01-02T03:04:06Z",
}


# --- decoding ------------------------------------------------------------------------


def test_snake_case_and_camel_case_decode_to_the_same_trunk() -> None:
    assert OutboundTrunkInfo.model_validate(SNAKE) == OutboundTrunkInfo.model_validate(CAMEL)


def test_decoding_reads_every_field() -> None:
    info = OutboundTrunkInfo.model_validate(CAMEL)
    assert info.sip_trunk_id == "ST_abcdEFGH1234"
    assert info.destination_country == "US"
    assert info.transport is Transport.TLS
    assert info.numbers == ["+15105550100", "+15105550101"]
    assert (info.auth_username, info.auth_password) == ("user", "hunter2-secret")
    assert info.headers_to_attributes == {"X-Call-Id": "call.id"}
    assert info.attributes_to_headers == {"call.reason": "X-Reason"}
    assert info.include_headers is IncludeHeaders.X_HEADERS
    assert info.media_encryption is MediaEncryption.ALLOW
    assert info.media == MediaConfig(
        only_listed_codecs=True, codecs=[Codec(name="PCMU", rate=8000)],
        encryption=MediaEncryption.REQUIRE, media_timeout="30s",
    )
    assert info.from_host == "sip.example.com"
    assert (info.created_at, info.updated_at) == ("2026-01-02T03:04:05Z", "2026-01-02T03:04:06Z")


def test_server_nulls_decode_as_empty_values() -> None:
    info = OutboundTrunkInfo.model_validate({
        key: None for key in (
            "sip_trunk_id", "name", "metadata", "address", "destination_country", "numbers",
            "auth_username", "auth_password", "headers", "headers_to_attributes",
            "attributes_to_headers", "from_host", "media", "created_at", "updated_at",
        )
    })
    assert info == OutboundTrunkInfo()
    assert info.numbers == []
    assert info.headers == {}
    assert info.name == ""
    assert info.media is None


def test_null_enums_decode_as_the_protobuf_zero_value() -> None:
    info = OutboundTrunkInfo.model_validate({"transport": None, "include_headers": None, "media_encryption": None})
    assert info.transport is Transport.AUTO
    assert info.include_headers is IncludeHeaders.NONE
    assert info.media_encryption is MediaEncryption.DISABLE


def test_null_optional_enums_stay_unset() -> None:
    assert MediaConfig.model_validate({"encryption": None}).encryption is None
    assert OutboundTrunkUpdate.model_validate({"transport": None}).transport is None


def test_null_codecs_decode_as_an_empty_list() -> None:
    assert MediaConfig.model_validate({"codecs": None, "onlyListedCodecs": False}).codecs == []


def test_missing_fields_take_protobuf_defaults() -> None:
    info = OutboundTrunkInfo.model_validate({})
    assert info.sip_trunk_id == ""
    assert info.transport is Transport.AUTO
    assert info.include_headers is IncludeHeaders.NONE
    assert info.media_encryption is MediaEncryption.DISABLE
    assert info.numbers == []
    assert info.media is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("SIP_TRANSPORT_UDP", Transport.UDP), (1, Transport.UDP), ("udp", Transport.UDP),
     ("sip_transport_tcp", Transport.TCP), (3, Transport.TLS), (0, Transport.AUTO)],
)
def test_enums_decode_by_name_or_number(value: Any, expected: Transport) -> None:
    assert OutboundTrunkInfo.model_validate({"transport": value}).transport is expected


def test_media_encryption_enum_decodes_by_number_inside_media() -> None:
    assert MediaConfig.model_validate({"encryption": 2}).encryption is MediaEncryption.REQUIRE


def test_unknown_enum_name_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="transport"):
        OutboundTrunkInfo.model_validate({"transport": "SIP_TRANSPORT_SCTP"})


def test_unknown_keys_are_ignored() -> None:
    info = OutboundTrunkInfo.model_validate({"name": "a", "futureField": {"x": 1}, "krisp_enabled": True})
    assert info == OutboundTrunkInfo(name="a")
    assert "futureField" not in info.to_wire()
    assert "krisp_enabled" not in info.to_wire()


def test_list_response_tolerates_null_items_and_null_list() -> None:
    assert ListResponse.model_validate({"items": None}).items == []
    assert ListResponse.model_validate({}).items == []
    items = ListResponse.model_validate({"items": [None, {"sipTrunkId": "ST_abcd"}]}).items
    assert items[0] is None
    assert items[1] is not None
    assert items[1].sip_trunk_id == "ST_abcd"


def test_get_response_with_null_trunk_has_no_trunk() -> None:
    assert GetResponse.model_validate({"trunk": None}).trunk is None
    trunk = GetResponse.model_validate({"trunk": {"name": "x"}}).trunk
    assert trunk is not None
    assert trunk.name == "x"


def test_models_are_immutable() -> None:
    info = OutboundTrunkInfo(name="a")
    with pytest.raises(ValidationError, match="frozen"):
        info.name = "b"  # type: ignore[misc]


# --- encoding ------------------------------------------------------------------------


def test_trunk_info_encodes_snake_case_with_livekit_enum_names() -> None:
    assert OutboundTrunkInfo.model_validate(CAMEL).to_wire() == SNAKE


def test_trunk_info_encoding_omits_unset_messages_and_keeps_empty_strings() -> None:
    wire = OutboundTrunkInfo(name="a").to_wire()
    assert "media" not in wire
    assert "created_at" not in wire
    assert "updated_at" not in wire
    assert wire["sip_trunk_id"] == ""
    assert wire["transport"] == "SIP_TRANSPORT_AUTO"
    assert wire["include_headers"] == "SIP_NO_HEADERS"
    assert wire["media_encryption"] == "SIP_MEDIA_ENCRYPT_DISABLE"


def test_python_dump_keeps_enum_members_with_short_names() -> None:
    dumped = OutboundTrunkInfo(transport=Transport.TLS).model_dump()
    assert dumped["transport"] is Transport.TLS
    assert dumped["transport"] == "tls"


def test_empty_update_encodes_to_an_empty_object() -> None:
    update = OutboundTrunkUpdate()
    assert update.to_wire() == {}
    assert update.is_empty()


def test_update_keeps_empty_strings_because_they_clear_a_field() -> None:
    update = OutboundTrunkUpdate(auth_password="", metadata="")
    assert update.to_wire() == {"auth_password": "", "metadata": ""}
    assert not update.is_empty()


def test_update_omits_none_fields_and_encodes_enums_by_livekit_name() -> None:
    update = OutboundTrunkUpdate(
        transport=Transport.TCP, media_encryption=MediaEncryption.REQUIRE,
        numbers=ListUpdate(add=["+15105550102"]),
    )
    assert update.to_wire() == {
        "transport": "SIP_TRANSPORT_TCP",
        "media_encryption": "SIP_MEDIA_ENCRYPT_REQUIRE",
        "numbers": {"add": ["+15105550102"]},
    }


def test_update_request_carries_only_the_chosen_action() -> None:
    request = UpdateRequest(sip_trunk_id="ST_abcd", update=OutboundTrunkUpdate(name="n"))
    assert request.to_wire() == {"sip_trunk_id": "ST_abcd", "update": {"name": "n"}}


def test_list_update_uses_the_remove_key_of_current_servers() -> None:
    wire = ListUpdate(add=["+2"], remove=["+1"]).to_wire()
    assert wire == {"add": ["+2"], "remove": ["+1"]}
    assert "del" not in wire


def test_request_models_encode_their_ids() -> None:
    assert GetRequest(sip_trunk_id="ST_a").to_wire() == {"sip_trunk_id": "ST_a"}
    assert DeleteRequest(sip_trunk_id="ST_a").to_wire() == {"sip_trunk_id": "ST_a"}
    assert ListRequest().to_wire() == {}


# --- secrets and derived values ---------------------------------------------------------


def test_trunk_info_repr_hides_the_password() -> None:
    info = OutboundTrunkInfo.model_validate(SNAKE)
    for text in (repr(info), str(info)):
        assert "hunter2-secret" not in text
        assert "auth_password='[secure]'" in text


def test_update_repr_hides_the_password() -> None:
    update = OutboundTrunkUpdate(auth_password="hunter2-secret")
    assert "hunter2-secret" not in repr(update)
    assert "auth_password='[secure]'" in repr(update)


def test_requests_nesting_a_trunk_or_update_hide_the_password() -> None:
    info = OutboundTrunkInfo.model_validate(SNAKE)
    for request in (
        CreateRequest(trunk=info),
        UpdateRequest(sip_trunk_id="ST_a", replace=info),
        UpdateRequest(sip_trunk_id="ST_a", update=OutboundTrunkUpdate(auth_password="hunter2-secret")),
        ListResponse(items=[info]),
    ):
        assert "hunter2-secret" not in repr(request)
        assert "[secure]" in repr(request)


def test_repr_shows_an_empty_password_as_empty() -> None:
    assert "auth_password=''" in repr(OutboundTrunkInfo())


def test_effective_media_encryption_prefers_media_encryption() -> None:
    info = OutboundTrunkInfo(
        media_encryption=MediaEncryption.DISABLE, media=MediaConfig(encryption=MediaEncryption.REQUIRE)
    )
    assert info.effective_media_encryption is MediaEncryption.REQUIRE


def test_effective_media_encryption_falls_back_to_the_legacy_field() -> None:
    assert OutboundTrunkInfo(media_encryption=MediaEncryption.ALLOW).effective_media_encryption is MediaEncryption.ALLOW
    info = OutboundTrunkInfo(media_encryption=MediaEncryption.ALLOW, media=MediaConfig())
    assert info.effective_media_encryption is MediaEncryption.ALLOW


def test_effective_media_encryption_honours_an_explicit_disable_in_media() -> None:
    info = OutboundTrunkInfo(
        media_encryption=MediaEncryption.REQUIRE, media=MediaConfig(encryption=MediaEncryption.DISABLE)
    )
    assert info.effective_media_encryption is MediaEncryption.DISABLE


# --- cross-check with LiveKit's protobuf ---------------------------------------------------


def _through_protobuf(body: dict[str, Any], message: Message) -> dict[str, Any]:
    """`body` parsed by LiveKit's own protobuf, then printed back with proto field names."""
    json_format.ParseDict(body, message)
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _without_defaults(value: Any) -> Any:
    """`value` without proto3 default scalars, which MessageToDict leaves out."""
    if isinstance(value, dict):
        pruned = {k: _without_defaults(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ("", 0, False, [], {}, None)}
    if isinstance(value, list):
        return [_without_defaults(v) for v in value]
    return value


FULL_INFO = OutboundTrunkInfo.model_validate({**SNAKE, "sip_trunk_id": ""})


def test_create_request_parses_as_livekit_protobuf_without_losing_a_field() -> None:
    body = CreateRequest(trunk=FULL_INFO).to_wire()
    parsed = _through_protobuf(body, sip.CreateSIPOutboundTrunkRequest())
    assert parsed == _without_defaults(body)
    assert set(parsed["trunk"]) == set(SNAKE) - {"sip_trunk_id"}


def test_minimal_create_request_parses_as_livekit_protobuf() -> None:
    info = OutboundTrunkInfo(name="n", address="sip.telnyx.com", numbers=["+15105550100"])
    body = CreateRequest(trunk=info).to_wire()
    parsed = _through_protobuf(body, sip.CreateSIPOutboundTrunkRequest())
    assert parsed == {"trunk": {"name": "n", "address": "sip.telnyx.com", "numbers": ["+15105550100"]}}


def test_replace_request_parses_as_livekit_protobuf_without_losing_a_field() -> None:
    body = UpdateRequest(sip_trunk_id="ST_abcdEFGH1234", replace=FULL_INFO).to_wire()
    parsed = _through_protobuf(body, sip.UpdateSIPOutboundTrunkRequest())
    assert parsed == _without_defaults(body)
    assert parsed["sip_trunk_id"] == "ST_abcdEFGH1234"
    assert parsed["replace"]["auth_password"] == "hunter2-secret"


def test_update_request_parses_as_livekit_protobuf_without_losing_a_field() -> None:
    update = OutboundTrunkUpdate(
        address="sip2.telnyx.com:5061", transport=Transport.UDP, destination_country="GB",
        numbers=ListUpdate(add=["+15105550102"], remove=["+15105550100"]),
        auth_username="user2", auth_password="pw2", name="Renamed", metadata="{}",
        media_encryption=MediaEncryption.REQUIRE,
        media=MediaConfig(encryption=MediaEncryption.REQUIRE),
        from_host="from.example.com",
    )
    body = UpdateRequest(sip_trunk_id="ST_abcdEFGH1234", update=update).to_wire()
    parsed = _through_protobuf(body, sip.UpdateSIPOutboundTrunkRequest())
    assert parsed == _without_defaults(body)
    assert set(parsed["update"]) == set(OutboundTrunkUpdate.model_fields)


def test_update_request_keeps_explicit_empty_strings_through_protobuf() -> None:
    update = OutboundTrunkUpdate(auth_username="", auth_password="", from_host="")
    body = UpdateRequest(sip_trunk_id="ST_abcd", update=update).to_wire()
    parsed = _through_protobuf(body, sip.UpdateSIPOutboundTrunkRequest())
    assert parsed == {"sip_trunk_id": "ST_abcd", "update": {"auth_username": "", "auth_password": "", "from_host": ""}}


def test_update_request_with_optional_zero_enums_keeps_them_through_protobuf() -> None:
    update = OutboundTrunkUpdate(transport=Transport.AUTO, media_encryption=MediaEncryption.DISABLE)
    body = UpdateRequest(sip_trunk_id="ST_abcd", update=update).to_wire()
    parsed = _through_protobuf(body, sip.UpdateSIPOutboundTrunkRequest())
    assert parsed["update"] == {"transport": "SIP_TRANSPORT_AUTO", "media_encryption": "SIP_MEDIA_ENCRYPT_DISABLE"}


def test_list_request_parses_as_livekit_protobuf_without_losing_a_field() -> None:
    body = ListRequest(
        page=Pagination(after_id="ST_a", limit=50), trunk_ids=["ST_a", "ST_b"], numbers=["+15105550100"]
    ).to_wire()
    parsed = _through_protobuf(body, sip.ListSIPOutboundTrunkRequest())
    assert parsed == body == {
        "page": {"after_id": "ST_a", "limit": 50}, "trunk_ids": ["ST_a", "ST_b"], "numbers": ["+15105550100"],
    }


def test_empty_list_request_parses_as_livekit_protobuf() -> None:
    assert _through_protobuf(ListRequest().to_wire(), sip.ListSIPOutboundTrunkRequest()) == {}


def test_get_and_delete_requests_parse_as_livekit_protobuf() -> None:
    get = GetRequest(sip_trunk_id="ST_abcd").to_wire()
    delete = DeleteRequest(sip_trunk_id="ST_abcd").to_wire()
    assert _through_protobuf(get, sip.GetSIPOutboundTrunkRequest()) == {"sip_trunk_id": "ST_abcd"}
    assert _through_protobuf(delete, sip.DeleteSIPTrunkRequest()) == {"sip_trunk_id": "ST_abcd"}


def test_protobuf_json_output_decodes_to_the_same_trunk() -> None:
    message = json_format.ParseDict(SNAKE, sip.SIPOutboundTrunkInfo())
    for preserving_proto_field_name in (False, True):
        printed = json_format.MessageToDict(message, preserving_proto_field_name=preserving_proto_field_name)
        assert OutboundTrunkInfo.model_validate(printed) == OutboundTrunkInfo.model_validate(SNAKE)


def test_protobuf_json_with_enum_numbers_decodes() -> None:
    message = json_format.ParseDict(SNAKE, sip.SIPOutboundTrunkInfo())
    printed = json_format.MessageToDict(message, use_integers_for_enums=True)
    assert printed["transport"] == 3
    assert OutboundTrunkInfo.model_validate(printed).transport is Transport.TLS
