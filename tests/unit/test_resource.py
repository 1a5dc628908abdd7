"""`OutboundTrunk` under Pulumi's mocks: what the program registers (provider methods never run here)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from livekit_sip import OutboundTrunk, OutboundTrunkArgs

registered: list[pulumi.runtime.MockResourceArgs] = []
#: How a secret value travels between the program and the engine.
SECRET_SIG = "4dabf18193072939515e22adb298388d"


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        registered.append(args)
        outputs = {**args.inputs, "sip_trunk_id": "ST_mockmockmock"}
        if args.typ.endswith("DispatchRule"):  # the provider's check writes a rule as {kind, ...its fields}
            rule = args.inputs["rule"]
            secret = isinstance(rule, dict) and SECRET_SIG in rule
            [(kind, fields)] = (rule["value"] if secret else rule).items()
            outputs["rule"] = {"kind": kind, **fields}
            if secret:  # a secret input makes the output of the same key secret
                outputs["rule"] = {SECRET_SIG: rule[SECRET_SIG], "value": outputs["rule"]}
        return "ST_mockmockmock", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture(autouse=True)
def mocks() -> Iterator[None]:
    # set_mocks needs a current event loop; an earlier asyncio.run() may have cleared it.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    registered.clear()
    pulumi.runtime.set_mocks(Mocks(), preview=False)
    yield
    asyncio.set_event_loop(None)
    loop.close()


@pulumi.runtime.test
def test_trunk_registers_as_a_dynamic_resource_named_after_its_key() -> Any:
    trunk = OutboundTrunk("telnyx-us", OutboundTrunkArgs(address="sip.telnyx.com", numbers=["+15105550100"]))

    def check(values: list[Any]) -> None:
        sip_trunk_id, name = values
        assert sip_trunk_id == "ST_mockmockmock"
        assert name == "telnyx-us", "name defaults to the resource name"
        assert registered[0].typ == "pulumi-python:dynamic/livekit:OutboundTrunk"

    return pulumi.Output.all(trunk.sip_trunk_id, trunk.name).apply(check)


@pulumi.runtime.test
def test_credentials_are_secret_outputs_even_when_given_plain() -> Any:
    trunk = OutboundTrunk("t", OutboundTrunkArgs(address="sip.example.com", numbers=["+15105550100"],
                                                 auth_username="user", auth_password="pass"))

    async def secrets() -> list[bool]:
        return [await trunk.auth_username.is_secret(), await trunk.auth_password.is_secret(),
                await trunk.address.is_secret()]

    return pulumi.Output.from_input(secrets()).apply(lambda flags: None if flags == [True, True, False]
                                                     else pytest.fail(f"secret flags {flags}"))


@pulumi.runtime.test
def test_the_provider_learns_whether_credentials_were_given_at_all() -> Any:
    trunks = [
        OutboundTrunk("none", OutboundTrunkArgs(address="sip.example.com", numbers=["+15105550100"])),
        OutboundTrunk("cleared", OutboundTrunkArgs(address="sip.example.com", numbers=["+15105550100"],
                                                   auth_username="", auth_password="")),
        OutboundTrunk("set", OutboundTrunkArgs(address="sip.example.com", numbers=["+15105550100"],
                                               auth_username="u", auth_password="p")),
    ]

    def check(_: Any) -> None:
        given = {args.name: (args.inputs["auth_given"], args.inputs["resource_name"]) for args in registered}
        assert given == {"none": (False, "none"), "cleared": (True, "cleared"), "set": (True, "set")}

    return pulumi.Output.all(*(trunk.sip_trunk_id for trunk in trunks)).apply(check)


@pulumi.runtime.test
def test_a_rule_with_a_pin_is_secret_whole_and_its_stack_output_masks_only_the_pin() -> Any:
    from livekit_sip import DispatchRule, DispatchRuleArgs
    from livekit_sip.dispatch.resource import export_dispatch_rule
    pinned = DispatchRule("pinned", DispatchRuleArgs(direct={"room_name": "lobby", "pin": "4711"}, all_trunks=True))
    open_rule = DispatchRule("open", DispatchRuleArgs(individual={"room_prefix": "call-"}, all_trunks=True))
    exported = export_dispatch_rule(pinned)

    async def flags() -> list[bool]:
        return [await pinned.rule.is_secret(), await open_rule.rule.is_secret(), await exported.is_secret()]

    def check(values: list[Any]) -> None:
        secret_flags, shown = values
        assert secret_flags == [True, False, False]
        assert shown["rule"]["pin"] == "[secret]" and shown["rule"]["room_name"] == "lobby"
        assert "4711" not in repr(shown)

    return pulumi.Output.all(pulumi.Output.from_input(flags()), exported).apply(check)
