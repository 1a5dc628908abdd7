"""The policy pack's rules (policy/rules.py) over resource inputs, its config check, and what it
knows of livekit_sip (resource types, field names, enum spellings) against the package itself."""

from __future__ import annotations

from typing import Any

import pytest

from livekit_sip.dispatch import resource as dispatch_resource
from livekit_sip.dispatch import spec as dispatch_spec
from livekit_sip.enums import MediaEncryption, Transport
from livekit_sip.inbound import resource as inbound_resource
from livekit_sip.inbound import spec as inbound_spec
from livekit_sip.outbound import resource as outbound_resource
from livekit_sip.outbound import spec as outbound_spec
from policy import rules

OUT, IN, RULE = (outbound_resource.RESOURCE_TYPE, inbound_resource.RESOURCE_TYPE, dispatch_resource.RESOURCE_TYPE)
GOOD_OUT = {"address": "sip.example.com", "numbers": ["+15105550100"], "transport": "tls",
            "media_encryption": "require", "auth_username": "", "auth_password": ""}
GOOD_IN = {"numbers": ["+15105550100"], "allowed_addresses": [], "media_encryption": "require",
           "auth_username": "", "auth_password": ""}
GOOD_RULE = {"rule": {"kind": "individual", "room_prefix": "call-", "pin": ""}, "trunk_ids": ["ST_abcdefgh"]}


def violations(resource_type: str, props: dict[str, Any], key: str = "k") -> dict[str, list[str]]:
    found = {rule.name: rule.messages(resource_type, key, props) for rule in rules.RULES}
    return {name: messages for name, messages in found.items() if messages}


def test_the_pack_knows_the_resource_types_of_the_package() -> None:
    assert rules.kind_of(OUT) == rules.OUTBOUND
    assert rules.kind_of(IN) == rules.INBOUND
    assert rules.kind_of(RULE) == rules.DISPATCH
    assert rules.kind_of("livekit-sip:index:OutboundTrunk") == rules.OUTBOUND
    assert rules.kind_of("livekit-sip:index:InboundTrunk") == rules.INBOUND
    assert rules.kind_of("livekit-sip:index:DispatchRule") == rules.DISPATCH
    assert rules.kind_of("aws:s3/bucket:Bucket") is None


def test_the_fields_the_rules_read_are_fields_of_the_specs() -> None:
    assert {"transport", "media_encryption", "numbers"} <= set(outbound_spec.FIELDS)
    assert {"numbers", "allowed_addresses", "auth_username", "media_encryption"} <= set(inbound_spec.FIELDS)
    assert "auth_username" in inbound_spec.SECRET_FIELDS
    assert {"rule", "trunk_ids"} <= set(dispatch_spec.FIELDS)
    assert "pin" in dispatch_spec.RoomRule.model_fields


@pytest.mark.parametrize("spelling", [Transport.TLS.value, Transport.TLS.wire, Transport.TLS.number, "TLS", 3.0])
def test_tls_in_any_of_livekits_spellings_passes(spelling: Any) -> None:
    assert not violations(OUT, {**GOOD_OUT, "transport": spelling})


@pytest.mark.parametrize("spelling", [MediaEncryption.REQUIRE.value, MediaEncryption.REQUIRE.wire,
                                      MediaEncryption.REQUIRE.number, "Require"])
def test_required_srtp_in_any_spelling_passes(spelling: Any) -> None:
    assert not violations(OUT, {**GOOD_OUT, "media_encryption": spelling})
    assert not violations(IN, {**GOOD_IN, "media_encryption": spelling})


def test_good_resources_pass_and_other_types_are_left_alone() -> None:
    assert not violations(OUT, GOOD_OUT)
    assert not violations(IN, GOOD_IN)
    assert not violations(RULE, GOOD_RULE)
    assert not violations("aws:s3/bucket:Bucket", {"transport": "udp"})


@pytest.mark.parametrize("transport", ["udp", "tcp", "auto", None, True])
def test_an_outbound_trunk_without_tls_names_its_transport_key(transport: Any) -> None:
    props = {**GOOD_OUT, "transport": transport} if transport is not None else {
        k: v for k, v in GOOD_OUT.items() if k != "transport"}
    (message,) = violations(OUT, props, "telnyx-us")["tls-transport"]
    assert message.startswith("livekit-sip:trunks.telnyx-us.transport is ")
    assert "set transport: tls" in message


@pytest.mark.parametrize("encryption", ["allow", "disable", None, "SIP_MEDIA_ENCRYPT_ALLOW", 1])
def test_trunks_without_required_srtp_name_their_media_key(encryption: Any) -> None:
    for resource_type, good, section in ((OUT, GOOD_OUT, "trunks"), (IN, GOOD_IN, "inboundTrunks")):
        props = {**good, "media_encryption": encryption}
        (message,) = violations(resource_type, props, "c")["srtp-media"]
        assert message.startswith(f"livekit-sip:{section}.c.mediaEncryption is ")
        assert "set mediaEncryption: require" in message


def test_camel_case_inputs_of_a_provider_plugin_are_read() -> None:
    props = {"address": "x", "numbers": ["+15105550100"], "transport": "tls", "mediaEncryption": "require"}
    assert not violations("livekit-sip:index:OutboundTrunk", props)
    assert violations("livekit-sip:index:InboundTrunk", {"mediaEncryption": "require"}).keys() == {
        "inbound-restricted-callers"}
    assert not violations("livekit-sip:index:InboundTrunk", {"mediaEncryption": "require", "allowedAddresses": ["x"]})
    assert not violations("livekit-sip:index:DispatchRule", {"trunkIds": ["ST_x"]})


def test_an_inbound_trunk_that_takes_any_caller_is_a_violation() -> None:
    props = {**GOOD_IN, "numbers": []}
    (message,) = violations(IN, props, "carrier-us")["inbound-restricted-callers"]
    assert message.startswith("livekit-sip:inboundTrunks.carrier-us accepts any caller")
    assert "livekit-sip:inboundTrunks.carrier-us.numbers" in message
    assert "livekit-sip:inboundTrunks.carrier-us.allowedAddresses" in message
    assert "livekit-sip:inboundCredentials.carrier-us.username" in message
    # Absent fields count as unset, as does the "" the resource sends for no credentials.
    assert violations(IN, {"media_encryption": "require"}).keys() == {"inbound-restricted-callers"}


@pytest.mark.parametrize("restriction", [{"numbers": ["+15105550100"]}, {"allowed_addresses": ["192.0.2.0/24"]},
                                         {"auth_username": "a-username"}])
def test_numbers_addresses_or_credentials_each_restrict_callers(restriction: dict[str, Any]) -> None:
    assert not violations(IN, {**GOOD_IN, "numbers": [], **restriction})


def test_a_wildcard_number_is_a_violation() -> None:
    (message,) = violations(OUT, {**GOOD_OUT, "numbers": ["*"]}, "open")["no-wildcard-numbers"]
    assert message.startswith("livekit-sip:trunks.open.numbers has '*'")
    assert violations(OUT, {**GOOD_OUT, "numbers": "*"}).keys() == {"no-wildcard-numbers"}


@pytest.mark.parametrize("rule", [
    {"kind": "direct", "room_name": "lobby", "pin": "4711"},                # as checked
    {"direct": {"room_name": "lobby", "pin": "4711"}},                      # as declared
    {"dispatchRuleDirect": {"roomName": "lobby", "pin": "4711"}},           # a plugin's wire shape
])
def test_a_rule_for_every_trunk_passes_with_a_pin(rule: dict[str, Any]) -> None:
    assert not violations(RULE, {"rule": rule, "trunk_ids": []})


@pytest.mark.parametrize("rule", [{"kind": "individual", "room_prefix": "call-", "pin": ""},
                                  {"individual": {"room_prefix": "call-"}}, None])
def test_a_rule_for_every_trunk_without_a_pin_is_a_violation(rule: Any) -> None:
    (message,) = violations(RULE, {"rule": rule, "trunk_ids": []}, "to-agent")["dispatch-pin-or-trunks"]
    assert message.startswith("livekit-sip:dispatchRules.to-agent.trunks is all and the rule has no PIN")
    assert "pulumi config set --secret --path 'livekit-sip:pins.to-agent' -- <digits>" in message


def test_a_secret_is_only_asked_whether_it_is_set() -> None:
    class Opaque(str):
        """A value whose content a rule must not need: comparing or showing it fails."""

        def __eq__(self, other: object) -> bool:
            raise AssertionError("a secret was compared")

        __hash__ = str.__hash__

        def __str__(self) -> str:
            raise AssertionError("a secret was shown")

        __repr__ = __str__
        __format__ = None  # type: ignore[assignment]

    secret = Opaque("some-value")
    assert not violations(IN, {**GOOD_IN, "numbers": [], "auth_username": secret})
    assert not violations(RULE, {"rule": {"kind": "direct", "room_name": "lobby", "pin": secret}, "trunk_ids": []})


def test_a_config_of_known_rules_and_levels_is_valid() -> None:
    assert rules.config_problems({"all": ("mandatory", {}), "tls-transport": ("advisory", {}),
                                  "srtp-media": ("disabled", {}), "no-wildcard-numbers": (None, {})}) == []


def test_an_unknown_rule_name_is_one_line_naming_it_and_the_closest() -> None:
    (problem,) = rules.config_problems({"tls-transprt": ("mandatory", {})})
    assert "unknown rule 'tls-transprt'" in problem and "did you mean tls-transport?" in problem
    assert "\n" not in problem


def test_an_unknown_level_or_setting_is_one_line_naming_it() -> None:
    (level,) = rules.config_problems({"srtp-media": ("remediate", {})})
    assert "rule 'srtp-media': unknown enforcement level 'remediate'" in level
    (setting,) = rules.config_problems({"srtp-media": ("mandatory", {"strict": True})})
    assert "rule 'srtp-media': unknown setting 'strict'" in setting
