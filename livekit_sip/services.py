"""The LiveKit services of every kind, by the name `SIPClient` serves each under
(``client.outbound``). Each kind's `service.py` registers its own, so the client, below the
kinds, never imports one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from livekit_sip.twirp import TwirpClient

#: Service classes by name; each is built from one project's `TwirpClient`.
SERVICES: dict[str, Callable[[TwirpClient], Any]] = {}

ServiceT = TypeVar("ServiceT", bound=Callable[[TwirpClient], Any])


def register(name: str) -> Callable[[ServiceT], ServiceT]:
    """A class decorator: serve the class as `SIPClient.<name>`."""
    def add(service: ServiceT) -> ServiceT:
        SERVICES[name] = service
        return service
    return add
