"""Where state written before the `outbound` subpackage finds the provider.

Pulumi pickles a dynamic provider by reference to its class, so every stack state
written by livekit-sip 0.1 names `livekit_sip.provider.TrunkProvider`. This alias
keeps those states working; new states name `livekit_sip.outbound.provider`.
"""

from livekit_sip.outbound.provider import TrunkProvider

__all__ = ["TrunkProvider"]
