"""Which config values are secrets, leaf by leaf, whatever file the config came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from livekit_sip.secrecy import CONFIG_FILE_ENV, ConfigFile, Secrecy, config_file, judge

KEY = "livekit-sip:credentials"
USED = {"a": {"username": "user-a", "password": "pass-a"}, "b": {"username": "", "password": ""}}
SECURE = {"secure": "v1:abc"}


def stored(a: Any, b: Any = None) -> ConfigFile:
    return ConfigFile("Pulumi.dev.yaml", {KEY: {"a": a, "b": b or {"username": "", "password": ""}}})


def test_a_key_pulumi_does_not_mark_as_secret_is_plain_text_in_every_value() -> None:
    assert judge(KEY, USED, False, ConfigFile("x", problem="gone")) == Secrecy(
        plaintext=frozenset({("a", "username"), ("a", "password")}))


def test_a_key_with_no_values_needs_no_file() -> None:
    assert judge(KEY, {"b": {"username": "", "password": ""}}, True, ConfigFile("x", problem="gone")) == Secrecy()
    assert judge(KEY, None, False, ConfigFile("x", problem="gone")) == Secrecy()


def test_a_secret_key_with_one_value_is_that_secret_without_a_file() -> None:
    assert judge("livekit-sip:pins", {"lobby": "1234"}, True, ConfigFile("x", problem="gone")) == Secrecy()


def test_the_file_shows_which_leaf_of_a_secret_key_is_plain() -> None:
    assert judge(KEY, USED, True, stored({"username": SECURE, "password": SECURE})) == Secrecy()
    assert judge(KEY, USED, True, stored({"username": SECURE, "password": "pass-a"})) == Secrecy(
        plaintext=frozenset({("a", "password")}))


@pytest.mark.parametrize("source", [
    ConfigFile("Pulumi.dev.yaml", problem="Pulumi.dev.yaml does not exist"),
    ConfigFile("Pulumi.dev.yaml", {}),  # the key is not in it
    stored({"username": SECURE}),  # other leaves
    stored({"username": SECURE, "password": SECURE, "extra": SECURE}),
    stored({"username": "someone-else", "password": SECURE}),  # a plain value that is not the one in use
], ids=["missing", "no-key", "fewer-leaves", "more-leaves", "other-plain-value"])
def test_a_file_that_is_not_the_config_in_use_fails_closed(source: ConfigFile) -> None:
    verdict = judge(KEY, USED, True, source)
    assert verdict.plaintext == frozenset()
    assert verdict.undecidable.startswith("Pulumi marks only whole keys as secret, and ")
    assert f"name the config file in use in {CONFIG_FILE_ENV}" in verdict.undecidable
    assert "user-a" not in verdict.undecidable and "pass-a" not in verdict.undecidable


def test_digits_stored_as_a_number_match_the_value_in_use() -> None:
    used = {"a": {"username": "1234", "password": "x"}}
    source = ConfigFile("f", {KEY: {"a": {"username": 1234, "password": SECURE}}})
    assert judge(KEY, used, True, source) == Secrecy(plaintext=frozenset({("a", "username")}))


def test_the_stack_file_is_found_in_the_projects_stack_config_dir(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(f"config:\n  {KEY}:\n    a: {{secure: v1:abc}}\n")
    found = config_file(tmp_path, "dev", {})
    assert found.name == "stacks/Pulumi.dev.yaml" and found.config == {KEY: {"a": SECURE}}


def test_a_config_file_named_in_the_environment_wins_over_the_stack_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "ci.yaml").write_text(f"config:\n  {KEY}: {{a: 1}}\n")
    found = config_file(tmp_path, "dev", {CONFIG_FILE_ENV: "ci.yaml"})
    assert found.config == {KEY: {"a": 1}} and found.name == f"ci.yaml ({CONFIG_FILE_ENV})"


@pytest.mark.parametrize(("content", "problem"), [
    (None, "Pulumi.dev.yaml does not exist"),
    ("config: [unclosed", "Pulumi.dev.yaml is not valid YAML"),
])
def test_a_missing_or_broken_stack_file_says_why(tmp_path: Path, content: str | None, problem: str) -> None:
    if content is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(content)
    found = config_file(tmp_path, "dev", {})
    assert found.config is None and found.problem == problem


def test_an_unreadable_stack_file_says_why(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").mkdir()  # a directory: reading it fails for root too
    found = config_file(tmp_path, "dev", {})
    assert found.config is None and found.problem.startswith("Pulumi.dev.yaml cannot be read (")
