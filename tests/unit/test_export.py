"""`export`: stack keys, the config block it renders, and the command line without a server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from livekit_sip.__main__ import main
from livekit_sip.export import render, slugify, stack_keys, trunk_entry
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.spec import OutboundTrunkSpec, parse_spec
from livekit_sip.wire import MediaConfig
from tests.support.config import read_stack_config

KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\Z")
USERNAME = "telnyx-user-export"
PASSWORD = "s3cret-Pa55word-export"

FULL = OutboundTrunkInfo(
    sip_trunk_id="ST_full1234abcd", name="Telnyx US", address="sip.telnyx.com:5061",
    numbers=["+15105550101", "+15105550100"], auth_username=USERNAME, auth_password=PASSWORD,
    transport="SIP_TRANSPORT_TLS", destination_country="US", metadata='{"team": "sales"}',
    headers={"X-Team": "sales"}, headers_to_attributes={"X-Call-Id": "call.id"},
    attributes_to_headers={"call.reason": "X-Reason"}, include_headers="SIP_X_HEADERS",
    media_encryption="SIP_MEDIA_ENCRYPT_ALLOW", from_host="sip.example.com",
    media=MediaConfig(encryption="SIP_MEDIA_ENCRYPT_ALLOW", only_listed_codecs=True, media_timeout="1.500s",
                      codecs=[{"name": "PCMU", "rate": 8000}, {"name": "opus", "rate": 48000}]),
)
PLAIN = OutboundTrunkInfo(sip_trunk_id="ST_plain1234abc", name="plain", address="sip.example.org", numbers=["*"])


def trunk(sip_trunk_id: str, name: str, **fields: Any) -> OutboundTrunkInfo:
    return OutboundTrunkInfo(**{"address": "sip.example.org", "numbers": ["*"], **fields},
                     sip_trunk_id=sip_trunk_id, name=name)


def exported(text: str) -> dict[str, Any]:
    """The `livekit-sip:trunks` map of an export; fails unless the text is one `config:` block."""
    data = yaml.safe_load(text)
    assert list(data) == ["config"]
    assert list(data["config"]) == ["livekit-sip:trunks"]
    trunks: dict[str, Any] = data["config"]["livekit-sip:trunks"]
    return trunks


# --- stack keys ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "slug"), [
    ("Telnyx US", "telnyx-us"),
    ("  Twilio -- EU (main)!  ", "twilio-eu-main"),
    ("Café Zürich", "cafe-zurich"),
    ("ST_abc_DEF", "st-abc-def"),
    ("日本", ""),
    ("", ""),
])
def test_slugify_keeps_lowercase_letters_digits_and_single_dashes(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_slugify_cuts_long_names_without_a_trailing_dash() -> None:
    slug = slugify("a" * 49 + " long tail")
    assert len(slug) <= 50 and KEY.match(slug)


def test_keys_come_from_names_in_the_order_given() -> None:
    assert stack_keys([trunk("ST_1111", "Telnyx US"), trunk("ST_2222", "Twilio EU")]) == ["telnyx-us", "twilio-eu"]


def test_colliding_names_get_numbered_suffixes() -> None:
    trunks = [trunk("ST_1111", "Sales"), trunk("ST_2222", "sales"), trunk("ST_3333", "SALES!")]
    assert stack_keys(trunks) == ["sales", "sales-2", "sales-3"]


def test_a_suffix_never_takes_the_key_another_trunk_is_named_after() -> None:
    trunks = [trunk("ST_1111", "sales"), trunk("ST_2222", "sales"), trunk("ST_3333", "Sales 2")]
    keys = stack_keys(trunks)
    assert keys == ["sales", "sales-3", "sales-2"]


def test_empty_or_unsluggable_names_fall_back_to_the_trunk_id() -> None:
    keys = stack_keys([trunk("ST_AbC123", ""), trunk("ST_XyZ789", "日本")])
    assert keys == ["st-abc123", "st-xyz789"]


def test_keys_from_ids_stay_unique_when_ids_differ_only_in_case() -> None:
    keys = stack_keys([trunk("ST_abcdef", "a"), trunk("ST_ABCDEF", "b")], key_from="id")
    assert keys == ["st-abcdef", "st-abcdef-2"]


def test_every_key_is_a_valid_unique_slug() -> None:
    names = ["", "", "x", "x", "x-2", "Ünïcode", "!!!", "a" * 80, "a" * 80]
    trunks = [trunk(f"ST_{i:04d}", name) for i, name in enumerate(names)]
    keys = stack_keys(trunks)
    assert len(set(keys)) == len(keys)
    assert all(KEY.match(key) for key in keys), keys


def test_an_unknown_key_source_is_refused() -> None:
    with pytest.raises(ValueError, match="name, id"):
        stack_keys([PLAIN], key_from="title")


# --- the block -----------------------------------------------------------------------


def test_block_is_yaml_with_one_entry_per_trunk_each_with_its_adopt_trunk_id() -> None:
    trunks = exported(render([FULL, PLAIN]))
    assert list(trunks) == ["telnyx-us", "plain"]
    assert trunks["telnyx-us"]["adoptTrunkId"] == FULL.sip_trunk_id
    assert trunks["plain"]["adoptTrunkId"] == PLAIN.sip_trunk_id


def test_entry_has_camel_case_keys_and_short_enum_names() -> None:
    entry = exported(render([FULL]))["telnyx-us"]
    assert entry == {
        "name": "Telnyx US",
        "address": "sip.telnyx.com:5061",
        "numbers": ["+15105550101", "+15105550100"],
        "transport": "tls",
        "destinationCountry": "US",
        "metadata": '{"team": "sales"}',
        "headers": {"X-Team": "sales"},
        "headersToAttributes": {"X-Call-Id": "call.id"},
        "attributesToHeaders": {"call.reason": "X-Reason"},
        "includeHeaders": "x_headers",
        "mediaEncryption": "allow",
        "codecs": ["PCMU/8000", "opus/48000"],
        "onlyListedCodecs": True,
        "mediaTimeout": "1.500s",
        "fromHost": "sip.example.com",
        "adoptTrunkId": FULL.sip_trunk_id,
    }


def test_fields_at_their_default_and_a_name_equal_to_the_key_are_left_out() -> None:
    assert trunk_entry(PLAIN, "plain") == {"address": "sip.example.org", "numbers": ["*"],
                                           "adoptTrunkId": PLAIN.sip_trunk_id}


def test_media_encryption_set_only_in_media_is_exported() -> None:
    info = trunk("ST_media1", "m", media=MediaConfig(encryption="SIP_MEDIA_ENCRYPT_REQUIRE"))
    assert trunk_entry(info, "m")["mediaEncryption"] == "require"


def test_a_codec_without_a_rate_is_exported_by_name_alone() -> None:
    info = trunk("ST_codec1", "c", media=MediaConfig(codecs=[{"name": "G722"}]))
    assert trunk_entry(info, "c")["codecs"] == ["G722"]


def test_media_fields_at_livekits_default_stay_out_so_they_stay_unmanaged() -> None:
    info = trunk("ST_media2", "m", media=MediaConfig(codecs=[], only_listed_codecs=False, media_timeout="0s"))
    assert trunk_entry(info, "m") == {"address": "sip.example.org", "numbers": ["*"], "adoptTrunkId": "ST_media2"}


def test_an_empty_name_is_kept_empty_rather_than_defaulting_to_the_key() -> None:
    entries = exported(render([trunk("ST_noname1", "")]))
    assert entries["st-noname1"]["name"] == ""


@pytest.mark.parametrize("trunks", [[FULL], [PLAIN], [trunk("ST_noname1", "")], [PLAIN, trunk("ST_dup1", "plain")]],
                         ids=["every-field", "defaults", "empty-name", "colliding-names"])
def test_the_program_reads_each_entry_back_as_the_trunk_it_came_from(trunks: list[OutboundTrunkInfo]) -> None:
    entries = {key: e.fields for key, e in read_stack_config(exported(render(trunks)), Path(".")).trunks.items()}
    assert list(entries) == stack_keys(trunks)
    for entry, info in zip(entries.values(), trunks, strict=True):
        secrets = {"auth_username": info.auth_username, "auth_password": info.auth_password}
        spec, errors = parse_spec({**entry, **secrets})
        assert errors == []
        assert spec is not None
        assert spec == OutboundTrunkSpec.from_info(info, spec.unmanaged())
        assert entry["adopt_trunk_id"] == info.sip_trunk_id


def test_an_empty_project_exports_an_empty_map() -> None:
    assert exported(render([])) == {}


# --- secrets -------------------------------------------------------------------------


def test_no_username_or_password_is_ever_printed() -> None:
    text = render([FULL, PLAIN], source="http://127.0.0.1:7880")
    assert PASSWORD not in text
    assert USERNAME not in text


def test_trunks_with_auth_get_the_commands_that_store_their_credentials() -> None:
    text = render([FULL, PLAIN])
    commands = [line.removeprefix("#").strip() for line in text.splitlines() if "pulumi config set" in line]
    assert commands == [
        "pulumi config set --secret --path 'livekit-sip:credentials.telnyx-us.username'",
        "pulumi config set --secret --path 'livekit-sip:credentials.telnyx-us.password'",
    ]
    assert all(line.startswith("#") for line in text.splitlines() if "pulumi config set" in line)


def test_a_project_without_auth_gets_no_credential_advice() -> None:
    assert "credentials" not in render([PLAIN])


# --- notes ---------------------------------------------------------------------------


def test_an_entry_the_program_would_refuse_is_flagged_with_its_key_and_field() -> None:
    text = render([trunk("ST_bad1", "bad", address="sip:carrier.example.com")])
    notes = [line for line in text.splitlines() if line.startswith("# note:")]
    assert len(notes) == 1
    assert "livekit-sip:trunks.bad.address" in notes[0] and "SIP URI" in notes[0]
    assert exported(text)["bad"]["address"] == "sip:carrier.example.com"


def test_media_settings_are_exported_so_no_note_is_needed() -> None:
    info = trunk("ST_codecs1", "codecs", media=MediaConfig(codecs=[{"name": "PCMU", "rate": 8000}]))
    text = render([info, PLAIN])
    assert not [line for line in text.splitlines() if line.startswith("# note:")]
    assert exported(text)["codecs"]["codecs"] == ["PCMU/8000"]


# --- the command line ------------------------------------------------------------------


def test_export_without_connection_settings_fails_with_one_line_naming_them(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "LIVEKIT_URL" in err and "LIVEKIT_API_KEY" in err and "LIVEKIT_API_SECRET" in err
    assert "Traceback" not in err


def test_export_with_a_url_that_is_not_livekits_fails_with_one_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEKIT_URL", "ftp://example.com")
    monkeypatch.setenv("LIVEKIT_API_KEY", "APIkey")
    monkeypatch.setenv("LIVEKIT_API_SECRET", "not-printed-secret")
    assert main(["export"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ftp://example.com" in err
    assert "not-printed-secret" not in err


def test_export_refuses_an_unknown_key_source(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "--stack-key-from", "title"])
    assert exited.value.code == 2
    assert "--stack-key-from" in capsys.readouterr().err
