"""`recover`: settling the pending creates an interrupted `pulumi up` left, from an exported state."""

from __future__ import annotations

from typing import Any

import pytest

from livekit_sip.dispatch.models import DispatchRuleInfo, DispatchRuleKind, RuleIndividual
from livekit_sip.dispatch.resource import RESOURCE_TYPE as RULE_TYPE
from livekit_sip.inbound.models import InboundTrunkInfo
from livekit_sip.inbound.resource import RESOURCE_TYPE as INBOUND_TYPE
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.resource import RESOURCE_TYPE
from livekit_sip.recover import RecoverError, Settled, recover

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}
STACK = "urn:pulumi:prod::livekit-sip::pulumi:pulumi:Stack::livekit-sip-prod"


def inputs(number: str, **changes: Any) -> dict[str, Any]:
    return {"__provider": SECRET, "name": "t", "address": "sip.example.com", "numbers": [number],
            "auth_username": SECRET, "auth_password": SECRET, "transport": "auto", "headers": {}, **changes}


def resource(key: str, number: str, sip_trunk_id: str = "", **changes: Any) -> dict[str, Any]:
    return typed(RESOURCE_TYPE, key, inputs(number, **changes), "sip_trunk_id", sip_trunk_id)


def typed(type_: str, key: str, given: dict[str, Any], id_field: str = "", object_id: str = "",
          stack: str = "prod") -> dict[str, Any]:
    found = {"urn": f"urn:pulumi:{stack}::livekit-sip::{type_}::{key}", "custom": True, "type": type_,
             "inputs": given, "parent": STACK}
    if object_id:
        found |= {"id": object_id, "outputs": {**given, id_field: object_id}}
    return found


def exported(resources: list[dict[str, Any]], pending: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources, "pending_operations": pending}}


def creating(key: str, number: str, **changes: Any) -> dict[str, Any]:
    return {"resource": resource(key, number, **changes), "type": "creating"}


def live(sip_trunk_id: str, number: str, **changes: Any) -> OutboundTrunkInfo:
    fields = {"name": "t", "address": "sip.example.com", "numbers": [number], "auth_username": "u",
              "auth_password": "p", **changes}
    return OutboundTrunkInfo(sip_trunk_id=sip_trunk_id, **fields)


def outbound(*trunks: OutboundTrunkInfo) -> dict[str, list[Any]]:
    return {"outbound": list(trunks)}


def inbound_inputs(number: str, **changes: Any) -> dict[str, Any]:
    return {"__provider": SECRET, "name": "in", "numbers": [number], "auth_username": SECRET,
            "auth_password": SECRET, **changes}


def rule_inputs(trunk_id: str, rule: Any, **changes: Any) -> dict[str, Any]:
    return {"__provider": SECRET, "name": "r", "trunk_ids": [trunk_id], "rule": rule, **changes}


def live_rule(rule_id: str, trunk_id: str, pin: str = "", **changes: Any) -> DispatchRuleInfo:
    kind = DispatchRuleKind(dispatch_rule_individual=RuleIndividual(room_prefix="call-", pin=pin))
    return DispatchRuleInfo(sip_dispatch_rule_id=rule_id, name="r", trunk_ids=[trunk_id], rule=kind, **changes)


def test_a_create_that_landed_is_recorded_and_one_that_did_not_is_dropped() -> None:
    state = exported([resource("a", "+15105550001", "ST_aaaaaaaaaaaa")],
                     [creating("b", "+15105550002"), creating("c", "+15105550003")])
    result = recover(state, outbound(live("ST_aaaaaaaaaaaa", "+15105550001"), live("ST_bbbbbbbbbbbb", "+15105550002")))
    deployment = result.state["deployment"]
    assert deployment["pending_operations"] == []
    assert [(r["urn"].rsplit("::", 1)[-1], r.get("id")) for r in deployment["resources"]] == [
        ("a", "ST_aaaaaaaaaaaa"), ("b", "ST_bbbbbbbbbbbb")]
    assert deployment["resources"][1]["outputs"]["sip_trunk_id"] == "ST_bbbbbbbbbbbb"
    assert (result.recorded, result.dropped) == ([Settled("trunk", "b", "ST_bbbbbbbbbbbb")], [Settled("trunk", "c")])
    assert result.state["version"] == 3


def test_a_trunk_the_state_holds_is_never_taken_for_a_landed_create() -> None:
    state = exported([resource("a", "+15105550001", "ST_aaaaaaaaaaaa")], [creating("b", "+15105550001")])
    result = recover(state, outbound(live("ST_aaaaaaaaaaaa", "+15105550001")))
    assert result.dropped == [Settled("trunk", "b")] and len(result.state["deployment"]["resources"]) == 1


def test_a_trunk_with_other_fields_is_not_the_landed_create() -> None:
    result = recover(exported([], [creating("b", "+15105550002")]),
                     outbound(live("ST_bbbbbbbbbbbb", "+15105550002", address="other.example.com")))
    assert result.dropped == [Settled("trunk", "b")]


def test_two_matching_trunks_are_a_decision_for_a_person() -> None:
    with pytest.raises(RecoverError, match="2 trunks that no resource holds match.*ST_b1b1b1b1b1b1, ST_b2b2b2b2b2b2"):
        recover(exported([], [creating("b", "+15105550002")]),
                outbound(live("ST_b1b1b1b1b1b1", "+15105550002"), live("ST_b2b2b2b2b2b2", "+15105550002")))


def test_an_interrupted_adopt_is_dropped_for_up_to_do_again() -> None:
    result = recover(exported([], [creating("b", "+15105550002", adopt_trunk_id="ST_adoptadopt1")]),
                     outbound(live("ST_adoptadopt1", "+15105550009")))
    assert result.redone == [Settled("trunk", "b")] and result.recorded == []
    assert result.state["deployment"]["resources"] == [] and result.state["deployment"]["pending_operations"] == []


def test_a_pending_replacement_leaves_the_resource_it_replaces_alone() -> None:
    held = resource("a", "+15105550001", "ST_aaaaaaaaaaaa")
    result = recover(exported([held], [creating("a", "+15105550001")]),
                     outbound(live("ST_aaaaaaaaaaaa", "+15105550001"), live("ST_newnewnewnew", "+15105550001")))
    assert result.redone == [Settled("trunk", "a")]
    assert result.state["deployment"]["resources"] == [held], "one resource per URN"


def test_a_pending_create_of_the_plugin_is_matched_on_its_camel_case_inputs() -> None:
    plugin = {"urn": "urn:pulumi:prod::livekit-sip::livekit-sip:index:InboundTrunk::office", "custom": True,
              "type": "livekit-sip:index:InboundTrunk",
              "inputs": {"name": "in", "numbers": ["+15105550101"], "allowedAddresses": ["192.0.2.0/24"],
                         "authPassword": SECRET}}
    objects = {"inbound": [InboundTrunkInfo(sip_trunk_id="ST_in1in1in1in1", name="in", numbers=["+15105550101"],
                                            allowed_addresses=["192.0.2.0/24"]),
                           InboundTrunkInfo(sip_trunk_id="ST_other0other", name="in", numbers=["+15105550101"])]}
    result = recover(exported([], [{"resource": plugin, "type": "creating"}]), objects)
    assert result.recorded == [Settled("inbound trunk", "office", "ST_in1in1in1in1")]
    assert result.state["deployment"]["resources"][0]["outputs"]["sipTrunkId"] == "ST_in1in1in1in1"


def test_an_input_holding_an_encrypted_value_inside_is_left_out_of_the_match() -> None:
    pending = creating("b", "+15105550002", headers={"X-Token": SECRET})
    result = recover(exported([], [pending]), outbound(live("ST_bbbbbbbbbbbb", "+15105550002",
                                                            headers={"X-Token": "t"})))
    assert result.recorded == [Settled("trunk", "b", "ST_bbbbbbbbbbbb")]


def test_other_pending_operations_are_left_for_refresh() -> None:
    other = {"resource": {"urn": "urn:pulumi:prod::p::aws:s3/bucket:Bucket::b", "type": "aws:s3/bucket:Bucket"},
             "type": "creating"}
    deleting = {"resource": resource("a", "+15105550001", "ST_aaaaaaaaaaaa"), "type": "deleting"}
    result = recover(exported([], [other, deleting]), {})
    assert result.state["deployment"]["pending_operations"] == [other, deleting]
    assert len(result.left) == 2


def test_a_file_that_is_no_export_is_refused() -> None:
    with pytest.raises(RecoverError, match="no deployment"):
        recover({"resources": []}, {})


def test_inbound_trunks_and_rules_are_settled_like_outbound_trunks() -> None:
    pending = [{"resource": typed(INBOUND_TYPE, "in1", inbound_inputs("+15105550101")), "type": "creating"},
               {"resource": typed(INBOUND_TYPE, "in2", inbound_inputs("+15105550102")), "type": "creating"},
               {"resource": typed(RULE_TYPE, "r1", rule_inputs("ST_in1in1in1in1", {"kind": "individual",
                                                                                     "room_prefix": "call-"})),
                "type": "creating"}]
    objects = {"inbound": [InboundTrunkInfo(sip_trunk_id="ST_in1in1in1in1", name="in", numbers=["+15105550101"],
                                            auth_username="u", auth_password="p")],
               "dispatch": [live_rule("SDR_r1r1r1r1r1r1", "ST_in1in1in1in1")]}
    result = recover(exported([], pending), objects)
    assert result.recorded == [Settled("inbound trunk", "in1", "ST_in1in1in1in1"),
                               Settled("dispatch rule", "r1", "SDR_r1r1r1r1r1r1")]
    assert result.dropped == [Settled("inbound trunk", "in2")]
    rule = result.state["deployment"]["resources"][1]
    assert rule["id"] == rule["outputs"]["sip_dispatch_rule_id"] == "SDR_r1r1r1r1r1r1"
    assert "inbound trunk in2: its create never reached LiveKit" in "\n".join(result.report())


def test_a_rule_whose_pin_made_it_secret_is_matched_on_its_other_fields() -> None:
    pending = [{"resource": typed(RULE_TYPE, "r1", rule_inputs("ST_in1in1in1in1", SECRET)), "type": "creating"}]
    other_trunk = live_rule("SDR_other0other", "ST_in2in2in2in2", pin="1234")
    result = recover(exported([], pending), {"dispatch": [other_trunk, live_rule("SDR_r1r1r1r1r1r1", "ST_in1in1in1in1",
                                                                                  pin="1234")]})
    assert result.recorded == [Settled("dispatch rule", "r1", "SDR_r1r1r1r1r1r1")]
    assert result.state["deployment"]["resources"][0]["outputs"]["rule"] == SECRET


def test_an_object_of_another_kind_with_the_same_id_shape_is_never_matched() -> None:
    pending = [{"resource": typed(INBOUND_TYPE, "t", inbound_inputs("+15105550002")), "type": "creating"}]
    result = recover(exported([], pending), outbound(live("ST_bbbbbbbbbbbb", "+15105550002")))
    assert result.dropped == [Settled("inbound trunk", "t")]


def test_an_export_of_another_stack_is_refused() -> None:
    with pytest.raises(RecoverError, match="the export is of stack prod, not dev; export stack dev"):
        recover(exported([], [creating("b", "+15105550002")]), {}, stack="dev")


def test_an_export_whose_objects_are_all_missing_from_the_project_is_refused() -> None:
    state = exported([resource("a", "+15105550001", "ST_aaaaaaaaaaaa")], [creating("b", "+15105550002")])
    with pytest.raises(RecoverError, match="none of the 1 objects the exported state holds is in the LiveKit project"):
        recover(state, outbound(live("ST_zzzzzzzzzzzz", "+15105550002")))
