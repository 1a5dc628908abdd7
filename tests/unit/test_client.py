"""SIPClient's memory of an unreachable LiveKit, with an in-process transport.

The real behaviour (a refresh with livekit-server stopped) is proven in
tests/reliability/test_outage.py; these tests pin the rules exactly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest

from livekit_sip.client import SIPClient
from livekit_sip.errors import AmbiguousWriteError, TransportError
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.settings import Settings

SETTINGS = Settings("http://livekit.test", "APIkey", "s" * 32)
DEADLINE = 0.4
EMPTY_LIST = b'{"items": []}'


def client_for(handler: Callable[[httpx.Request], httpx.Response], deadline: float = DEADLINE) -> SIPClient:
    return SIPClient(SETTINGS, transport=httpx.MockTransport(handler), deadline=deadline)


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


class Counting:
    """A handler that refuses connections while `down` is set, and counts attempts."""

    def __init__(self) -> None:
        self.down = True
        self.attempts = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        if self.down:
            return refused(request)
        return httpx.Response(200, content=EMPTY_LIST)


def test_after_a_whole_deadline_without_a_connection_later_calls_fail_at_once_with_the_same_cause() -> None:
    handler = Counting()
    client = client_for(handler)
    with pytest.raises(TransportError) as first:
        client.outbound.list()
    attempts = handler.attempts
    assert attempts > 1, "the first call retries within its deadline"

    started = time.monotonic()
    trunk = OutboundTrunkInfo(address="sip.example.com", numbers=["+15105550100"])
    for call in (client.outbound.list, lambda: client.outbound.get("ST_abcdefabcdef"),
                 lambda: client.outbound.delete("ST_abcdefabcdef"), lambda: client.outbound.create(trunk)):
        with pytest.raises(TransportError) as later:
            call()
        assert "cannot reach http://livekit.test: [Errno 111] Connection refused" in str(later.value)
        assert "(not sent: an earlier call got no answer within the 0.4s deadline)" in str(later.value)
        assert "\n" not in str(later.value)
    assert time.monotonic() - started < 0.1
    assert handler.attempts == attempts, "nothing more was sent"
    assert "cannot reach http://livekit.test: [Errno 111] Connection refused (gave up after" in str(first.value)


def test_a_call_that_is_answered_before_its_deadline_marks_nothing() -> None:
    handler = Counting()
    client = client_for(handler, deadline=5.0)
    timer = threading.Timer(0.3, lambda: setattr(handler, "down", False))
    timer.start()
    assert client.outbound.list() == []
    timer.join()
    assert client.outbound.list() == []


def test_an_answer_to_a_call_already_under_way_clears_the_mark() -> None:
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/GetSIPOutboundTrunk"):
            release.wait(5)  # on the wire when the other call gives up
            return httpx.Response(200, content=b'{"trunk": {"sip_trunk_id": "ST_abcdefabcdef"}}')
        if not release.is_set():
            return refused(request)
        return httpx.Response(200, content=EMPTY_LIST)

    client = client_for(handler)
    under_way: list[OutboundTrunkInfo] = []
    getter = threading.Thread(target=lambda: under_way.append(client.outbound.get("ST_abcdefabcdef")))
    getter.start()
    with pytest.raises(TransportError):
        client.outbound.list()
    with pytest.raises(TransportError, match="not sent"):
        client.outbound.list()
    release.set()
    getter.join(5)
    assert [t.sip_trunk_id for t in under_way] == ["ST_abcdefabcdef"]
    assert client.outbound.list() == [], "LiveKit answered again, so calls go out again"


def test_an_error_answer_until_the_deadline_is_not_unreachability() -> None:
    attempts = []

    def unavailable(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        return httpx.Response(503, json={"code": "unavailable", "msg": "busy"})

    client = client_for(unavailable)
    for _ in range(2):
        before = len(attempts)
        with pytest.raises(Exception, match="unavailable"):
            client.outbound.list()
        assert len(attempts) > before + 1, "each call retries: LiveKit answered"


def test_a_lost_create_answer_is_not_unreachability() -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/CreateSIPOutboundTrunk"):
            raise httpx.ReadError("connection reset", request=request)
        return httpx.Response(200, content=EMPTY_LIST)

    client = client_for(drop)
    with pytest.raises(AmbiguousWriteError):
        client.outbound.create(OutboundTrunkInfo(address="sip.example.com", numbers=["+15105550100"]))
    assert client.outbound.list() == []
