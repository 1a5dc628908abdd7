"""The provider's plan-time contract: check and diff, with no server and no API call."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime import rpc

from livekit_sip import provider_base
from livekit_sip.errors import TrunkError
from livekit_sip.outbound.provider import AUTH_GIVEN, RESOURCE_NAME, TrunkProvider

SETTINGS = {"livekit:url": "https://example.livekit.cloud", "livekit:apiKey": "APIkey",
            "livekit:apiSecret": "s" * 32}
BASE: dict[str, Any] = {"address": "sip.example.com", "numbers": ["+15105550100", "+15105550101"],
                        "name": "trunk", "__provider": "blob-1"}


def configured(values: dict[str, str] | None = None) -> TrunkProvider:
    provider = TrunkProvider()
    provider.configure(ConfigureRequest(Config(SETTINGS if values is None else values, "livekit-sip")))
    return provider


def outputs(**changes: Any) -> dict[str, Any]:
    provider = configured()
    checked = provider.check({}, {**BASE, **changes}).inputs
    return {**checked, "sip_trunk_id": "ST_abcdefabcdef", "__provider": "blob-1"}


def test_check_normalizes_enum_spellings_and_country_case() -> None:
    result = configured().check({}, {**BASE, "transport": "SIP_TRANSPORT_TLS", "include_headers": 2,
                                     "media_encryption": "Allow", "destination_country": "de"})
    assert result.failures == []
    assert (result.inputs["transport"], result.inputs["include_headers"], result.inputs["media_encryption"]) \
        == ("tls", "all", "allow")
    assert result.inputs["destination_country"] == "DE"


def test_check_names_every_bad_field() -> None:
    result = configured().check({}, {**BASE, "address": "sip:x@y", "numbers": ["123"], "transport": "quic"})
    assert sorted(f.property for f in result.failures) == ["address", "numbers[0]", "transport"]
    assert all(f.reason.startswith(f.property + ":") for f in result.failures)


def test_check_skips_values_unknown_during_preview() -> None:
    result = configured().check({}, {**BASE, "auth_username": rpc.UNKNOWN, "auth_password": rpc.UNKNOWN})
    assert result.failures == []


def test_check_without_connection_settings_fails_before_any_call(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = configured({}).check({}, dict(BASE))
    assert [f.property for f in result.failures] == ["livekit:url"]
    assert "LIVEKIT_API_SECRET" in result.failures[0].reason


def test_check_takes_connection_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEKIT_URL", "wss://example.livekit.cloud")
    monkeypatch.setenv("LIVEKIT_API_KEY", "APIkey")
    monkeypatch.setenv("LIVEKIT_API_SECRET", "s" * 32)
    assert configured({}).check({}, dict(BASE)).failures == []


def test_diff_of_a_converged_trunk_reports_no_changes_despite_a_new_provider_blob() -> None:
    news = configured().check({}, {**BASE, "__provider": "blob-2"}).inputs
    result = configured().diff("ST_abcdefabcdef", outputs(), {**news, "__provider": "blob-2"})
    assert result.changes is False and result.replaces == []


def test_diff_ignores_the_order_of_numbers() -> None:
    news = configured().check({}, {**BASE, "numbers": list(reversed(BASE["numbers"]))}).inputs
    assert configured().diff("ST_abcdefabcdef", outputs(), news).changes is False


def test_diff_of_a_changed_header_asks_for_an_update_never_a_replacement() -> None:
    news = configured().check({}, {**BASE, "headers": {"X-Team": "sales"}}).inputs
    result = configured().diff("ST_abcdefabcdef", outputs(), news)
    assert result.changes is True and result.replaces == []


def test_diff_with_unknown_inputs_reports_a_possible_change() -> None:
    news = {**outputs(), "metadata": rpc.UNKNOWN}
    assert configured().diff("ST_abcdefabcdef", outputs(), news).changes is True


def test_diff_sees_a_password_rotation() -> None:
    olds = outputs(auth_username="u", auth_password="old")
    news = configured().check({}, {**BASE, "auth_username": "u", "auth_password": "new"}).inputs
    assert configured().diff("ST_abcdefabcdef", olds, news).changes is True


def test_check_normalizes_codec_shorthand_and_the_media_timeout() -> None:
    inputs = configured().check({}, {**BASE, "codecs": ["PCMU/8000", {"name": "opus", "rate": 48000.0}],
                                     "media_timeout": "1.5s"}).inputs
    assert inputs["codecs"] == [{"name": "PCMU", "rate": 8000}, {"name": "opus", "rate": 48000}]
    assert inputs["media_timeout"] == "1.500s"
    assert inputs["only_listed_codecs"] is None


def test_check_names_a_media_timeout_out_of_range() -> None:
    (failure,) = configured().check({}, {**BASE, "media_timeout": "15m"}).failures
    assert failure.property == "media_timeout"
    assert failure.reason == "media_timeout: '15m' exceeds LiveKit's maximum of 10m"


def test_diff_of_media_left_to_livekit_reports_no_changes() -> None:
    news = configured().check({}, dict(BASE)).inputs
    assert configured().diff("ST_abcdefabcdef", outputs(), news).changes is False


def test_diff_of_an_equal_media_timeout_in_another_spelling_reports_no_changes() -> None:
    news = configured().check({}, {**BASE, "media_timeout": "1500ms", "codecs": ["PCMU/8000"]}).inputs
    olds = outputs(media_timeout="1.500s", codecs=[{"name": "PCMU", "rate": 8000.0}])
    assert configured().diff("ST_abcdefabcdef", olds, news).changes is False


@pytest.mark.parametrize(("old", "new"), [(None, []), ([], None), (["PCMU/8000"], ["PCMA/8000"])])
def test_diff_sees_codecs_taken_in_or_out_of_the_spec_or_changed(old: Any, new: Any) -> None:
    news = configured().check({}, {**BASE, "codecs": new}).inputs
    assert configured().diff("ST_abcdefabcdef", outputs(codecs=old), news).changes is True


def test_provider_pickles_without_connection_state() -> None:
    import dill  # the dynamic-provider runtime's serializer

    provider = TrunkProvider()
    blob = dill.dumps(provider, recurse=True)
    assert len(blob) < 200 and b"apiSecret" not in blob


def test_provider_errors_reach_the_cli_as_one_line() -> None:
    import socket
    import traceback

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = configured({**SETTINGS, "livekit:url": f"http://127.0.0.1:{port}", "livekit-sip:deadline": "0.3"})
    try:
        provider.create(provider.check({}, dict(BASE)).inputs)
    except Exception:
        # what the dynamic-provider server sends to the engine
        text = traceback.format_exc()
    else:
        pytest.fail("create against a closed port succeeded")
    assert text.strip().splitlines() == [text.strip()]
    assert text.startswith("livekit_sip.errors.TrunkError: trunk 'trunk': create failed: ")
    assert f"cannot reach http://127.0.0.1:{port}" in text


def test_unexpected_provider_errors_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = configured()

    def broken(*args: Any) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(provider, "_spec", broken)
    with pytest.raises(provider_base.ProviderBug) as caught:
        provider.create(dict(BASE))
    text = str(caught.value)
    assert text.startswith("KeyError: 'a bug'\nTraceback (most recent call last):")
    assert "in create" in text and "in broken" in text


# --- credentials never go missing silently ------------------------------------------------------

WITH_AUTH = {**BASE, "auth_username": "user", "auth_password": "hunter2-secret"}


def test_check_drops_the_inputs_only_it_reads() -> None:
    result = configured().check({}, {**BASE, AUTH_GIVEN: True, RESOURCE_NAME: "telnyx-us"})
    assert result.failures == []
    assert AUTH_GIVEN not in result.inputs and RESOURCE_NAME not in result.inputs


def test_credentials_that_disappear_fail_check_with_how_to_clear_them_on_purpose() -> None:
    olds = configured().check({}, dict(WITH_AUTH)).inputs
    result = configured().check(olds, {**BASE, "auth_username": "", "auth_password": "",
                                       AUTH_GIVEN: False, RESOURCE_NAME: "telnyx-us"})
    [failure] = result.failures
    assert failure.property == "auth_username"
    assert "would be cleared" in failure.reason
    assert "pulumi config set --secret --path 'livekit-sip:credentials.telnyx-us.username' \"\"" in failure.reason
    assert "hunter2-secret" not in failure.reason and "user'" not in failure.reason


def test_credentials_given_as_empty_strings_clear_auth_on_purpose() -> None:
    olds = configured().check({}, dict(WITH_AUTH)).inputs
    result = configured().check(olds, {**BASE, "auth_username": "", "auth_password": "", AUTH_GIVEN: True})
    assert result.failures == []
    assert (result.inputs["auth_username"], result.inputs["auth_password"]) == ("", "")


def test_a_trunk_that_never_had_credentials_needs_none() -> None:
    olds = configured().check({}, dict(BASE)).inputs
    assert configured().check(olds, {**BASE, AUTH_GIVEN: False}).failures == []


def test_changed_credentials_pass_check() -> None:
    olds = configured().check({}, dict(WITH_AUTH)).inputs
    news = {**WITH_AUTH, "auth_password": "rotated", AUTH_GIVEN: True}
    assert configured().check(olds, news).failures == []


# --- one run of the provider process: adopted trunks are never deleted -------------------------


def closed_port_provider() -> TrunkProvider:
    """A provider whose every API call would fail: proves a method made none."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return configured({**SETTINGS, "livekit:url": f"http://127.0.0.1:{port}", "livekit-sip:deadline": "0.3"})


def test_delete_of_a_trunk_another_resource_holds_in_this_run_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider_base, "HELD", provider_base.Held())
    provider = closed_port_provider()
    provider.diff("ST_heldheldheld", outputs(), outputs())  # the resource that keeps the trunk
    provider.delete("ST_heldheldheld", outputs())  # no call: a call to the closed port would raise
    with pytest.raises(TrunkError, match="delete failed"):
        provider.delete("ST_otherotherot", outputs())


def test_adopting_a_trunk_another_resource_holds_is_refused_before_any_call(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(provider_base, "HELD", provider_base.Held())
    provider = closed_port_provider()
    provider.diff("ST_heldheldheld", outputs(), outputs())
    with pytest.raises(TrunkError, match="another resource of this stack holds this trunk"):
        provider.create({**outputs(), "adopt_trunk_id": "ST_heldheldheld"})


def test_a_held_id_is_claimed_once_even_by_threads_at_the_same_moment() -> None:
    import threading

    held = provider_base.Held()
    wins: list[bool] = []
    start = threading.Barrier(8)

    def claim() -> None:
        start.wait()
        wins.append(held.claim("ST_claimedonce1"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert "ST_claimedonce1" in held
