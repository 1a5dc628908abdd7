"""Fixtures for tests against the real livekit-server: trunks that clean up, and the proxy."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from livekit_sip.client import SIPClient
from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.settings import Settings
from livekit_sip.wire import Codec, MediaConfig
from scripts.proxy import Proxy

JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")

# A value other than the default for every field the client writes.
FULL_FIELDS: dict[str, Any] = {
    "name": "office line",
    "metadata": '{"team": "sales"}',
    "address": "sip.example.com:5070",
    "destination_country": "US",
    "transport": Transport.TLS,
    "numbers": ["+15550100", "+15550101"],
    "auth_username": "alice",
    "auth_password": "pw-for-alice",
    "headers": {"X-Team": "sales", "X-Region": "eu"},
    "headers_to_attributes": {"X-Call-Ref": "call.ref"},
    "attributes_to_headers": {"call.ref": "X-Call-Ref"},
    "include_headers": IncludeHeaders.X_HEADERS,
    "media_encryption": MediaEncryption.ALLOW,
    "from_host": "from.example.com",
}
MEDIA = MediaConfig(
    only_listed_codecs=True,
    codecs=[Codec(name="PCMU", rate=8000), Codec(name="opus", rate=48000)],
    encryption=MediaEncryption.REQUIRE,
    media_timeout="30s",
)


def number() -> str:
    """A caller number no other test uses, so filters by number see only this test's trunks."""
    return "+1555" + str(secrets.randbelow(10**7)).zfill(7)


def full_trunk(**overrides: Any) -> OutboundTrunkInfo:
    """A trunk with every field set, its numbers unique to the caller."""
    fields = {**FULL_FIELDS, "numbers": [number(), number()], **overrides}
    return OutboundTrunkInfo(**fields)


@pytest.fixture
def make_trunk(client: SIPClient) -> Iterator[Callable[..., OutboundTrunkInfo]]:
    """Creates trunks through the client and deletes them after the test."""
    created: list[str] = []

    def make(**fields: Any) -> OutboundTrunkInfo:
        trunk = client.outbound.create(
            OutboundTrunkInfo(**{"address": "sip.example.com", "numbers": [number()], **fields}))
        created.append(trunk.sip_trunk_id)
        return trunk

    yield make
    for sip_trunk_id in created:
        client.outbound.delete(sip_trunk_id)


@pytest.fixture
def proxy(livekit: Any) -> Iterator[Proxy]:
    """A recording, fault-injecting proxy in front of the real server."""
    with Proxy(livekit.url) as running:
        yield running


@pytest.fixture
def proxy_settings(proxy: Proxy, settings: Settings) -> Settings:
    return Settings(proxy.url, settings.api_key, settings.api_secret)


@pytest.fixture
def proxied(proxy_settings: Settings) -> Iterator[SIPClient]:
    """A client that talks to the real server through `proxy`, and never really sleeps."""
    sip = SIPClient(proxy_settings, sleep=lambda seconds: None)
    yield sip
    sip.close()
