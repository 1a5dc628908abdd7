"""Settle the pending creates an interrupted `pulumi up` left in a stack's state.

The engine records a pending create before it asks the provider for an object, and
records the object only when the provider answers. When `pulumi up` is killed in
between, the state keeps the pending create while LiveKit may already hold the
object. Pulumi's `refresh --import-pending-creates URN ID` is meant for this, but
Pulumi 3.274 drops such resources instead of recording them (tried against the
real CLI), and each create left as it is would make a duplicate on the next `up`.

`recover` works on the JSON of `pulumi stack export`, for every kind in
`livekit_sip.kinds`: each pending create whose object landed becomes a resource
with that object's ID, and each one that never reached LiveKit is dropped, so the
next `pulumi up` creates it. A landed object is one of the same kind that no
resource of the state holds and whose fields equal the pending inputs, leaving out
the fields the export keeps encrypted (credentials; a rule whose PIN is set). A
rule is created only once its trunks are, so a rule that waited on a trunk left
pending was never sent: `up` creates it with the trunk's ID recorded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from livekit_sip.errors import LiveKitError
from livekit_sip.kinds import SECTIONS
from livekit_sip.media import unmanaged
from livekit_sip.names import camel, snake
from livekit_sip.plugin.schema import type_token
from livekit_sip.section import Section

#: How `pulumi stack export` writes a secret value: this key, this value, and "ciphertext".
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


class RecoverError(LiveKitError):
    """The exported state cannot be settled without a decision only a person can make."""


@dataclass(frozen=True)
class Settled:
    """One pending create settled: the kind's noun, the stack key, and the object's ID ("" if dropped)."""

    noun: str
    key: str
    object_id: str = ""


@dataclass
class Recovery:
    """What `recover` did.

    Attributes:
        state: the exported state with the pending creates settled.
        recorded: the creates that had reached LiveKit, now resources with the object's ID.
        dropped: the creates that never reached LiveKit.
        redone: replacements and adopts, left for the next `up` to do again.
        left: URNs of other pending operations, left for `pulumi refresh`.
    """

    state: dict[str, Any]
    recorded: list[Settled] = field(default_factory=list)
    dropped: list[Settled] = field(default_factory=list)
    redone: list[Settled] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """One line per pending operation."""
        lines = [f"{s.noun} {s.key}: its create had reached LiveKit as {s.object_id}; now recorded in the state"
                 for s in self.recorded]
        lines += [f"{s.noun} {s.key}: its create never reached LiveKit; dropped, so `pulumi up` creates it"
                  for s in self.dropped]
        lines += [f"{s.noun} {s.key}: a replacement or an adopt; dropped, so `pulumi up` does it again (and takes "
                  "over what it had made)" for s in self.redone]
        lines += [f"{urn}: not a pending create of a livekit-sip object; left as it is for `pulumi refresh`"
                  for urn in self.left]
        return lines


def stack_of(urn: str) -> str:
    """The stack a URN belongs to (``urn:pulumi:<stack>::<project>::…``)."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:") if urn.startswith("urn:pulumi:") else ""


def recover(exported: Mapping[str, Any], objects: Mapping[str, Iterable[Any]], *, stack: str | None = None,
            project: str = "the LiveKit project") -> Recovery:
    """Settle the pending creates of livekit-sip objects in an exported state.

    Args:
        exported: the JSON object `pulumi stack export` prints.
        objects: every object of the LiveKit project, by service name (`Kind.service`) of
            each kind; a kind left out counts as having none.
        stack: the stack the export must be of, when known.
        project: the LiveKit project in words, for messages (its URL).

    Returns:
        The new state, to load with `pulumi stack import`, and what was done.

    Raises:
        RecoverError: the export has no deployment, is of another stack or LiveKit
            project, or several objects could be the one a pending create made.
    """
    deployment = check_export(exported, stack)
    resources = list(deployment.get("resources") or [])
    operations = list(deployment.get("pending_operations") or [])
    # The dynamic resources' types, and the plugin's (whose properties are camelCase).
    by_type = {section.resource_type: section for section in SECTIONS}
    by_type |= {type_token(section): section for section in SECTIONS}
    listed = {section.kind.service: list(objects.get(section.kind.service, ())) for section in SECTIONS}
    held = {r.get("id") for r in resources if r.get("id")}
    _check_project(resources, by_type, listed, project)
    unheld = {s.kind.service: {s.kind.object_id(o): o for o in listed[s.kind.service]
                               if s.kind.object_id(o) not in held} for s in SECTIONS}
    recovery = Recovery(state={})
    pending: list[Any] = []
    for op in operations:
        resource = op.get("resource") or {}
        section = by_type.get(str(resource.get("type")))
        if op.get("type") != "creating" or section is None:
            recovery.left.append(str(resource.get("urn")))
            pending.append(op)
            continue
        urn = str(resource.get("urn", ""))
        key = urn.rsplit("::", 1)[-1]
        plugin = resource.get("type") == type_token(section)
        inputs = resource.get("inputs") or {}
        if any(r.get("urn") == urn for r in resources) or _adopts(section, inputs, plugin):
            # A replacement (the old object is still in the state) or an adopt (it makes no
            # object): the next `up` does it again, and takes over whatever it had made.
            recovery.redone.append(Settled(section.kind.noun, key))
            continue
        candidates = unheld[section.kind.service]
        landed = _landed(section, key, {snake(k): v for k, v in inputs.items()} if plugin else inputs, candidates)
        if landed is None:
            recovery.dropped.append(Settled(section.kind.noun, key))
            continue
        candidates.pop(landed)
        recovery.recorded.append(Settled(section.kind.noun, key, landed))
        # The outputs are refreshed from LiveKit by the next `pulumi refresh`.
        id_key = camel(section.kind.id_field) if plugin else section.kind.id_field
        resources.append({**resource, "id": landed, "outputs": {**inputs, id_key: landed}})
    recovery.state = {**exported, "deployment": {**deployment, "resources": resources,
                                                 "pending_operations": pending}}
    return recovery


def check_export(exported: Mapping[str, Any], stack: str | None = None) -> Mapping[str, Any]:
    """The deployment of `exported`; refuses what is no export, or one of another stack than `stack`."""
    deployment = exported.get("deployment")
    if not isinstance(deployment, Mapping) or not isinstance(deployment.get("resources") or [], list):
        raise RecoverError("not the output of `pulumi stack export`: it has no deployment")
    resources = list(deployment.get("resources") or [])
    operations = list(deployment.get("pending_operations") or [])
    if not all(isinstance(r, Mapping) for r in resources) or not all(isinstance(o, Mapping) for o in operations):
        raise RecoverError("not the output of `pulumi stack export`: its resources are not objects")
    urns = [str(r.get("urn", "")) for r in resources] + [str((op.get("resource") or {}).get("urn", ""))
                                                          for op in operations]
    stacks = sorted({stack_of(urn) for urn in urns} - {""})
    if stack is not None and stacks and stacks != [stack]:
        raise RecoverError(f"the export is of stack {', '.join(stacks)}, not {stack}; export stack {stack} with "
                           f"`pulumi stack export --stack {stack} --file FILE` and recover that file")
    return deployment


def _check_project(resources: list[Any], by_type: Mapping[str, Section], listed: Mapping[str, list[Any]],
                   project: str) -> None:
    """Refuse an export whose objects are all missing from the LiveKit project: another
    stack's, or LIVEKIT_* naming another project. Settling it would drop every pending create."""
    ids = {str(r["id"]) for r in resources if r.get("id") and r.get("type") in by_type}
    live = {s.kind.object_id(o) for s in SECTIONS for o in listed[s.kind.service]}
    if ids and not ids & live:
        raise RecoverError(f"none of the {len(ids)} objects the exported state holds is in {project}: is the "
                           "export of another stack, or are LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET "
                           "set to another project? Set them to the stack's project and run recover again")


def _encrypted(value: Any) -> bool:
    """Whether `value` is, or holds anywhere inside it, a value the export keeps encrypted."""
    if isinstance(value, Mapping):
        return value.get(SECRET_SIG[0]) == SECRET_SIG[1] or any(_encrypted(v) for v in value.values())
    if isinstance(value, list):
        return any(_encrypted(v) for v in value)
    return False


def _adopts(section: Section, inputs: Mapping[str, Any], plugin: bool) -> bool:
    adopt = inputs.get(camel(section.kind.adopt) if plugin else section.kind.adopt)
    return isinstance(adopt, str) and bool(adopt)


def _landed(section: Section, key: str, inputs: Mapping[str, Any], unheld: Mapping[str, Any]) -> str | None:
    """The ID of the one object that the pending create of `key` made, or None."""
    kind, noun = section.kind, section.kind.noun
    # Left out: secret fields (the export keeps them encrypted, and LiveKit may not show a
    # password) and any input holding an encrypted value (a rule with a PIN is secret whole).
    hidden = set(kind.spec.secret_fields()) | {f for f, v in inputs.items() if _encrypted(v)}
    want, _ = kind.spec.parse({f: v for f, v in inputs.items() if f in kind.spec.fields() and f not in hidden})
    if want is None:
        raise RecoverError(f"{noun} {key}: the pending create's inputs are not a valid {noun} spec")
    from_info = kind.spec.from_info  # type: ignore[attr-defined]
    matches = sorted(object_id for object_id, info in unheld.items()
                     if not set(want.changed(from_info(info, unmanaged(want.props())))) - hidden)
    if len(matches) > 1:
        raise RecoverError(f"{noun} {key}: {len(matches)} {noun}s that no resource holds match its "
                           f"pending create ({', '.join(matches)}); delete all but one in LiveKit, then run recover "
                           "again")
    return matches[0] if matches else None
