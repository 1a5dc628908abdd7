"""Retries and deadlines, with faults injected by a proxy in front of the real server."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from livekit_sip.client import SIPClient
from livekit_sip.errors import (
    AmbiguousWriteError,
    ServerError,
    TransportError,
    UnavailableError,
)
from livekit_sip.outbound.models import OutboundTrunkInfo, OutboundTrunkUpdate
from livekit_sip.settings import Settings
from livekit_sip.wire import ListUpdate
from scripts.proxy import Fault, Proxy
from tests.integration.conftest import full_trunk

MakeTrunk = Callable[..., OutboundTrunkInfo]

RATE_LIMITED = (429, '{"code":"resource_exhausted","msg":"rate limit exceeded"}')
UNAVAILABLE = (503, '{"code":"unavailable","msg":"try again later"}')
BAD_GATEWAY = (502, "<html>502 Bad Gateway</html>")


def refuse_first(method: str, *answers: tuple[int, str]) -> Fault:
    """A fault that answers `method`'s first attempts with `answers`, then forwards."""

    def fault(called: str, attempt: int) -> tuple[int, str] | None:
        if called == method and attempt <= len(answers):
            return answers[attempt - 1]
        return None

    return fault


class Sleeps(list[float]):
    """A `sleep` for SIPClient that records each wait and sleeps for real."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


def statuses(proxy: Proxy, method: str) -> list[int]:
    return [call.status for call in proxy.calls if call.method == method]


# -- refused requests are retried -----------------------------------------------


def test_list_refused_with_429_then_503_succeeds_on_the_third_attempt(
    proxy: Proxy, proxy_settings: Settings, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()
    proxy.fault = refuse_first("ListSIPOutboundTrunk", RATE_LIMITED, UNAVAILABLE)
    sleeps: list[float] = []
    client = SIPClient(proxy_settings, sleep=sleeps.append)

    listed = client.outbound.list(trunk_ids=[created.sip_trunk_id])
    client.close()

    assert [t.sip_trunk_id for t in listed] == [created.sip_trunk_id]
    assert statuses(proxy, "ListSIPOutboundTrunk") == [429, 503, 200]
    assert len(sleeps) == 2 and all(0 < s <= 5 for s in sleeps)


def test_update_refused_with_503_is_retried_and_applied_once(
    proxy: Proxy, proxied: SIPClient, client: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()
    proxy.fault = refuse_first("UpdateSIPOutboundTrunk", UNAVAILABLE, UNAVAILABLE)
    extra = "+15550142"

    updated = proxied.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(numbers=ListUpdate(add=[extra])))

    assert statuses(proxy, "UpdateSIPOutboundTrunk") == [503, 503, 200]
    assert updated.numbers == [*created.numbers, extra]
    assert client.outbound.get(created.sip_trunk_id).numbers == [*created.numbers, extra]


@pytest.mark.usefixtures("clean_project")
def test_create_refused_with_429_then_503_is_retried_and_creates_one_trunk(
    proxy: Proxy, proxied: SIPClient, client: SIPClient
) -> None:
    proxy.fault = refuse_first("CreateSIPOutboundTrunk", RATE_LIMITED, UNAVAILABLE)

    created = proxied.outbound.create(full_trunk())

    assert statuses(proxy, "CreateSIPOutboundTrunk") == [429, 503, 200]
    assert [t.sip_trunk_id for t in client.outbound.list()] == [created.sip_trunk_id]


def test_a_call_refused_until_the_deadline_raises_unavailable(
    proxy: Proxy, proxy_settings: Settings
) -> None:
    proxy.fault = lambda method, attempt: UNAVAILABLE
    client = SIPClient(proxy_settings, deadline=1.0)

    started = time.monotonic()
    with pytest.raises(UnavailableError) as info:
        client.outbound.list()
    elapsed = time.monotonic() - started
    client.close()

    assert (info.value.code, info.value.status) == ("unavailable", 503)
    assert len(proxy.calls) >= 2
    assert elapsed < 1.0 + 3  # bounded by the deadline, with room for a loaded machine


def test_a_server_error_that_is_not_a_refusal_is_not_retried(
    proxy: Proxy, proxied: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()

    # The real server answers 500 `unknown`: the merged trunk would have no numbers.
    with pytest.raises(ServerError) as info:
        proxied.outbound.update(created.sip_trunk_id, OutboundTrunkUpdate(numbers=ListUpdate(clear=True)))

    assert info.value.status == 500
    assert statuses(proxy, "UpdateSIPOutboundTrunk") == [500]


def test_a_gateway_error_is_retried_for_reads(
    proxy: Proxy, proxied: SIPClient, make_trunk: MakeTrunk
) -> None:
    created = make_trunk()
    proxy.fault = refuse_first("GetSIPOutboundTrunk", BAD_GATEWAY)

    assert proxied.outbound.get(created.sip_trunk_id) == created
    assert statuses(proxy, "GetSIPOutboundTrunk") == [502, 200]


@pytest.mark.usefixtures("clean_project")
def test_a_gateway_error_on_create_is_ambiguous_and_not_retried(
    proxy: Proxy, proxied: SIPClient
) -> None:
    proxy.fault = refuse_first("CreateSIPOutboundTrunk", BAD_GATEWAY)

    with pytest.raises(AmbiguousWriteError, match="refresh"):
        proxied.outbound.create(full_trunk())

    assert proxy.methods() == ["CreateSIPOutboundTrunk"]


# -- no answer ------------------------------------------------------------------


@pytest.mark.usefixtures("clean_project")
def test_a_create_without_an_answer_is_ambiguous_and_sent_once(
    proxy: Proxy, proxy_settings: Settings, client: SIPClient
) -> None:
    proxy.fault = lambda method, attempt: "stall" if method == "CreateSIPOutboundTrunk" else None
    stalled = SIPClient(proxy_settings, deadline=5, read_timeout=0.5)

    started = time.monotonic()
    with pytest.raises(AmbiguousWriteError) as info:
        stalled.outbound.create(full_trunk())
    elapsed = time.monotonic() - started
    stalled.close()

    assert proxy.methods() == ["CreateSIPOutboundTrunk"]
    assert elapsed < 0.5 + 3  # one read timeout, not retried
    assert proxy_settings.url in str(info.value)
    assert "pw-for-alice" not in str(info.value)
    assert client.outbound.list() == []


def test_a_read_without_an_answer_raises_transport_error_within_the_deadline(
    proxy: Proxy, proxy_settings: Settings
) -> None:
    proxy.fault = lambda method, attempt: "stall"
    stalled = SIPClient(proxy_settings, deadline=2, read_timeout=0.5)

    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        stalled.outbound.get("ST_stalled")
    elapsed = time.monotonic() - started
    stalled.close()

    assert type(info.value) is TransportError
    assert elapsed < 2 + 3  # bounded by the deadline, with room for a loaded machine
    assert proxy.methods().count("GetSIPOutboundTrunk") >= 2, "the read was not retried"
    assert proxy_settings.url in str(info.value)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    "call",
    [lambda c: c.outbound.list(), lambda c: c.outbound.create(full_trunk())],
    ids=["list", "create"],
)
def test_connection_refused_is_retried_then_raises_transport_error_naming_the_url(
    settings: Settings, call: Callable[[SIPClient], object]
) -> None:
    url = closed_port_url()
    sleeps = Sleeps()
    refused = SIPClient(Settings(url, settings.api_key, settings.api_secret), deadline=1.5, sleep=sleeps)

    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        call(refused)
    elapsed = time.monotonic() - started
    refused.close()

    # A refused connection never reached the server, so even a create is safe to retry.
    assert type(info.value) is TransportError
    assert url in str(info.value)
    assert len(sleeps) >= 1
    assert f"after {len(sleeps) + 1} attempts" in str(info.value)
    assert elapsed < 1.5 + 1.5
