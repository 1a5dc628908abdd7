"""The `livekit-sip:trunks`, `inboundTrunks` and `dispatchRules` blocks for SIP objects that
already exist in a LiveKit project.

`render` turns trunks read from LiveKit into YAML to paste into a stack file:
one entry per trunk, camelCase keys, only the fields that differ from LiveKit's
defaults, and `adoptTrunkId` (`adoptRuleId`) so that `pulumi up` takes the object
over instead of creating a new one. A rule's `trunks` name exported inbound trunks by
stack key; IDs of trunks that are not exported stay IDs. SIP credentials and PINs are never
written; comment lines after the block give the `pulumi config set --secret` commands that store them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from livekit_sip import media_values
from livekit_sip.dispatch.config import ENTRY_FIELDS as RULE_ENTRY_FIELDS
from livekit_sip.dispatch.models import DispatchRuleInfo
from livekit_sip.dispatch.provider import PINS
from livekit_sip.dispatch.provider import SECTION as RULES_SECTION
from livekit_sip.dispatch.spec import KIND_FIELDS, KINDS, DispatchRuleSpec
from livekit_sip.errors import ConfigError
from livekit_sip.inbound.config import ENTRY_FIELDS as INBOUND_ENTRY_FIELDS
from livekit_sip.inbound.models import InboundTrunkInfo
from livekit_sip.inbound.provider import CREDENTIALS as INBOUND_CREDENTIALS
from livekit_sip.inbound.provider import SECTION as INBOUND_SECTION
from livekit_sip.inbound.spec import InboundTrunkSpec
from livekit_sip.media import MEDIA_DEFAULTS
from livekit_sip.names import NAMESPACE, camel, secret_path
from livekit_sip.outbound.config import ENTRY_FIELDS
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.provider import CREDENTIALS, SECTION
from livekit_sip.outbound.spec import OutboundTrunkSpec
from livekit_sip.stack_config import read_stack_config

#: Where a trunk's stack key comes from: its name, or its id.
KEY_SOURCES = ("name", "id")
MAX_KEY_LENGTH = 50


def slugify(text: str) -> str:
    """`text` as a stack key: lowercase ASCII letters, digits and single dashes ("" if none remain)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_KEY_LENGTH].rstrip("-")


def stack_keys(trunks: Sequence[Any], key_from: str = "name") -> list[str]:
    """One unique stack key per trunk, in the order given.

    Keys come from the slugged name (or id, with ``key_from="id"``); a trunk whose
    name leaves nothing falls back to its id. When several trunks share a key, the
    first keeps it and the others get ``-2``, ``-3``..., skipping keys that another
    trunk has by right.
    """
    if key_from not in KEY_SOURCES:
        raise ValueError(f"key_from must be one of {', '.join(KEY_SOURCES)}, got {key_from!r}")
    wanted = [
        (slugify(t.name) if key_from == "name" else "") or slugify(_object_id(t)) or "trunk"
        for t in trunks
    ]
    reserved = set(wanted)
    taken: set[str] = set()
    keys = []
    for base in wanted:
        key, n = base, 1
        while key in taken or (n > 1 and key in reserved):
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        keys.append(key)
    return keys


def trunk_entry(trunk: OutboundTrunkInfo, key: str) -> dict[str, Any]:
    """The stack config entry that describes `trunk` under `key`, without credentials.

    Fields at LiveKit's default are left out (so media fields LiveKit holds no value
    for stay unmanaged); `name` is left out when it equals the key (the program
    defaults it to the key); codecs use the ``PCMU/8000`` shorthand; `adoptTrunkId`
    is always last.
    """
    spec = OutboundTrunkSpec.from_info(trunk)
    return _fields_entry(spec, ENTRY_FIELDS, key, {"adopt_trunk_id": trunk.sip_trunk_id}, ("address", "numbers"))


def _object_id(obj: Any) -> str:
    return str(getattr(obj, "sip_trunk_id", None) or getattr(obj, "sip_dispatch_rule_id", ""))


def _fields_entry(spec: Any, fields: Sequence[str], key: str, given: Mapping[str, Any],
                  always: Collection[str] = ()) -> dict[str, Any]:
    """The entry keys of `fields`, in that order: `given` values as they are (None left out),
    `name` unless it is the key, media fields away from LiveKit's default (codecs as
    shorthands), `always` ones, and the rest when they differ from the spec's default."""
    props = spec.props()
    entry: dict[str, Any] = {}
    for field in fields:
        if field in given:
            if given[field] is not None:
                entry[camel(field)] = given[field]
        elif field == "name":
            if spec.name != key:
                entry["name"] = spec.name
        elif field in MEDIA_DEFAULTS:
            value = getattr(spec, field)
            if value != MEDIA_DEFAULTS[field]:
                entry[camel(field)] = [media_values.codec_shorthand(c) for c in value] if field == "codecs" else value
        elif field in always or getattr(spec, field) != type(spec).model_fields[field].default:
            entry[camel(field)] = props[field]
    return entry


def inbound_entry(trunk: InboundTrunkInfo, key: str) -> dict[str, Any]:
    """The `inboundTrunks` entry that describes `trunk` under `key`, without credentials."""
    spec = InboundTrunkSpec.from_info(trunk)
    return _fields_entry(spec, INBOUND_ENTRY_FIELDS, key, {"adopt_trunk_id": trunk.sip_trunk_id})


def rule_entry(rule: DispatchRuleInfo, key: str, trunk_keys: dict[str, str]) -> dict[str, Any]:
    """The `dispatchRules` entry that describes `rule` under `key`; its trunks by stack key
    where `trunk_keys` (trunk ID → key) has them, by ID otherwise, or ``all``."""
    spec = DispatchRuleSpec.from_info(rule)
    entry: dict[str, Any] = {}
    if spec.name != key:
        entry["name"] = spec.name
    entry["trunks"] = [trunk_keys.get(t, t) for t in spec.trunk_ids] or "all"
    if spec.rule is not None:
        kind = spec.rule.kind
        entry[kind] = {camel(f): getattr(spec.rule, f) for f in KIND_FIELDS[kind]
                       if f != "pin" and (getattr(spec.rule, f) or f in ("room_name", "room_prefix"))}
    room = spec.room_config
    given = {"adopt_rule_id": rule.sip_dispatch_rule_id,
             "room_config": room.model_dump(by_alias=True, exclude_defaults=True) if room is not None else None}
    rest = [f for f in RULE_ENTRY_FIELDS if f not in ("name", "trunks", *KINDS)]
    entry.update(_fields_entry(spec, rest, key, given))
    return entry


def has_credentials(trunk: OutboundTrunkInfo | InboundTrunkInfo) -> bool:
    """Whether the trunk authenticates to its SIP provider."""
    return bool(trunk.auth_username or trunk.auth_password)


def credential_commands(key: str, creds: str) -> list[str]:
    """The commands that store a trunk's SIP credentials as stack secrets (each prompts for its value)."""
    return [f"pulumi config set --secret --path '{secret_path(creds, key, part)}'"
            for part in ("username", "password")]


def has_pin(rule: DispatchRuleInfo) -> bool:
    """Whether callers must type a PIN to reach the rule's room."""
    spec = DispatchRuleSpec.from_info(rule)
    return bool(spec.rule is not None and spec.rule.pin)


def render(trunks: Sequence[OutboundTrunkInfo], key_from: str = "name", source: str | None = None,
           inbound: Sequence[InboundTrunkInfo] = (), rules: Sequence[DispatchRuleInfo] = ()) -> str:
    """The YAML text of a ``config:`` block holding `trunks`, then advice as comments.

    Args:
        trunks: outbound trunks as read from LiveKit.
        inbound, rules: inbound trunks and dispatch rules as read from LiveKit.
        key_from: ``"name"`` or ``"id"``: what each stack key is derived from.
        source: where the trunks were read, named in the heading comment.

    Returns:
        Text that `yaml.safe_load` reads as ``{"config": {"livekit-sip:trunks": {...}}}``.
        It holds no SIP username or password.
    """
    keys = stack_keys(trunks, key_from)
    entries = {key: trunk_entry(trunk, key) for key, trunk in zip(keys, trunks, strict=True)}
    inbound_keys = stack_keys(inbound, key_from)
    trunk_keys = {t.sip_trunk_id: key for key, t in zip(inbound_keys, inbound, strict=True)}
    config: dict[str, Any] = {f"{NAMESPACE}:{SECTION}": entries}
    if inbound:
        config[f"{NAMESPACE}:{INBOUND_SECTION}"] = {
            key: inbound_entry(t, key) for key, t in zip(inbound_keys, inbound, strict=True)}
    rule_keys = stack_keys(rules, key_from)
    if rules:
        config[f"{NAMESPACE}:{RULES_SECTION}"] = {
            key: rule_entry(r, key, trunk_keys) for key, r in zip(rule_keys, rules, strict=True)}
    count = f"{len(trunks)} outbound trunk{'' if len(trunks) == 1 else 's'}"
    if inbound or rules:
        count += f", {len(inbound)} inbound trunk(s), {len(rules)} dispatch rule(s)"
    lines = [f"# livekit-sip export: {count}" + (f" from {source}" if source else "")]
    # Flow style for the innermost lists and maps, as in the stack files: numbers: ['+1...'].
    block = yaml.safe_dump({"config": config}, sort_keys=False,
                           default_flow_style=None, allow_unicode=True, width=1000)
    lines.append(block.rstrip("\n"))
    with_auth = [key for key, trunk in zip(keys, trunks, strict=True) if has_credentials(trunk)]
    if with_auth:
        lines.append("# SIP credentials are not exported. Before `pulumi up`, store them as secrets (each command")
        lines.append("# prompts for its value); without them, preview refuses to adopt a trunk that has auth:")
        lines += [f"#   {command}" for key in with_auth for command in credential_commands(key, CREDENTIALS)]
    inbound_auth = [key for key, t in zip(inbound_keys, inbound, strict=True) if has_credentials(t)]
    if inbound_auth:
        lines.append("# Inbound trunks' SIP credentials are not exported either; store them as secrets:")
        lines += [f"#   {command}" for key in inbound_auth for command in credential_commands(key, INBOUND_CREDENTIALS)]
    with_pin = [key for key, rule in zip(rule_keys, rules, strict=True) if has_pin(rule)]
    if with_pin:
        lines.append("# Dispatch rules' PINs are not exported; store them as secrets, or `pulumi up` clears them:")
        lines += [f"#   pulumi config set --secret --path '{secret_path(PINS, key)}'" for key in with_pin]
    lines += [f"# note: {note}" for key, trunk in zip(keys, trunks, strict=True)
              for note in _notes(key, trunk, entries[key])]
    return "\n".join(lines) + "\n"


def _notes(key: str, trunk: OutboundTrunkInfo, entry: dict[str, Any]) -> list[str]:
    """What `pulumi up` would refuse for this entry."""
    notes = []
    try:
        read_stack_config({SECTION: {key: entry}}, Path("."))
    except ConfigError as err:
        notes += [f"{path}: {message} (fix it in LiveKit or in the entry before `pulumi up`)"
                  for path, message in err.problems]
    return notes
