"""livekit-sip: LiveKit SIP outbound trunks as Pulumi resources."""

from livekit_sip.errors import LiveKitError
from livekit_sip.outbound.resource import OutboundTrunk, OutboundTrunkArgs

__all__ = ["LiveKitError", "OutboundTrunk", "OutboundTrunkArgs"]
