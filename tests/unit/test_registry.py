"""The spec model is the one registry of a resource's fields: Args, outputs, the provider
and planning all agree with it."""

from __future__ import annotations

from dataclasses import fields

from livekit_sip import OutboundTrunk, OutboundTrunkArgs
from livekit_sip.fields import Write
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.outbound.provider import ID
from livekit_sip.outbound.spec import ADOPT, OutboundTrunkSpec, parse_spec
from livekit_sip.plan import Action, plan_from
from tests.support.specs import FULL_PROPS

SPEC = OutboundTrunkSpec


def test_args_hold_every_field_of_the_registry_and_the_adopt_id() -> None:
    assert {f.name for f in fields(OutboundTrunkArgs)} == {*SPEC.fields(), ADOPT}


def test_outputs_are_every_field_of_the_registry_the_id_and_the_adopt_id() -> None:
    outputs = {name for name, hint in OutboundTrunk.__annotations__.items() if str(hint).startswith("Output[")}
    assert outputs == {ID, *SPEC.fields(), ADOPT}


def test_every_field_has_a_slot_on_the_wire() -> None:
    info = set(OutboundTrunkInfo.model_fields)
    update = set(OutboundTrunkUpdate.model_fields)
    for name, slot in SPEC.slots().items():
        if slot.write is Write.MEDIA:
            assert "media" in info and "media" in update, name
        else:
            assert name in info, name
        if slot.write in (Write.UPDATE, Write.LIST):
            assert name in update, f"{name} is written by the update action, which has no slot for it"
        if slot.write is Write.REPLACE:
            assert name not in update, f"{name} has a slot in the update action; it need not be a replace"


def test_secret_fields_are_the_credentials() -> None:
    assert SPEC.secret_fields() == ("auth_username", "auth_password")


def test_an_unreadable_old_state_is_rewritten_whole_with_a_replace() -> None:
    new, _ = parse_spec(FULL_PROPS)
    assert new is not None
    old, errors = parse_spec({"name": "", "numbers": ["not a number"]})
    assert old is None and errors
    step = plan_from(old, new)
    assert step.action is Action.REPLACE
    assert isinstance(step.replace, OutboundTrunkInfo)
    assert step.replace.numbers == FULL_PROPS["numbers"], "no stale number can survive"
    assert step.replace.auth_password == FULL_PROPS["auth_password"]


def test_unknowns_inside_lists_wait_for_their_values_instead_of_failing() -> None:
    from pulumi.output import Unknown
    from pulumi.runtime import rpc

    spec, errors = parse_spec({**FULL_PROPS, "numbers": [Unknown()]}, unknown=rpc.UNKNOWN)
    assert (spec, errors) == (None, [])
    spec, errors = parse_spec({**FULL_PROPS, "numbers": ["not a number", Unknown()]}, unknown=rpc.UNKNOWN)
    assert (spec, errors) == (None, []), "the field waits whole until every item is known"
