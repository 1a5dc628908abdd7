"""Retry policy: which answers are retried, how long to wait, Retry-After parsing."""

from __future__ import annotations

import random

import pytest

from livekit_sip.retry import BASE_DELAY, MAX_DELAY, backoff, retry_after, should_retry


@pytest.mark.parametrize(
    ("status", "code", "idempotent", "expected"),
    [
        # Refused without being run: safe for every call, creates included.
        (429, "resource_exhausted", True, True),
        (429, "resource_exhausted", False, True),
        (503, "unavailable", True, True),
        (503, "unavailable", False, True),
        (429, "", False, True),
        (503, "unknown", False, True),
        # A retryable Twirp code behind another status is still retried.
        (500, "unavailable", False, True),
        (400, "resource_exhausted", False, True),
        # Gateways may hide a request that ran: only idempotent calls retry.
        (502, "unknown", True, True),
        (504, "unknown", True, True),
        (502, "unknown", False, False),
        (504, "unknown", False, False),
        (502, "", False, False),
        # Errors a retry cannot fix.
        (500, "unknown", True, False),
        (500, "internal", True, False),
        (400, "invalid_argument", True, False),
        (400, "malformed", True, False),
        (401, "unauthenticated", True, False),
        (403, "permission_denied", True, False),
        (404, "not_found", True, False),
        (404, "bad_route", True, False),
        (408, "deadline_exceeded", True, False),
        (409, "already_exists", False, False),
        (501, "unimplemented", True, False),
    ],
)
def test_should_retry(status: int, code: str, idempotent: bool, expected: bool) -> None:
    assert should_retry(status, code, idempotent) is expected


@pytest.mark.parametrize("attempt", [0, 1, 2, 3, 4, 5, 6, 10, 30])
def test_backoff_stays_within_the_upper_half_of_the_exponential_ceiling(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(MAX_DELAY, BASE_DELAY * 2**attempt)
    delays = [backoff(attempt, rng) for _ in range(200)]
    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
    assert max(delays) - min(delays) > ceiling / 4  # it is jittered, not fixed


def test_backoff_grows_exponentially_from_base_delay() -> None:
    assert BASE_DELAY / 2 <= backoff(0, random.Random(0)) <= BASE_DELAY
    assert BASE_DELAY <= backoff(1, random.Random(0)) <= 2 * BASE_DELAY
    assert 2 * BASE_DELAY <= backoff(2, random.Random(0)) <= 4 * BASE_DELAY


def test_backoff_is_capped_at_max_delay() -> None:
    rng = random.Random(7)
    assert all(MAX_DELAY / 2 <= backoff(attempt, rng) <= MAX_DELAY for attempt in range(5, 100))


def test_backoff_survives_huge_attempt_numbers() -> None:
    assert MAX_DELAY / 2 <= backoff(5000, random.Random(1)) <= MAX_DELAY


def test_backoff_is_reproducible_with_a_seeded_random() -> None:
    first = [backoff(a, random.Random(42)) for a in range(6)]
    second = [backoff(a, random.Random(42)) for a in range(6)]
    assert first == second


def test_backoff_without_a_random_uses_the_module_random() -> None:
    delay = backoff(3)
    assert 0.8 <= delay <= 1.6


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("0", 0.0), ("3", 3.0), ("1.5", 1.5), (" 2 ", 2.0), ("-3", 0.0), ("120", 120.0)],
)
def test_retry_after_reads_seconds(header: str, seconds: float) -> None:
    assert retry_after(header) == seconds


@pytest.mark.parametrize(
    "header", [None, "", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", "inf", "-inf", "nan", "1s"]
)
def test_retry_after_ignores_what_is_not_a_finite_number(header: str | None) -> None:
    assert retry_after(header) is None
