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

from livekit_sip.dispatch.resource import DispatchRule, DispatchRuleArgs, export_dispatch_rule
from livekit_sip.errors import ConfigError, SettingsError
from livekit_sip.inbound.resource import InboundTrunk, InboundTrunkArgs, export_inbound_trunk
from livekit_sip.outbound.resource import OutboundTrunk, OutboundTrunkArgs, export_trunk
from livekit_sip.secrecy import Secrecy, config_file, judge
from livekit_sip.settings import cleartext_risk
from livekit_sip.stack_config import (
    INBOUND_CREDENTIALS,
    NAMESPACE,
    PINS,
    SECRET_SECTIONS,
    Credentials,
    RuleEntry,
    StackConfig,
    TrunkEntry,
    read_stack_config,
    trunk_path,
)


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
    # The plain values: validated here, and passed on only wrapped as secrets.
    secret_values = {section: config_object(config, section) for section in SECRET_SECTIONS}
    try:
        stack = read_stack_config(
            config_object(config, "trunks"), project_dir(),
            credentials=secret_values["credentials"],
            protect=config.get("protect"),
            inbound_trunks=config_object(config, "inboundTrunks"),
            inbound_credentials=secret_values[INBOUND_CREDENTIALS],
            dispatch_rules=config_object(config, "dispatchRules"),
            pins=secret_values[PINS],
            secrecy=secrecy(secret_values),
        )
    except ConfigError as err:
        raise pulumi.RunError(f"invalid stack config:\n{err.reason}") from None

    trunks = {key: declare(key, entry, stack) for key, entry in stack.trunks.items()}
    adopters = {entry.fields["adopt_trunk_id"]: key for key, entry in stack.trunks.items()
                if entry.fields.get("adopt_trunk_id")}
    for key, trunk in trunks.items():
        trunk.id.apply(functools.partial(_not_adopted_elsewhere, key, adopters))

    pulumi.export("trunkIds", {key: trunk.sip_trunk_id for key, trunk in trunks.items()})
    pulumi.export("trunks", {key: export_trunk(trunk) for key, trunk in trunks.items()})

    inbound = {key: declare_inbound(key, entry, stack) for key, entry in stack.inbound_trunks.items()}
    rules = {key: declare_rule(key, entry, stack, inbound) for key, entry in stack.dispatch_rules.items()}
    if inbound:
        pulumi.export("inboundTrunkIds", {key: trunk.sip_trunk_id for key, trunk in inbound.items()})
        pulumi.export("inboundTrunks", {key: export_inbound_trunk(trunk) for key, trunk in inbound.items()})
    if rules:
        pulumi.export("dispatchRuleIds", {key: rule.sip_dispatch_rule_id for key, rule in rules.items()})
        pulumi.export("dispatchRules", {key: export_dispatch_rule(rule) for key, rule in rules.items()})
    return Declared(trunks, inbound, rules)


def secrecy(values: Mapping[str, Any]) -> dict[str, Secrecy]:
    """Which values of each secret section are stored in plain text, by section
    (`livekit_sip.secrecy.judge`)."""
    source = config_file(project_dir(), pulumi.get_stack())
    return {section: judge(f"{NAMESPACE}:{section}", value, is_config_secret(f"{NAMESPACE}:{section}"), source)
            for section, value in values.items()}


def _options(entry: TrunkEntry, stack: StackConfig) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(
        aliases=[pulumi.Alias(name=alias) for alias in entry.aliases] or None,
        protect=stack.protect if entry.protect is None else entry.protect,
        retain_on_delete=entry.retain_on_delete,
    )


def declare_inbound(key: str, entry: TrunkEntry, stack: StackConfig) -> InboundTrunk:
    """The `InboundTrunk` of one `inboundTrunks` entry, its credentials from `inboundCredentials`."""
    credentials = stack.inbound_credentials.get(key)
    return InboundTrunk(key, InboundTrunkArgs(
        **entry.fields,
        auth_username=pulumi.Output.secret(credentials.username) if credentials else None,
        auth_password=pulumi.Output.secret(credentials.password) if credentials else None,
    ), _options(entry, stack))


def declare_rule(key: str, entry: RuleEntry, stack: StackConfig, inbound: dict[str, InboundTrunk]) -> DispatchRule:
    """The `DispatchRule` of one `dispatchRules` entry: trunks named by stack key become
    those trunks' ID outputs, so the rule depends on them."""
    fields = dict(entry.fields)
    kinds = fields.pop("rule")
    pin = stack.pins.get(key)
    if pin:
        kinds = {kind: {**inner, "pin": pin} for kind, inner in kinds.items()}
    trunk_ids: list[Any] = [inbound[ref].sip_trunk_id if ref in inbound else ref for ref in entry.trunks]
    return DispatchRule(key, DispatchRuleArgs(**fields, **kinds, trunk_ids=trunk_ids, all_trunks=entry.all_trunks),
                        _options(entry, stack))


def declare(key: str, entry: TrunkEntry, stack: StackConfig) -> OutboundTrunk:
    """The `OutboundTrunk` of one entry, with its credentials as secrets and its resource options."""
    credentials: Credentials | None = stack.credentials.get(key)
    protect = stack.protect if entry.protect is None else entry.protect
    opts = pulumi.ResourceOptions(
        aliases=[pulumi.Alias(name=alias) for alias in entry.aliases] or None,
        protect=protect,
        retain_on_delete=entry.retain_on_delete,
    )
    return OutboundTrunk(key, OutboundTrunkArgs(
        **entry.fields,
        # None (no entry in livekit-sip:credentials) is not "": the provider keeps
        # existing credentials from being cleared unless they are given as "".
        auth_username=pulumi.Output.secret(credentials.username) if credentials else None,
        auth_password=pulumi.Output.secret(credentials.password) if credentials else None,
    ), opts)


def _not_adopted_elsewhere(key: str, adopters: dict[str, str], sip_trunk_id: Any) -> None:
    """Refuse two entries holding one trunk: each `up` would overwrite it with the other's spec.

    IDs of trunks that already exist are known during preview, so this fails the
    preview; a new trunk's ID is not known yet and cannot clash.
    """
    other = adopters.get(sip_trunk_id) if isinstance(sip_trunk_id, str) else None
    if other is not None and other != key:
        raise pulumi.RunError(
            f"invalid stack config:\n{trunk_path(other, 'adopt_trunk_id')}: {sip_trunk_id} is already managed by "
            f"{trunk_path(key)} in this stack. To move it to {other!r}, remove the entry {key!r} in the same "
            f"change (the trunk stays), or rename {key!r} to {other!r} with aliases: [{key}] instead")


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
