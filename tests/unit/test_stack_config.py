"""Stack config: trunk entries (camelCase, snake_case, files) and per-trunk credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from livekit_sip.errors import SpecError
from livekit_sip.stack_config import camel, credential_fields, snake, trunk_entries

MINIMAL: dict[str, Any] = {"address": "sip.telnyx.com", "numbers": ["+15105550100"]}


def entries(trunks: Any, base_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    return trunk_entries(trunks, base_dir or Path("/nonexistent"))


def config_error(trunks: Any, base_dir: Path | None = None) -> str:
    """The message of the SpecError the config raises."""
    with pytest.raises(SpecError) as caught:
        entries(trunks, base_dir)
    assert caught.value.field == "trunks"
    return caught.value.reason


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


# --- key spellings and defaults ---------------------------------------------------------


def test_camel_and_snake_case_keys_give_the_same_entry() -> None:
    camel_entry = {**MINIMAL, "destinationCountry": "US", "headersToAttributes": {"X-Call-Id": "call.id"},
                   "attributesToHeaders": {"call.reason": "X-Reason"}, "includeHeaders": "x_headers",
                   "mediaEncryption": "allow", "fromHost": "sip.example.com", "adoptTrunkId": "ST_abcdEFGH1234"}
    snake_entry = {**MINIMAL, "destination_country": "US", "headers_to_attributes": {"X-Call-Id": "call.id"},
                   "attributes_to_headers": {"call.reason": "X-Reason"}, "include_headers": "x_headers",
                   "media_encryption": "allow", "from_host": "sip.example.com", "adopt_trunk_id": "ST_abcdEFGH1234"}
    by_camel = entries({"t": camel_entry})["t"]
    assert by_camel == entries({"t": snake_entry})["t"]
    assert by_camel["destination_country"] == "US"
    assert by_camel["adopt_trunk_id"] == "ST_abcdEFGH1234"
    assert by_camel["media_encryption"] == "allow"


def test_media_fields_take_shorthand_codecs_and_durations_in_either_spelling() -> None:
    camel_entry = {**MINIMAL, "codecs": ["PCMU/8000", {"name": "opus", "rate": 48000}],
                   "onlyListedCodecs": True, "mediaTimeout": "30s"}
    snake_entry = {**MINIMAL, "codecs": ["PCMU/8000", {"name": "opus", "rate": 48000}],
                   "only_listed_codecs": True, "media_timeout": "30s"}
    entry = entries({"t": camel_entry})["t"]
    assert entry == entries({"t": snake_entry})["t"]
    assert (entry["codecs"], entry["only_listed_codecs"], entry["media_timeout"]) == \
        (["PCMU/8000", {"name": "opus", "rate": 48000}], True, "30s")


def test_name_defaults_to_the_stack_key() -> None:
    assert entries({"telnyx-us": MINIMAL})["telnyx-us"]["name"] == "telnyx-us"


def test_explicit_name_is_kept() -> None:
    assert entries({"telnyx-us": {**MINIMAL, "name": "My trunk"}})["telnyx-us"]["name"] == "My trunk"


def test_entry_keeps_only_what_was_given() -> None:
    assert entries({"t": MINIMAL})["t"] == {**MINIMAL, "name": "t"}


def test_every_entry_is_returned_by_key() -> None:
    result = entries({"a": MINIMAL, "b": {**MINIMAL, "transport": "tls"}})
    assert list(result) == ["a", "b"]
    assert result["b"]["transport"] == "tls"


def test_no_trunks_config_means_no_entries() -> None:
    assert entries(None) == {}
    assert entries({}) == {}


def test_trunks_must_be_a_map() -> None:
    with pytest.raises(SpecError, match="livekit-sip:trunks must be a map"):
        entries(["a", "b"])


def test_entry_must_be_a_map_of_fields() -> None:
    assert "livekit-sip:trunks.t" in config_error({"t": "sip.telnyx.com"})
    assert "must be a map of trunk fields, got str" in config_error({"t": "sip.telnyx.com"})


def test_credentials_are_not_required_in_trunk_entries() -> None:
    assert "auth_username" not in entries({"t": MINIMAL})["t"]


# --- errors name the stack key and the field -----------------------------------------------


def test_unknown_key_suggests_the_nearest_known_key() -> None:
    message = config_error({"telnyx-us": {**MINIMAL, "adress": "x"}})
    assert message.startswith("livekit-sip:trunks.telnyx-us.adress: unknown key in the stack config")
    assert "did you mean 'address'?" in message


@pytest.mark.parametrize(("typo", "suggestion"), [("destinationCountri", "destinationCountry"),
                                                   ("from_hots", "fromHost"), ("numbrs", "numbers"),
                                                   ("includeHeader", "includeHeaders")])
def test_unknown_key_suggestion_uses_camel_case(typo: str, suggestion: str) -> None:
    assert f"did you mean {suggestion!r}?" in config_error({"t": {**MINIMAL, typo: "x"}})


def test_unknown_key_with_no_near_match_lists_the_known_keys() -> None:
    message = config_error({"t": {**MINIMAL, "zzzzzz": 1}})
    assert "known keys:" in message
    assert "destinationCountry" in message
    assert "adoptTrunkId" in message


@pytest.mark.parametrize(("key", "leaf"), [("authPassword", "password"), ("auth_password", "password"),
                                           ("authUsername", "username"), ("password", "password")])
def test_credentials_in_the_plain_trunk_config_point_to_the_secret_setting(key: str, leaf: str) -> None:
    message = config_error({"t": {**MINIMAL, key: "hunter2-secret"}})
    assert f"livekit-sip:trunks.t.{camel(key)}: credentials are secrets" in message
    assert f"pulumi config set --secret --path 'livekit-sip:credentials.t.{leaf}'" in message
    assert "hunter2-secret" not in message


def test_every_problem_of_an_entry_gets_its_own_line_with_the_full_path() -> None:
    message = config_error({"t": {"address": "sip:x", "numbers": ["1"], "transport": "quic"}})
    lines = message.splitlines()
    assert [line.split(":", 2)[1].split(" ")[0] for line in lines] == [
        "trunks.t.address", "trunks.t.numbers[0]", "trunks.t.transport"]


def test_an_entry_that_is_not_a_map_is_named_without_a_trailing_dot() -> None:
    assert "livekit-sip:trunks.t: must be a map" in config_error({"t": "sip.example.com"})


def test_same_field_in_both_spellings_is_refused() -> None:
    message = config_error({"t": {**MINIMAL, "from_host": "a.example", "fromHost": "b.example"}})
    assert "livekit-sip:trunks.t.fromHost: given twice" in message


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"destinationCountry": "USA"}, "livekit-sip:trunks.t.destinationCountry: "),
        ({"destination_country": "USA"}, "livekit-sip:trunks.t.destinationCountry: "),
        ({"fromHost": "sip:x.example"}, "livekit-sip:trunks.t.fromHost: "),
        ({"numbers": ["+15105550100", "5550101"]}, "livekit-sip:trunks.t.numbers[1]: "),
        ({"headersToAttributes": {"X Bad": "a"}}, "livekit-sip:trunks.t.headersToAttributes.X Bad: "),
        ({"headers": {"Call-ID": "x"}}, "livekit-sip:trunks.t.headers.Call-ID: "),
        ({"includeHeaders": "some"}, "livekit-sip:trunks.t.includeHeaders: "),
        ({"adoptTrunkId": "abc"}, "livekit-sip:trunks.t.adoptTrunkId: "),
        ({"address": None}, "livekit-sip:trunks.t.address: is required"),
        ({"headers": {"f": "x"}}, "livekit-sip:trunks.t.headers.f: 'f' is the compact form of From"),
        ({"codecs": ["PCMU/8000", "PC MU"]}, "livekit-sip:trunks.t.codecs[1]: "),
        ({"codecs": "PCMU/8000"}, "livekit-sip:trunks.t.codecs: must be a list"),
        ({"onlyListedCodecs": "yes"}, "livekit-sip:trunks.t.onlyListedCodecs: "),
        ({"mediaTimeout": "11m"}, "livekit-sip:trunks.t.mediaTimeout: '11m' exceeds LiveKit's maximum of 10m"),
        ({"mediaTimeout": "-5s"}, "livekit-sip:trunks.t.mediaTimeout: '-5s' is negative"),
    ],
)
def test_invalid_field_is_named_by_its_stack_config_path(fields: dict[str, Any], where: str) -> None:
    assert config_error({"t": {**MINIMAL, **fields}}).startswith(where)


def test_all_problems_of_an_entry_are_reported() -> None:
    message = config_error({"t": {"address": "sip:x", "numbers": ["1"], "destinationCountry": "USA"}})
    assert message.startswith("livekit-sip:trunks.t.address: ")
    assert "numbers[0]: '1' is not an E.164 number" in message
    assert "destinationCountry: 'USA' is not an ISO 3166-1" in message


def test_every_bad_entry_is_reported() -> None:
    message = config_error({"a": {**MINIMAL, "adress": "x"}, "ok": MINIMAL, "b": {**MINIMAL, "transport": "x"}})
    lines = message.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("livekit-sip:trunks.a.adress: ")
    assert lines[1].startswith("livekit-sip:trunks.b.transport: ")


# --- file: entries ---------------------------------------------------------------------------


LK_FILE: dict[str, Any] = {
    "trunk": {
        "sip_trunk_id": "ST_fromexport1",
        "name": "Twilio EU",
        "address": "example.pstn.twilio.com",
        "numbers": ["+442071838750"],
        "transport": "SIP_TRANSPORT_TLS",
        "destination_country": "GB",
        "headers_to_attributes": {"X-Call-Id": "call.id"},
        "include_headers": "SIP_X_HEADERS",
        "created_at": None,
    }
}


def test_file_in_lk_format_loads_its_snake_case_trunk(tmp_path: Path) -> None:
    write_json(tmp_path / "twilio-eu.json", LK_FILE)
    entry = entries({"twilio-eu": {"file": "twilio-eu.json"}}, tmp_path)["twilio-eu"]
    assert entry == {
        "name": "Twilio EU",
        "address": "example.pstn.twilio.com",
        "numbers": ["+442071838750"],
        "transport": "SIP_TRANSPORT_TLS",
        "destination_country": "GB",
        "headers_to_attributes": {"X-Call-Id": "call.id"},
        "include_headers": "SIP_X_HEADERS",
    }


def test_file_relative_path_is_read_from_the_base_directory(tmp_path: Path) -> None:
    (tmp_path / "trunks").mkdir()
    write_json(tmp_path / "trunks" / "a.json", LK_FILE)
    assert entries({"a": {"file": "trunks/a.json"}}, tmp_path)["a"]["name"] == "Twilio EU"


def test_file_absolute_path_is_read_as_is(tmp_path: Path) -> None:
    path = write_json(tmp_path / "a.json", LK_FILE)
    assert entries({"a": {"file": str(path)}}, Path("/nonexistent"))["a"]["name"] == "Twilio EU"


def test_bare_camel_case_file_loads(tmp_path: Path) -> None:
    write_json(tmp_path / "bare.json", {"address": "sip.telnyx.com", "numbers": ["+15105550100"],
                                        "destinationCountry": "us", "fromHost": "sip.example.com"})
    entry = entries({"bare": {"file": "bare.json"}}, tmp_path)["bare"]
    assert entry == {"address": "sip.telnyx.com", "numbers": ["+15105550100"], "destination_country": "us",
                     "from_host": "sip.example.com", "name": "bare"}


def test_stack_config_fields_override_the_file(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", LK_FILE)
    entry = entries({"a": {"file": "a.json", "name": "Override", "numbers": ["+442071838751"],
                           "includeHeaders": "none"}}, tmp_path)["a"]
    assert entry["name"] == "Override"
    assert entry["numbers"] == ["+442071838751"]
    assert entry["include_headers"] == "none"
    assert entry["address"] == "example.pstn.twilio.com"


def test_file_may_carry_credentials_for_the_provider(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "auth_username": "u", "auth_password": "p"}})
    entry = entries({"a": {"file": "a.json"}}, tmp_path)["a"]
    assert (entry["auth_username"], entry["auth_password"]) == ("u", "p")


def test_file_media_encryption_is_read_from_media(tmp_path: Path) -> None:
    media = {"encryption": "SIP_MEDIA_ENCRYPT_REQUIRE"}
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "media": media}})
    assert entries({"a": {"file": "a.json"}}, tmp_path)["a"]["media_encryption"] == "SIP_MEDIA_ENCRYPT_REQUIRE"


def test_file_media_codecs_and_timeout_load_in_either_spelling(tmp_path: Path) -> None:
    snake_media = {"encryption": "SIP_MEDIA_ENCRYPT_ALLOW", "codecs": [{"name": "PCMU", "rate": 8000}],
                   "only_listed_codecs": True, "media_timeout": "1.500s"}
    camel_media = {"encryption": "SIP_MEDIA_ENCRYPT_ALLOW", "codecs": [{"name": "PCMU", "rate": 8000}],
                   "onlyListedCodecs": True, "mediaTimeout": "1.500s"}
    for name, media in (("snake", snake_media), ("camel", camel_media)):
        write_json(tmp_path / f"{name}.json", {"trunk": {**LK_FILE["trunk"], "media": media}})
        entry = entries({"a": {"file": f"{name}.json"}}, tmp_path)["a"]
        assert (entry["media_encryption"], entry["codecs"], entry["only_listed_codecs"], entry["media_timeout"]) \
            == ("SIP_MEDIA_ENCRYPT_ALLOW", [{"name": "PCMU", "rate": 8000}], True, "1.500s")


def test_file_media_nulls_leave_the_fields_to_livekit(tmp_path: Path) -> None:
    media = {"codecs": None, "only_listed_codecs": None, "media_timeout": None}
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "media": media}})
    entry = entries({"a": {"file": "a.json"}}, tmp_path)["a"]
    assert not {"codecs", "only_listed_codecs", "media_timeout"} & set(entry)


def test_stack_config_codecs_override_the_files(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "media": {"codecs": [{"name": "PCMU"}]}}})
    assert entries({"a": {"file": "a.json", "codecs": ["G722"]}}, tmp_path)["a"]["codecs"] == ["G722"]


def test_bad_codec_in_a_file_is_named_by_its_index(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "media": {"codecs": [{"name": "PC/MU"}]}}})
    assert config_error({"a": {"file": "a.json"}}, tmp_path).startswith("livekit-sip:trunks.a.codecs[0]: ")


@pytest.mark.parametrize(("trunk_fields", "where"), [
    ({"codecs": [{"name": "PCMU"}]}, "livekit-sip:trunks.a.codecs (in file "),
    ({"media": {"jitter": 1}}, "livekit-sip:trunks.a.media.jitter (in file "),
    ({"media": {"mediaTimeout": "1s", "media_timeout": "1s"}}, "livekit-sip:trunks.a.media.media_timeout (in file "),
])
def test_media_keys_outside_lks_media_object_are_refused_naming_the_file(
        tmp_path: Path, trunk_fields: dict[str, Any], where: str) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], **trunk_fields}})
    assert config_error({"a": {"file": "a.json"}}, tmp_path).startswith(where)


def test_malformed_json_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"trunk": {"name": ')
    message = config_error({"a": {"file": "broken.json"}}, tmp_path)
    assert message.startswith("livekit-sip:trunks.a.file: ")
    assert str(path) in message
    assert "is not valid JSON" in message


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    message = config_error({"a": {"file": "nope.json"}}, tmp_path)
    assert message.startswith("livekit-sip:trunks.a.file: cannot read ")
    assert str(tmp_path / "nope.json") in message


def test_file_that_is_not_a_trunk_object_is_refused(tmp_path: Path) -> None:
    write_json(tmp_path / "list.json", [LK_FILE])
    message = config_error({"a": {"file": "list.json"}}, tmp_path)
    assert "must hold a trunk object" in message
    assert str(tmp_path / "list.json") in message


def test_unknown_field_in_a_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "adress": "x"}})
    message = config_error({"a": {"file": "a.json"}}, tmp_path)
    assert message.startswith("livekit-sip:trunks.a.adress (in file ")
    assert str(tmp_path / "a.json") in message
    assert "did you mean 'address'?" in message


def test_invalid_value_from_a_file_is_reported(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "numbers": ["442071838750"]}})
    message = config_error({"a": {"file": "a.json"}}, tmp_path)
    assert message.startswith("livekit-sip:trunks.a.numbers[0]: ")


# --- credentials ---------------------------------------------------------------------------


def test_credentials_become_auth_fields() -> None:
    creds = {"telnyx-us": {"username": "user", "password": "hunter2-secret"}}
    assert credential_fields("telnyx-us", creds) == {"auth_username": "user", "auth_password": "hunter2-secret"}


def test_credentials_of_another_trunk_are_not_used() -> None:
    assert credential_fields("twilio-eu", {"telnyx-us": {"username": "u", "password": "p"}}) == {}


@pytest.mark.parametrize("creds", [None, {}, "not a map", {"t": None}])
def test_absent_credentials_give_no_fields(creds: Any) -> None:
    assert credential_fields("t", creds) == {}


def test_partial_credentials_give_only_what_is_set() -> None:
    assert credential_fields("t", {"t": {"password": "p"}}) == {"auth_password": "p"}


def test_non_string_credentials_are_stringified_and_null_is_empty() -> None:
    assert credential_fields("t", {"t": {"username": 1234, "password": None}}) == {
        "auth_username": "1234", "auth_password": ""
    }


def test_unknown_credential_key_is_refused_naming_the_trunk() -> None:
    with pytest.raises(SpecError) as caught:
        credential_fields("t", {"t": {"user": "u", "password": "hunter2-secret"}})
    assert caught.value.field == "credentials"
    assert caught.value.trunk == "t"
    assert "['user']" in caught.value.reason
    assert "hunter2-secret" not in str(caught.value)


def test_credentials_entry_must_be_a_map() -> None:
    with pytest.raises(SpecError, match=r"must be \{username, password\}") as caught:
        credential_fields("t", {"t": "user:hunter2-secret"})
    assert "hunter2-secret" not in str(caught.value)


# --- key spelling helpers ----------------------------------------------------------------


@pytest.mark.parametrize(("snake_name", "camel_name"), [
    ("destination_country", "destinationCountry"), ("headers_to_attributes", "headersToAttributes"),
    ("adopt_trunk_id", "adoptTrunkId"), ("name", "name"),
])
def test_camel_and_snake_convert_both_ways(snake_name: str, camel_name: str) -> None:
    assert camel(snake_name) == camel_name
    assert snake(camel_name) == snake_name
