"""The live suite's target: the LiveKit project in LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET
under `make test-live`, else the local dev server, so `make test` never skips it."""

from __future__ import annotations

import os

import pytest

from livekit_sip.settings import ENV_KEYS, Settings, normalize_url

#: Set by `make test-live`.
LIVE = os.environ.get("LIVEKIT_SIP_LIVE") == "1"
# Read at import: the suite-wide autouse fixture clears LIVEKIT_* before each test.
_ENV = {name: os.environ.get(var, "") for name, var in ENV_KEYS.items()}


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Settings:
    if not LIVE:
        settings: Settings = request.getfixturevalue("settings")
        return settings
    missing = [ENV_KEYS[name] for name, value in _ENV.items() if not value]
    if missing:
        pytest.fail(f"make test-live needs {', '.join(missing)} in the environment", pytrace=False)
    return Settings(normalize_url(_ENV["url"]), _ENV["api_key"], _ENV["api_secret"])
