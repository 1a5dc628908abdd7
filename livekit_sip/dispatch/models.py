"""Wire models of LiveKit's dispatch-rule messages (`SIPDispatchRuleInfo` and its RPCs).

`RoomConfiguration` and `RoomAgentDispatch` (livekit_room.proto,
livekit_agent_dispatch.proto) are the parts of a rule that LiveKit uses when a
call creates its room.
"""

from __future__ import annotations

from livekit_sip.enums import MediaEncryption
from livekit_sip.wire import (
    Bool,
    Items,
    ListUpdate,
    MediaConfig,
    Pagination,
    Str,
    StrList,
    StrMap,
    WireMediaEncryption,
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


class DispatchRuleInfo(WireModel):
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
    media_encryption: WireMediaEncryption = MediaEncryption.DISABLE
    media: MediaConfig | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def effective_media_encryption(self) -> MediaEncryption:
        """`media.encryption` when set, else the legacy field, as the server applies it."""
        if self.media is not None and self.media.encryption is not None:
            return self.media.encryption
        return self.media_encryption


class DispatchRuleUpdate(WireModel):
    """`SIPDispatchRuleUpdate`: None means absent; `attributes` is a diff ("" deletes a key)."""

    trunk_ids: ListUpdate | None = None
    rule: DispatchRuleKind | None = None
    name: str | None = None
    metadata: str | None = None
    attributes: dict[str, str] | None = None
    media_encryption: WireMediaEncryption | None = None
    media: MediaConfig | None = None


class CreateRequest(WireModel):
    """`CreateSIPDispatchRuleRequest` in its v1.9 form (the flat legacy fields left out)."""

    dispatch_rule: DispatchRuleInfo


class ListRequest(WireModel):
    """`ListSIPDispatchRuleRequest`."""

    page: Pagination | None = None
    dispatch_rule_ids: list[str] | None = None
    trunk_ids: list[str] | None = None


class ListResponse(WireModel):
    items: Items[DispatchRuleInfo | None] = []


class UpdateRequest(WireModel):
    """`UpdateSIPDispatchRuleRequest`: exactly one of `replace` and `update`."""

    sip_dispatch_rule_id: str
    replace: DispatchRuleInfo | None = None
    update: DispatchRuleUpdate | None = None


class DeleteRequest(WireModel):
    """`DeleteSIPDispatchRuleRequest`."""

    sip_dispatch_rule_id: str
