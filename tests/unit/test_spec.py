"""parse_spec validation and normalization, OutboundTrunkSpec conversions, changed_fields."""

from __future__ import annotations

from typing import Any

import pytest

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.errors import SpecError
from livekit_sip.media import MEDIA_FIELDS
from livekit_sip.media import unmanaged as unmanaged_fields
from livekit_sip.media_values import codec_shorthand, format_duration, parse_duration
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.spec import OutboundTrunkSpec, parse_spec
from livekit_sip.wire import Codec, MediaConfig
from tests.support.specs import FULL_PROPS

FIELDS = OutboundTrunkSpec.fields()


def changed_fields(old: OutboundTrunkSpec, new: OutboundTrunkSpec) -> list[str]:
    return list(new.changed(old))


def same_field(field: str, old: OutboundTrunkSpec, new: OutboundTrunkSpec) -> bool:
    return new.same(old, field)


BASE: dict[str, Any] = {
    "name": "Telnyx US",
    "address": "sip.telnyx.com",
    "numbers": ["+15105550100"],
}


def valid(**fields: Any) -> OutboundTrunkSpec:
    """The spec for BASE overridden by `fields`; fails the test on any error."""
    spec, errors = parse_spec({**BASE, **fields})
    assert errors == []
    assert spec is not None
    return spec


def invalid(**fields: Any) -> list[SpecError]:
    """The errors for BASE overridden by `fields`; fails the test if it is valid."""
    spec, errors = parse_spec({**BASE, **fields})
    assert spec is None
    assert errors
    return errors


def error_fields(**fields: Any) -> list[str]:
    return [err.field for err in invalid(**fields)]


# --- address and from_host ---------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "sip.telnyx.com",
        "sip.telnyx.com.",
        "localhost",
        "sip.telnyx.com:5060",
        "sip.telnyx.com:65535",
        "127.0.0.1",
        "127.0.0.1:5070",
        "2001:db8::1",
        "[2001:db8::1]",
        "[2001:db8::1]:5061",
        "a-b.example",
    ],
)
def test_address_accepts_host_ip_and_host_port(address: str) -> None:
    assert valid(address=address).address == address


def test_address_is_stripped_of_surrounding_whitespace() -> None:
    assert valid(address="  sip.telnyx.com  ").address == "sip.telnyx.com"


@pytest.mark.parametrize(
    "address",
    ["sip:sip.telnyx.com", "SIP:sip.telnyx.com", "sips:sip.telnyx.com", "user@sip.telnyx.com"],
)
def test_address_refuses_sip_uris_and_user_parts(address: str) -> None:
    (err,) = invalid(address=address)
    assert err.field == "address"
    assert "SIP URI" in err.reason


@pytest.mark.parametrize(
    "address", ["sip.telnyx.com;transport=tcp", "sip.telnyx.com:5060;TRANSPORT=udp"]
)
def test_address_refuses_transport_parameter_and_points_to_transport_field(
    address: str,
) -> None:
    (err,) = invalid(address=address)
    assert err.field == "address"
    assert "transport" in err.reason


@pytest.mark.parametrize("address", ["sip.telnyx.com;lr", "sip.telnyx.com/path", "sip telnyx.com"])
def test_address_refuses_uri_parameters_paths_and_spaces(address: str) -> None:
    (err,) = invalid(address=address)
    assert err.field == "address"
    assert "not a host or host:port" in err.reason


@pytest.mark.parametrize(
    "address",
    [
        "sip.telnyx.com:0",
        "sip.telnyx.com:65536",
        "sip.telnyx.com:99999",
        "sip.telnyx.com:http",
        "sip.telnyx.com:-1",
        "sip.telnyx.com:",
        "sip.telnyx.com:+5060",
        "sip.telnyx.com:\u0665\u0660\u0666\u0660",
        "[2001:db8::1]:0",
        "[2001:db8::1]:",
    ],
)
def test_address_refuses_invalid_ports(address: str) -> None:
    (err,) = invalid(address=address)
    assert err.field == "address"
    assert "invalid port" in err.reason


@pytest.mark.parametrize(
    "address",
    [
        "-sip.telnyx.com",
        "sip-.telnyx.com",
        "sip..telnyx.com",
        "sip_trunk.telnyx.com",
        "sïp.telnyx.com",
        ":5060",
        "a:b:c",
        "999.1.1.1",
        "10.0.0",
        "x" * 64 + ".example",
        ("a" * 60 + ".") * 5 + "com",
    ],
)
def test_address_refuses_invalid_hostnames_and_ip_addresses(address: str) -> None:
    (err,) = invalid(address=address)
    assert err.field == "address"
    assert "not a valid hostname or IP address" in err.reason


@pytest.mark.parametrize(
    "address", ["[sip.telnyx.com]:5060", "[127.0.0.1]", "[2001:db8::1", "[2001:db8::1]5061"]
)
def test_address_brackets_enclose_only_an_ipv6_address(address: str) -> None:
    (err,) = invalid(address=address)
    assert err.field == "address"
    assert "IPv6" in err.reason


@pytest.mark.parametrize("address", [None, "", "   "])
def test_address_is_required(address: Any) -> None:
    (err,) = invalid(address=address)
    assert (err.field, err.reason) == ("address", "is required")


def test_address_must_be_a_string() -> None:
    (err,) = invalid(address=5060)
    assert err.field == "address"
    assert "must be a string" in err.reason


def test_from_host_is_optional_and_defaults_to_empty() -> None:
    assert valid().from_host == ""
    assert valid(from_host=None).from_host == ""


def test_from_host_follows_the_address_rules() -> None:
    assert valid(from_host="sip.example.com:5061").from_host == "sip.example.com:5061"
    assert error_fields(from_host="sip:sip.example.com") == ["from_host"]
    assert error_fields(from_host="sip.example.com;transport=tls") == ["from_host"]
    assert error_fields(from_host="sip.example.com:70000") == ["from_host"]


# --- numbers ---------------------------------------------------------------------


def test_numbers_keep_their_order_and_become_a_tuple() -> None:
    spec = valid(numbers=["+15105550101", "+442071838750", "+15105550100"])
    assert spec.numbers == ("+15105550101", "+442071838750", "+15105550100")


def test_numbers_are_stripped() -> None:
    assert valid(numbers=[" +15105550100 "]).numbers == ("+15105550100",)


def test_numbers_accept_a_tuple() -> None:
    assert valid(numbers=("+15105550100",)).numbers == ("+15105550100",)


@pytest.mark.parametrize("numbers", [None, [], ()])
def test_numbers_must_not_be_empty(numbers: Any) -> None:
    (err,) = invalid(numbers=numbers)
    assert err.field == "numbers"
    assert "at least one number is required" in err.reason


@pytest.mark.parametrize("numbers", ["+15105550100", {"+15105550100": 1}, 15105550100])
def test_numbers_must_be_a_list(numbers: Any) -> None:
    (err,) = invalid(numbers=numbers)
    assert err.field == "numbers"
    assert "must be a list" in err.reason


@pytest.mark.parametrize(
    "number",
    [
        "15105550100",
        "+05105550100",
        "+1",
        "+1234567890123456",
        "+1 510 555 0100",
        "+1-510-555-0100",
        "+1510555010a",
        "",
        "**",
        "+15105550100\n+15105550101",
    ],
)
def test_numbers_must_be_e164(number: str) -> None:
    (err,) = invalid(numbers=["+15105550100", number])
    assert err.field == "numbers[1]"
    assert "E.164" in err.reason


def test_numbers_accept_the_shortest_and_longest_e164() -> None:
    assert valid(numbers=["+12", "+123456789012345"]).numbers == ("+12", "+123456789012345")


def test_number_that_is_not_a_string_is_refused_by_index() -> None:
    (err,) = invalid(numbers=["+15105550100", 15105550101])
    assert err.field == "numbers[1]"
    assert "must be a string" in err.reason


def test_duplicate_numbers_are_refused_even_with_whitespace() -> None:
    (err,) = invalid(numbers=["+15105550100", "+15105550101", " +15105550100"])
    assert err.field == "numbers[2]"
    assert "listed twice" in err.reason


def test_star_alone_means_any_number() -> None:
    assert valid(numbers=["*"]).numbers == ("*",)


@pytest.mark.parametrize("numbers", [["*", "+15105550100"], ["+15105550100", "*"]])
def test_star_cannot_be_combined_with_numbers(numbers: list[str]) -> None:
    (err,) = invalid(numbers=numbers)
    assert err.field == "numbers"
    assert "cannot be combined" in err.reason


# --- enums -----------------------------------------------------------------------


def test_enums_default_to_livekit_defaults() -> None:
    spec = valid()
    assert spec.transport is Transport.AUTO
    assert spec.include_headers is IncludeHeaders.NONE
    assert spec.media_encryption is MediaEncryption.DISABLE


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("transport", "tls", Transport.TLS),
        ("transport", "TCP", Transport.TCP),
        ("transport", " udp ", Transport.UDP),
        ("transport", "SIP_TRANSPORT_TLS", Transport.TLS),
        ("transport", "sip_transport_udp", Transport.UDP),
        ("transport", 2, Transport.TCP),
        ("transport", 0, Transport.AUTO),
        ("transport", "", Transport.AUTO),
        ("transport", None, Transport.AUTO),
        ("include_headers", "x_headers", IncludeHeaders.X_HEADERS),
        ("include_headers", "SIP_ALL_HEADERS", IncludeHeaders.ALL),
        ("include_headers", "sip_no_headers", IncludeHeaders.NONE),
        ("include_headers", 1, IncludeHeaders.X_HEADERS),
        ("media_encryption", "Require", MediaEncryption.REQUIRE),
        ("media_encryption", "SIP_MEDIA_ENCRYPT_ALLOW", MediaEncryption.ALLOW),
        ("media_encryption", 2, MediaEncryption.REQUIRE),
        ("media_encryption", MediaEncryption.ALLOW, MediaEncryption.ALLOW),
    ],
)
def test_enums_accept_short_names_livekit_names_and_numbers(
    field: str, value: Any, expected: Any
) -> None:
    assert getattr(valid(**{field: value}), field) is expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("transport", "sctp"),
        ("transport", "SIP_TRANSPORT_SCTP"),
        ("transport", 4),
        ("transport", -1),
        ("transport", True),
        ("transport", 3.0),
        ("include_headers", "some"),
        ("media_encryption", "required"),
        ("media_encryption", 3),
    ],
)
def test_unknown_enum_value_is_refused_listing_the_choices(field: str, value: Any) -> None:
    (err,) = invalid(**{field: value})
    assert err.field == field
    assert "is not one of" in err.reason


def test_unknown_transport_error_lists_the_short_names() -> None:
    (err,) = invalid(transport="sctp")
    assert err.reason == "'sctp' is not one of auto | udp | tcp | tls"


# --- destination_country ---------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [("US", "US"), ("us", "US"), (" gb ", "GB"), ("", "")])
def test_country_is_normalized_to_upper_case_iso_code(given: str, stored: str) -> None:
    assert valid(destination_country=given).destination_country == stored


@pytest.mark.parametrize("country", ["USA", "UK", "XX", "U", "840", "U S"])
def test_country_must_be_iso_3166_alpha_2(country: str) -> None:
    (err,) = invalid(destination_country=country)
    assert err.field == "destination_country"
    assert "ISO 3166-1 alpha-2" in err.reason


# --- headers and the attribute maps -----------------------------------------------


def test_headers_accept_token_names_and_keep_the_map() -> None:
    headers = {"X-Team": "sales", "X-a.b!%*_+`'~": "v", "To": "<sip:x@y>", "Via": "x"}
    assert valid(headers=headers).headers == headers


@pytest.mark.parametrize(
    "name",
    ["From", "from", "FROM", "Call-ID", "call-id", "CSeq", "Contact", "Max-Forwards",
     "Content-Length", "Content-Type", "Record-Route", "Refer-To"],
)
def test_headers_refuse_names_livekit_sets_itself_case_insensitively(name: str) -> None:
    (err,) = invalid(headers={name: "x"})
    assert err.field == f"headers.{name}"
    assert "cannot be overridden" in err.reason


# RFC 3261 7.3.3 (and RFC 6665, RFC 3515) compact forms whose long form LiveKit refuses.
COMPACT_OF_REFUSED = {"f": "From", "i": "Call-ID", "c": "Content-Type", "e": "Content-Encoding",
                      "m": "Contact", "l": "Content-Length", "o": "Event", "r": "Refer-To", "u": "Allow-Events"}


@pytest.mark.parametrize(("letter", "long_form"), sorted(COMPACT_OF_REFUSED.items()))
@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_headers_refuse_the_compact_form_of_every_header_livekit_refuses_naming_it(
        letter: str, long_form: str, case: Any) -> None:
    name = case(letter)
    (err,) = invalid(headers={name: "x"})
    assert err.field == f"headers.{name}"
    assert f"compact form of {long_form}" in err.reason
    assert "cannot be overridden" in err.reason
    # The long form is refused too, so the two spellings agree.
    (long_err,) = invalid(headers={long_form: "x"})
    assert "cannot be overridden" in long_err.reason


@pytest.mark.parametrize(("letter", "long_form"), [("k", "Supported"), ("t", "To"), ("v", "Via")])
def test_compact_names_livekit_refuses_while_it_takes_the_long_form_point_to_the_long_form(
        letter: str, long_form: str) -> None:
    (err,) = invalid(headers={letter: "x"})
    assert err.reason == f"'{letter}' is the compact form of {long_form}; LiveKit refuses compact header " \
        f"names, write {long_form} in full"
    assert valid(headers={long_form: "x"}).headers == {long_form: "x"}


def test_subject_is_accepted_in_both_forms_as_livekit_accepts_it() -> None:
    assert valid(headers={"s": "x", "Subject": "y"}).headers == {"s": "x", "Subject": "y"}


def test_compact_forms_are_checked_only_where_livekit_checks_forbidden_names() -> None:
    spec = valid(headers_to_attributes={"f": "from.attr"}, attributes_to_headers={"call.i": "i"})
    assert spec.headers_to_attributes == {"f": "from.attr"}


@pytest.mark.parametrize(
    "name", ["X Team", "X-Team:", "X(Team)", "X-Tëam", "X-Team\n", "x" * 256, "X/Team"]
)
def test_headers_refuse_names_that_are_not_sip_tokens(name: str) -> None:
    (err,) = invalid(headers={name: "x"})
    assert err.field == f"headers.{name}"
    assert "not a valid SIP header name" in err.reason


def test_header_name_of_255_characters_is_accepted() -> None:
    name = "X" * 255
    assert valid(headers={name: "x"}).headers == {name: "x"}


@pytest.mark.parametrize("value", ["a\nb", "a\r\nX-Injected: 1", "caf\u00e9", "\x00", "sales\n", "x" * 1025])
def test_header_values_must_be_printable_ascii_up_to_1024(value: str) -> None:
    (err,) = invalid(headers={"X-Team": value})
    assert err.field == "headers.X-Team"
    assert "printable ASCII" in err.reason


def test_header_value_may_hold_tabs_and_be_1024_characters() -> None:
    headers = {"X-Tab": "a\tb", "X-Long": "y" * 1024}
    assert valid(headers=headers).headers == headers


@pytest.mark.parametrize("field", ["headers", "headers_to_attributes", "attributes_to_headers"])
def test_maps_refuse_empty_keys_and_values(field: str) -> None:
    assert error_fields(**{field: {"": "x"}}) == [f"{field}."]
    assert error_fields(**{field: {"X-A": ""}}) == [f"{field}.X-A"]


@pytest.mark.parametrize("field", ["headers", "headers_to_attributes", "attributes_to_headers"])
def test_maps_refuse_non_string_values(field: str) -> None:
    assert error_fields(**{field: {"X-A": 1}}) == [f"{field}.X-A"]


@pytest.mark.parametrize("value", [["X-A"], "X-A=b", 3])
def test_maps_must_be_mappings(value: Any) -> None:
    (err,) = invalid(headers=value)
    assert err.field == "headers"
    assert "must be a map" in err.reason


@pytest.mark.parametrize("field", ["headers", "headers_to_attributes", "attributes_to_headers"])
def test_maps_default_to_empty(field: str) -> None:
    assert getattr(valid(), field) == {}
    assert getattr(valid(**{field: None}), field) == {}


def test_headers_to_attributes_keys_must_be_header_tokens() -> None:
    assert valid(headers_to_attributes={"X-Call-Id": "call.id"}).headers_to_attributes == {
        "X-Call-Id": "call.id"
    }
    (err,) = invalid(headers_to_attributes={"X Call Id": "call.id"})
    assert err.field == "headers_to_attributes.X Call Id"
    assert "not a valid SIP header name" in err.reason


def test_headers_to_attributes_values_are_free_attribute_names() -> None:
    spec = valid(headers_to_attributes={"X-Call-Id": "call id: (any text)"})
    assert spec.headers_to_attributes == {"X-Call-Id": "call id: (any text)"}


def test_headers_to_attributes_may_read_headers_forbidden_in_headers() -> None:
    spec = valid(headers_to_attributes={"Call-ID": "sip.callId", "From": "from"})
    assert spec.headers_to_attributes == {"Call-ID": "sip.callId", "From": "from"}


def test_attributes_to_headers_values_must_be_header_tokens() -> None:
    spec = valid(attributes_to_headers={"call.reason": "X-Reason", "any key": "Contact"})
    assert spec.attributes_to_headers == {"call.reason": "X-Reason", "any key": "Contact"}
    (err,) = invalid(attributes_to_headers={"call.reason": "X Reason"})
    assert err.field == "attributes_to_headers.call.reason"
    assert "not a valid SIP header name" in err.reason


# --- credentials, strings, adopt ---------------------------------------------------


def test_username_and_password_together_are_accepted() -> None:
    spec = valid(auth_username="user", auth_password="p@ss word ")
    assert (spec.auth_username, spec.auth_password) == ("user", "p@ss word ")


def test_username_without_password_names_the_password_field() -> None:
    (err,) = invalid(auth_username="user")
    assert err.field == "auth_password"
    assert "set both auth_username and auth_password, or neither" in err.reason


def test_password_without_username_names_the_username_field() -> None:
    (err,) = invalid(auth_password="secret")
    assert err.field == "auth_username"
    assert "set both auth_username and auth_password, or neither" in err.reason


def test_whitespace_username_counts_as_missing() -> None:
    assert error_fields(auth_username="  ", auth_password="secret") == ["auth_username"]


def test_pairing_error_never_shows_the_password() -> None:
    (err,) = invalid(auth_password="hunter2-secret")
    assert "hunter2-secret" not in str(err)


@pytest.mark.parametrize("field", ["name", "metadata", "auth_username", "auth_password"])
def test_string_fields_refuse_other_types(field: str) -> None:
    (err,) = invalid(**{field: {"team": "sales"}})
    assert err.field == field
    assert "must be a string, got dict" in err.reason


def test_metadata_is_kept_verbatim() -> None:
    assert valid(metadata=' {"team": "sales"} ').metadata == ' {"team": "sales"} '


def test_name_is_stripped_and_may_be_empty() -> None:
    assert valid(name="  My trunk ").name == "My trunk"
    assert valid(name=None).name == ""


def test_adopt_trunk_id_is_checked_but_not_part_of_the_spec() -> None:
    spec = valid(adopt_trunk_id="ST_abcdEFGH1234")
    assert "adopt_trunk_id" not in spec.props()


@pytest.mark.parametrize("adopt", ["abcdEFGH1234", "ST_", "ST_ab", "st_abcdEFGH1234", "ST_abcd\n", 5])
def test_adopt_trunk_id_must_look_like_a_trunk_id(adopt: Any) -> None:
    (err,) = invalid(adopt_trunk_id=adopt)
    assert err.field == "adopt_trunk_id"
    assert "ST_xxxxxxxxxxxx" in err.reason


def test_all_broken_rules_are_reported_together() -> None:
    fields = error_fields(
        address="sip:x", numbers=["555"], transport="carrier-pigeon", destination_country="USA"
    )
    assert fields == ["address", "numbers[0]", "transport", "destination_country"]


# --- media: codecs, only_listed_codecs, media_timeout -------------------------------


def test_codecs_take_shorthand_and_objects_in_order() -> None:
    spec = valid(codecs=["PCMU/8000", {"name": "opus", "rate": 48000}, "G722", {"name": "PCMA"}])
    assert spec.codecs == (Codec(name="PCMU", rate=8000), Codec(name="opus", rate=48000),
                           Codec(name="G722", rate=0), Codec(name="PCMA", rate=0))
    assert spec.props()["codecs"] == [{"name": "PCMU", "rate": 8000}, {"name": "opus", "rate": 48000},
                                      {"name": "G722", "rate": 0}, {"name": "PCMA", "rate": 0}]


def test_codec_rates_that_arrive_as_whole_floats_are_whole_numbers() -> None:
    # Pulumi carries every number as a float between program, engine and provider.
    assert valid(codecs=[{"name": "PCMU", "rate": 8000.0}]).codecs == (Codec(name="PCMU", rate=8000),)


@pytest.mark.parametrize(
    ("codec", "says"),
    [
        ("", "non-empty"),
        ("/8000", "non-empty"),
        ("PC MU/8000", "whitespace"),
        ("PCMU\t/8000", "whitespace"),
        ({"name": "PCMU/8000"}, "'/'"),
        ({"name": "PC\nMU", "rate": 8000}, "whitespace"),
        ("PCMU/", "a name, then a rate"),
        ("PCMU/8k", "a name, then a rate"),
        ("opus/48000/2", "a name, then a rate"),
        ({"name": "", "rate": 8000}, "non-empty"),
        ({"rate": 8000}, "non-empty"),
        ({"name": 7}, "non-empty string"),
        ({"name": "PCMU", "rate": -1}, "whole number of Hz"),
        ({"name": "PCMU", "rate": 8000.5}, "whole number of Hz"),
        ({"name": "PCMU", "rate": True}, "whole number of Hz"),
        ({"name": "PCMU", "rate": "8000"}, "whole number of Hz"),
        ({"name": "PCMU", "rate": 2**32}, "whole number of Hz"),
        ({"name": "PCMU", "clockRate": 8000}, "unknown key(s) clockRate"),
        (8000, "must be a codec like PCMU/8000"),
    ],
)
def test_bad_codecs_are_refused_by_index_as_livekit_would(codec: Any, says: str) -> None:
    (err,) = invalid(codecs=["PCMA/8000", codec])
    assert err.field == "codecs[1]"
    assert says in err.reason


@pytest.mark.parametrize("codecs", ["PCMU/8000", {"name": "PCMU"}, 5])
def test_codecs_must_be_a_list(codecs: Any) -> None:
    (err,) = invalid(codecs=codecs)
    assert err.field == "codecs"
    assert "list of codecs" in err.reason


def test_unset_media_fields_are_none_and_distinct_from_empty_ones() -> None:
    unset = valid()
    assert (unset.codecs, unset.only_listed_codecs, unset.media_timeout) == (None, None, None)
    assert unset.unmanaged() == MEDIA_FIELDS
    empty = valid(codecs=[], only_listed_codecs=False, media_timeout="0s")
    assert (empty.codecs, empty.only_listed_codecs, empty.media_timeout) == ((), False, "0s")
    assert empty.unmanaged() == ()
    assert changed_fields(unset, empty) == ["codecs", "only_listed_codecs", "media_timeout"]


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_only_listed_codecs_must_be_a_boolean(value: Any) -> None:
    (err,) = invalid(only_listed_codecs=value)
    assert err.field == "only_listed_codecs"
    assert "true or false" in err.reason


@pytest.mark.parametrize(
    ("given", "stored"),
    [("30s", "30s"), ("1.5s", "1.500s"), ("1.500s", "1.500s"), ("1m30s", "90s"), ("500ms", "0.500s"),
     ("10m", "600s"), ("0s", "0s"), ("0", "0s"), (" 2m ", "120s"), ("1.000500s", "1.000500s"),
     ("1us", "0.000001s"), ("9m59.999999999s", "599.999999999s")],
)
def test_media_timeout_is_stored_as_livekit_answers_it(given: str, stored: str) -> None:
    assert valid(media_timeout=given).media_timeout == stored


@pytest.mark.parametrize(
    ("value", "says"),
    [("-1s", "negative"), ("10m0.001s", "exceeds LiveKit's maximum of 10m"), ("1h", "exceeds"),
     ("30", "not a duration"), ("30 s", "not a duration"), ("1d", "not a duration"), ("", "not a duration"),
     ("1.0000000001s", "finer than a nanosecond"), (30, "with a unit"), (1.5, "with a unit")],
)
def test_media_timeout_out_of_range_or_malformed_is_refused(value: Any, says: str) -> None:
    (err,) = invalid(media_timeout=value)
    assert err.field == "media_timeout"
    assert says in err.reason


def test_durations_format_as_protojson_does() -> None:
    # protojson writes 0, 3, 6 or 9 fractional digits.
    cases = {0: "0s", 30 * 10**9: "30s", 1_500_000_000: "1.500s", 1_000_500_000: "1.000500s",
             1_000_000_001: "1.000000001s", -1_500_000_000: "-1.500s"}
    for nanoseconds, text in cases.items():
        assert format_duration(nanoseconds) == text
        assert parse_duration(text) == nanoseconds


def test_codec_shorthand_leaves_out_a_zero_rate() -> None:
    assert codec_shorthand(Codec(name="PCMU", rate=8000)) == "PCMU/8000"
    assert codec_shorthand(Codec(name="G722", rate=0)) == "G722"


def test_unmanaged_fields_are_the_media_fields_left_unset_in_stored_outputs() -> None:
    assert unmanaged_fields({}) == MEDIA_FIELDS
    assert unmanaged_fields({"codecs": [], "media_timeout": None, "only_listed_codecs": False}) == ("media_timeout",)


# --- unknown values during preview --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "UNK"),
        ("numbers", ["+15105550100", "UNK"]),
        ("headers", {"X-Team": "UNK"}),
        ("headers", {"UNK": "sales"}),
        ("auth_password", "UNK"),
        ("transport", "UNK"),
        ("codecs", ["PCMU/8000", "UNK"]),
        ("codecs", [{"name": "PCMU", "rate": "UNK"}]),
        ("media_timeout", "UNK"),
    ],
)
def test_unknown_values_are_not_checked_and_give_no_spec(field: str, value: Any) -> None:
    spec, errors = parse_spec({**BASE, field: value}, unknown="UNK")
    assert spec is None
    assert errors == []


def test_unknown_password_skips_the_pairing_check() -> None:
    spec, errors = parse_spec({**BASE, "auth_username": "user", "auth_password": "UNK"}, unknown="UNK")
    assert (spec, errors) == (None, [])


def test_known_errors_are_still_reported_next_to_unknown_values() -> None:
    spec, errors = parse_spec({**BASE, "address": "UNK", "numbers": ["555"]}, unknown="UNK")
    assert spec is None
    assert [e.field for e in errors] == ["numbers[0]"]


def test_unknown_adopt_trunk_id_is_not_checked() -> None:
    spec, errors = parse_spec({**BASE, "adopt_trunk_id": "UNK"}, unknown="UNK")
    assert errors == []
    assert spec is not None


def test_without_an_unknown_marker_the_placeholder_is_an_ordinary_value() -> None:
    spec, errors = parse_spec({**BASE, "address": "UNK"})
    assert spec is not None
    assert spec.address == "UNK"
    assert errors == []


# --- OutboundTrunkSpec conversions -----------------------------------------------------------

FULL: dict[str, Any] = {**FULL_PROPS, "name": "My outbound trunk"}


def test_props_gives_every_field_with_short_enum_names_and_lists() -> None:
    spec = valid(**FULL)
    assert spec.props() == FULL
    assert list(spec.props()) == list(FIELDS)


def test_props_parse_back_to_the_same_spec() -> None:
    spec = valid(**FULL)
    assert valid(**spec.props()) == spec


def test_props_of_a_minimal_spec_hold_livekit_defaults() -> None:
    props = valid().props()
    assert props["transport"] == "auto"
    assert props["include_headers"] == "none"
    assert props["media_encryption"] == "disable"
    assert props["headers"] == {}
    assert props["auth_password"] == ""
    assert (props["codecs"], props["only_listed_codecs"], props["media_timeout"]) == (None, None, None)


def test_to_info_carries_every_field_with_livekit_enums() -> None:
    info = valid(**FULL).to_info()
    assert info.sip_trunk_id == ""
    assert info.numbers == ["+15105550100", "+15105550101"]
    assert info.transport is Transport.TLS
    assert info.include_headers is IncludeHeaders.X_HEADERS
    assert info.media_encryption is MediaEncryption.ALLOW
    assert info.auth_password == "s3cret!"
    wire = info.to_wire()
    assert wire["transport"] == "SIP_TRANSPORT_TLS"
    assert wire["include_headers"] == "SIP_X_HEADERS"
    assert wire["media_encryption"] == "SIP_MEDIA_ENCRYPT_ALLOW"
    assert wire["headers_to_attributes"] == {"X-Call-Id": "call.id"}
    assert wire["media"] == {"encryption": "SIP_MEDIA_ENCRYPT_ALLOW", "only_listed_codecs": True,
                             "codecs": [{"name": "PCMU", "rate": 8000}, {"name": "opus", "rate": 48000}],
                             "media_timeout": "30s"}
    assert "codecs" not in wire and "media_timeout" not in wire


def test_to_info_takes_the_media_fields_a_spec_leaves_unset_from_what_livekit_holds() -> None:
    held = MediaConfig(encryption=MediaEncryption.REQUIRE, codecs=[Codec(name="PCMU", rate=8000)],
                       only_listed_codecs=True, media_timeout="45s")
    media = valid(media_encryption="allow", media_timeout="10s").to_info(held).media
    assert media == MediaConfig(encryption=MediaEncryption.ALLOW, codecs=[Codec(name="PCMU", rate=8000)],
                                only_listed_codecs=True, media_timeout="10s")
    empty = valid(codecs=[], only_listed_codecs=False).to_info(held).media
    assert empty is not None and (empty.codecs, empty.only_listed_codecs) == ([], False)


def test_to_info_without_held_media_sends_unset_media_fields_empty() -> None:
    media = valid(codecs=["PCMU/8000"]).to_info().media
    assert media == MediaConfig(encryption=MediaEncryption.DISABLE, codecs=[Codec(name="PCMU", rate=8000)])


@pytest.mark.parametrize("media", [{}, {"codecs": [], "only_listed_codecs": False, "media_timeout": "0s"}])
def test_to_info_leaves_media_null_as_lk_does_when_nothing_needs_it(media: dict[str, Any]) -> None:
    info = valid(media_encryption="require", **media).to_info()
    assert info.media is None
    assert info.media_encryption is MediaEncryption.REQUIRE
    assert OutboundTrunkSpec.from_info(info, valid(**media).unmanaged()) == valid(media_encryption="require", **media)


def test_to_info_sends_media_whenever_livekit_holds_one() -> None:
    info = valid().to_info(MediaConfig())
    assert info.media == MediaConfig(encryption=MediaEncryption.DISABLE)


def test_spec_from_info_round_trips_to_info() -> None:
    spec = valid(**FULL)
    assert OutboundTrunkSpec.from_info(spec.to_info()) == spec


def test_spec_from_info_ignores_the_trunk_id_and_timestamps() -> None:
    info = OutboundTrunkInfo.model_validate(
        {**valid(**FULL).to_info().to_wire(), "sip_trunk_id": "ST_abc123456789",
         "created_at": "2026-01-01T00:00:00Z"}
    )
    assert OutboundTrunkSpec.from_info(info) == valid(**FULL)


def test_spec_from_info_reads_null_media_as_livekits_defaults() -> None:
    spec = OutboundTrunkSpec.from_info(valid().to_info().model_copy(update={"media": None}))
    assert (spec.codecs, spec.only_listed_codecs, spec.media_timeout) == ((), False, "0s")


def test_spec_from_info_leaves_the_unmanaged_media_fields_unset() -> None:
    info = valid(**FULL).to_info()
    spec = OutboundTrunkSpec.from_info(info, ["codecs", "media_timeout"])
    assert (spec.codecs, spec.only_listed_codecs, spec.media_timeout) == (None, True, None)


def test_spec_from_info_normalizes_the_media_timeout_as_the_spec_does() -> None:
    info = OutboundTrunkInfo(name="n", address="a.example", numbers=["+15105550100"],
                     media=MediaConfig(media_timeout="90.000s"))
    assert OutboundTrunkSpec.from_info(info).media_timeout == valid(media_timeout="1m30s").media_timeout == "90s"


def test_spec_from_info_prefers_media_encryption_over_the_legacy_field() -> None:
    info = OutboundTrunkInfo(
        name="n", address="a.example", numbers=["+15105550100"],
        media_encryption=MediaEncryption.DISABLE,
        media=MediaConfig(encryption=MediaEncryption.REQUIRE),
    )
    assert OutboundTrunkSpec.from_info(info).media_encryption is MediaEncryption.REQUIRE


def test_spec_from_info_uses_the_legacy_field_when_media_encryption_is_unset() -> None:
    for media in (None, MediaConfig()):
        info = OutboundTrunkInfo(
            name="n", address="a.example", numbers=["+15105550100"],
            media_encryption=MediaEncryption.ALLOW, media=media,
        )
        assert OutboundTrunkSpec.from_info(info).media_encryption is MediaEncryption.ALLOW


def test_spec_from_info_decoded_from_server_json() -> None:
    info = OutboundTrunkInfo.model_validate({
        "sip_trunk_id": "ST_abc123456789", "name": "n", "address": "a.example",
        "numbers": ["+15105550100"], "transport": "SIP_TRANSPORT_UDP",
        "include_headers": "SIP_ALL_HEADERS", "media_encryption": "SIP_MEDIA_ENCRYPT_DISABLE",
        "media": {"encryption": "SIP_MEDIA_ENCRYPT_ALLOW"}, "headers": None,
        "created_at": None, "updated_at": None,
    })
    spec = OutboundTrunkSpec.from_info(info)
    assert spec.transport is Transport.UDP
    assert spec.include_headers is IncludeHeaders.ALL
    assert spec.media_encryption is MediaEncryption.ALLOW
    assert spec.headers == {}
    assert spec.numbers == ("+15105550100",)


# --- changed_fields ------------------------------------------------------------------


def test_identical_specs_have_no_changed_fields() -> None:
    assert changed_fields(valid(**FULL), valid(**FULL)) == []


def test_reordered_numbers_are_not_a_change() -> None:
    old = valid(numbers=["+15105550100", "+15105550101", "+15105550102"])
    new = valid(numbers=["+15105550102", "+15105550100", "+15105550101"])
    assert changed_fields(old, new) == []
    assert same_field("numbers", old, new)


def test_changed_fields_are_listed_in_field_order() -> None:
    old = valid(**FULL)
    new = valid(**{**FULL, "from_host": "", "name": "Renamed", "numbers": ["+15105550100"],
                   "headers": {}, "auth_password": "rotated"})
    assert changed_fields(old, new) == ["name", "numbers", "auth_password", "headers", "from_host"]


def test_enum_spellings_that_parse_alike_are_not_a_change() -> None:
    assert changed_fields(valid(transport="tls"), valid(transport="SIP_TRANSPORT_TLS")) == []
    assert changed_fields(valid(transport="tls"), valid(transport=3)) == []


def test_map_values_are_compared() -> None:
    assert changed_fields(valid(headers={"X-A": "1"}), valid(headers={"X-A": "2"})) == ["headers"]


# --- secrets never printed -------------------------------------------------------------


def test_spec_repr_hides_username_and_password() -> None:
    spec = valid(auth_username="alice-user", auth_password="hunter2-secret")
    for text in (repr(spec), str(spec)):
        assert "hunter2-secret" not in text
        assert "alice-user" not in text
        assert "auth_password='[secure]'" in text


def test_spec_repr_shows_empty_credentials_as_empty() -> None:
    assert "auth_password=''" in repr(valid())


def test_spec_is_immutable() -> None:
    spec = valid()
    with pytest.raises(ValueError, match="frozen"):
        spec.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("field", ["auth_username", "auth_password"])
def test_a_non_string_credential_is_refused_without_echoing_it(field: str) -> None:
    _, errors = parse_spec({**FULL, field: 987654321})
    assert errors and {e.field for e in errors} == {field}
    assert "must be a string, got int" in str(errors[0])
    assert not any("987654321" in str(e) for e in errors)
