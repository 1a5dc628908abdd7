"""`recover`: settling the pending creates an interrupted `pulumi up` left, from an exported state."""

from __future__ import annotations

from typing import Any

import pytest

from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.resource import RESOURCE_TYPE
from livekit_sip.recover import RecoverError, recover

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}
STACK = "urn:pulumi:prod::livekit-sip::pulumi:pulumi:Stack::livekit-sip-prod"


def inputs(number: str, **changes: Any) -> dict[str, Any]:
    return {"__provider": SECRET, "name": "t", "address": "sip.example.com", "numbers": [number],
            "auth_username": SECRET, "auth_password": SECRET, "transport": "auto", "headers": {}, **changes}


def resource(key: str, number: str, sip_trunk_id: str = "", **changes: Any) -> dict[str, Any]:
    found = {"urn": f"urn:pulumi:prod::livekit-sip::{RESOURCE_TYPE}::{key}", "custom": True,
             "type": RESOURCE_TYPE, "inputs": inputs(number, **changes), "parent": STACK}
    if sip_trunk_id:
        found |= {"id": sip_trunk_id, "outputs": {**found["inputs"], "sip_trunk_id": sip_trunk_id}}
    return found


def exported(resources: list[dict[str, Any]], pending: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources, "pending_operations": pending}}


def creating(key: str, number: str, **changes: Any) -> dict[str, Any]:
    return {"resource": resource(key, number, **changes), "type": "creating"}


def live(sip_trunk_id: str, number: str, **changes: Any) -> OutboundTrunkInfo:
    fields = {"name": "t", "address": "sip.example.com", "numbers": [number], "auth_username": "u",
              "auth_password": "p", **changes}
    return OutboundTrunkInfo(sip_trunk_id=sip_trunk_id, **fields)


def test_a_create_that_landed_is_recorded_and_one_that_did_not_is_dropped() -> None:
    state = exported([resource("a", "+15105550001", "ST_aaaaaaaaaaaa")],
                     [creating("b", "+15105550002"), creating("c", "+15105550003")])
    result = recover(state, [live("ST_aaaaaaaaaaaa", "+15105550001"), live("ST_bbbbbbbbbbbb", "+15105550002")])
    deployment = result.state["deployment"]
    assert deployment["pending_operations"] == []
    assert [(r["urn"].rsplit("::", 1)[-1], r.get("id")) for r in deployment["resources"]] == [
        ("a", "ST_aaaaaaaaaaaa"), ("b", "ST_bbbbbbbbbbbb")]
    assert deployment["resources"][1]["outputs"]["sip_trunk_id"] == "ST_bbbbbbbbbbbb"
    assert (result.recorded, result.dropped) == ({"b": "ST_bbbbbbbbbbbb"}, ["c"])
    assert result.state["version"] == 3


def test_a_trunk_the_state_holds_is_never_taken_for_a_landed_create() -> None:
    state = exported([resource("a", "+15105550001", "ST_aaaaaaaaaaaa")], [creating("b", "+15105550001")])
    result = recover(state, [live("ST_aaaaaaaaaaaa", "+15105550001")])
    assert result.dropped == ["b"] and len(result.state["deployment"]["resources"]) == 1


def test_a_trunk_with_other_fields_is_not_the_landed_create() -> None:
    result = recover(exported([], [creating("b", "+15105550002")]),
                     [live("ST_bbbbbbbbbbbb", "+15105550002", address="other.example.com")])
    assert result.dropped == ["b"]


def test_two_matching_trunks_are_a_decision_for_a_person() -> None:
    with pytest.raises(RecoverError, match="2 trunks that no resource holds match.*ST_b1b1b1b1b1b1, ST_b2b2b2b2b2b2"):
        recover(exported([], [creating("b", "+15105550002")]),
                [live("ST_b1b1b1b1b1b1", "+15105550002"), live("ST_b2b2b2b2b2b2", "+15105550002")])


def test_an_interrupted_adopt_records_the_adopted_trunk() -> None:
    result = recover(exported([], [creating("b", "+15105550002", adopt_trunk_id="ST_adoptadopt1")]),
                     [live("ST_adoptadopt1", "+15105550009")])
    assert result.recorded == {"b": "ST_adoptadopt1"}


def test_other_pending_operations_are_left_for_refresh() -> None:
    other = {"resource": {"urn": "urn:pulumi:prod::p::aws:s3/bucket:Bucket::b", "type": "aws:s3/bucket:Bucket"},
             "type": "creating"}
    deleting = {"resource": resource("a", "+15105550001", "ST_aaaaaaaaaaaa"), "type": "deleting"}
    result = recover(exported([], [other, deleting]), [])
    assert result.state["deployment"]["pending_operations"] == [other, deleting]
    assert len(result.left) == 2


def test_a_file_that_is_no_export_is_refused() -> None:
    with pytest.raises(RecoverError, match="no deployment"):
        recover({"resources": []}, [])
