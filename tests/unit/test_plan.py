"""plan: old spec + new spec -> nothing, an update patch, or a full replace."""

from __future__ import annotations

from typing import Any

import pytest

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.fields import Write
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.spec import OutboundTrunkSpec, parse_spec
from livekit_sip.plan import Action, plan, update_for
from livekit_sip.wire import Codec, ListUpdate, MediaConfig, list_update
from tests.support.specs import FULL_PROPS

OLD: dict[str, Any] = {**FULL_PROPS, "address": "sip.telnyx.com", "auth_password": "old-password",
                       "media_encryption": "disable"}


def spec(**changes: Any) -> OutboundTrunkSpec:
    parsed, errors = parse_spec({**OLD, **changes})
    assert errors == []
    assert parsed is not None
    return parsed


def test_same_spec_plans_nothing() -> None:
    result = plan(spec(), spec())
    assert result.action is Action.NONE
    assert result.changed == ()
    assert result.update is None
    assert result.replace is None


def test_reordered_numbers_plan_nothing() -> None:
    result = plan(spec(), spec(numbers=["+15105550101", "+15105550100"]))
    assert result.action is Action.NONE
    assert result.update is None


def test_name_and_numbers_change_is_an_update_with_only_those_fields() -> None:
    result = plan(spec(), spec(name="Renamed", numbers=["+15105550101", "+15105550102"]))
    assert result.action is Action.UPDATE
    assert result.changed == ("name", "numbers")
    assert result.replace is None
    assert result.update is not None
    assert result.update.to_wire() == {
        "name": "Renamed",
        "numbers": {"add": ["+15105550102"], "remove": ["+15105550100"]},
    }


def test_adding_numbers_only_sends_add() -> None:
    result = plan(spec(), spec(numbers=["+15105550100", "+15105550101", "+15105550102", "+15105550103"]))
    assert result.update is not None
    assert result.update.to_wire() == {"numbers": {"add": ["+15105550102", "+15105550103"]}}


def test_removing_numbers_only_sends_remove() -> None:
    result = plan(spec(), spec(numbers=["+15105550101"]))
    assert result.update is not None
    assert result.update.to_wire() == {"numbers": {"remove": ["+15105550100"]}}


def test_switching_to_any_number_removes_every_number_and_adds_star() -> None:
    result = plan(spec(), spec(numbers=["*"]))
    assert result.update is not None
    assert result.update.to_wire() == {
        "numbers": {"add": ["*"], "remove": ["+15105550100", "+15105550101"]}
    }


def test_password_rotation_is_an_update_with_only_the_password() -> None:
    result = plan(spec(), spec(auth_password="new-password"))
    assert result.action is Action.UPDATE
    assert result.changed == ("auth_password",)
    assert result.update is not None
    assert result.update.to_wire() == {"auth_password": "new-password"}


def test_removing_credentials_sends_empty_strings_to_clear_them() -> None:
    result = plan(spec(), spec(auth_username="", auth_password=""))
    assert result.update is not None
    assert result.update.to_wire() == {"auth_username": "", "auth_password": ""}


def test_clearing_optional_strings_sends_empty_strings() -> None:
    result = plan(spec(), spec(metadata="", from_host="", destination_country=""))
    assert result.action is Action.UPDATE
    assert result.update is not None
    assert result.update.to_wire() == {"destination_country": "", "metadata": "", "from_host": ""}


def test_patchable_scalars_are_sent_with_livekit_enum_names() -> None:
    result = plan(spec(), spec(address="sip2.telnyx.com:5061", transport="udp"))
    assert result.action is Action.UPDATE
    assert result.update is not None
    assert result.update.to_wire() == {"address": "sip2.telnyx.com:5061", "transport": "SIP_TRANSPORT_UDP"}
    assert result.update.transport is Transport.UDP


def test_media_encryption_change_sets_both_the_legacy_and_the_media_field() -> None:
    result = plan(spec(), spec(media_encryption="require"))
    assert result.action is Action.UPDATE
    assert result.changed == ("media_encryption",)
    assert result.update is not None
    wire = result.update.to_wire()
    assert set(wire) == {"media_encryption", "media"}
    assert wire["media_encryption"] == "SIP_MEDIA_ENCRYPT_REQUIRE"
    assert wire["media"]["encryption"] == "SIP_MEDIA_ENCRYPT_REQUIRE"
    assert result.sends_media


def test_media_update_carries_the_encryption_twice_and_the_whole_media_message() -> None:
    update = update_for(spec(), spec(media_encryption="allow"), ("media_encryption",))
    fields = dict(update)
    assert fields["media_encryption"] is MediaEncryption.ALLOW
    assert fields["media"] == MediaConfig(
        encryption=MediaEncryption.ALLOW, only_listed_codecs=True, media_timeout="30s",
        codecs=[Codec(name="PCMU", rate=8000), Codec(name="opus", rate=48000)])


# LiveKit's media as set outside Pulumi, for specs that leave some media fields unset.
HELD = MediaConfig(encryption=MediaEncryption.DISABLE, codecs=[Codec(name="G722", rate=16000)],
                   only_listed_codecs=True, media_timeout="45s")
UNMANAGED: dict[str, Any] = {"codecs": None, "only_listed_codecs": None, "media_timeout": None}


@pytest.mark.parametrize(("field", "value"), [("codecs", ["PCMA/8000"]), ("only_listed_codecs", False),
                                              ("media_timeout", "1m")])
def test_any_media_change_sends_the_whole_media_message(field: str, value: Any) -> None:
    result = plan(spec(), spec(**{field: value}))
    assert result.action is Action.UPDATE and result.changed == (field,)
    assert result.update is not None
    wire = result.update.to_wire()
    assert set(wire) == {"media_encryption", "media"}
    assert set(wire["media"]) == {"encryption", "codecs", "only_listed_codecs", "media_timeout"}


def test_an_encryption_change_keeps_the_media_livekit_holds_for_unset_fields() -> None:
    result = plan(spec(**UNMANAGED), spec(**UNMANAGED, media_encryption="require"), HELD)
    assert result.update is not None
    assert result.update.media == MediaConfig(encryption=MediaEncryption.REQUIRE, codecs=HELD.codecs,
                                              only_listed_codecs=True, media_timeout="45s")


def test_a_replace_carries_the_media_livekit_holds_for_unset_fields() -> None:
    new = spec(**{**UNMANAGED, "media_timeout": "10s"}, headers={"X-Team": "support"})
    result = plan(spec(**UNMANAGED), new, HELD)
    assert result.action is Action.REPLACE and result.sends_media
    assert result.replace is not None
    assert result.replace.media == MediaConfig(encryption=MediaEncryption.DISABLE, codecs=HELD.codecs,
                                               only_listed_codecs=True, media_timeout="10s")


def test_changes_that_leave_media_alone_do_not_send_it() -> None:
    result = plan(spec(**UNMANAGED), spec(**UNMANAGED, name="Renamed"), HELD)
    assert result.update is not None
    assert result.update.to_wire() == {"name": "Renamed"}
    assert not result.sends_media


def test_a_media_field_taken_out_of_the_spec_is_left_as_livekit_holds_it() -> None:
    result = plan(spec(), spec(codecs=None, media_timeout=None))
    assert result.action is Action.NONE
    assert result.changed == ("codecs", "media_timeout")
    assert not result.sends_media


def test_a_media_field_taken_into_the_spec_is_written() -> None:
    result = plan(spec(**UNMANAGED), spec(**{**UNMANAGED, "codecs": ["PCMU/8000"]}), HELD)
    assert result.update is not None and result.update.media is not None
    assert result.update.media.codecs == [Codec(name="PCMU", rate=8000)]
    assert result.update.media.media_timeout == "45s"


def test_an_equal_media_timeout_in_another_spelling_plans_nothing() -> None:
    assert plan(spec(media_timeout="1.5s"), spec(media_timeout="1500ms")).action is Action.NONE


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("headers", {"X-Team": "support"}),
        ("headers", {}),
        ("headers_to_attributes", {"X-Call-Id": "call.sid"}),
        ("attributes_to_headers", {"call.reason": "X-Why"}),
        ("include_headers", "all"),
    ],
)
def test_fields_the_update_action_cannot_patch_plan_a_replace_with_the_full_spec(field: str, value: Any) -> None:
    new = spec(**{field: value})
    result = plan(spec(), new)
    assert result.action is Action.REPLACE
    assert result.changed == (field,)
    assert result.update is None
    assert result.replace == new.to_info()
    assert isinstance(result.replace, OutboundTrunkInfo)
    wire = result.replace.to_wire()
    assert wire["auth_username"] == "user"
    assert wire["auth_password"] == "old-password"
    assert wire["numbers"] == ["+15105550100", "+15105550101"]
    assert wire["name"] == "Telnyx US"
    assert wire["from_host"] == "sip.example.com"
    assert wire["transport"] == "SIP_TRANSPORT_TLS"
    assert wire["headers_to_attributes"] == new.headers_to_attributes


def test_replace_wins_when_patchable_and_unpatchable_fields_change_together() -> None:
    new = spec(name="Renamed", auth_password="rotated", include_headers="none")
    result = plan(spec(), new)
    assert result.action is Action.REPLACE
    assert result.changed == ("name", "auth_password", "include_headers")
    assert result.replace is not None
    assert result.replace.name == "Renamed"
    assert result.replace.auth_password == "rotated"
    assert result.replace.include_headers is IncludeHeaders.NONE


def test_replace_only_fields_are_the_three_header_maps_and_include_headers() -> None:
    assert frozenset({"headers", "headers_to_attributes", "attributes_to_headers", "include_headers"}) == \
        OutboundTrunkSpec.written(Write.REPLACE)


def test_update_never_carries_unchanged_fields() -> None:
    result = plan(spec(), spec(metadata='{"team": "support"}'))
    assert result.update is not None
    assert result.update.to_wire() == {"metadata": '{"team": "support"}'}


def test_numbers_update_removes_and_adds_in_list_order() -> None:
    update = list_update(("+1", "+2", "+3"), ("+3", "+4", "+1", "+5"))
    assert update == ListUpdate(add=["+4", "+5"], remove=["+2"])


def test_numbers_update_of_equal_lists_is_empty() -> None:
    assert list_update(("+1", "+2"), ("+2", "+1")).to_wire() == {}
