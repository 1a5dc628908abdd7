"""`TwirpClient` through `httpx.MockTransport`: error mapping, 401 scrubbing, retries, no server."""

from __future__ import annotations

import re

import httpx
import pytest

from livekit_sip.errors import InvalidArgumentError, NotFoundError, ServerError, UnauthenticatedError
from livekit_sip.outbound.models import GetRequest, GetResponse
from livekit_sip.settings import Settings
from livekit_sip.twirp import SERVICE_PATH, TwirpClient

SETTINGS = Settings("http://livekit.test", "APIkey", "s" * 32)
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")


def twirp(*answers: httpx.Response, seen: list[httpx.Request] | None = None) -> TwirpClient:
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return queue.pop(0)

    return TwirpClient(SETTINGS, transport=httpx.MockTransport(handler), deadline=2.0, sleep=lambda _: None)


def get(client: TwirpClient) -> GetResponse:
    return client.call("GetSIPOutboundTrunk", GetRequest(sip_trunk_id="ST_abcdefabcdef"), GetResponse)


def test_a_401_that_echoes_the_token_is_scrubbed_and_names_the_fix() -> None:
    # livekit-server v1.13.5 answers a bad signature with the raw token in a plain-text body.
    def answer(request: httpx.Request) -> httpx.Response:
        sent = request.headers["Authorization"].removeprefix("Bearer ")
        return httpx.Response(401, text=f"invalid token: {sent}, error: go-jose/go-jose: error in cryptographic "
                                        "primitive")

    client = TwirpClient(SETTINGS, transport=httpx.MockTransport(answer), deadline=2.0)
    with pytest.raises(UnauthenticatedError) as caught:
        get(client)
    message = str(caught.value)
    assert JWT.search(message) is None and "[token]" not in message
    assert "error in cryptographic primitive" in message and "livekit:apiKey" in message
    assert caught.value.status == 401 and caught.value.code == "unauthenticated"


@pytest.mark.parametrize(("status", "body", "error", "code"), [
    (404, '{"code": "not_found", "msg": "requested sip trunk does not exist"}', NotFoundError, "not_found"),
    (400, '{"code": "malformed", "msg": "the json request could not be decoded"}', InvalidArgumentError, "malformed"),
    (500, '{"code": "unknown", "msg": "no trunk numbers specified"}', ServerError, "unknown"),
])
def test_twirp_codes_become_typed_errors_naming_the_rpc(status: int, body: str, error: type[ServerError],
                                                        code: str) -> None:
    with pytest.raises(error) as caught:
        get(twirp(httpx.Response(status, text=body)))
    assert type(caught.value) is error and caught.value.code == code
    assert str(caught.value).startswith(f"GetSIPOutboundTrunk: LiveKit {code} ({status}): ")


def test_rate_limited_calls_are_retried_at_the_service_path_with_a_fresh_token() -> None:
    seen: list[httpx.Request] = []
    client = twirp(httpx.Response(429, headers={"Retry-After": "0"}, text='{"code": "resource_exhausted"}'),
                   httpx.Response(200, text='{"trunk": {"sip_trunk_id": "ST_abcdefabcdef"}}'), seen=seen)
    got = get(client)
    assert got.trunk is not None and got.trunk.sip_trunk_id == "ST_abcdefabcdef"
    assert [r.url.path for r in seen] == [SERVICE_PATH + "GetSIPOutboundTrunk"] * 2
    assert all(r.headers["Authorization"].startswith("Bearer eyJ") for r in seen)
