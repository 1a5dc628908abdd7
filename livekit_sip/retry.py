"""Retry policy as pure functions: what to retry and how long to wait."""

from __future__ import annotations

import math
import random

BASE_DELAY = 0.2
MAX_DELAY = 5.0

# 429 and 503 mean LiveKit refused the request without doing it; 502 and 504
# come from gateways and may hide a request that did run.
REFUSED_STATUSES = frozenset({429, 503})
GATEWAY_STATUSES = frozenset({502, 504})
RETRY_CODES = frozenset({"resource_exhausted", "unavailable"})


def should_retry(status: int, code: str, idempotent: bool) -> bool:
    """Whether an HTTP error answer is worth another attempt."""
    if status in REFUSED_STATUSES or code in RETRY_CODES:
        return True
    return idempotent and status in GATEWAY_STATUSES


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before attempt `attempt + 1`: exponential, jittered within its upper half."""
    # The exponent is capped: 2**attempt past 1023 overflows a float.
    ceiling = min(MAX_DELAY, BASE_DELAY * (2 ** min(attempt, 32)))
    return (rng or random).uniform(ceiling / 2, ceiling)


def retry_after(header: str | None) -> float | None:
    """A Retry-After header in seconds, when it is a number."""
    try:
        seconds = float(header) if header else None
    except ValueError:
        return None
    # "inf" and "nan" parse as floats but are no delay; fall back to backoff.
    return max(0.0, seconds) if seconds is not None and math.isfinite(seconds) else None
