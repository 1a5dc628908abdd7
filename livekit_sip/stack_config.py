"""The program's config: `livekit-sip:trunks` and `livekit-sip:credentials`.

Entries take camelCase or snake_case keys, and a `file:` key loads the JSON
`lk sip outbound create` takes (``{"trunk": {...}}``) or a bare trunk object;
fields in the stack config override the file. Every entry is validated here,
so a bad one fails `pulumi preview` naming the stack key and the field.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from livekit_sip.errors import SpecError
from livekit_sip.spec import FIELDS, MEDIA_FIELDS, SECRET_FIELDS, parse_spec

NAMESPACE = "livekit-sip"
ENTRY_FIELDS = tuple(f for f in FIELDS if f not in SECRET_FIELDS) + ("adopt_trunk_id",)
#: Keys of an `lk` JSON file that carry no spec (server-assigned).
FILE_IGNORED = frozenset({"sip_trunk_id", "created_at", "updated_at"})
#: Top-level keys of an `lk` JSON file: the media fields live in its `media` object.
FILE_FIELDS = tuple(f for f in FIELDS if f not in MEDIA_FIELDS)
CREDENTIAL_FIELDS = ("username", "password")


def camel(name: str) -> str:
    """snake_case → camelCase."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def snake(name: str) -> str:
    """camelCase → snake_case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _where(key: str, field: str) -> str:
    if not field:
        return f"{NAMESPACE}:trunks.{key}"
    field = re.sub(r"^[a-z_]+", lambda m: camel(m.group(0)), field)
    return f"{NAMESPACE}:trunks.{key}.{field}"


def _normalize_keys(raw: Mapping[str, Any], key: str, source: str, allowed: tuple[str, ...],
                    ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    known = {camel(f) for f in allowed}
    for name, value in raw.items():
        field = snake(name)
        if field in ignored:
            continue
        if field not in allowed and (field in SECRET_FIELDS or field in CREDENTIAL_FIELDS):
            raise SpecError(name, "credentials are secrets and live in livekit-sip:credentials: run "
                            f"pulumi config set --secret --path 'livekit-sip:credentials.{key}."
                            f"{field.removeprefix('auth_')}' <value>", key)
        if field not in allowed:
            near = difflib.get_close_matches(camel(field), sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else f"; known keys: {', '.join(sorted(known))}"
            raise SpecError(name, f"unknown key in {source}{hint}", key)
        if field in out:
            raise SpecError(name, f"given twice in {source} (camelCase and snake_case)", key)
        out[field] = value
    return out


def load_file(path: Path, key: str) -> dict[str, Any]:
    """The trunk fields of an `lk sip outbound create` / dashboard JSON file.

    Raises:
        SpecError: the file is missing, not JSON, or has an unknown field; names the file.
    """
    source = f"file {str(path)!r}"
    try:
        data = json.loads(path.read_text())
    except OSError as err:
        raise SpecError("file", f"cannot read {source}: {err.strerror}", key) from None
    except json.JSONDecodeError as err:
        raise SpecError("file", f"{source} is not valid JSON: {err.msg} at line {err.lineno}", key) from None
    if isinstance(data, dict) and isinstance(data.get("trunk"), dict) and len(data) == 1:
        data = data["trunk"]
    if not isinstance(data, dict):
        raise SpecError("file", f"{source} must hold a trunk object or {{\"trunk\": {{...}}}}", key)
    fields = dict(data)
    media = fields.pop("media", None)
    try:
        # LiveKit applies `media.encryption` over the legacy `media_encryption`.
        return {**_normalize_keys(fields, key, source, FILE_FIELDS, FILE_IGNORED), **_file_media(media, key)}
    except SpecError as err:
        raise SpecError(f"{err.field} (in {source})", err.reason, key) from None


def _file_media(media: Any, key: str) -> dict[str, Any]:
    """The spec fields of a file's `media` object: its `encryption` is `media_encryption`,
    and `codecs`, `only_listed_codecs` and `media_timeout` keep their names. A null
    value counts as absent, as LiveKit reads it."""
    if media is None:
        return {}
    if not isinstance(media, Mapping):
        raise SpecError("media", f"must be an object, got {type(media).__name__}", key)
    out: dict[str, Any] = {}
    seen: set[str] = set()
    known = ", ".join(camel(f) for f in ("encryption", *MEDIA_FIELDS))
    for name, value in media.items():
        field = snake(name)
        if field not in ("encryption", *MEDIA_FIELDS):
            raise SpecError(f"media.{name}", f"unknown key in media; known keys: {known}", key)
        if field in seen:
            raise SpecError(f"media.{name}", "given twice in media (camelCase and snake_case)", key)
        seen.add(field)
        if value is not None:
            out["media_encryption" if field == "encryption" else field] = value
    return out


def trunk_entries(trunks: Any, base_dir: Path) -> dict[str, dict[str, Any]]:
    """Validated trunk entries by stack key: snake_case fields, `name` defaulted to the key.

    Credentials (and `auth_*` fields of files) are returned under their own keys;
    only non-secret fields are checked here. Raises SpecError for the first bad entry,
    with every problem of that entry in the message.
    """
    if trunks is None:
        return {}
    if not isinstance(trunks, Mapping):
        raise SpecError("trunks", f"{NAMESPACE}:trunks must be a map of trunk key to trunk")
    entries: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for key, raw in trunks.items():
        entry, errors = _entry(key, raw, base_dir)
        entries[key] = entry
        problems += [f"{_where(key, err.field)}: {err.reason}" for err in errors]
    if problems:
        raise SpecError("trunks", "\n".join(problems))
    return entries


def _entry(key: str, raw: Any, base_dir: Path) -> tuple[dict[str, Any], list[SpecError]]:
    """One entry with `name` defaulted, and every rule it breaks."""
    if not isinstance(raw, Mapping):
        return {}, [SpecError("", f"must be a map of trunk fields, got {type(raw).__name__}", key)]
    fields = dict(raw)
    try:
        loaded: dict[str, Any] = {}
        if "file" in fields:
            path = Path(str(fields.pop("file")))
            loaded = load_file(path if path.is_absolute() else base_dir / path, key)
        entry = {**loaded, **_normalize_keys(fields, key, "the stack config", ENTRY_FIELDS)}
    except SpecError as err:
        return {}, [err]
    entry.setdefault("name", key)
    # Passwords are checked by the provider once the secrets are known.
    probe = {**entry, "auth_username": "", "auth_password": ""}
    _, errors = parse_spec(probe)
    return entry, errors


def credential_fields(key: str, creds: Any) -> dict[str, str]:
    """`{auth_username, auth_password}` for one trunk from the secret credentials object."""
    entry = (creds or {}).get(key) if isinstance(creds, Mapping) else None
    if entry is None:
        return {}
    if not isinstance(entry, Mapping):
        raise SpecError("credentials", "must be {username, password}", key)
    unknown = set(entry) - set(CREDENTIAL_FIELDS)
    if unknown:
        raise SpecError("credentials", f"unknown key(s) {sorted(unknown)}; use username and password", key)
    # A YAML null must not become the literal password "None".
    return {f"auth_{k}": "" if v is None else str(v) for k, v in entry.items()}
