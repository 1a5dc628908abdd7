"""Wire models of LiveKit's dispatch-rule messages (`SIPDispatchRuleInfo` and its RPCs).

`RoomConfiguration` and `RoomAgentDispatch` (livekit_room.proto,
livekit_agent_dispatch.proto) are the parts of a rule that LiveKit uses when a
call creates its room.
"""

from __future__ import annotations

from livekit_sip.wire import (
    Bool,
    Items,
    ItemsResponse,
    ListUpdate,
    MediaInfo,
    MediaUpdate,
    Pagination,
    Str,
    StrList,
    StrMap,
    WireModel,
)


class RuleDirect(WireModel):
    """`SIPDispatchRuleDirect`: every call joins the room `room_name`."""

    room_name: Str = ""
    pin: Str = ""


class RuleIndividual(WireModel):
    """`SIPDispatchRuleIndividual`: each caller gets a room `<prefix>_<caller>_<random>`."""

    room_prefix: Str = ""
    pin: Str = ""
    no_randomness: Bool = False


class RuleCallee(WireModel):
    """`SIPDispatchRuleCallee`: calls to one number share a room `<prefix>_<callee>`."""

    room_prefix: Str = ""
    pin: Str = ""
    randomize: Bool = False


class DispatchRuleKind(WireModel):
    """`SIPDispatchRule`: a oneof, exactly one member set."""

    dispatch_rule_direct: RuleDirect | None = None
    dispatch_rule_individual: RuleIndividual | None = None
    dispatch_rule_callee: RuleCallee | None = None


class RoomAgentDispatch(WireModel):
    """`RoomAgentDispatch`: an agent LiveKit dispatches to the room."""

    agent_name: Str = ""
    metadata: Str = ""
    deployment: Str = ""
    attributes: StrMap = {}


class RoomConfiguration(WireModel):
    """`RoomConfiguration` without `egress` and `tags`: the room a call creates."""

    name: Str = ""
    empty_timeout: int = 0
    departure_timeout: int = 0
    max_participants: int = 0
    metadata: Str = ""
    min_playout_delay: int = 0
    max_playout_delay: int = 0
    sync_streams: Bool = False
    agents: Items[RoomAgentDispatch] = []


class DispatchRuleInfo(MediaInfo):
    """`SIPDispatchRuleInfo`: a dispatch rule as LiveKit stores it."""

    sip_dispatch_rule_id: Str = ""
    rule: DispatchRuleKind | None = None
    trunk_ids: StrList = []
    hide_phone_number: Bool = False
    inbound_numbers: StrList = []
    numbers: StrList = []
    name: Str = ""
    metadata: Str = ""
    attributes: StrMap = {}
    room_preset: Str = ""
    room_config: RoomConfiguration | None = None
    krisp_enabled: Bool = False


class DispatchRuleUpdate(MediaUpdate):
    """`SIPDispatchRuleUpdate`: None means absent; `attributes` is a diff ("" deletes a key)."""

    trunk_ids: ListUpdate | None = None
    rule: DispatchRuleKind | None = None
    attributes: dict[str, str] | None = None


class CreateRequest(WireModel):
    """`CreateSIPDispatchRuleRequest` in its v1.9 form (the flat legacy fields left out)."""

    dispatch_rule: DispatchRuleInfo


class ListRequest(WireModel):
    """`ListSIPDispatchRuleRequest`."""

    page: Pagination | None = None
    dispatch_rule_ids: list[str] | None = None
    trunk_ids: list[str] | None = None


ListResponse = ItemsResponse[DispatchRuleInfo]


class UpdateRequest(WireModel):
    """`UpdateSIPDispatchRuleRequest`: exactly one of `replace` and `update`."""

    sip_dispatch_rule_id: str
    replace: DispatchRuleInfo | None = None
    update: DispatchRuleUpdate | None = None


class DeleteRequest(WireModel):
    """`DeleteSIPDispatchRuleRequest`."""

    sip_dispatch_rule_id: str
