"""Bad specs fail `pulumi preview` naming the stack key and the field, with 0 API calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import errors as auto_errors

from scripts import devserver
from scripts.project import Project
from scripts.proxy import Proxy
from tests.reliability.conftest import make_project

OK: dict[str, Any] = {"address": "sip.example.com", "numbers": ["+15105550100"]}

# (stack key, trunk entry, field that must be named, words the reason must hold)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("sip-scheme", {**OK, "address": "sip:pbx.example.com"}, "address", "SIP URI"),
    ("sips-scheme", {**OK, "address": "sips:pbx.example.com"}, "address", "SIP URI"),
    ("at-sign", {**OK, "address": "user@pbx.example.com"}, "address", "SIP URI"),
    ("semicolon", {**OK, "address": "pbx.example.com;lr"}, "address", "host"),
    ("transport-param", {**OK, "address": "pbx.example.com;transport=tcp"}, "address", "transport"),
    ("bad-port", {**OK, "address": "pbx.example.com:99999"}, "address", "port"),
    ("no-address", {"numbers": ["+15105550100"]}, "address", "required"),
    ("no-numbers", {"address": "sip.example.com"}, "numbers", "at least one"),
    ("empty-numbers", {**OK, "numbers": []}, "numbers", "at least one"),
    ("not-e164", {**OK, "numbers": ["5105550100"]}, "numbers[0]", "E.164"),
    ("letters-number", {**OK, "numbers": ["+1510CALLME"]}, "numbers[0]", "E.164"),
    ("duplicate-numbers", {**OK, "numbers": ["+15105550100", "+15105550100"]}, "numbers[1]", "twice"),
    ("star-mixed", {**OK, "numbers": ["*", "+15105550100"]}, "numbers", "cannot be combined"),
    ("bad-transport", {**OK, "transport": "quic"}, "transport", "auto | udp | tcp | tls"),
    ("bad-include", {**OK, "includeHeaders": "some"}, "includeHeaders", "none | x_headers | all"),
    ("bad-encryption", {**OK, "mediaEncryption": "maybe"}, "mediaEncryption", "disable | allow | require"),
    ("alpha3-country", {**OK, "destinationCountry": "USA"}, "destinationCountry", "ISO 3166-1"),
    ("unknown-country", {**OK, "destinationCountry": "ZZ"}, "destinationCountry", "ISO 3166-1"),
    ("bad-header-name", {**OK, "headers": {"X Team": "a"}}, "headers.X Team", "header name"),
    ("forbidden-from", {**OK, "headers": {"From": "a"}}, "headers.From", "cannot be overridden"),
    ("forbidden-call-id", {**OK, "headers": {"call-id": "a"}}, "headers.call-id", "cannot be overridden"),
    ("bad-attr-header", {**OK, "attributesToHeaders": {"call.reason": "X Reason"}},
     "attributesToHeaders.call.reason", "header name"),
    ("dict-metadata", {**OK, "metadata": {"team": "sales"}}, "metadata", "must be a string"),
    ("from-host-uri", {**OK, "fromHost": "sip:me@example.com"}, "fromHost", "SIP URI"),
    ("bad-adopt-id", {**OK, "adoptTrunkId": "trunk-1"}, "adoptTrunkId", "trunk id"),
    ("typo-key", {**OK, "adress": "sip.example.com"}, "adress", "did you mean 'address'"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, fault_proxy: Proxy,
            server: devserver.DevServer) -> Project:
    return make_project(Path(tmp_path_factory.mktemp("bad")), fault_proxy, server, "bad")


def failed_preview(project: Project) -> str:
    with pytest.raises(auto_errors.CommandError) as raised:
        project.run("preview")
    return str(raised.value)


@pytest.mark.parametrize(("key", "entry", "field", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_spec_fails_preview_naming_key_and_field_without_api_calls(
        project: Project, fault_proxy: Proxy, key: str, entry: dict[str, Any], field: str, reason: str) -> None:
    project.set_trunks({key: entry})
    fault_proxy.reset()
    text = failed_preview(project)
    assert f"livekit-sip:trunks.{key}.{field}:" in text
    assert reason in text
    assert fault_proxy.calls == []


def test_username_without_password_fails_preview_naming_the_credentials_key(
        project: Project, fault_proxy: Proxy) -> None:
    project.set_trunks({"half-credentials": dict(OK)})
    project.cli("config", "set", "--secret", "--path", "livekit-sip:credentials.half-credentials.username", "--",
                "only-user")
    fault_proxy.reset()
    text = failed_preview(project)
    project.cli("config", "rm", "livekit-sip:credentials")
    assert "livekit-sip:credentials.half-credentials.password: is empty while username is set" in text
    assert fault_proxy.calls == []
    assert "only-user" not in text


def test_at_least_twenty_bad_inputs_are_covered() -> None:
    assert len(CASES) + 1 >= 20


def test_credentials_set_only_in_plain_text_fail_preview_with_the_secret_command(
        project: Project, fault_proxy: Proxy) -> None:
    project.set_trunks({"plain-credentials": dict(OK)})
    for leaf, value in (("username", "plain-user-bad"), ("password", "plain-Pa55word-bad")):
        project.cli("config", "set", "--plaintext", "--path", f"livekit-sip:credentials.plain-credentials.{leaf}",
                    "--", value)
    fault_proxy.reset()
    text = failed_preview(project)
    project.cli("config", "rm", "livekit-sip:credentials")
    for leaf in ("username", "password"):
        assert (f"livekit-sip:credentials.plain-credentials.{leaf}: is stored in plain text; SIP credentials must "
                f"be secrets: run pulumi config set --secret --path 'livekit-sip:credentials.plain-credentials."
                f"{leaf}' -- <value>") in text
    assert "plain-user-bad" not in text and "plain-Pa55word-bad" not in text
    assert fault_proxy.calls == []
