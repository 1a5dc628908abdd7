"""What every stack config entry shares, whatever its kind: keys in camelCase or snake_case,
hints for a misspelt key, the resource options (`aliases`, `protect`, `retainOnDelete`), and
the checks across entries (one entry per adopted object, one owner per alias, conflicts).

Every problem goes to a `Problems` list as (stack path, message), so one preview names all.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from livekit_sip import conflicts
from livekit_sip.names import NAMESPACE, camel, secret_command, section_path, snake

Problems = list[tuple[str, str]]
#: Entry keys that are Pulumi resource options rather than fields.
OPTION_KEYS = ("aliases", "protect", "retain_on_delete")
#: The keys of one entry's SIP credentials.
CREDENTIAL_FIELDS = ("username", "password")
FLAGS = {"true": True, "false": False}


@dataclass(frozen=True)
class Entry:
    """One entry of a section of the stack config.

    Attributes:
        fields: the object's fields, snake_case, with `name` defaulted to the key and the
            adopt ID when given; never a secret.
        aliases: the entry's earlier stack keys.
        protect: the entry's `protect`, None when it does not say.
        retain_on_delete: the entry's `retainOnDelete`, None when it does not say.
    """

    fields: dict[str, Any]
    aliases: tuple[str, ...] = ()
    protect: bool | None = None
    retain_on_delete: bool | None = None


def closest(name: str, known: Iterable[str]) -> str | None:
    """The one of `known` that `name` most likely misspells, if one is close enough."""
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return near[0] if near else None


def hint(name: str, known: Sequence[str]) -> tuple[str | None, str]:
    """The closest of `known` to `name`, and the hint that names it or else lists `known`."""
    near = closest(name, known)
    return near, f"; did you mean {near!r}?" if near else f"; known keys: {', '.join(known) or 'none'}"


def section_map(raw: Any, section: str, problems: Problems, what: str) -> Mapping[str, Any]:
    """The map a config section holds: empty when it is unset, or when it is no map
    (a problem, saying it must be a `what`)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append((f"{NAMESPACE}:{section}", f"must be a {what}"))
        return {}
    return raw


def normalize_keys(raw: Mapping[str, Any], key: str, source: str, allowed: tuple[str, ...], problems: Problems,
                   section: str, secrets: str | None, secret_fields: Sequence[str], where: str = "",
                   ignored: frozenset[str] = frozenset()) -> tuple[dict[str, Any], set[str]]:
    """The known keys of `raw` in snake_case, and the fields unknown keys seem to mean.

    Unknown keys, secrets (which live in section `secrets`) and keys given twice go to
    `problems`; the rest is kept, so the fields can still be checked in the same round.
    """
    out: dict[str, Any] = {}
    missed: set[str] = set()
    known = {camel(f) for f in allowed}
    for name, value in raw.items():
        name = str(name)
        field = snake(name)
        path = section_path(section, key, name) + where
        if field in ignored:
            continue
        if secrets and field not in allowed and (field in secret_fields or field in CREDENTIAL_FIELDS):
            leaf = field.removeprefix("auth_")
            problems.append((path, f"credentials are secrets and live in {NAMESPACE}:{secrets}: run "
                                   f"{secret_command(secrets, key, leaf)}"))
            continue
        if field not in allowed:
            near, shown = hint(camel(field), sorted(known))
            if near:
                missed.add(snake(near))
            problems.append((path, f"unknown key in {source}{shown}"))
            continue
        if field in out:
            problems.append((path, f"given twice in {source} (camelCase and snake_case)"))
            continue
        out[field] = value
    return out, missed


def aliases(value: Any, key: str, problems: Problems, section: str) -> tuple[str, ...]:
    """An entry's `aliases`: its earlier stack keys."""
    if value is None:
        return ()
    path = section_path(section, key, "aliases")
    if isinstance(value, str) or not isinstance(value, list):
        problems.append((path, "must be a list of the entry's earlier stack keys, e.g. [old-key]"))
        return ()
    found: list[str] = []
    for index, alias in enumerate(value):
        if not isinstance(alias, str) or not alias.strip():
            problems.append((f"{path}[{index}]", "must be an earlier stack key (a non-empty string)"))
        elif alias == key:
            problems.append((f"{path}[{index}]", f"{alias!r} is this entry's own key"))
        else:
            found.append(alias)
    return tuple(found)


def flag(value: Any, path: str, problems: Problems) -> bool | None:
    """`true` or `false`, as YAML or as the string `pulumi config set` stores."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in FLAGS:
        return FLAGS[value.strip().lower()]
    problems.append((path, "must be true or false"))
    return None


def options(given: Mapping[str, Any], key: str, section: str, problems: Problems) -> dict[str, Any]:
    """An entry's resource options, as `Entry` takes them."""
    return {
        "aliases": aliases(given.get("aliases"), key, problems, section),
        "protect": flag(given.get("protect"), section_path(section, key, "protect"), problems),
        "retain_on_delete": flag(given.get("retain_on_delete"), section_path(section, key, "retain_on_delete"),
                                 problems),
    }


def check_adopt_ids(entries: Mapping[str, Entry], problems: Problems, section: str, field: str, noun: str) -> None:
    """One object, one entry: two entries adopting one object would overwrite each other on every `up`."""
    adopted_by: dict[str, str] = {}
    for key, entry in entries.items():
        adopt = entry.fields.get(field)
        if not isinstance(adopt, str) or not adopt.strip():
            continue
        first = adopted_by.setdefault(adopt.strip(), key)
        if first != key:
            problems.append((section_path(section, key, field),
                             f"{adopt.strip()} is also adopted by {section_path(section, first)}; one {noun} can "
                             f"be managed by one entry only: keep {camel(field)} in one of them"))


def check_aliases(entries: Mapping[str, Entry], problems: Problems, section: str) -> None:
    """An alias names a key that is gone, and only one entry may claim it."""
    claimed: dict[str, str] = {}
    for key, entry in entries.items():
        for index, alias in enumerate(entry.aliases):
            path = f"{section_path(section, key, 'aliases')}[{index}]"
            if alias in entries:
                problems.append((path, f"{alias!r} is the key of another entry in {NAMESPACE}:{section}; an alias "
                                       "names an earlier key that no entry uses any more"))
            elif claimed.setdefault(alias, key) != key:
                problems.append((path, f"{alias!r} is also an alias of {section_path(section, claimed[alias])}"))


def check_conflicts(keyed: Sequence[tuple[str, set[Any]]], section: str, problems: Problems,
                    explain: Callable[[Hashable], str]) -> None:
    """Entries LiveKit would refuse side by side, each named with the first it clashes with."""
    for first, second, clash in conflicts.first_conflicts(keyed):
        problems.append((section_path(section, second), f"conflicts with {section_path(section, first)}: "
                                                        f"{explain(clash)}"))
