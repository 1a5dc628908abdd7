"""Access tokens: claims, lifetime, caching, renewal and thread safety."""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import pytest

from livekit_sip import tokens
from livekit_sip.tokens import RENEW_BEFORE, TOKEN_TTL, TokenSource

API_KEY = "APIdevkey1234"
API_SECRET = "dev-secret-0123456789abcdef0123456789abcdef"
T0 = 1_800_000_000.0


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def claims_of(token: str, secret: str = API_SECRET) -> dict[str, Any]:
    """The verified claims; time checks are off because the clock may be fake."""
    decoded: dict[str, Any] = jwt.decode(
        token, secret, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False, "verify_iat": False}
    )
    return decoded


def test_token_is_hs256_signed_with_the_api_secret() -> None:
    token = TokenSource(API_KEY, API_SECRET).token()
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    with pytest.raises(jwt.InvalidSignatureError):
        claims_of(token, secret="another-secret-0123456789abcdef0123456789")


def test_token_verifies_against_the_real_clock() -> None:
    token = TokenSource(API_KEY, API_SECRET).token()
    claims = jwt.decode(token, API_SECRET, algorithms=["HS256"])
    assert claims["iss"] == API_KEY


def test_token_issuer_is_the_api_key() -> None:
    assert claims_of(TokenSource(API_KEY, API_SECRET, FakeClock()).token())["iss"] == API_KEY


def test_token_lives_at_most_ten_minutes_from_now() -> None:
    claims = claims_of(TokenSource(API_KEY, API_SECRET, FakeClock()).token())
    assert claims["nbf"] == int(T0)
    assert claims["exp"] == int(T0) + TOKEN_TTL
    assert 0 < claims["exp"] - claims["nbf"] <= 600


def test_token_grants_only_sip_admin() -> None:
    claims = claims_of(TokenSource(API_KEY, API_SECRET, FakeClock()).token())
    assert claims["sip"] == {"admin": True}
    assert "video" not in claims
    grants = set(claims) - {"iss", "sub", "nbf", "iat", "exp", "jti"}
    assert grants == {"sip"}


def test_cached_token_is_reused_until_the_renewal_point() -> None:
    clock = FakeClock()
    source = TokenSource(API_KEY, API_SECRET, clock)
    first = source.token()
    clock.now = T0 + 10
    assert source.token() == first
    clock.now = T0 + TOKEN_TTL - RENEW_BEFORE - 1
    assert source.token() == first


def test_token_is_renewed_once_the_clock_reaches_exp_minus_renew_before() -> None:
    clock = FakeClock()
    source = TokenSource(API_KEY, API_SECRET, clock)
    first = source.token()
    clock.now = T0 + TOKEN_TTL - RENEW_BEFORE
    second = source.token()
    assert second != first
    claims = claims_of(second)
    assert claims["nbf"] == int(clock.now)
    assert claims["exp"] == int(clock.now) + TOKEN_TTL


def test_renewed_token_is_then_cached_again() -> None:
    clock = FakeClock()
    source = TokenSource(API_KEY, API_SECRET, clock)
    source.token()
    clock.now = T0 + TOKEN_TTL
    renewed = source.token()
    clock.now += 60
    assert source.token() == renewed


def test_a_token_is_renewed_even_after_it_expired() -> None:
    clock = FakeClock()
    source = TokenSource(API_KEY, API_SECRET, clock)
    source.token()
    clock.now = T0 + 10 * TOKEN_TTL
    assert claims_of(source.token())["exp"] == int(clock.now) + TOKEN_TTL


def test_eight_threads_share_one_signed_token(monkeypatch: pytest.MonkeyPatch) -> None:
    signed: list[str] = []
    real_encode = jwt.encode

    def slow_encode(*args: Any, **kwargs: Any) -> str:
        time.sleep(0.05)  # widen the window a missing lock would leave open
        token = real_encode(*args, **kwargs)
        signed.append(token)
        return token

    monkeypatch.setattr(tokens.jwt, "encode", slow_encode)
    source = TokenSource(API_KEY, API_SECRET, FakeClock())
    barrier = threading.Barrier(8)
    results: list[str] = []
    results_lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        token = source.token()
        with results_lock:
            results.append(token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 8
    assert len(signed) == 1
    assert set(results) == {signed[0]}


def test_repr_shows_the_key_but_never_the_secret() -> None:
    source = TokenSource(API_KEY, API_SECRET)
    source.token()
    text = repr(source)
    assert API_KEY in text
    assert API_SECRET not in text
    assert "[secure]" in text
