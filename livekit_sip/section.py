"""A kind of object as the stack config declares it: its `Section`, and the `StackConfig`
that every section's entries and secrets are read into.

Each kind's folder declares its section once (`<kind>/config.py`: `SECTION`), and
`livekit_sip.kinds` lists them; the readers, the checks and the program are generic over it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from livekit_sip.entries import Entry, Problems, options
from livekit_sip.entry_files import FileFormat, ReadEntry
from livekit_sip.errors import SpecError
from livekit_sip.kind import Kind
from livekit_sip.names import section_path
from livekit_sip.secret_config import Credentials, SecretSection


@dataclass(frozen=True)
class Reading:
    """What a section's reader may look at: the config as parsed, and what the sections
    before it (in `livekit_sip.kinds` order) have read."""

    base_dir: Path
    #: Every section as parsed, by name (``inboundCredentials``: its plain values).
    raw: Mapping[str, Any] = field(repr=False)
    problems: Problems
    #: Entries by section, then by key.
    entries: dict[str, dict[str, Entry]] = field(default_factory=dict)
    #: Secret values by secret section, then by entry key.
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Section:
    """One kind of object in the stack config.

    Attributes:
        kind: the provider's `Kind` (spec, parse, adopt input, ID field, messages).
        file: where its entries live, and what its `lk` JSON holds.
        entry_fields: the keys an entry takes (besides `file` and the resource options).
        read: the entry of one key, and the keys LiveKit refuses two objects to share
            (None for a kind without conflicts).
        explain_conflict: a conflict key in words, for the message naming both entries.
        secrets: the secret sections keyed by this kind's entries.
        declare: the Pulumi resource of one entry: (key, entry, stack config,
            resources declared so far by section, resource options) → resource.
        ids_output, fields_output: the stack outputs of IDs and fields by key.
        export_fields: a resource's fields for `fields_output`.
        resource_type: the Pulumi type of the resource `declare` makes, as states record it.
        always_export: export both outputs even when the section has no entry.
    """

    kind: Kind
    file: FileFormat
    entry_fields: tuple[str, ...]
    read: Callable[[Reading, str, ReadEntry], tuple[Entry, set[Any] | None]]
    declare: Callable[[str, Any, StackConfig, Mapping[str, Mapping[str, Any]], pulumi.ResourceOptions], Any]
    ids_output: str
    fields_output: str
    export_fields: Callable[[Any], Any]
    resource_type: str
    explain_conflict: Callable[[Hashable], str] | None = None
    secrets: tuple[SecretSection, ...] = ()
    always_export: bool = False

    @property
    def name(self) -> str:
        return self.file.section

    @property
    def noun(self) -> str:
        return self.file.noun

    def report(self, key: str, read: ReadEntry, fields: Mapping[str, Any], errors: list[SpecError],
               problems: Problems, where: Callable[[str], str] = lambda field: field) -> None:
        """The spec's `errors` of one entry, by stack path. An error about a field that an
        unknown key seems to mean ("address is required" after "adress: did you mean
        'address'?") says nothing new, and is left out."""
        for err in errors:
            if not (err.field in read.missed and err.field not in fields):
                at = where(err.field)
                problems.append((section_path(self.name, key, at) if at else section_path(self.name, key),
                                 err.reason))

    def options(self, key: str, read: ReadEntry, problems: Problems) -> dict[str, Any]:
        """The entry's resource options, as `Entry` takes them."""
        return options(read.options, key, self.name, problems)


@dataclass(frozen=True)
class StackConfig:
    """The validated `livekit-sip:*` config of a stack.

    Attributes:
        entries: by section, then by stack key, in config order.
        secrets: by secret section, then by stack key; only for keys that have an entry.
        protect: the stack-wide `livekit-sip:protect` default.
    """

    entries: dict[str, dict[str, Entry]]
    secrets: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    protect: bool = False

    # The sections of today's kinds, by name.
    @property
    def trunks(self) -> dict[str, Entry]:
        return self.entries.get("trunks", {})

    @property
    def inbound_trunks(self) -> dict[str, Entry]:
        return self.entries.get("inboundTrunks", {})

    @property
    def dispatch_rules(self) -> dict[str, Any]:
        return self.entries.get("dispatchRules", {})

    @property
    def credentials(self) -> dict[str, Credentials]:
        return self.secrets.get("credentials", {})

    @property
    def inbound_credentials(self) -> dict[str, Credentials]:
        return self.secrets.get("inboundCredentials", {})

    @property
    def pins(self) -> dict[str, str]:
        return self.secrets.get("pins", {})
