"""Dispatch rules in the stack config: `livekit-sip:dispatchRules`, their PINs in
`livekit-sip:pins`, and the `DispatchRule` each entry declares.

A rule names its inbound trunks by stack key (`trunks: [carrier-us]`), by ``ST_...`` ID, or
says ``trunks: all``. Its PIN is a secret of its own section, so the rules stay readable in
`pulumi config` while every PIN is one secret value that preview can check alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from livekit_sip import conflicts, validators
from livekit_sip.dispatch.provider import ID, KIND, PINS, SECTION
from livekit_sip.dispatch.resource import RESOURCE_TYPE, DispatchRule, DispatchRuleArgs, export_dispatch_rule
from livekit_sip.dispatch.spec import ADOPT, FIELDS, KINDS, parse_spec
from livekit_sip.entries import Entry, Problems, hint, section_map
from livekit_sip.entry_files import SERVER_KEYS, FileFormat, ReadEntry
from livekit_sip.fields import TRUNK_ID
from livekit_sip.media import MEDIA_FIELDS
from livekit_sip.names import NAMESPACE, secret_command, secret_path, section_path, snake
from livekit_sip.secrecy import Secrecy
from livekit_sip.secret_config import SecretSection, as_text, undecidable
from livekit_sip.section import Reading, Section, StackConfig

#: A rule entry's keys: the kind of rule (one of them), `trunks` for `trunk_ids`, and the rest of the spec.
ENTRY_FIELDS = (*KINDS, "trunks") + tuple(f for f in FIELDS if f not in ("rule", "trunk_ids")) + (ADOPT,)
#: The keys of a rule's `rule` object in LiveKit's JSON (`dispatch_rule_<kind>`).
RULE_MEMBER = "dispatch_rule_"
ALL = "all"
#: The section whose stack keys a rule's `trunks` name. Named, not imported: the kinds stay
#: independent of each other (`make lint`), and `livekit_sip.kinds` reads inbound trunks first.
INBOUND_SECTION = "inboundTrunks"


@dataclass(frozen=True)
class RuleEntry(Entry):
    """One `livekit-sip:dispatchRules` entry.

    Attributes:
        trunks: the inbound trunks the rule applies to: stack keys of
            `livekit-sip:inboundTrunks`, or trunk IDs (``ST_...``) of trunks outside the stack.
        all_trunks: the entry said ``trunks: all`` (every trunk, and calls matching none).
    """

    trunks: tuple[str, ...] = ()
    all_trunks: bool = False


def pin_command(key: str) -> str:
    """The command that stores a dispatch rule's PIN as a stack secret."""
    return secret_command(PINS, key)


def read_pins(raw: Any, section: SecretSection, secrecy: Secrecy, problems: Problems) -> dict[str, str]:
    """`livekit-sip:pins`: each dispatch rule's PIN by rule key, every one a secret."""
    found: dict[str, str] = {}
    if undecidable(raw, section.name, secrecy, problems):
        return found
    for key, value in section_map(raw, section.name, problems, "map of dispatch rule key to PIN").items():
        key, path, value = str(key), secret_path(section.name, str(key)), as_text(value)
        if not isinstance(value, str):
            problems.append((path, f"must be a PIN of digits, got {type(value).__name__}"))
        elif value and (key,) in secrecy.plaintext:
            problems.append((path, f"is stored in plain text; PINs must be secrets: run {pin_command(key)}"))
        else:
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
                    problems.append((section_path(SECTION, key, f"{kind}.{name}") + where,
                                     f"PINs are secrets and live in {NAMESPACE}:{PINS}"
                                     + (" (not in a file that is committed)" if where else "")
                                     + f": remove it here and run {pin_command(key)}"))
            inner = {name: item for name, item in inner.items() if name not in pins}
        out[kind] = inner
    return out


def _file_rule(found: dict[str, Any], key: str, where: str, problems: Problems) -> dict[str, Any]:
    """A rule file's `rule` as the entry's kind key, and its `trunk_ids` checked as trunk IDs."""
    out = dict(found)
    rule = out.pop("rule", None)
    if isinstance(rule, Mapping):
        for name, inner in rule.items():
            kind = snake(str(name)).removeprefix(RULE_MEMBER)
            if kind not in KINDS:
                problems.append((section_path(SECTION, key, f"rule.{name}") + where, "unknown rule kind; one of "
                                 + ", ".join(RULE_MEMBER + k for k in KINDS)))
                continue
            out[kind] = {} if inner is None else inner
        out.update(_pin_in_rule({k: out[k] for k in KINDS if k in out}, key, where, problems))
    elif rule is not None:
        problems.append((section_path(SECTION, key, "rule") + where, f"must be an object, got {type(rule).__name__}"))
    trunk_ids = out.pop("trunk_ids", None)
    if trunk_ids in (None, []):
        return out  # LiveKit reads none as every trunk: the entry must say trunks (or all) itself
    if not isinstance(trunk_ids, list):
        problems.append((section_path(SECTION, key, "trunk_ids") + where, "must be a list of trunk IDs (ST_...)"))
        return out
    ids: list[str] = []
    for index, item in enumerate(trunk_ids):
        at = section_path(SECTION, key, f"trunk_ids[{index}]") + where
        if not isinstance(item, str) or not TRUNK_ID.match(item.strip()):
            problems.append((at, "must be a trunk ID like ST_xxxxxxxxxxxx; name trunks of this stack by stack "
                                 "key in the entry's trunks instead"))
        elif item.strip() in ids:
            problems.append((at, f"{item.strip()!r} is listed twice"))
        else:
            ids.append(item.strip())
    out["trunk_ids"] = ids
    return out


def _trunks(value: Any, key: str, inbound: Mapping[str, Entry], problems: Problems) -> tuple[tuple[str, ...], bool]:
    """A rule's `trunks`: ``all``, or inbound trunk stack keys and ``ST_...`` IDs, each once."""
    path = section_path(SECTION, key, "trunks")
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
            _, shown = hint(item, list(inbound))
            problems.append((at, f"{item!r} is no key of {NAMESPACE}:{INBOUND_SECTION} and no trunk ID{shown}"))
            continue
        if item in found:
            problems.append((at, f"{item!r} is listed twice"))
            continue
        found.append(item)
    return tuple(found), False


def read(reading: Reading, key: str, entry: ReadEntry) -> tuple[RuleEntry, set[Any] | None]:
    """One rule: its kind, its trunks (stack keys of the inbound trunks read before it), and
    its PIN from `livekit-sip:pins`, which takes part in the checks but is never kept."""
    problems = reading.problems
    loaded = dict(entry.loaded)
    if any(kind in entry.fields for kind in KINDS):
        # One rule kind: the stack config's replaces the file's whole.
        loaded = {k: v for k, v in loaded.items() if k not in KINDS}
    file_trunks = loaded.pop("trunk_ids", None)
    fields = {**loaded, **entry.fields}
    fields.setdefault("name", key)
    if "trunks" not in fields and file_trunks:
        trunks, all_trunks = tuple(file_trunks), False
    else:
        trunks, all_trunks = _trunks(fields.pop("trunks", None), key, reading.entries.get(INBOUND_SECTION, {}),
                                     problems)
    kinds = _pin_in_rule({kind: fields.pop(kind) for kind in KINDS if kind in fields}, key, "", problems)
    pin = reading.secrets.get(PINS, {}).get(key, "")
    checked = {kind: {**inner, "pin": pin} if isinstance(inner, Mapping) and pin else inner
               for kind, inner in kinds.items()}
    spec, errors = parse_spec({**fields, "rule": checked or None, "trunk_ids": list(trunks)})
    errors = [err for err in errors if not err.field.startswith("trunk_ids")]  # checked by _trunks
    CONFIG.report(key, entry, fields, errors, problems,
                  lambda at: at.removeprefix("rule.").removeprefix("rule") if at.startswith("rule") else at)
    keys = spec.conflict_keys() if spec is not None else None
    return RuleEntry(fields={**fields, "rule": kinds}, trunks=trunks, all_trunks=all_trunks,
                     **CONFIG.options(key, entry, problems)), keys


def explain(clash: Hashable) -> str:
    return (f"both dispatch calls for {conflicts.describe_rule(clash)}, and LiveKit refuses two rules for the same "
            "trunk, numbers and PIN, whatever their rooms; narrow one with trunks, numbers, inboundNumbers or a pin")


def declare(key: str, entry: RuleEntry, stack: StackConfig, declared: Mapping[str, Mapping[str, Any]],
            opts: pulumi.ResourceOptions) -> DispatchRule:
    """The `DispatchRule` of one entry: trunks named by stack key become those trunks' ID
    outputs, so the rule depends on them; its PIN comes from `livekit-sip:pins`."""
    fields = dict(entry.fields)
    kinds = fields.pop("rule")
    pin = stack.secrets.get(PINS, {}).get(key)
    if pin:
        kinds = {kind: {**inner, "pin": pin} for kind, inner in kinds.items()}
    inbound = declared.get(INBOUND_SECTION, {})
    trunk_ids: list[Any] = [inbound[ref].sip_trunk_id if ref in inbound else ref for ref in entry.trunks]
    return DispatchRule(key, DispatchRuleArgs(**fields, **kinds, trunk_ids=trunk_ids, all_trunks=entry.all_trunks),
                        opts)


FILE = FileFormat(SECTION, "dispatch rule", "dispatch_rule", tuple(f for f in FIELDS if f not in MEDIA_FIELDS),
                  SERVER_KEYS | {ID}, post=_file_rule)
CONFIG = Section(KIND, FILE, ENTRY_FIELDS, read, declare, "dispatchRuleIds", "dispatchRules", export_dispatch_rule,
                 resource_type=RESOURCE_TYPE, explain_conflict=explain,
                 secrets=(SecretSection(PINS, "this PIN", read_pins),))
