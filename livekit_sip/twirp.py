"""`TwirpClient`: the call loop under every `livekit.SIP` RPC, as Twirp JSON over httpx.

Every call signs a short-lived `sip.admin` token, retries refused requests
(429, 503, connection refused) with backoff inside one deadline, and raises the
typed errors of `livekit_sip.errors`. Request and response bodies hold SIP
passwords, so they are never logged; 401 bodies echo the bearer token, so they
are scrubbed before they reach an exception. The services (`outbound.service`, ...)
are thin methods on top, as livekit-api keeps its `twirp_client` apart from them.

Once a call has gone a whole deadline without an answer from LiveKit, the client
remembers why, and later calls fail at once with that cause instead of waiting a
deadline each: a `pulumi refresh` of N trunks with LiveKit down then takes one
deadline, not N. Any answer from LiveKit (to a call already under way) clears it.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from livekit_sip import retry
from livekit_sip.errors import (
    AmbiguousWriteError,
    ServerError,
    TransportError,
    server_error,
)
from livekit_sip.settings import DEADLINE, Settings
from livekit_sip.tokens import TokenSource
from livekit_sip.wire import Pagination, WireModel

log = logging.getLogger("livekit_sip")

SERVICE_PATH = "/twirp/livekit.SIP/"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0

_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")
_STATUS_CODES = {401: "unauthenticated", 403: "permission_denied", 404: "bad_route",
                 429: "resource_exhausted", 503: "unavailable"}

R = TypeVar("R", bound=BaseModel)


def scrub(text: str) -> str:
    """`text` with anything shaped like a JWT replaced by ``[token]``."""
    return _JWT.sub("[token]", text)


#: Requests in flight at once by default: twice the dynamic-provider server's 4 workers.
CONNECTIONS = 8


class TwirpClient:
    """A pooled, retrying Twirp JSON client for one LiveKit project's `livekit.SIP` service.

    Args:
        settings: the project's URL, API key and secret.
        transport: an httpx transport, for tests; the default pools connections.
        deadline: seconds one call may take across all its attempts.
        read_timeout: seconds to wait for an answer to one attempt.
        connections: how many requests may be in flight at once (the pool's size).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        deadline: float = DEADLINE,
        read_timeout: float = READ_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        connections: int = CONNECTIONS,
    ) -> None:
        self.url = settings.url
        self._key_source = settings.key_source
        self.deadline = deadline
        self.read_timeout = read_timeout
        self._tokens = TokenSource(settings.api_key, settings.api_secret)
        self._sleep = sleep
        # Why LiveKit is unreachable, once a call went a whole deadline without an answer;
        # one str assignment, so threads need no lock to share it.
        self._unreachable: str | None = None
        self._http = httpx.Client(
            base_url=settings.url + SERVICE_PATH,
            transport=transport,
            timeout=httpx.Timeout(read_timeout, connect=CONNECT_TIMEOUT),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            headers={"Content-Type": "application/json"},
        )

    def __repr__(self) -> str:
        return f"TwirpClient(url={self.url!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def call(
        self, method: str, body: WireModel, result: type[R] | None, idempotent: bool = True
    ) -> R:
        """One RPC: `body` as JSON, the answer decoded as `result` (None for no body).

        Raises:
            AmbiguousWriteError: a non-idempotent call was sent and no answer came.
            TransportError: no answer within the deadline, or LiveKit was already found
                unreachable by an earlier call of this client.
            ServerError: LiveKit's error answer, typed by its Twirp code.
        """
        unreachable = self._unreachable
        if unreachable is not None:
            raise TransportError(f"{method}: {unreachable} (not sent: an earlier call got no answer "
                                 f"within the {self.deadline:g}s deadline)")
        payload = body.to_wire()
        started = time.monotonic()
        stop_at = started + self.deadline
        attempt = 0
        while True:
            remaining = stop_at - time.monotonic()
            timeout = httpx.Timeout(
                max(0.05, min(self.read_timeout, remaining)),
                connect=max(0.05, min(CONNECT_TIMEOUT, remaining)),
            )
            headers = {"Authorization": "Bearer " + self._tokens.token()}
            wait: float | None = None
            try:
                response = self._http.post(method, json=payload, headers=headers, timeout=timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout) as err:
                cause = f"cannot reach {self.url}: {_reason(err)}"
                failure: Exception = TransportError(f"{method}: {cause}")
            except httpx.TransportError as err:
                if not idempotent:
                    raise AmbiguousWriteError(
                        f"{method}: no answer from {self.url} after the request was sent "
                        f"({_reason(err)}); it may have taken effect and is not retried. "
                        "Run `pulumi refresh`, then check the project for a duplicate."
                    ) from None
                cause = f"no answer from {self.url}: {_reason(err)}"
                failure = TransportError(f"{method}: {cause}")
            else:
                self._unreachable = None
                log.debug("%s -> %s in %.3fs", method, response.status_code, time.monotonic() - started)
                if response.status_code == 200:
                    return self._decode(method, response, result)
                error = self._error(method, response, self._key_source)
                if not retry.should_retry(error.status, error.code, idempotent):
                    if error.status in retry.GATEWAY_STATUSES and not idempotent:
                        raise AmbiguousWriteError(
                            f"{error}; the create may have taken effect and is not retried. "
                            "Run `pulumi refresh`, then check the project for a duplicate."
                        ) from None
                    raise error
                failure = error
                wait = retry.retry_after(response.headers.get("Retry-After"))
            delay = wait if wait is not None else retry.backoff(attempt)
            attempt += 1
            if time.monotonic() + delay >= stop_at:
                if isinstance(failure, ServerError):
                    raise failure
                self._unreachable = cause
                raise TransportError(
                    f"{failure} (gave up after {attempt} attempts in {self.deadline:g}s)"
                ) from None
            log.info("%s: retrying after %s (attempt %d)", method, _summary(failure), attempt)
            self._sleep(delay)

    @staticmethod
    def _decode(method: str, response: httpx.Response, result: type[R] | None) -> R:
        if result is None:
            return None  # type: ignore[return-value]
        try:
            return result.model_validate(response.json())
        except (ValueError, ValidationError) as err:
            raise ServerError(method, "malformed_response", _reason(err)[:200], 200) from None

    @staticmethod
    def _error(method: str, response: httpx.Response, key_source: str) -> ServerError:
        status = response.status_code
        code = _STATUS_CODES.get(status, "unknown")
        text = scrub(response.text.strip())
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            code = body["code"]
            text = scrub(str(body.get("msg", "")))
        if code in ("unauthenticated", "permission_denied") or status == 401:
            # v1.13.5 echoes the bearer token in 401 bodies; keep only the reason.
            reason = text.rsplit("error:", 1)[-1].strip() if "error:" in text else text
            text = f"{reason or 'rejected'}; check {key_source}"
        return server_error(method, code, text[:500], status)


def _reason(err: Exception) -> str:
    return scrub(str(err)) or type(err).__name__


def _summary(err: Exception) -> str:
    if isinstance(err, ServerError):
        return f"{err.code} ({err.status})"
    return type(err).__name__


def list_pages(twirp: TwirpClient, method: str, request: Callable[[Pagination], WireModel],
               response: type[WireModel], key: Callable[[Any], str], page_size: int) -> Iterator[Any]:
    """Every item of a paged `List…` RPC, one page at a time; null items are skipped.

    OSS LiveKit returns every match at once; a short page, or one with nothing new, is the last.
    """
    seen: set[str] = set()
    after: str | None = None
    while True:
        page = twirp.call(method, request(Pagination(after_id=after, limit=page_size)), response)
        items = page.items  # type: ignore[attr-defined]
        fresh = [item for item in items if item is not None and key(item) not in seen]
        for item in fresh:
            seen.add(key(item))
            yield item
        if len(items) < page_size or not fresh:
            return
        after = max(key(item) for item in fresh)
