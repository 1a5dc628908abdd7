"""A trunk with every field set, shared by tests of every layer."""

from __future__ import annotations

from typing import Any

from livekit_sip.names import camel

#: Provider properties (snake_case) with every field set.
FULL_PROPS: dict[str, Any] = {
    "name": "Telnyx US",
    "address": "sip.telnyx.com:5061",
    "numbers": ["+15105550100", "+15105550101"],
    "auth_username": "user",
    "auth_password": "s3cret!",
    "transport": "tls",
    "destination_country": "US",
    "metadata": '{"team": "sales"}',
    "headers": {"X-Team": "sales"},
    "headers_to_attributes": {"X-Call-Id": "call.id"},
    "attributes_to_headers": {"call.reason": "X-Reason"},
    "include_headers": "x_headers",
    "media_encryption": "allow",
    "codecs": [{"name": "PCMU", "rate": 8000}, {"name": "opus", "rate": 48000}],
    "only_listed_codecs": True,
    "media_timeout": "30s",
    "from_host": "sip.example.com",
}


def full_config(**changes: Any) -> dict[str, Any]:
    """The same trunk as a stack-config entry: camelCase, credentials left out."""
    props = {**FULL_PROPS, **changes}
    return {camel(k): v for k, v in props.items() if not k.startswith("auth_")}
