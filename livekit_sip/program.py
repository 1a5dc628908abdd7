"""The stack-config program: one `OutboundTrunk` per entry of `livekit-sip:trunks`, one
`InboundTrunk` per entry of `livekit-sip:inboundTrunks` and one `DispatchRule` per entry of
`livekit-sip:dispatchRules` (its PIN from `livekit-sip:pins`).

A Pulumi project's `__main__.py` is two lines::

    from livekit_sip import program
    program.run()

`run()` reads `livekit-sip:*` and `livekit:*` config, declares the trunks and rules,
exports `trunkIds` and `trunks` (outbound), `inboundTrunkIds`, `inboundTrunks`,
`dispatchRuleIds` and `dispatchRules`, and returns every declared resource by kind and
stack key (`Declared`), so a program can add outputs or resources of its own. A rule gets its trunks' ID
outputs, so Pulumi creates trunks before rules, deletes rules before trunks, and
updates a rule in the same `up` when one of its trunks gets a new ID.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.config import is_config_secret

from livekit_sip.dispatch.resource import DispatchRule
from livekit_sip.entries import Entry
from livekit_sip.errors import ConfigError, SettingsError
from livekit_sip.inbound.resource import InboundTrunk
from livekit_sip.kinds import SECTIONS
from livekit_sip.names import NAMESPACE, section_path
from livekit_sip.outbound.resource import OutboundTrunk
from livekit_sip.secrecy import Secrecy, config_file, judge
from livekit_sip.section import Section, StackConfig
from livekit_sip.settings import cleartext_risk
from livekit_sip.stack_config import CONFIG_KEYS, SECRET_SECTIONS, read_stack_config


class ProgramError(SettingsError):
    """`run()` was called where no Pulumi engine is running."""


@dataclass(frozen=True)
class Declared(Mapping[str, OutboundTrunk]):
    """What `run()` declared, by kind and stack key.

    It also reads as the mapping of outbound trunks by stack key that `run()`
    returned in 0.2 (``run()["telnyx-us"]``, ``.items()``), so programs written for
    it keep working.
    """

    #: `livekit-sip:trunks`: the outbound trunks.
    outbound: dict[str, OutboundTrunk] = field(default_factory=dict)
    #: `livekit-sip:inboundTrunks`.
    inbound: dict[str, InboundTrunk] = field(default_factory=dict)
    #: `livekit-sip:dispatchRules`.
    rules: dict[str, DispatchRule] = field(default_factory=dict)

    def __getitem__(self, key: str) -> OutboundTrunk:
        return self.outbound[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.outbound)

    def __len__(self) -> int:
        return len(self.outbound)


def run() -> Declared:
    """Declare the trunks and rules of the current stack's config and export their IDs and fields.

    `file:` paths in entries are relative to the Pulumi project directory
    (where `Pulumi.yaml` is). A credential or PIN stored in plain text is refused,
    however the config arrives (`livekit_sip.secrecy`).

    Returns:
        The declared resources by kind and stack key.

    Raises:
        ProgramError: called outside a Pulumi program (`pulumi up` / `preview` run it).
        pulumi.RunError: the stack config is invalid; one line per problem.
    """
    if runtime_settings.get_monitor() is None:
        raise ProgramError(
            "livekit_sip.program.run() declares Pulumi resources and only works inside a Pulumi program: "
            "run `pulumi preview` or `pulumi up` in the project directory")
    config = pulumi.Config(NAMESPACE)
    risk = cleartext_risk(pulumi.Config("livekit").get("url") or os.environ.get("LIVEKIT_URL", ""))
    if risk:
        pulumi.log.warn(risk)
    # Secret sections hold their plain values: validated here, and passed on only wrapped as secrets.
    values = {key: config_object(config, key) for key in CONFIG_KEYS}
    try:
        stack = read_stack_config(values, project_dir(),
                                  secrecy(values[name] for name in SECRET_SECTIONS))
    except ConfigError as err:
        raise pulumi.RunError(f"invalid stack config:\n{err.reason}") from None

    declared: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        entries = stack.entries.get(section.name, {})
        resources = declared[section.name] = {
            key: section.declare(key, entry, stack, declared, _options(entry, stack))
            for key, entry in entries.items()}
        _check_adopters(section, entries, resources)
        if resources or section.always_export:
            pulumi.export(section.ids_output, {key: getattr(resource, section.kind.id_field)
                                               for key, resource in resources.items()})
            pulumi.export(section.fields_output, {key: section.export_fields(resource)
                                                  for key, resource in resources.items()})
    return Declared(declared["trunks"], declared["inboundTrunks"], declared["dispatchRules"])


def secrecy(values: Any) -> dict[str, Secrecy]:
    """Which values of each secret section (`SECRET_SECTIONS`, in that order) are stored in
    plain text, by section (`livekit_sip.secrecy.judge`)."""
    source = config_file(project_dir(), pulumi.get_stack())
    return {name: judge(f"{NAMESPACE}:{name}", value, is_config_secret(f"{NAMESPACE}:{name}"), source)
            for name, value in zip(SECRET_SECTIONS, values, strict=True)}


def _options(entry: Entry, stack: StackConfig) -> pulumi.ResourceOptions:
    """An entry's resource options: its aliases, and `protect` defaulting to the stack's."""
    return pulumi.ResourceOptions(
        aliases=[pulumi.Alias(name=alias) for alias in entry.aliases] or None,
        protect=stack.protect if entry.protect is None else entry.protect,
        retain_on_delete=entry.retain_on_delete,
    )


def _check_adopters(section: Section, entries: Mapping[str, Entry], resources: Mapping[str, Any]) -> None:
    """Refuse two entries holding one object: each `up` would overwrite it with the other's spec.

    IDs of objects that already exist are known during preview, so this fails the
    preview; a new object's ID is not known yet and cannot clash.
    """
    adopt = section.kind.adopt
    adopters = {entry.fields[adopt]: key for key, entry in entries.items() if entry.fields.get(adopt)}
    if adopters:
        for key, resource in resources.items():
            resource.id.apply(functools.partial(_not_adopted_elsewhere, section, key, adopters))


def _not_adopted_elsewhere(section: Section, key: str, adopters: dict[str, str], object_id: Any) -> None:
    other = adopters.get(object_id) if isinstance(object_id, str) else None
    if other is not None and other != key:
        raise pulumi.RunError(
            f"invalid stack config:\n{section_path(section.name, other, section.kind.adopt)}: {object_id} is "
            f"already managed by {section_path(section.name, key)} in this stack. To move it to {other!r}, remove "
            f"the entry {key!r} in the same change (the {section.noun} stays), or rename {key!r} to {other!r} "
            f"with aliases: [{key}] instead")


def config_object(config: pulumi.Config, key: str) -> Any:
    """A config value parsed as JSON, as Pulumi passes maps; other text stays a string.

    `Config.get_object` raises an error that quotes the value, which may be a secret;
    `read_stack_config` names a value of the wrong type without showing it.
    """
    text = config.get(key)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def project_dir() -> Path:
    """The directory of the project's `Pulumi.yaml` (the program's directory when unknown)."""
    root = runtime_settings.get_root_directory()
    return Path(root) if root else Path.cwd()
