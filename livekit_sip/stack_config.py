"""The program's config: one section per kind of object (`livekit_sip.kinds`), each with its
secret sections, and `livekit-sip:protect`.

Entries take camelCase or snake_case keys, and a `file:` key loads the JSON `lk` takes
(`livekit_sip.entry_files`); fields in the stack config override the file. Besides its
fields, an entry may hold Pulumi resource options: `aliases` (its earlier stack keys),
`protect` and `retainOnDelete`.

`read_stack_config` checks everything in one round and raises one `ConfigError` carrying
every problem as (stack path, message), so a single `pulumi preview` names them all. No
message ever holds a secret value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from livekit_sip.entries import Entry, Problems, check_adopt_ids, check_aliases, check_conflicts, flag, section_map
from livekit_sip.entry_files import read_entry
from livekit_sip.errors import ConfigError
from livekit_sip.kinds import SECTIONS
from livekit_sip.names import NAMESPACE, secret_path
from livekit_sip.secrecy import Secrecy
from livekit_sip.secret_config import SecretSection, keys_given, orphan
from livekit_sip.section import Reading, Section, StackConfig

#: The config keys whose values must be secrets.
SECRET_SECTIONS = tuple(secrets.name for section in SECTIONS for secrets in section.secrets)
#: Every config key the program reads.
CONFIG_KEYS = (*(section.name for section in SECTIONS), *SECRET_SECTIONS, "protect")


def read_stack_config(values: Mapping[str, Any], base_dir: Path,
                      secrecy: Mapping[str, Secrecy] | None = None) -> StackConfig:
    """Validate the stack's `livekit-sip:*` config in one round.

    Args:
        values: the config by key without the namespace (``trunks``, ``credentials``,
            ``protect``, ...), as parsed; secret sections hold their plain values.
        base_dir: the directory `file:` paths are relative to.
        secrecy: by secret section, which of its values are stored in plain text
            (`livekit_sip.secrecy.judge`); a section left out holds only secrets.

    Returns:
        Every section's entries and secrets, and the stack-wide protect flag.

    Raises:
        ConfigError: every problem found, each as (stack path, message).
    """
    problems: Problems = []
    reading = Reading(base_dir, values, problems)
    for section in SECTIONS:
        # Secrets are read first (a rule's PIN takes part in its checks), and reported after
        # the entries they belong to, each key's problems in config order.
        later: dict[str, Problems] = {}
        for secrets in section.secrets:
            found = later[secrets.name] = []
            reading.secrets[secrets.name] = secrets.read(values.get(secrets.name), secrets,
                                                         (secrecy or {}).get(secrets.name, Secrecy()), found)
        entries = reading.entries[section.name] = _entries(section, reading)
        check_adopt_ids(entries, problems, section.name, section.kind.adopt, section.noun)
        check_aliases(entries, problems, section.name)
        for secrets in section.secrets:
            problems += _in_key_order(section, secrets, later[secrets.name], values.get(secrets.name), entries)
            reading.secrets[secrets.name] = {k: v for k, v in reading.secrets[secrets.name].items() if k in entries}
    stack_protect = flag(values.get("protect"), f"{NAMESPACE}:protect", problems)
    if problems:
        raise ConfigError(problems)
    return StackConfig(reading.entries, reading.secrets, bool(stack_protect))


def _in_key_order(section: Section, secrets: SecretSection, found: Problems, raw: Any,
                  entries: Mapping[str, Entry]) -> Problems:
    """The problems of a secret section: its own first, then by key in config order, a key
    that reaches no entry (an orphan) first of its key."""
    ordered = [(path, message) for path, message in found if path == f"{NAMESPACE}:{secrets.name}"]
    for key in keys_given(raw):
        at = secret_path(secrets.name, key)
        if key not in entries:
            ordered.append((at, orphan(key, entries, section.name, section.noun, secrets)))
        ordered += [(path, message) for path, message in found if path == at or path.startswith(at + ".")]
    return ordered


def _entries(section: Section, reading: Reading) -> dict[str, Entry]:
    """The entries of one section, each checked by its kind, and the conflicts between them."""
    entries: dict[str, Entry] = {}
    keyed: list[tuple[str, set[Any]]] = []
    given = section_map(reading.raw.get(section.name), section.name, reading.problems,
                        f"map of {section.noun} key to {section.noun}")
    for key, raw in given.items():
        key = str(key)
        read = read_entry(raw, key, reading.base_dir, reading.problems, section.file, section.entry_fields)
        if read is None:
            entries[key] = Entry(fields={})  # still a key, so its secrets are not called orphans
            continue
        entries[key], conflict_keys = section.read(reading, key, read)
        if conflict_keys is not None:
            keyed.append((key, conflict_keys))
    if section.explain_conflict is not None:
        check_conflicts(keyed, section.name, reading.problems, section.explain_conflict)
    return entries
