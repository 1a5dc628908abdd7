"""Where the LiveKit URL, API key, API secret and the call deadline come from: `resolve()`.

Stack config (`livekit:url`, `livekit:apiKey`, `livekit:apiSecret`, `livekit-sip:deadline`)
wins over the environment (`LIVEKIT_URL`, `LIVEKIT_API_KEY`, `LIVEKIT_API_SECRET`,
`LIVEKIT_SIP_DEADLINE`).
"""

from __future__ import annotations

import ipaddress
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from livekit_sip.errors import SettingsError

CONFIG_KEYS = {"url": "livekit:url", "api_key": "livekit:apiKey", "api_secret": "livekit:apiSecret"}
#: The provider plugin's own config (`livekit-sip:url`, ...), which also takes the deadline.
PLUGIN_KEYS = {"url": "livekit-sip:url", "api_key": "livekit-sip:apiKey", "api_secret": "livekit-sip:apiSecret"}
ENV_KEYS = {"url": "LIVEKIT_URL", "api_key": "LIVEKIT_API_KEY", "api_secret": "LIVEKIT_API_SECRET"}
DEADLINE_KEY, DEADLINE_ENV = "livekit-sip:deadline", "LIVEKIT_SIP_DEADLINE"
#: Seconds one LiveKit call may take, retries included: long enough for a rate limit.
DEADLINE = 60.0
_SCHEMES = {"wss": "https", "ws": "http", "https": "https", "http": "http"}


class CleartextWarning(UserWarning):
    """Credentials would travel unencrypted to a host that is not loopback."""


@dataclass(frozen=True)
class Settings:
    """A LiveKit project's API endpoint and credentials."""

    url: str
    api_key: str
    api_secret: str = field(repr=False)
    #: Seconds one call may take across all its attempts.
    deadline: float = DEADLINE
    #: Where the key and secret are set, as an error about them names it.
    key_source: str = field(default="livekit:apiKey and livekit:apiSecret", compare=False)

    def __repr__(self) -> str:
        return (f"Settings(url={self.url!r}, api_key={self.api_key!r}, api_secret=[secure], "
                f"deadline={self.deadline:g})")

    def as_env(self, url: str | None = None) -> dict[str, str]:
        """The connection as LiveKit's usual environment variables; `url` overrides the URL
        (a proxy in front of the project, say)."""
        values = {"url": url or self.url, "api_key": self.api_key, "api_secret": self.api_secret}
        return {ENV_KEYS[name]: value for name, value in values.items()}


def normalize_url(url: str, key: str = CONFIG_KEYS["url"]) -> str:
    """`url` as an HTTP(S) base URL: ws(s):// becomes http(s)://, no trailing slash.

    Raises:
        SettingsError: the URL has no host or an unknown scheme.
    """
    parts = urlsplit(url.strip())
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.hostname:
        raise SettingsError(
            f"{key} {url!r} is not a LiveKit URL; use https://<project>.livekit.cloud "
            "or ws(s)://host:port"
        )
    risk = cleartext_risk(url, key)
    if risk:
        warnings.warn(risk, CleartextWarning, stacklevel=2)
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def cleartext_risk(url: str, key: str = CONFIG_KEYS["url"]) -> str | None:
    """A warning when `url` would send credentials unencrypted to a host that is not loopback."""
    parts = urlsplit(url.strip())
    if _SCHEMES.get(parts.scheme.lower()) != "http" or not parts.hostname or _is_loopback(parts.hostname):
        return None
    return (f"{key} {url!r} uses {parts.scheme}:// to a host that is not loopback: the API token "
            "and SIP passwords would travel in clear; use https:// or wss://")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve(
    config: Callable[[str], str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    keys: Mapping[str, str] = CONFIG_KEYS,
) -> Settings:
    """Settings from stack config, falling back to the environment; the one place they are read.

    Args:
        config: looks up a namespaced stack config key such as ``livekit:url``.
        environ: the environment; `os.environ` by default.
        keys: the config key of each setting (`CONFIG_KEYS`, or the plugin's `PLUGIN_KEYS`).

    Raises:
        SettingsError: a value is missing; the message names both places to set it.
    """
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    missing = []
    for name, key in keys.items():
        value = (config(key) if config else None) or env.get(ENV_KEYS[name], "")
        if not value:
            missing.append(f"{key} (or env {ENV_KEYS[name]})")
        values[name] = value
    if missing:
        raise SettingsError("missing LiveKit connection settings: set " + ", ".join(missing))
    raw = (config(DEADLINE_KEY) if config else None) or env.get(DEADLINE_ENV)
    try:
        deadline = float(raw) if raw else DEADLINE
    except ValueError:
        raise SettingsError(f"{DEADLINE_KEY} (or env {DEADLINE_ENV}) must be a number of seconds, "
                            f"got {raw!r}") from None
    if not deadline > 0:
        raise SettingsError(f"{DEADLINE_KEY} (or env {DEADLINE_ENV}) must be positive, got {raw!r}")
    return Settings(normalize_url(values["url"], keys["url"]), values["api_key"], values["api_secret"], deadline,
                    key_source=f"{keys['api_key']} and {keys['api_secret']}")
