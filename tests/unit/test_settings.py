"""Connection settings: stack config over environment, URL normalization, secrets kept out of sight."""

from __future__ import annotations

import warnings

import pytest

from livekit_sip.errors import SettingsError
from livekit_sip.settings import CleartextWarning, Settings, normalize_url, resolve

SECRET = "dev-secret-0123456789abcdef0123456789abcdef"
CONFIG = {"livekit:url": "https://config.livekit.cloud", "livekit:apiKey": "APIconfig", "livekit:apiSecret": SECRET}
ENV = {
    "LIVEKIT_URL": "https://env.livekit.cloud",
    "LIVEKIT_API_KEY": "APIenv",
    "LIVEKIT_API_SECRET": "env-secret-0123456789abcdef",
}


def test_stack_config_beats_the_environment() -> None:
    settings = resolve(CONFIG.get, ENV)
    assert settings == Settings("https://config.livekit.cloud", "APIconfig", SECRET)


def test_environment_fills_in_what_the_stack_config_lacks() -> None:
    settings = resolve({"livekit:apiKey": "APIconfig"}.get, ENV)
    assert settings == Settings("https://env.livekit.cloud", "APIconfig", "env-secret-0123456789abcdef")


def test_empty_config_values_fall_back_to_the_environment() -> None:
    settings = resolve({"livekit:url": "", "livekit:apiKey": "", "livekit:apiSecret": ""}.get, ENV)
    assert settings.api_key == "APIenv"


def test_environment_alone_is_enough() -> None:
    assert resolve(None, ENV) == Settings("https://env.livekit.cloud", "APIenv", "env-secret-0123456789abcdef")


def test_os_environ_is_the_default_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    assert resolve().api_key == "APIenv"


def test_each_missing_value_is_named_by_config_key_and_env_var() -> None:
    with pytest.raises(SettingsError) as caught:
        resolve({"livekit:url": "https://x.livekit.cloud"}.get, {})
    message = str(caught.value)
    assert "livekit:apiKey (or env LIVEKIT_API_KEY)" in message
    assert "livekit:apiSecret (or env LIVEKIT_API_SECRET)" in message
    assert "livekit:url" not in message


def test_nothing_set_names_all_three_settings() -> None:
    with pytest.raises(SettingsError) as caught:
        resolve(lambda key: None, {})
    message = str(caught.value)
    for text in ("livekit:url", "LIVEKIT_URL", "livekit:apiKey", "LIVEKIT_API_KEY",
                 "livekit:apiSecret", "LIVEKIT_API_SECRET"):
        assert text in message


def test_missing_settings_error_never_shows_the_secret() -> None:
    with pytest.raises(SettingsError) as caught:
        resolve({"livekit:apiSecret": SECRET}.get, {})
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("wss://my-project.livekit.cloud", "https://my-project.livekit.cloud"),
        ("wss://my-project.livekit.cloud/", "https://my-project.livekit.cloud"),
        ("https://my-project.livekit.cloud//", "https://my-project.livekit.cloud"),
        ("WSS://my-project.livekit.cloud", "https://my-project.livekit.cloud"),
        ("ws://127.0.0.1:7880", "http://127.0.0.1:7880"),
        ("ws://localhost:7880/", "http://localhost:7880"),
        ("http://[::1]:7880", "http://[::1]:7880"),
        ("https://lk.example.com:8443/base/", "https://lk.example.com:8443/base"),
        ("https://lk.example.com/?token=x#frag", "https://lk.example.com"),
        ("  https://lk.example.com  ", "https://lk.example.com"),
    ],
)
def test_url_becomes_an_http_base_without_trailing_slash(given: str, base: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert normalize_url(given) == base


def test_resolve_normalizes_the_url() -> None:
    settings = resolve({**CONFIG, "livekit:url": "wss://my-project.livekit.cloud/"}.get, {})
    assert settings.url == "https://my-project.livekit.cloud"


@pytest.mark.parametrize("url", ["my-project.livekit.cloud", "ftp://lk.example.com", "https://", "wss:///path", ""])
def test_url_without_host_or_with_another_scheme_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="not a LiveKit URL"):
        normalize_url(url)


@pytest.mark.parametrize("url", ["http://lk.example.com", "ws://10.0.0.5:7880", "http://192.168.1.2"])
def test_cleartext_to_a_host_that_is_not_loopback_warns(url: str) -> None:
    with pytest.warns(CleartextWarning, match="in clear"):
        normalize_url(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:7880", "http://localhost:7880", "ws://127.0.0.2", "http://[::1]"])
def test_cleartext_to_loopback_does_not_warn(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normalize_url(url)


def test_resolve_warns_about_cleartext_urls_from_the_environment() -> None:
    with pytest.warns(CleartextWarning):
        resolve(None, {**ENV, "LIVEKIT_URL": "ws://lk.internal:7880"})


def test_https_never_warns() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert normalize_url("https://lk.example.com") == "https://lk.example.com"


def test_settings_repr_hides_the_secret() -> None:
    settings = Settings("https://x.livekit.cloud", "APIconfig", SECRET)
    for text in (repr(settings), str(settings)):
        assert SECRET not in text
        assert "APIconfig" in text
        assert "api_secret=[secure]" in text
