"""The sections of the stack config that hold secrets, keyed like the entries they belong to:
SIP credentials (``{username, password}`` per entry) and single secret values such as PINs.

Each value must be a Pulumi secret; `livekit_sip.secrecy` tells which are not. No message
here ever holds a value.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from livekit_sip.entries import CREDENTIAL_FIELDS, Entry, Problems, closest, section_map
from livekit_sip.names import NAMESPACE, secret_command, secret_path
from livekit_sip.secrecy import Secrecy


@dataclass(frozen=True)
class Credentials:
    """One entry's SIP credentials; both may be "" (auth cleared on purpose)."""

    username: str = field(repr=False)
    password: str = field(repr=False)


@dataclass(frozen=True)
class SecretSection:
    """A section of secrets, one value (or one set of credentials) per entry of its kind.

    Attributes:
        name: the section, e.g. ``inboundCredentials``.
        what: what one entry's value is, for messages ("these credentials").
        read: the values by entry key, from the section as parsed; every broken rule
            goes to the problems.
    """

    name: str
    what: str
    read: Callable[[Any, SecretSection, Secrecy, Problems], dict[str, Any]]


def undecidable(raw: Any, section: str, secrecy: Secrecy, problems: Problems) -> bool:
    """Refuse a section whose secrets cannot be told from plain text (fail closed)."""
    if secrecy.undecidable and isinstance(raw, Mapping) and raw:
        problems.append((f"{NAMESPACE}:{section}", f"cannot tell which of its values are secrets: "
                                                   f"{secrecy.undecidable}"))
        return True
    return False


def as_text(value: Any) -> Any:
    """A value as `pulumi config set --path` may store it: digits become a number, and a
    YAML null is no value."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def read_credentials(raw: Any, section: SecretSection, secrecy: Secrecy, problems: Problems
                     ) -> dict[str, Credentials]:
    """`{key: {username, password}}`: each entry's SIP credentials."""
    found: dict[str, Credentials] = {}
    if undecidable(raw, section.name, secrecy, problems):
        return found
    for key, leaves in section_map(raw, section.name, problems, "map of trunk key to {username, password}").items():
        key = str(key)
        if leaves is None:
            continue
        if not isinstance(leaves, Mapping):
            problems.append((secret_path(section.name, key), f"must be a map with username and password, "
                                                             f"got {type(leaves).__name__}"))
            continue
        values = _credential_values(key, leaves, secrecy.plaintext, problems, section.name)
        if values is not None:
            found[key] = Credentials(values.get("username", ""), values.get("password", ""))
    return found


def keys_given(raw: Any) -> list[str]:
    """The keys of a secret section as given (before any check), in config order."""
    return [str(key) for key in raw] if isinstance(raw, Mapping) else []


def _credential_values(key: str, leaves: Mapping[str, Any], plaintext: Collection[tuple[str, ...]],
                       problems: Problems, section: str) -> dict[str, str] | None:
    """The username and password of one entry, or None when a rule is broken."""
    values: dict[str, str] = {}
    broken = False
    for leaf, value in leaves.items():
        leaf = str(leaf)
        path = secret_path(section, key, leaf)
        if leaf not in CREDENTIAL_FIELDS:
            near = closest(leaf, CREDENTIAL_FIELDS)
            shown = f"did you mean {near!r}? " if near else ""
            problems.append((path, f"unknown key; {shown}known keys: {', '.join(CREDENTIAL_FIELDS)}"))
            broken = True
            continue
        value = as_text(value)
        if not isinstance(value, str):
            problems.append((path, f"must be a string, got {type(value).__name__}"))
            broken = True
            continue
        if value and (key, leaf) in plaintext:
            problems.append((path, f"is stored in plain text; SIP credentials must be secrets: run "
                                   f"{secret_command(section, key, leaf)}"))
            broken = True
        values[leaf] = value
    if broken:
        return None
    username, password = values.get("username", ""), values.get("password", "")
    pair = "set both, or set both to \"\" to clear the trunk's auth on purpose"
    if password and not username:
        problems.append((secret_path(section, key, "username"), f"is empty while password is set; {pair}"))
        return None
    if username and not password:
        problems.append((secret_path(section, key, "password"), f"is empty while username is set; {pair}"))
        return None
    return values


def orphan(key: str, entries: Mapping[str, Entry], section: str, noun: str, secrets: SecretSection) -> str:
    """Why the secrets under `key` of `secrets` reach no entry of `section`, and the two
    ways on: the alias of a renamed entry, or removing what a removed entry left behind."""
    renamed = [k for k, entry in entries.items() if key in entry.aliases]
    if renamed:
        return (f"matches no {noun} in {NAMESPACE}:{section}: {noun} {renamed[0]!r} lists {key!r} in its "
                f"aliases; move {secrets.what} to {secret_path(secrets.name, renamed[0])}")
    near = closest(key, entries)
    shown = f"; did you mean {near!r}?" if near else "."
    return (f"matches no {noun} key in {NAMESPACE}:{section}{shown} If the {noun} was renamed, list the old key "
            f"in the entry's aliases (aliases: [{key}]) so that it keeps its ID, and move {secrets.what} to the new "
            f"key; if it was removed, remove {secrets.what} too: pulumi config rm --path "
            f"'{secret_path(secrets.name, key)}'")
