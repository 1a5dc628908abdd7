"""Stack config: trunk entries (camelCase, snake_case, files) and per-trunk credentials."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from livekit_sip.errors import ConfigError
from livekit_sip.names import camel, snake
from livekit_sip.secrecy import Secrecy, judge
from livekit_sip.secret_config import Credentials
from tests.support.config import read_stack_config

ALL_PLAIN = Secrecy(plaintext=frozenset({("telnyx-us", "username"), ("telnyx-us", "password")}))

MINIMAL: dict[str, Any] = {"address": "sip.telnyx.com", "numbers": ["+15105550100"]}


def entries(trunks: Any, base_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """The trunk fields of each entry."""
    stack = read_stack_config(trunks, base_dir or Path("/nonexistent"))
    return {key: entry.fields for key, entry in stack.trunks.items()}


def problems(trunks: Any = None, base_dir: Path | None = None, **kwargs: Any) -> list[tuple[str, str]]:
    """Every (stack path, message) the config is refused with."""
    with pytest.raises(ConfigError) as caught:
        read_stack_config(trunks, base_dir or Path("/nonexistent"), **kwargs)
    assert str(caught.value) == "\n".join(f"{path}: {message}" for path, message in caught.value.problems)
    return caught.value.problems


def config_error(trunks: Any, base_dir: Path | None = None) -> str:
    """The message of the ConfigError the config raises: one line per problem."""
    return "\n".join(f"{path}: {message}" for path, message in problems(trunks, base_dir))


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
    assert problems(["a", "b"]) == [("livekit-sip:trunks", "must be a map of trunk key to trunk")]


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


@pytest.mark.parametrize("key", ["auth_password", "authPassword", "auth_username"])
def test_credentials_in_a_file_are_refused_with_the_secret_setting(tmp_path: Path, key: str) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], key: "hunter2-secret"}})
    [(path, message)] = problems({"a": {"file": "a.json"}}, tmp_path)
    leaf = "password" if "assword" in key else "username"
    assert path == f"livekit-sip:trunks.a.{camel(snake(key))} (in file {str(tmp_path / 'a.json')!r})"
    assert f"pulumi config set --secret --path 'livekit-sip:credentials.a.{leaf}' -- <value>" in message
    assert "hunter2-secret" not in message


def test_empty_credentials_in_a_file_are_dropped(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"trunk": {**LK_FILE["trunk"], "auth_username": "", "auth_password": ""}})
    entry = entries({"a": {"file": "a.json"}}, tmp_path)["a"]
    assert "auth_username" not in entry and "auth_password" not in entry


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


TWO = {"telnyx-us": MINIMAL, "twilio-eu": {**MINIMAL, "numbers": ["+442071838750"]}}


def read(credentials: Any, trunks: Any = None, **kwargs: Any) -> dict[str, Credentials]:
    return read_stack_config(trunks or TWO, Path("/nonexistent"), credentials=credentials, **kwargs).credentials


def test_credentials_are_read_by_trunk_key() -> None:
    creds = read({"telnyx-us": {"username": "user", "password": "hunter2-secret"}})
    assert creds == {"telnyx-us": Credentials("user", "hunter2-secret")}


def test_credentials_never_show_in_a_repr() -> None:
    assert "hunter2-secret" not in repr(read({"telnyx-us": {"username": "u", "password": "hunter2-secret"}}))


@pytest.mark.parametrize("creds", [None, {}, {"telnyx-us": None}])
def test_absent_credentials_give_no_entry(creds: Any) -> None:
    assert read(creds) == {}


def test_both_empty_is_an_explicit_entry_that_clears_auth() -> None:
    assert read({"telnyx-us": {"username": "", "password": ""}}) == {"telnyx-us": Credentials("", "")}


def test_digits_stored_as_a_number_by_config_set_path_are_a_string_and_null_is_empty() -> None:
    assert read({"telnyx-us": {"username": 1234, "password": 5678}}) == {"telnyx-us": Credentials("1234", "5678")}
    assert read({"telnyx-us": {"username": None, "password": None}}) == {"telnyx-us": Credentials("", "")}


def test_credentials_of_an_unknown_key_name_the_key_the_closest_trunk_and_aliases() -> None:
    [(path, message)] = problems(TWO, credentials={"telnyx_us": {"username": "u", "password": "hunter2-secret"}})
    assert path == "livekit-sip:credentials.telnyx_us"
    assert "matches no trunk key in livekit-sip:trunks; did you mean 'telnyx-us'?" in message
    assert "aliases: [telnyx_us]" in message
    # Both ways on: the alias after a rename, or removing the leftover after a removal.
    assert message.endswith("if it was removed, remove these credentials too: pulumi config rm --path "
                            "'livekit-sip:credentials.telnyx_us'")
    assert "hunter2-secret" not in message


def test_credentials_left_under_a_renamed_key_point_to_the_new_key() -> None:
    trunks = {"telnyx-usa": {**MINIMAL, "aliases": ["telnyx-us"]}}
    [(path, message)] = problems(trunks, credentials={"telnyx-us": {"username": "u", "password": "p"}})
    assert path == "livekit-sip:credentials.telnyx-us"
    assert "trunk 'telnyx-usa' lists 'telnyx-us' in its aliases" in message
    assert "move these credentials to livekit-sip:credentials.telnyx-usa" in message


def test_credentials_of_a_trunk_whose_entry_is_broken_are_not_called_orphans() -> None:
    found = problems({"t": "sip.example.com"}, credentials={"t": {"username": "u", "password": "p"}})
    assert [path for path, _ in found] == ["livekit-sip:trunks.t"]


def test_a_typo_in_credentials_names_the_full_path_and_the_known_keys() -> None:
    [(path, message)] = problems(TWO, credentials={"telnyx-us": {"username": "u", "pasword": "hunter2-secret"}})
    assert path == "livekit-sip:credentials.telnyx-us.pasword"
    assert message == "unknown key; did you mean 'password'? known keys: username, password"


def test_a_password_without_a_username_names_the_username_key() -> None:
    [(path, message)] = problems(TWO, credentials={"telnyx-us": {"password": "hunter2-secret"}})
    assert path == "livekit-sip:credentials.telnyx-us.username"
    assert message.startswith("is empty while password is set")
    assert "hunter2-secret" not in message


def test_a_username_without_a_password_names_the_password_key() -> None:
    [(path, _)] = problems(TWO, credentials={"telnyx-us": {"username": "u", "password": ""}})
    assert path == "livekit-sip:credentials.telnyx-us.password"


@pytest.mark.parametrize("creds", [{"telnyx-us": "user:hunter2-secret"}, "hunter2-secret"])
def test_credentials_that_are_not_maps_are_refused_without_their_value(creds: Any) -> None:
    [(path, message)] = problems(TWO, credentials=creds)
    assert path.startswith("livekit-sip:credentials") and "must be a map" in message
    assert "hunter2-secret" not in message


def test_a_non_string_credential_is_refused_without_its_value() -> None:
    [(path, message)] = problems(TWO, credentials={"telnyx-us": {"username": "u", "password": ["hunter2-secret"]}})
    assert (path, message) == ("livekit-sip:credentials.telnyx-us.password", "must be a string, got list")


def test_plaintext_credentials_are_refused_with_the_secret_command() -> None:
    found = problems(TWO, credentials={"telnyx-us": {"username": "u", "password": "hunter2-secret"}},
                     secrecy={"credentials": ALL_PLAIN})
    assert [path for path, _ in found] == ["livekit-sip:credentials.telnyx-us.username",
                                           "livekit-sip:credentials.telnyx-us.password"]
    assert found[1][1] == ("is stored in plain text; SIP credentials must be secrets: run pulumi config set "
                           "--secret --path 'livekit-sip:credentials.telnyx-us.password' -- <value>")


def test_one_plaintext_leaf_next_to_secret_ones_is_refused() -> None:
    found = problems(TWO, credentials={"telnyx-us": {"username": "u", "password": "hunter2-secret"}},
                     secrecy={"credentials": Secrecy(plaintext=frozenset({("telnyx-us", "password")}))})
    assert [path for path, _ in found] == ["livekit-sip:credentials.telnyx-us.password"]


def test_empty_plaintext_credentials_hold_no_secret_and_are_accepted() -> None:
    assert read({"telnyx-us": {"username": "", "password": ""}}, secrecy={"credentials": ALL_PLAIN}) == {
        "telnyx-us": Credentials("", "")}


def test_credentials_whose_secrets_cannot_be_told_are_refused_in_one_line_without_values() -> None:
    why = Secrecy(undecidable="Pulumi marks only whole keys as secret, and Pulumi.dev.yaml does not exist")
    [(path, message)] = problems(TWO, credentials={"telnyx-us": {"username": "u", "password": "hunter2-secret"}},
                                 secrecy={"credentials": why})
    assert path == "livekit-sip:credentials"
    assert message.startswith("cannot tell which of its values are secrets: Pulumi marks only whole keys")
    assert "hunter2" not in message and "\n" not in message


def test_undecidable_secrecy_of_an_empty_section_is_no_problem() -> None:
    why = Secrecy(undecidable="no file")
    assert read_stack_config(TWO, Path("."), credentials={}, secrecy={"credentials": why}).credentials == {}


def test_a_stack_file_shows_the_one_plain_leaf_beside_secret_ones() -> None:
    used = {"telnyx-us": {"username": "u", "password": "hunter2-secret"}, "cleared": {"username": "", "password": ""}}
    stored = {"livekit-sip:credentials": {
        "telnyx-us": {"username": {"secure": "v1:abc"}, "password": "hunter2-secret"},
        "cleared": {"username": "", "password": ""}}}
    from livekit_sip.secrecy import ConfigFile
    assert judge("livekit-sip:credentials", used, True, ConfigFile("Pulumi.dev.yaml", stored)) == Secrecy(
        plaintext=frozenset({("telnyx-us", "password")}))


# --- one round: every problem of every entry ---------------------------------------------------


def test_a_key_level_problem_does_not_hide_the_field_problems_of_the_entry() -> None:
    found = problems({"telnyx-us": {**MINIMAL, "authPassword": "hunter2-secret", "numbers": ["5105550100"],
                                    "transport": "quic"},
                      "twilio-eu": {**MINIMAL, "destinationCountry": "USA"}},
                     credentials={"twilio-eu": {"username": "u", "pasword": "p"}})
    assert [path for path, _ in found] == [
        "livekit-sip:trunks.telnyx-us.authPassword",
        "livekit-sip:trunks.telnyx-us.numbers[0]",
        "livekit-sip:trunks.telnyx-us.transport",
        "livekit-sip:trunks.twilio-eu.destinationCountry",
        "livekit-sip:credentials.twilio-eu.pasword",
    ]
    assert all("hunter2-secret" not in message for _, message in found)


def test_a_typo_key_does_not_also_report_the_field_it_meant_as_missing() -> None:
    assert [path for path, _ in problems({"t": {"adress": "sip.example.com", "numbrs": ["*"]}})] == [
        "livekit-sip:trunks.t.adress", "livekit-sip:trunks.t.numbrs"]


# --- resource options: aliases, protect, retainOnDelete ---------------------------------------


def test_options_are_read_apart_from_the_trunk_fields() -> None:
    stack = read_stack_config({"t": {**MINIMAL, "aliases": ["old-t"], "protect": True, "retainOnDelete": "true"}},
                              Path("."), protect="false")
    entry = stack.trunks["t"]
    assert (entry.aliases, entry.protect, entry.retain_on_delete, stack.protect) == (("old-t",), True, True, False)
    assert entry.fields == {**MINIMAL, "name": "t"}


def test_options_default_to_none_and_the_stack_default_to_false() -> None:
    stack = read_stack_config({"t": MINIMAL}, Path("."))
    assert (stack.trunks["t"].aliases, stack.trunks["t"].protect, stack.protect) == ((), None, False)
    assert read_stack_config({"t": MINIMAL}, Path("."), protect="true").protect is True


@pytest.mark.parametrize(("entry", "where", "reason"), [
    ({"protect": "yes"}, "livekit-sip:trunks.t.protect", "must be true or false"),
    ({"retain_on_delete": 1}, "livekit-sip:trunks.t.retainOnDelete", "must be true or false"),
    ({"aliases": "old-t"}, "livekit-sip:trunks.t.aliases", "must be a list"),
    ({"aliases": [""]}, "livekit-sip:trunks.t.aliases[0]", "non-empty string"),
    ({"aliases": ["t"]}, "livekit-sip:trunks.t.aliases[0]", "this entry's own key"),
    ({"aliases": ["u"]}, "livekit-sip:trunks.t.aliases[0]", "'u' is the key of another entry"),
])
def test_bad_options_are_named(entry: dict[str, Any], where: str, reason: str) -> None:
    [(path, message)] = problems({"t": {**MINIMAL, **entry}, "u": MINIMAL})
    assert path == where and reason in message


def test_a_stack_wide_protect_that_is_not_a_flag_is_named() -> None:
    assert problems({"t": MINIMAL}, protect="maybe") == [("livekit-sip:protect", "must be true or false")]


def test_one_alias_claimed_by_two_entries_is_refused() -> None:
    [(path, message)] = problems({"a": {**MINIMAL, "aliases": ["old"]}, "b": {**MINIMAL, "aliases": ["old"]}})
    assert path == "livekit-sip:trunks.b.aliases[0]"
    assert message == "'old' is also an alias of livekit-sip:trunks.a"


def test_two_entries_adopting_one_trunk_are_refused_naming_both() -> None:
    [(path, message)] = problems({"a": {**MINIMAL, "adoptTrunkId": "ST_abcdEFGH1234"},
                                  "b": {**MINIMAL, "adopt_trunk_id": "ST_abcdEFGH1234"}})
    assert path == "livekit-sip:trunks.b.adoptTrunkId"
    assert message.startswith("ST_abcdEFGH1234 is also adopted by livekit-sip:trunks.a;")


def test_two_inbound_entries_or_two_rules_adopting_one_object_are_refused_naming_both() -> None:
    inbound = {"a": {"numbers": ["+15105550100"], "adoptTrunkId": "ST_abcdEFGH1234"},
               "b": {"numbers": ["+15105550101"], "adoptTrunkId": "ST_abcdEFGH1234"}}
    rules = {"r1": {"trunks": ["a"], "individual": {"roomPrefix": "one-"}, "adoptRuleId": "SDR_abcdEFGH1234"},
             "r2": {"trunks": ["b"], "individual": {"roomPrefix": "two-"}, "adoptRuleId": "SDR_abcdEFGH1234"}}
    found = problems({}, inbound_trunks=inbound, dispatch_rules=rules)
    assert ("livekit-sip:inboundTrunks.b.adoptTrunkId",
            "ST_abcdEFGH1234 is also adopted by livekit-sip:inboundTrunks.a; one inbound trunk can be managed by one "
            "entry only: keep adoptTrunkId in one of them") in found
    assert any(path == "livekit-sip:dispatchRules.r2.adoptRuleId"
               and "is also adopted by livekit-sip:dispatchRules.r1" in message for path, message in found)


def test_cleared_inbound_credentials_do_not_count_as_auth_for_the_security_rule() -> None:
    inbound = {"open": {"allowedNumbers": ["+15105550100"]}}
    found = problems({}, inbound_trunks=inbound, inbound_credentials={"open": {"username": "", "password": ""}})
    assert [path for path, _ in found] == ["livekit-sip:inboundTrunks.open.numbers"]

# --- key spelling helpers ----------------------------------------------------------------


@pytest.mark.parametrize(("snake_name", "camel_name"), [
    ("destination_country", "destinationCountry"), ("headers_to_attributes", "headersToAttributes"),
    ("adopt_trunk_id", "adoptTrunkId"), ("name", "name"),
])
def test_camel_and_snake_convert_both_ways(snake_name: str, camel_name: str) -> None:
    assert camel(snake_name) == camel_name
    assert snake(camel_name) == snake_name


# --- file: entries of inbound trunks and dispatch rules --------------------------------------

LK_INBOUND: dict[str, Any] = {"trunk": {
    "sip_trunk_id": "ST_fromexport1", "name": "Carrier US", "numbers": ["+15105550200"],
    "allowed_addresses": ["192.0.2.0/24"], "auth_realm": "carrier.example", "krisp_enabled": True,
    "include_headers": "SIP_X_HEADERS", "ringing_timeout": "30s", "media": {"encryption": "SIP_MEDIA_ENCRYPT_ALLOW"},
    "created_at": None}}
LK_RULE: dict[str, Any] = {"dispatch_rule": {
    "sip_dispatch_rule_id": "SDR_fromexport1", "name": "To the agent", "trunk_ids": ["ST_abcdabcdabcd"],
    "rule": {"dispatch_rule_individual": {"room_prefix": "call-", "pin": ""}}, "attributes": {"team": "support"},
    "room_config": {"agents": [{"agent_name": "inbound-agent"}]}, "hide_phone_number": True}}


def inbound_entries(inbound: Any, base_dir: Path, **kwargs: Any) -> dict[str, dict[str, Any]]:
    stack = read_stack_config(None, base_dir, inbound_trunks=inbound, **kwargs)
    return {key: entry.fields for key, entry in stack.inbound_trunks.items()}


def rule_entries(rules: Any, base_dir: Path, inbound: Any = None) -> dict[str, Any]:
    return read_stack_config(None, base_dir, inbound_trunks=inbound, dispatch_rules=rules).dispatch_rules


def test_inbound_file_in_lk_format_loads_its_trunk_relative_to_the_base_directory(tmp_path: Path) -> None:
    (tmp_path / "inbound").mkdir()
    write_json(tmp_path / "inbound" / "us.json", LK_INBOUND)
    entry = inbound_entries({"us": {"file": "inbound/us.json"}}, tmp_path)["us"]
    assert entry == {"name": "Carrier US", "numbers": ["+15105550200"], "allowed_addresses": ["192.0.2.0/24"],
                     "auth_realm": "carrier.example", "krisp_enabled": True, "include_headers": "SIP_X_HEADERS",
                     "ringing_timeout": "30s", "media_encryption": "SIP_MEDIA_ENCRYPT_ALLOW"}


def test_a_bare_camel_case_inbound_file_loads_and_the_stack_config_overrides_it(tmp_path: Path) -> None:
    write_json(tmp_path / "us.json", {"name": "From the file", "numbers": ["+15105550200"], "krispEnabled": True})
    entry = inbound_entries({"us": {"file": "us.json", "name": "Overridden", "allowedAddresses": ["192.0.2.1"]}},
                            tmp_path)["us"]
    assert entry == {"name": "Overridden", "numbers": ["+15105550200"], "krisp_enabled": True,
                     "allowed_addresses": ["192.0.2.1"]}


@pytest.mark.parametrize(("key", "leaf"), [("auth_password", "password"), ("authUsername", "username")])
def test_credentials_in_an_inbound_file_are_refused_with_the_inbound_secret_setting(
        tmp_path: Path, key: str, leaf: str) -> None:
    path = write_json(tmp_path / "us.json", {"trunk": {"numbers": ["+15105550200"], key: "s3cret-value"}})
    [(where, message)] = problems(None, tmp_path, inbound_trunks={"us": {"file": "us.json"}})
    assert where == f"livekit-sip:inboundTrunks.us.{camel(snake(key))} (in file {str(path)!r})"
    assert message.endswith(f"pulumi config set --secret --path 'livekit-sip:inboundCredentials.us.{leaf}' -- <value>")
    assert "s3cret-value" not in message


def test_an_unknown_key_in_an_inbound_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = write_json(tmp_path / "us.json", {"trunk": {"numbers": ["+15105550200"], "alowed_addresses": []}})
    [(where, message)] = problems(None, tmp_path, inbound_trunks={"us": {"file": "us.json"}})
    assert where == f"livekit-sip:inboundTrunks.us.alowedAddresses (in file {str(path)!r})"
    assert message.startswith(f"unknown key in file {str(path)!r}; did you mean 'allowedAddresses'?")


def test_a_missing_inbound_file_names_the_entrys_file_key(tmp_path: Path) -> None:
    (where, message), *_ = problems(None, tmp_path, inbound_trunks={"us": {"file": "nope.json"}})
    assert where == "livekit-sip:inboundTrunks.us.file"
    assert message.startswith("cannot read file ")


def test_rule_file_in_lk_format_loads_its_kind_and_keeps_its_trunk_ids(tmp_path: Path) -> None:
    write_json(tmp_path / "rule.json", LK_RULE)
    entry = rule_entries({"to-agent": {"file": "rule.json"}}, tmp_path)["to-agent"]
    assert entry.trunks == ("ST_abcdabcdabcd",) and not entry.all_trunks
    assert entry.fields == {"name": "To the agent", "attributes": {"team": "support"}, "hide_phone_number": True,
                            "room_config": {"agents": [{"agent_name": "inbound-agent"}]},
                            "rule": {"individual": {"room_prefix": "call-"}}}


def test_a_bare_camel_case_rule_file_in_lks_flat_request_form_loads(tmp_path: Path) -> None:
    write_json(tmp_path / "rule.json", {"trunkIds": ["ST_abcdabcdabcd"], "rule": {"dispatchRuleDirect": {
        "roomName": "lobby", "pin": ""}}, "inboundNumbers": ["+15105550999"]})
    entry = rule_entries({"lobby": {"file": "rule.json"}}, tmp_path)["lobby"]
    assert entry.trunks == ("ST_abcdabcdabcd",)
    assert entry.fields == {"name": "lobby", "inbound_numbers": ["+15105550999"],
                            "rule": {"direct": {"roomName": "lobby"}}}


def test_a_pin_in_a_rule_file_is_refused_without_its_value_and_names_the_secret_command(tmp_path: Path) -> None:
    write_json(tmp_path / "rule.json", {"trunkIds": ["ST_abcdabcdabcd"], "rule": {"dispatchRuleDirect": {
        "roomName": "lobby", "pin": "97531"}}})
    [(where, message)] = problems(None, tmp_path, dispatch_rules={"lobby": {"file": "rule.json"}})
    assert where.startswith("livekit-sip:dispatchRules.lobby.direct.pin (in file ")
    assert message.endswith("run pulumi config set --secret --path 'livekit-sip:pins.lobby' -- <value>")
    assert "97531" not in where + message


@pytest.mark.parametrize("kind", [{"direct": {"roomName": "lobby", "pin": "97531"}},
                                  {"individual": {"roomPrefix": "call-", "pin": 97531}}])
def test_a_pin_in_a_rule_entry_is_refused_without_its_value_and_names_the_secret_command(
        kind: dict[str, Any]) -> None:
    [(where, message)] = problems(None, dispatch_rules={"lobby": {"trunks": "all", **kind}})
    assert where == f"livekit-sip:dispatchRules.lobby.{next(iter(kind))}.pin"
    assert message == ("PINs are secrets and live in livekit-sip:pins: remove it here and run pulumi config set "
                       "--secret --path 'livekit-sip:pins.lobby' -- <value>")


def test_pins_come_from_their_own_section_as_secrets_and_digits_stored_as_numbers_count() -> None:
    stack = read_stack_config(None, Path("."), dispatch_rules={
        "lobby": {"trunks": "all", "direct": {"roomName": "lobby"}},
        "desk": {"trunks": "all", "callee": {"roomPrefix": "desk-"}, "numbers": ["+15550001"]}},
        pins={"lobby": "0042", "desk": 97531})
    assert stack.pins == {"lobby": "0042", "desk": "97531"}
    assert "0042" not in repr(stack) and "97531" not in repr(stack)
    assert stack.dispatch_rules["lobby"].fields["rule"] == {"direct": {"roomName": "lobby"}}


def test_two_rules_that_differ_only_by_their_pins_do_not_conflict() -> None:
    rules = {key: {"trunks": "all", "direct": {"roomName": key}} for key in ("a", "b")}
    assert read_stack_config(None, Path("."), dispatch_rules=rules, pins={"a": "1111", "b": "2222"}).pins
    [(where, message)] = problems(None, dispatch_rules=rules, pins={"a": "1111", "b": "1111"})
    assert where == "livekit-sip:dispatchRules.b" and "the same PIN" in message and "1111" not in message


@pytest.mark.parametrize(("pins", "secrecy", "expected"), [
    ({"lobby": "12ab"}, None, "livekit-sip:pins.lobby: is not a PIN: digits only (0-9), or \"\" for none"),
    ({"lobby": ["1"]}, None, "livekit-sip:pins.lobby: must be a PIN of digits, got list"),
    ({"lobby": "2468"}, {"pins": Secrecy(plaintext=frozenset({("lobby",)}))},
     "livekit-sip:pins.lobby: is stored in plain text; PINs must be secrets: run pulumi config set --secret "
     "--path 'livekit-sip:pins.lobby' -- <value>"),
    ({"lobby": "2468"}, {"pins": Secrecy(undecidable="Pulumi marks only whole keys as secret, and x")},
     "livekit-sip:pins: cannot tell which of its values are secrets: Pulumi marks only whole keys as secret, and x"),
    ({"lobby": "2468", "gone": "1357"}, None,
     "livekit-sip:pins.gone: matches no dispatch rule key in livekit-sip:dispatchRules. If the dispatch rule was "
     "renamed, list the old key in the entry's aliases (aliases: [gone]) so that it keeps its ID, and move this "
     "PIN to the new key; if it was removed, remove this PIN too: pulumi config rm --path 'livekit-sip:pins.gone'"),
])
def test_bad_pins_are_refused_in_one_line_naming_the_key_without_the_value(
        pins: dict[str, Any], secrecy: Any, expected: str) -> None:
    found = problems(None, dispatch_rules={"lobby": {"trunks": "all", "direct": {"roomName": "lobby"}}},
                     pins=pins, secrecy=secrecy)
    assert "\n".join(f"{path}: {message}" for path, message in found) == expected
    assert all(value not in expected for value in ("12ab", "2468", "1357"))


def test_a_rule_entrys_kind_and_trunks_override_the_files(tmp_path: Path) -> None:
    write_json(tmp_path / "rule.json", LK_RULE)
    inbound = {"carrier-us": {"numbers": ["+15105550200"]}}
    entry = rule_entries({"r": {"file": "rule.json", "direct": {"roomName": "lobby"}, "trunks": ["carrier-us"],
                                "name": "Overridden"}}, tmp_path, inbound)["r"]
    assert entry.trunks == ("carrier-us",)
    assert entry.fields["rule"] == {"direct": {"roomName": "lobby"}}
    assert entry.fields["name"] == "Overridden" and entry.fields["hide_phone_number"] is True


def test_a_rule_file_without_trunk_ids_still_needs_the_entry_to_name_its_trunks(tmp_path: Path) -> None:
    write_json(tmp_path / "rule.json", {"dispatch_rule": {"rule": {"dispatch_rule_direct": {"room_name": "x"}}}})
    [(where, message)] = problems(None, tmp_path, dispatch_rules={"r": {"file": "rule.json"}})
    assert where == "livekit-sip:dispatchRules.r.trunks"
    assert "trunks: all" in message
    assert rule_entries({"r": {"file": "rule.json", "trunks": "all"}}, tmp_path)["r"].all_trunks


def test_a_rule_files_trunk_ids_must_be_ids_and_unknown_keys_name_the_file(tmp_path: Path) -> None:
    path = write_json(tmp_path / "rule.json", {"dispatch_rule": {
        "trunk_ids": ["carrier-us", "ST_abcdabcdabcd", "ST_abcdabcdabcd"], "roomPrest": "x",
        "rule": {"dispatch_rule_direct": {"room_name": "x"}}}})
    found = problems(None, tmp_path, dispatch_rules={"r": {"file": "rule.json"}})
    where = f" (in file {str(path)!r})"
    assert [p for p, _ in found] == ["livekit-sip:dispatchRules.r.roomPrest" + where,
                                     "livekit-sip:dispatchRules.r.trunkIds[0]" + where,
                                     "livekit-sip:dispatchRules.r.trunkIds[2]" + where]
    assert "did you mean 'roomPreset'" in found[0][1]
    assert found[1][1].startswith("must be a trunk ID like ST_") and "listed twice" in found[2][1]


def test_a_rule_files_media_and_unknown_rule_kind_are_read_from_lks_objects(tmp_path: Path) -> None:
    write_json(tmp_path / "ok.json", {"rule": {"dispatch_rule_callee": {"room_prefix": "desk-"}},
                                      "trunk_ids": ["ST_abcdabcdabcd"],
                                      "media": {"encryption": "SIP_MEDIA_ENCRYPT_REQUIRE"}})
    assert rule_entries({"r": {"file": "ok.json"}}, tmp_path)["r"].fields["media_encryption"] == (
        "SIP_MEDIA_ENCRYPT_REQUIRE")
    path = write_json(tmp_path / "bad.json", {"rule": {"dispatch_rule_conference": {}}, "trunk_ids": []})
    found = problems(None, tmp_path, dispatch_rules={"r": {"file": "bad.json", "trunks": "all"}})
    assert found[0] == (f"livekit-sip:dispatchRules.r.rule.dispatch_rule_conference (in file {str(path)!r})",
                        "unknown rule kind; one of dispatch_rule_direct, dispatch_rule_individual, "
                        "dispatch_rule_callee")
