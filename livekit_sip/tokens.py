"""Access tokens for LiveKit's server API, signed with pyjwt.

A token carries only the `sip.admin` grant, lives `TOKEN_TTL` seconds and is
reused until `RENEW_BEFORE` seconds before it expires.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import jwt

TOKEN_TTL = 600
RENEW_BEFORE = 120


class TokenSource:
    """Thread-safe cache of one short-lived `sip.admin` token for an API key."""

    def __init__(
        self, api_key: str, api_secret: str, clock: Callable[[], float] = time.time
    ) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._token = ""
        self._expires = 0.0

    def __repr__(self) -> str:
        return f"TokenSource(api_key={self._api_key!r}, api_secret=[secure])"

    def token(self) -> str:
        """A valid token, signing a new one when the cached one is near expiry."""
        with self._lock:
            now = self._clock()
            if now >= self._expires - RENEW_BEFORE:
                issued = int(now)
                claims = {
                    "iss": self._api_key,
                    "sub": "",
                    "nbf": issued,
                    "iat": issued,
                    "exp": issued + TOKEN_TTL,
                    "sip": {"admin": True},
                }
                self._token = jwt.encode(claims, self._api_secret, algorithm="HS256")
                self._expires = issued + TOKEN_TTL
            return self._token
