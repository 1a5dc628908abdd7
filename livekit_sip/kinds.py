"""Every kind of object the stack config declares, in the order they are read and declared
(a dispatch rule names inbound trunks read before it). A new kind is its folder and one line here."""

from __future__ import annotations

from livekit_sip.dispatch.config import CONFIG as DISPATCH_RULES
from livekit_sip.inbound.config import CONFIG as INBOUND_TRUNKS
from livekit_sip.outbound.config import CONFIG as OUTBOUND_TRUNKS
from livekit_sip.section import Section

SECTIONS: tuple[Section, ...] = (OUTBOUND_TRUNKS, INBOUND_TRUNKS, DISPATCH_RULES)
