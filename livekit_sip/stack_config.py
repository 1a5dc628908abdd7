"""The program's config: `livekit-sip:trunks`, `livekit-sip:credentials` and `livekit-sip:protect`,
`livekit-sip:inboundTrunks`, `livekit-sip:inboundCredentials`, `livekit-sip:dispatchRules` and
`livekit-sip:pins` (each rule's PIN, a secret).

Entries take camelCase or snake_case keys, and a `file:` key loads the JSON
`lk sip outbound create` / `lk sip inbound create` / `lk sip dispatch create` takes
(``{"trunk": {...}}``, ``{"dispatch_rule": {...}}``) or a bare object; fields in
the stack config override the file. Besides trunk fields, an entry may
hold Pulumi resource options: `aliases` (its earlier stack keys), `protect` and
`retainOnDelete`.

`read_stack_config` checks everything in one round and raises one `ConfigError`
carrying every problem as (stack path, message), so a single `pulumi preview`
names them all. No message ever holds a credential value.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livekit_sip import conflicts, validators
from livekit_sip.dispatch import spec as rule_spec
from livekit_sip.errors import ConfigError
from livekit_sip.fields import TRUNK_ID
from livekit_sip.inbound import spec as inbound_spec
from livekit_sip.media import MEDIA_FIELDS
from livekit_sip.outbound.spec import FIELDS, SECRET_FIELDS, parse_spec
from livekit_sip.secrecy import Secrecy

NAMESPACE = "livekit-sip"
INBOUND_SECTION = "inboundTrunks"
RULES_SECTION = "dispatchRules"
#: Inbound trunks' SIP credentials: a section of their own, so a key used in both
#: `trunks` and `inboundTrunks` never shares credentials.
INBOUND_CREDENTIALS = "inboundCredentials"
#: Dispatch rules' PINs, by rule key: a section of their own, so that the rules stay
#: readable in `pulumi config` while every PIN is a secret.
PINS = "pins"
#: The config keys whose values must be secrets.
SECRET_SECTIONS = ("credentials", INBOUND_CREDENTIALS, PINS)
ENTRY_FIELDS = tuple(f for f in FIELDS if f not in SECRET_FIELDS) + ("adopt_trunk_id",)
#: Entry keys that are Pulumi resource options rather than trunk fields.
OPTION_KEYS = ("aliases", "protect", "retain_on_delete")
#: Keys of an `lk` JSON file that carry no spec (server-assigned).
FILE_IGNORED = frozenset({"sip_trunk_id", "created_at", "updated_at"})
#: Top-level keys of an `lk` JSON file: the media fields live in its `media` object.
FILE_FIELDS = tuple(f for f in FIELDS if f not in MEDIA_FIELDS)
CREDENTIAL_FIELDS = ("username", "password")
#: The keys of a dispatch rule's `rule` object in LiveKit's JSON (`dispatch_rule_<kind>`).
RULE_MEMBER = "dispatch_rule_"
FLAGS = {"true": True, "false": False}

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class TrunkEntry:
    """One `livekit-sip:trunks` entry.

    Attributes:
        fields: the trunk's fields, snake_case, with `name` defaulted to the key and
            `adopt_trunk_id` when given; never credentials.
        aliases: the entry's earlier stack keys.
        protect: the entry's `protect`, None when it does not say.
        retain_on_delete: the entry's `retainOnDelete`, None when it does not say.
    """

    fields: dict[str, Any]
    aliases: tuple[str, ...] = ()
    protect: bool | None = None
    retain_on_delete: bool | None = None


@dataclass(frozen=True)
class RuleEntry(TrunkEntry):
    """One `livekit-sip:dispatchRules` entry.

    Attributes:
        trunks: the inbound trunks the rule applies to: stack keys of
            `livekit-sip:inboundTrunks`, or trunk IDs (``ST_...``) of trunks outside the stack.
        all_trunks: the entry said ``trunks: all`` (every trunk, and calls matching none).
    """

    trunks: tuple[str, ...] = ()
    all_trunks: bool = False


@dataclass(frozen=True)
class Credentials:
    """One trunk's SIP credentials from `livekit-sip:credentials`; both may be "" (auth cleared on purpose)."""

    username: str = field(repr=False)
    password: str = field(repr=False)


@dataclass(frozen=True)
class StackConfig:
    """The validated `livekit-sip:*` config of a stack.

    Attributes:
        trunks: entries by stack key, in config order.
        credentials: by stack key, only for keys that have an entry in `livekit-sip:credentials`.
        protect: the stack-wide `livekit-sip:protect` default.
    """

    trunks: dict[str, TrunkEntry]
    credentials: dict[str, Credentials]
    protect: bool = False
    inbound_trunks: dict[str, TrunkEntry] = field(default_factory=dict)
    #: From `livekit-sip:inboundCredentials`, by inbound trunk key.
    inbound_credentials: dict[str, Credentials] = field(default_factory=dict)
    dispatch_rules: dict[str, RuleEntry] = field(default_factory=dict)
    #: From `livekit-sip:pins`, by dispatch rule key.
    pins: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class FileFormat:
    """What the `lk ... create` JSON of one kind of object holds, and where its entries live.

    Attributes:
        wrapper: the request's key around the object (``trunk``, ``dispatch_rule``).
        fields: the object's top-level keys, snake_case; the media fields live in its `media`.
        ignored: keys that carry no spec (server-assigned).
        section: the stack config section of the entries, e.g. ``inboundTrunks``.
        creds: the section credentials found in the file belong in.
        noun: the object, for messages.
    """

    wrapper: str
    fields: tuple[str, ...]
    ignored: frozenset[str]
    section: str = "trunks"
    creds: str = "credentials"
    noun: str = "trunk"


OUTBOUND_FILE = FileFormat("trunk", FILE_FIELDS, FILE_IGNORED)
INBOUND_FILE = FileFormat("trunk", tuple(f for f in inbound_spec.FIELDS if f not in MEDIA_FIELDS), FILE_IGNORED,
                          INBOUND_SECTION, INBOUND_CREDENTIALS, "inbound trunk")
RULE_FILE = FileFormat("dispatch_rule", tuple(f for f in rule_spec.FIELDS if f not in MEDIA_FIELDS),
                       frozenset({"sip_dispatch_rule_id", "created_at", "updated_at"}), RULES_SECTION,
                       noun="dispatch rule")


def camel(name: str) -> str:
    """snake_case → camelCase."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def snake(name: str) -> str:
    """camelCase → snake_case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def trunk_path(key: str, field: str = "", section: str = "trunks") -> str:
    """The stack config path of a trunk entry (of `section`) or one of its fields, camelCase."""
    return section_path(section, key, field)


def section_path(section: str, key: str, field: str = "") -> str:
    """The stack config path of an entry of `section` (trunks, inboundTrunks, dispatchRules) or of
    one of its fields, camelCase."""
    if not field:
        return f"{NAMESPACE}:{section}.{key}"
    field = re.sub(r"^[a-z_]+", lambda m: camel(m.group(0)), field)
    return f"{NAMESPACE}:{section}.{key}.{field}"


def inbound_path(key: str, field: str = "") -> str:
    """The stack config path of an inbound trunk entry or one of its fields."""
    return section_path(INBOUND_SECTION, key, field)


def rule_path(key: str, field: str = "") -> str:
    """The stack config path of a dispatch rule entry or one of its fields."""
    return section_path(RULES_SECTION, key, field)


def inbound_credentials_path(key: str, leaf: str = "") -> str:
    """The stack config path of an inbound trunk's credentials, or of one of their keys."""
    return credentials_path(key, leaf, INBOUND_CREDENTIALS)


def credentials_path(key: str, leaf: str = "", creds: str = "credentials") -> str:
    """The stack config path of a trunk's credentials (in section `creds`), or of one of their keys."""
    return f"{NAMESPACE}:{creds}.{key}" + (f".{leaf}" if leaf else "")


def secret_command(key: str, leaf: str, creds: str = "credentials") -> str:
    """The command that stores one credential (or with `creds` = pins and no `leaf`, a PIN) as a
    stack secret; `--` keeps a value that begins with `-` from being read as a flag."""
    return f"pulumi config set --secret --path '{credentials_path(key, leaf, creds)}' -- <value>"


def pin_command(key: str) -> str:
    """The command that stores a dispatch rule's PIN as a stack secret."""
    return secret_command(key, "", PINS)


def read_stack_config(
    trunks: Any,
    base_dir: Path,
    credentials: Any = None,
    protect: Any = None,
    inbound_trunks: Any = None,
    inbound_credentials: Any = None,
    dispatch_rules: Any = None,
    pins: Any = None,
    secrecy: Mapping[str, Secrecy] | None = None,
) -> StackConfig:
    """Validate the stack's `livekit-sip:*` config in one round.

    Args:
        trunks: `livekit-sip:trunks` as parsed from the config.
        base_dir: the directory `file:` paths are relative to.
        credentials: `livekit-sip:credentials` as parsed (plaintext values).
        protect: `livekit-sip:protect` as given (a string or a bool).
        inbound_trunks, inbound_credentials, dispatch_rules, pins: `livekit-sip:inboundTrunks`,
            `livekit-sip:inboundCredentials`, `livekit-sip:dispatchRules` and `livekit-sip:pins`
            as parsed (plaintext values).
        secrecy: by section of `SECRET_SECTIONS`, which of its values are stored in plain
            text (`livekit_sip.secrecy.judge`); a section left out holds only secrets.

    Returns:
        The trunk entries, their credentials and the stack-wide protect flag.

    Raises:
        ConfigError: every problem found, each as (stack path, message).
    """
    problems: Problems = []
    secrecy = secrecy or {}
    entries = _trunk_entries(trunks, base_dir, problems)
    _check_adopt_ids(entries, problems)
    _check_aliases(entries, problems)
    found = _credentials(credentials, entries, secrecy.get("credentials", Secrecy()), problems)
    stack_protect = _flag(protect, f"{NAMESPACE}:protect", problems)
    inbound = _inbound_entries(inbound_trunks, inbound_credentials, base_dir, problems)
    _check_adopt_ids(inbound, problems, INBOUND_SECTION)
    _check_aliases(inbound, problems, INBOUND_SECTION)
    inbound_found = _credentials(inbound_credentials, inbound, secrecy.get(INBOUND_CREDENTIALS, Secrecy()),
                                 problems, INBOUND_SECTION, INBOUND_CREDENTIALS)
    found_pins = _pins(pins, secrecy.get(PINS, Secrecy()), problems)
    rules = _rule_entries(dispatch_rules, inbound, base_dir, problems, found_pins)
    _check_adopt_ids(rules, problems, RULES_SECTION, "adopt_rule_id")
    _check_aliases(rules, problems, RULES_SECTION)
    for key in found_pins.keys() - rules.keys():
        problems.append((credentials_path(key, "", PINS), _orphan(key, rules, RULES_SECTION, PINS)))
    if problems:
        raise ConfigError(problems)
    return StackConfig(entries, found, bool(stack_protect), inbound, inbound_found, rules,
                       {key: pin for key, pin in found_pins.items() if key in rules})


# --- trunks ---------------------------------------------------------------------------------


def _closest(name: str, known: Iterable[str]) -> str | None:
    """The one of `known` that `name` most likely misspells, if one is close enough."""
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return near[0] if near else None


def _hint(name: str, known: Sequence[str]) -> tuple[str | None, str]:
    """The closest of `known` to `name`, and the hint that names it or else lists `known`."""
    near = _closest(name, known)
    return near, f"; did you mean {near!r}?" if near else f"; known keys: {', '.join(known) or 'none'}"


def _section(raw: Any, section: str, problems: Problems, what: str) -> Mapping[str, Any]:
    """The map a config section holds: empty when it is unset, or when it is no map
    (a problem, saying it must be a `what`)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append((f"{NAMESPACE}:{section}", f"must be a {what}"))
        return {}
    return raw


def _trunk_entries(trunks: Any, base_dir: Path, problems: Problems) -> dict[str, TrunkEntry]:
    entries: dict[str, TrunkEntry] = {}
    for key, raw in _section(trunks, "trunks", problems, "map of trunk key to trunk").items():
        entries[str(key)] = _entry(str(key), raw, base_dir, problems)
    return entries


def _entry(key: str, raw: Any, base_dir: Path, problems: Problems) -> TrunkEntry:
    """One entry with `name` defaulted; every rule it breaks goes to `problems`."""
    read = _read_entry(raw, key, base_dir, problems, OUTBOUND_FILE, ENTRY_FIELDS)
    if read is None:
        return TrunkEntry(fields={})  # still a trunk key, so its credentials are not called orphans
    loaded, fields, missed, options = read
    fields = {**loaded, **fields}
    fields.setdefault("name", key)
    # Credentials are checked with livekit-sip:credentials; the provider checks the pair again.
    _, errors = parse_spec({**fields, "auth_username": "", "auth_password": ""})
    for err in errors:
        # "address is required" says nothing new after "adress: did you mean 'address'?".
        if not (err.field in missed and err.field not in fields):
            problems.append((trunk_path(key, err.field), err.reason))
    return TrunkEntry(fields=fields, **_options(options, key, "trunks", problems))


def _read_entry(raw: Any, key: str, base_dir: Path, problems: Problems, fmt: FileFormat, allowed: tuple[str, ...]
                ) -> tuple[dict[str, Any], dict[str, Any], set[str], dict[str, Any]] | None:
    """An entry of `fmt.section` as read: the fields of its `file:`, its own fields (keys
    snake_case), the fields its unknown keys seem to mean, and its resource options.
    None when the entry is no map (a problem)."""
    if not isinstance(raw, Mapping):
        problems.append((section_path(fmt.section, key),
                         f"must be a map of {fmt.noun} fields, got {type(raw).__name__}"))
        return None
    given = dict(raw)
    loaded = _entry_file(given, key, base_dir, problems, fmt)
    fields, missed = _normalize_keys(given, key, "the stack config", allowed + OPTION_KEYS, problems,
                                     section=fmt.section, creds=fmt.creds)
    options = {name: fields.pop(name) for name in OPTION_KEYS if name in fields}
    return loaded, fields, missed, options


def _normalize_keys(raw: Mapping[str, Any], key: str, source: str, allowed: tuple[str, ...],
                    problems: Problems, where: str = "", ignored: frozenset[str] = frozenset(),
                    section: str = "trunks", creds: str = "credentials") -> tuple[dict[str, Any], set[str]]:
    """The known keys of `raw` in snake_case, and the fields unknown keys seem to mean.

    Unknown keys, credentials and keys given twice go to `problems`; the rest is kept,
    so the fields can still be checked in the same round.
    """
    out: dict[str, Any] = {}
    missed: set[str] = set()
    known = {camel(f) for f in allowed}
    for name, value in raw.items():
        name = str(name)
        field = snake(name)
        path = trunk_path(key, name, section) + where
        if field in ignored:
            continue
        if field not in allowed and (field in SECRET_FIELDS or field in CREDENTIAL_FIELDS):
            leaf = field.removeprefix("auth_")
            problems.append((path, f"credentials are secrets and live in {NAMESPACE}:{creds}: run "
                                   f"{secret_command(key, leaf, creds)}"))
            continue
        if field not in allowed:
            near, hint = _hint(camel(field), sorted(known))
            if near:
                missed.add(snake(near))
            problems.append((path, f"unknown key in {source}{hint}"))
            continue
        if field in out:
            problems.append((path, f"given twice in {source} (camelCase and snake_case)"))
            continue
        out[field] = value
    return out, missed


def _entry_file(given: dict[str, Any], key: str, base_dir: Path, problems: Problems,
                fmt: FileFormat) -> dict[str, Any]:
    """The fields of the file an entry's `file:` names (popped from `given`), relative to `base_dir`."""
    if "file" not in given:
        return {}
    path = Path(str(given.pop("file")))
    return load_file(path if path.is_absolute() else base_dir / path, key, problems, fmt)


def load_file(path: Path, key: str, problems: Problems, fmt: FileFormat = OUTBOUND_FILE) -> dict[str, Any]:
    """The fields of an `lk sip outbound|inbound|dispatch create` or dashboard JSON file.

    A missing or unreadable file, unknown fields and credentials go to `problems`,
    each naming the file. Credentials are refused because the file is committed
    with the stack; empty ones are dropped. A dispatch rule's `rule` comes back as
    its kind (``{"individual": {...}}``), and its `trunk_ids` as they are: trunk IDs.
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
    found, _ = _normalize_keys(fields, key, source, fmt.fields, problems, where, fmt.ignored,
                               section=fmt.section, creds=fmt.creds)
    for secret in SECRET_FIELDS:
        value = found.pop(secret, None)
        if value not in (None, ""):
            leaf = secret.removeprefix("auth_")
            problems.append((section_path(fmt.section, key, secret) + where,
                             f"credentials are secrets and do not belong in a file that is committed; remove it "
                             f"from the file and run {secret_command(key, leaf, fmt.creds)}"))
    if fmt is RULE_FILE:
        found = _file_rule(found, key, where, problems)
    # LiveKit applies `media.encryption` over the legacy `media_encryption`.
    return {**found, **_file_media(media, key, where, problems, fmt.section)}


def _file_rule(found: dict[str, Any], key: str, where: str, problems: Problems) -> dict[str, Any]:
    """A rule file's `rule` as the entry's kind key, and its `trunk_ids` checked as trunk IDs."""
    out = dict(found)
    rule = out.pop("rule", None)
    if isinstance(rule, Mapping):
        for name, inner in rule.items():
            kind = snake(str(name)).removeprefix(RULE_MEMBER)
            if kind not in rule_spec.KINDS:
                problems.append((rule_path(key, f"rule.{name}") + where, "unknown rule kind; one of "
                                 + ", ".join(RULE_MEMBER + k for k in rule_spec.KINDS)))
                continue
            out[kind] = {} if inner is None else inner
        out.update(_pin_in_rule({k: out[k] for k in rule_spec.KINDS if k in out}, key, where, problems))
    elif rule is not None:
        problems.append((rule_path(key, "rule") + where, f"must be an object, got {type(rule).__name__}"))
    trunk_ids = out.pop("trunk_ids", None)
    if trunk_ids in (None, []):
        return out  # LiveKit reads none as every trunk: the entry must say trunks (or all) itself
    if not isinstance(trunk_ids, list):
        problems.append((rule_path(key, "trunk_ids") + where, "must be a list of trunk IDs (ST_...)"))
        return out
    ids: list[str] = []
    for index, item in enumerate(trunk_ids):
        at = rule_path(key, f"trunk_ids[{index}]") + where
        if not isinstance(item, str) or not TRUNK_ID.match(item.strip()):
            problems.append((at, "must be a trunk ID like ST_xxxxxxxxxxxx; name trunks of this stack by stack "
                                 "key in the entry's trunks instead"))
        elif item.strip() in ids:
            problems.append((at, f"{item.strip()!r} is listed twice"))
        else:
            ids.append(item.strip())
    out["trunk_ids"] = ids
    return out


def _file_media(media: Any, key: str, where: str, problems: Problems, section: str = "trunks") -> dict[str, Any]:
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
        field = snake(name)
        if field not in ("encryption", *MEDIA_FIELDS):
            problems.append((section_path(section, key, f"media.{name}") + where,
                             f"unknown key in media; known keys: {known}"))
            continue
        if field in seen:
            problems.append((section_path(section, key, f"media.{name}") + where,
                             "given twice in media (camelCase and snake_case)"))
            continue
        seen.add(field)
        if value is not None:
            out["media_encryption" if field == "encryption" else field] = value
    return out


def _aliases(value: Any, key: str, problems: Problems, section: str = "trunks") -> tuple[str, ...]:
    if value is None:
        return ()
    path = trunk_path(key, "aliases", section)
    if isinstance(value, str) or not isinstance(value, list):
        problems.append((path, "must be a list of the entry's earlier stack keys, e.g. [old-key]"))
        return ()
    aliases: list[str] = []
    for index, alias in enumerate(value):
        if not isinstance(alias, str) or not alias.strip():
            problems.append((f"{path}[{index}]", "must be an earlier stack key (a non-empty string)"))
        elif alias == key:
            problems.append((f"{path}[{index}]", f"{alias!r} is this entry's own key"))
        else:
            aliases.append(alias)
    return tuple(aliases)


def _flag(value: Any, path: str, problems: Problems) -> bool | None:
    """`true` or `false`, as YAML or as the string `pulumi config set` stores."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in FLAGS:
        return FLAGS[value.strip().lower()]
    problems.append((path, "must be true or false"))
    return None


def _check_adopt_ids(entries: Mapping[str, TrunkEntry], problems: Problems, section: str = "trunks",
                     field: str = "adopt_trunk_id") -> None:
    """One object, one entry: two entries adopting one object would overwrite each other on every `up`."""
    adopted_by: dict[str, str] = {}
    for key, entry in entries.items():
        adopt = entry.fields.get(field)
        if not isinstance(adopt, str) or not adopt.strip():
            continue
        first = adopted_by.setdefault(adopt.strip(), key)
        if first != key:
            noun = "trunk" if field == "adopt_trunk_id" else "dispatch rule"
            problems.append((trunk_path(key, field, section),
                             f"{adopt.strip()} is also adopted by {trunk_path(first, '', section)}; one {noun} can "
                             f"be managed by one entry only: keep {camel(field)} in one of them"))


def _check_aliases(entries: Mapping[str, TrunkEntry], problems: Problems, section: str = "trunks") -> None:
    """An alias names a key that is gone, and only one entry may claim it."""
    claimed: dict[str, str] = {}
    for key, entry in entries.items():
        for index, alias in enumerate(entry.aliases):
            path = f"{trunk_path(key, 'aliases', section)}[{index}]"
            if alias in entries:
                problems.append((path, f"{alias!r} is the key of another entry in {NAMESPACE}:{section}; an alias "
                                       "names an earlier key that no entry uses any more"))
            elif claimed.setdefault(alias, key) != key:
                problems.append((path, f"{alias!r} is also an alias of {trunk_path(claimed[alias], '', section)}"))


# --- credentials ---------------------------------------------------------------------------


def _undecidable(raw: Any, section: str, secrecy: Secrecy, problems: Problems) -> bool:
    """Refuse a section whose secrets cannot be told from plain text (fail closed)."""
    if secrecy.undecidable and isinstance(raw, Mapping) and raw:
        problems.append((f"{NAMESPACE}:{section}", f"cannot tell which of its values are secrets: "
                                                   f"{secrecy.undecidable}"))
        return True
    return False


def _credentials(raw: Any, entries: Mapping[str, TrunkEntry], secrecy: Secrecy, problems: Problems,
                 section: str = "trunks", creds: str = "credentials") -> dict[str, Credentials]:
    found: dict[str, Credentials] = {}
    if _undecidable(raw, creds, secrecy, problems):
        return found
    for key, leaves in _section(raw, creds, problems, "map of trunk key to {username, password}").items():
        key = str(key)
        if key not in entries:
            problems.append((credentials_path(key, "", creds), _orphan(key, entries, section, creds)))
        if leaves is None:
            continue
        if not isinstance(leaves, Mapping):
            problems.append((credentials_path(key, "", creds), f"must be a map with username and password, "
                                                    f"got {type(leaves).__name__}"))
            continue
        values = _credential_values(key, leaves, secrecy.plaintext, problems, creds)
        if values is not None and key in entries:
            found[key] = Credentials(values.get("username", ""), values.get("password", ""))
    return found


def _credential_values(key: str, leaves: Mapping[str, Any], plaintext: Collection[tuple[str, ...]],
                       problems: Problems, creds: str = "credentials") -> dict[str, str] | None:
    """The username and password of one entry, or None when a rule is broken."""
    values: dict[str, str] = {}
    broken = False
    for leaf, value in leaves.items():
        leaf = str(leaf)
        path = credentials_path(key, leaf, creds)
        if leaf not in CREDENTIAL_FIELDS:
            near = _closest(leaf, CREDENTIAL_FIELDS)
            hint = f"did you mean {near!r}? " if near else ""
            problems.append((path, f"unknown key; {hint}known keys: {', '.join(CREDENTIAL_FIELDS)}"))
            broken = True
            continue
        # With --path, `pulumi config set` stores digits as a number; a YAML null is no value.
        if value is None:
            value = ""
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            problems.append((path, f"must be a string, got {type(value).__name__}"))
            broken = True
            continue
        if value and (key, leaf) in plaintext:
            problems.append((path, f"is stored in plain text; SIP credentials must be secrets: run "
                                   f"{secret_command(key, leaf, creds)}"))
            broken = True
        values[leaf] = value
    if broken:
        return None
    username, password = values.get("username", ""), values.get("password", "")
    pair = "set both, or set both to \"\" to clear the trunk's auth on purpose"
    if password and not username:
        problems.append((credentials_path(key, "username", creds), f"is empty while password is set; {pair}"))
        return None
    if username and not password:
        problems.append((credentials_path(key, "password", creds), f"is empty while username is set; {pair}"))
        return None
    return values


#: What an entry of each section is, for messages.
NOUNS = {"trunks": "trunk", INBOUND_SECTION: "inbound trunk", RULES_SECTION: "dispatch rule"}


def _orphan(key: str, entries: Mapping[str, TrunkEntry], section: str = "trunks",
            creds: str = "credentials") -> str:
    """Why the secrets under `key` of section `creds` reach no entry of `section`, and the two
    ways on: the alias of a renamed entry, or removing what a removed entry left behind."""
    noun = NOUNS.get(section, "entry")
    what = "this PIN" if creds == PINS else "these credentials"
    renamed = [k for k, entry in entries.items() if key in entry.aliases]
    if renamed:
        return (f"matches no {noun} in {NAMESPACE}:{section}: {noun} {renamed[0]!r} lists {key!r} in its "
                f"aliases; move {what} to {credentials_path(renamed[0], '', creds)}")
    near = _closest(key, entries)
    hint = f"; did you mean {near!r}?" if near else "."
    return (f"matches no {noun} key in {NAMESPACE}:{section}{hint} If the {noun} was renamed, list the old key "
            f"in the entry's aliases (aliases: [{key}]) so that it keeps its ID, and move {what} to the new key; "
            f"if it was removed, remove {what} too: pulumi config rm --path '{credentials_path(key, '', creds)}'")


# --- inbound trunks and dispatch rules -------------------------------------------------------

INBOUND_ENTRY_FIELDS = tuple(f for f in inbound_spec.FIELDS if f not in inbound_spec.SECRET_FIELDS) + (
    inbound_spec.ADOPT,)
#: A rule entry's keys: the kind of rule (one of them), `trunks` for `trunk_ids`, and the rest of the spec.
RULE_ENTRY_FIELDS = (*rule_spec.KINDS, "trunks") + tuple(
    f for f in rule_spec.FIELDS if f not in ("rule", "trunk_ids")) + (rule_spec.ADOPT,)
ALL = "all"


def _options(options: Mapping[str, Any], key: str, section: str, problems: Problems) -> dict[str, Any]:
    return {
        "aliases": _aliases(options.get("aliases"), key, problems, section),
        "protect": _flag(options.get("protect"), section_path(section, key, "protect"), problems),
        "retain_on_delete": _flag(options.get("retain_on_delete"), section_path(section, key, "retain_on_delete"),
                                  problems),
    }


def _inbound_entries(raw: Any, raw_credentials: Any, base_dir: Path, problems: Problems) -> dict[str, TrunkEntry]:
    entries: dict[str, TrunkEntry] = {}
    # A key counts as authenticated only with a username: cleared credentials ("") protect nothing.
    with_auth = {key for key, leaves in raw_credentials.items()
                 if isinstance(leaves, Mapping) and leaves.get("username") not in (None, "")} \
        if isinstance(raw_credentials, Mapping) else set()
    keyed: list[tuple[str, set[Any]]] = []
    for key, given in _section(raw, INBOUND_SECTION, problems, "map of inbound trunk key to inbound trunk").items():
        key = str(key)
        read = _read_entry(given, key, base_dir, problems, INBOUND_FILE, INBOUND_ENTRY_FIELDS)
        if read is None:
            entries[key] = TrunkEntry(fields={})
            continue
        loaded, fields, missed, options = read
        fields = {**loaded, **fields}
        fields.setdefault("name", key)
        # Credentials are checked with livekit-sip:inboundCredentials; here they only count as given.
        auth = "given" if key in with_auth else ""
        spec, errors = inbound_spec.parse_spec({**fields, "auth_username": auth, "auth_password": auth})
        for err in errors:
            if not (err.field in missed and err.field not in fields):
                problems.append((inbound_path(key, err.field), err.reason))
        if spec is not None:
            keyed.append((key, spec.conflict_keys()))
        entries[key] = TrunkEntry(fields=fields, **_options(options, key, INBOUND_SECTION, problems))
    for first, second, clash in conflicts.first_conflicts(keyed):
        problems.append((inbound_path(second), f"conflicts with {inbound_path(first)}: both take calls to "
                                               f"{conflicts.describe_inbound(clash)}, and LiveKit refuses two "
                                               "inbound trunks for one number and caller; tell them apart with "
                                               "allowedNumbers, or merge them"))
    return entries


def _pins(raw: Any, secrecy: Secrecy, problems: Problems) -> dict[str, str]:
    """`livekit-sip:pins`: each dispatch rule's PIN by rule key, every one a secret."""
    found: dict[str, str] = {}
    if _undecidable(raw, PINS, secrecy, problems):
        return found
    for key, value in _section(raw, PINS, problems, "map of dispatch rule key to PIN").items():
        key, path = str(key), credentials_path(str(key), "", PINS)
        # With --path, `pulumi config set` stores digits as a number; a YAML null is no value.
        if value is None:
            value = ""
        elif isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            problems.append((path, f"must be a PIN of digits, got {type(value).__name__}"))
            continue
        if value and (key,) in secrecy.plaintext:
            problems.append((path, f"is stored in plain text; PINs must be secrets: run {pin_command(key)}"))
            continue
        try:
            found[key] = validators.pin(value)
        except validators.Invalid:
            problems.append((path, "is not a PIN: digits only (0-9), or \"\" for none"))
    return found


def _pin_in_rule(kinds: Mapping[str, Any], key: str, where: str, problems: Problems) -> dict[str, Any]:
    """The rule kinds with a PIN given in the rule refused: PINs are secrets in `livekit-sip:pins`."""
    out: dict[str, Any] = {}
    for kind, inner in kinds.items():
        if isinstance(inner, Mapping):
            pins = [name for name in inner if snake(str(name)) == "pin"]
            for name in pins:
                if inner[name] not in (None, ""):
                    problems.append((rule_path(key, f"{kind}.{name}") + where,
                                     f"PINs are secrets and live in {NAMESPACE}:{PINS}"
                                     + (" (not in a file that is committed)" if where else "")
                                     + f": remove it here and run {pin_command(key)}"))
            inner = {name: item for name, item in inner.items() if name not in pins}
        out[kind] = inner
    return out


def _rule_entries(raw: Any, inbound: Mapping[str, TrunkEntry], base_dir: Path,
                  problems: Problems, pins: Mapping[str, str] | None = None) -> dict[str, RuleEntry]:
    entries: dict[str, RuleEntry] = {}
    keyed: list[tuple[str, set[Any]]] = []
    for key, given in _section(raw, RULES_SECTION, problems, "map of dispatch rule key to dispatch rule").items():
        key = str(key)
        read = _read_entry(given, key, base_dir, problems, RULE_FILE, RULE_ENTRY_FIELDS)
        if read is None:
            continue
        loaded, fields, missed, options = read
        if any(kind in fields for kind in rule_spec.KINDS):
            # One rule kind: the stack config's replaces the file's whole.
            loaded = {k: v for k, v in loaded.items() if k not in rule_spec.KINDS}
        file_trunks = loaded.pop("trunk_ids", None)
        fields = {**loaded, **fields}
        fields.setdefault("name", key)
        if "trunks" not in fields and file_trunks:
            trunks, all_trunks = tuple(file_trunks), False
        else:
            trunks, all_trunks = _rule_trunks(fields.pop("trunks", None), key, inbound, problems)
        kinds = _pin_in_rule({kind: fields.pop(kind) for kind in rule_spec.KINDS if kind in fields}, key, "",
                             problems)
        pin = (pins or {}).get(key, "")
        # The PIN takes part in the checks (two rules differ by it), but is never kept in the entry.
        checked = {kind: {**inner, "pin": pin} if isinstance(inner, Mapping) and pin else inner
                   for kind, inner in kinds.items()}
        spec_props = {**fields, "rule": checked or None, "trunk_ids": list(trunks)}
        spec, errors = rule_spec.parse_spec(spec_props)
        for err in errors:
            if err.field.startswith("trunk_ids"):
                continue  # checked by _rule_trunks
            where = err.field.removeprefix("rule.").removeprefix("rule") if err.field.startswith("rule") else err.field
            if not (err.field in missed and err.field not in fields):
                problems.append((rule_path(key, where) if where else rule_path(key), err.reason))
        if spec is not None:
            keyed.append((key, spec.conflict_keys()))
        entries[key] = RuleEntry(fields={**fields, "rule": kinds}, trunks=trunks, all_trunks=all_trunks,
                                 **_options(options, key, RULES_SECTION, problems))
    for first, second, clash in conflicts.first_conflicts(keyed):
        problems.append((rule_path(second), f"conflicts with {rule_path(first)}: both dispatch calls for "
                                            f"{conflicts.describe_rule(clash)}, and LiveKit refuses two rules for "
                                            "the same trunk, numbers and PIN, whatever their rooms; narrow one "
                                            "with trunks, numbers, inboundNumbers or a pin"))
    return entries


def _rule_trunks(value: Any, key: str, inbound: Mapping[str, TrunkEntry],
                 problems: Problems) -> tuple[tuple[str, ...], bool]:
    """A rule's `trunks`: ``all``, or inbound trunk stack keys and ``ST_...`` IDs, each once."""
    path = rule_path(key, "trunks")
    if isinstance(value, str) and value.strip().lower() == ALL:
        return (), True
    if value is None or value == []:
        problems.append((path, "is required: list the inbound trunks by stack key (trunks: [carrier-us]), or say "
                               "trunks: all for every trunk and calls that match no trunk"))
        return (), False
    if not isinstance(value, list):
        problems.append((path, "must be a list of inbound trunk stack keys or ST_ IDs, or all"))
        return (), False
    found: list[str] = []
    for index, item in enumerate(value):
        at = f"{path}[{index}]"
        if not isinstance(item, str) or not item.strip():
            problems.append((at, "must be an inbound trunk stack key or an ST_ ID"))
            continue
        item = item.strip()
        if item not in inbound and not TRUNK_ID.match(item):
            _, hint = _hint(item, list(inbound))
            problems.append((at, f"{item!r} is no key of {NAMESPACE}:{INBOUND_SECTION} and no trunk ID{hint}"))
            continue
        if item in found:
            problems.append((at, f"{item!r} is listed twice"))
            continue
        found.append(item)
    return tuple(found), False
