"""`SIPClient`: one LiveKit project's SIP API, one service per kind of object over one
pooled, retrying `TwirpClient`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from livekit_sip.services import SERVICES
from livekit_sip.settings import Settings
from livekit_sip.twirp import CONNECTIONS, READ_TIMEOUT, TwirpClient

if TYPE_CHECKING:  # the kinds register their services (`livekit_sip.services`); only types come from them here
    from livekit_sip.dispatch.service import DispatchRuleService
    from livekit_sip.inbound.service import InboundTrunkService
    from livekit_sip.outbound.service import OutboundTrunkService


class SIPClient:
    """The SIP services of one LiveKit project, sharing connections, tokens and deadline.

    Args:
        settings: the project's URL, API key and secret.
        transport: an httpx transport, for tests; the default pools connections.
        deadline: seconds one call may take across all its attempts; `settings.deadline` if None.
        read_timeout: seconds to wait for an answer to one attempt.

    Attributes:
        outbound: outbound trunks (each kind's registered service, by its name).
        inbound: inbound trunks.
        dispatch: dispatch rules.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        deadline: float | None = None,
        read_timeout: float = READ_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        connections: int = CONNECTIONS,
    ) -> None:
        if deadline is None:
            deadline = settings.deadline
        self.twirp = TwirpClient(settings, transport=transport, deadline=deadline, read_timeout=read_timeout,
                                 sleep=sleep, connections=connections)
        for name, service in SERVICES.items():
            setattr(self, name, service(self.twirp))

    if TYPE_CHECKING:
        outbound: OutboundTrunkService
        inbound: InboundTrunkService
        dispatch: DispatchRuleService

    @property
    def url(self) -> str:
        return self.twirp.url

    def __repr__(self) -> str:
        return f"SIPClient(url={self.url!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self.twirp.close()
