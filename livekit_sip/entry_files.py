"""An entry as read from the stack config, with the `file:` it may name: the JSON that
`lk sip outbound create` / `lk sip inbound create` / `lk sip dispatch create` takes
(``{"trunk": {...}}``, ``{"dispatch_rule": {...}}``) or the bare object. Fields in the stack
config override the file's; secrets never belong in a file, which is committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livekit_sip.entries import OPTION_KEYS, Problems, normalize_keys
from livekit_sip.media import MEDIA_FIELDS
from livekit_sip.names import camel, secret_command, section_path, snake

#: Keys of an `lk` JSON file that carry no spec (server-assigned).
SERVER_KEYS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class FileFormat:
    """One kind's entries: where they live, what their `lk` JSON holds, and where their secrets go.

    Attributes:
        section: the stack config section of the entries, e.g. ``inboundTrunks``.
        noun: the object, for messages.
        wrapper: the `lk` request's key around the object (``trunk``, ``dispatch_rule``).
        fields: the object's fields, snake_case, as the file holds them (the media fields
            live in its `media`).
        ignored: keys that carry no spec (server-assigned).
        secrets: the section that the kind's credentials belong in, None when it has none.
        secret_fields: the spec's secret fields (refused in the stack config and in files).
        post: what the kind makes of the file's fields once read (a rule's `rule` and
            `trunk_ids`), with the key, the file's note for messages and the problems.
    """

    section: str
    noun: str
    wrapper: str
    fields: tuple[str, ...]
    ignored: frozenset[str]
    secrets: str | None = None
    secret_fields: tuple[str, ...] = ()
    post: Callable[[dict[str, Any], str, str, Problems], dict[str, Any]] | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ReadEntry:
    """An entry as read, before its kind checks it.

    Attributes:
        loaded: the fields of its `file:`.
        fields: its own fields, snake_case.
        missed: the fields its unknown keys seem to mean.
        options: its resource options as given.
    """

    loaded: dict[str, Any]
    fields: dict[str, Any]
    missed: set[str]
    options: dict[str, Any]

    def merged(self, key: str) -> dict[str, Any]:
        """The file's fields overridden by the entry's, with `name` defaulted to the key."""
        fields = {**self.loaded, **self.fields}
        fields.setdefault("name", key)
        return fields


def read_entry(raw: Any, key: str, base_dir: Path, problems: Problems, fmt: FileFormat,
               allowed: tuple[str, ...]) -> ReadEntry | None:
    """An entry of `fmt.section` as read; None when the entry is no map (a problem)."""
    if not isinstance(raw, Mapping):
        problems.append((section_path(fmt.section, key),
                         f"must be a map of {fmt.noun} fields, got {type(raw).__name__}"))
        return None
    given = dict(raw)
    loaded: dict[str, Any] = {}
    if "file" in given:
        path = Path(str(given.pop("file")))
        loaded = load_file(path if path.is_absolute() else base_dir / path, key, problems, fmt)
    fields, missed = normalize_keys(given, key, "the stack config", allowed + OPTION_KEYS, problems,
                                    fmt.section, fmt.secrets, fmt.secret_fields)
    options = {name: fields.pop(name) for name in OPTION_KEYS if name in fields}
    return ReadEntry(loaded, fields, missed, options)


def load_file(path: Path, key: str, problems: Problems, fmt: FileFormat) -> dict[str, Any]:
    """The fields of an `lk sip outbound|inbound|dispatch create` or dashboard JSON file.

    A missing or unreadable file, unknown fields and secrets go to `problems`, each
    naming the file; empty secrets are dropped.
    """
    source = f"file {str(path)!r}"
    at_file = section_path(fmt.section, key, "file")
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        problems.append((at_file, f"cannot read {source}: {err.strerror}"))
        return {}
    except json.JSONDecodeError as err:
        problems.append((at_file, f"{source} is not valid JSON: {err.msg} at line {err.lineno}"))
        return {}
    if isinstance(data, dict) and len(data) == 1 and isinstance(data.get(fmt.wrapper), dict):
        data = data[fmt.wrapper]
    if not isinstance(data, dict):
        problems.append((at_file, f"{source} must hold a {fmt.noun} object or {{\"{fmt.wrapper}\": {{...}}}}"))
        return {}
    fields = dict(data)
    media = fields.pop("media", None)
    where = f" (in {source})"
    found, _ = normalize_keys(fields, key, source, fmt.fields, problems, fmt.section, fmt.secrets,
                              fmt.secret_fields, where, fmt.ignored)
    for secret in fmt.secret_fields:
        value = found.pop(secret, None)
        if value not in (None, "") and fmt.secrets:
            problems.append((section_path(fmt.section, key, secret) + where,
                             f"credentials are secrets and do not belong in a file that is committed; remove it "
                             f"from the file and run {secret_command(fmt.secrets, key, secret.removeprefix('auth_'))}"))
    if fmt.post is not None:
        found = fmt.post(found, key, where, problems)
    # LiveKit applies `media.encryption` over the legacy `media_encryption`.
    return {**found, **_file_media(media, key, where, problems, fmt.section)}


def _file_media(media: Any, key: str, where: str, problems: Problems, section: str) -> dict[str, Any]:
    """The spec fields of a file's `media` object: its `encryption` is `media_encryption`,
    and `codecs`, `only_listed_codecs` and `media_timeout` keep their names. A null
    value counts as absent, as LiveKit reads it."""
    if media is None:
        return {}
    if not isinstance(media, Mapping):
        problems.append((section_path(section, key, "media") + where, f"must be an object, got {type(media).__name__}"))
        return {}
    out: dict[str, Any] = {}
    seen: set[str] = set()
    known = ", ".join(camel(f) for f in ("encryption", *MEDIA_FIELDS))
    for name, value in media.items():
        field_name = snake(name)
        if field_name not in ("encryption", *MEDIA_FIELDS):
            problems.append((section_path(section, key, f"media.{name}") + where,
                             f"unknown key in media; known keys: {known}"))
            continue
        if field_name in seen:
            problems.append((section_path(section, key, f"media.{name}") + where,
                             "given twice in media (camelCase and snake_case)"))
            continue
        seen.add(field_name)
        if value is not None:
            out["media_encryption" if field_name == "encryption" else field_name] = value
    return out
