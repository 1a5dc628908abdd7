"""livekit-sip: LiveKit SIP outbound trunks, inbound trunks and dispatch rules as Pulumi resources."""

from livekit_sip.dispatch.resource import DispatchRule, DispatchRuleArgs
from livekit_sip.errors import LiveKitError
from livekit_sip.inbound.resource import InboundTrunk, InboundTrunkArgs
from livekit_sip.outbound.resource import OutboundTrunk, OutboundTrunkArgs

__all__ = ["DispatchRule", "DispatchRuleArgs", "InboundTrunk", "InboundTrunkArgs", "LiveKitError",
           "OutboundTrunk", "OutboundTrunkArgs"]
