"""Settle the pending creates an interrupted `pulumi up` left in a stack's state.

The engine records a pending create before it asks the provider for a trunk, and
records the trunk only when the provider answers. When `pulumi up` is killed in
between, the state keeps the pending create while LiveKit may already hold the
trunk. Pulumi's `refresh --import-pending-creates URN ID` is meant for this, but
Pulumi 3.274 drops such resources instead of recording them (tried against the
real CLI), and each create left as it is would make a duplicate on the next `up`.

`recover` works on the JSON of `pulumi stack export`: each pending create of an
`OutboundTrunk` whose trunk landed becomes a resource with that trunk's ID, and
each one that never reached LiveKit is dropped, so the next `pulumi up` creates it.
A landed trunk is one that no resource of the state holds and whose fields (all
but the credentials, which the export keeps encrypted) equal the pending inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from livekit_sip.errors import LiveKitError
from livekit_sip.outbound.models import OutboundTrunkInfo
from livekit_sip.outbound.provider import ID
from livekit_sip.outbound.resource import RESOURCE_TYPE
from livekit_sip.outbound.spec import ADOPT, FIELDS, SECRET_FIELDS, OutboundTrunkSpec, parse_spec


class RecoverError(LiveKitError):
    """The exported state cannot be settled without a decision only a person can make."""


@dataclass
class Recovery:
    """What `recover` did.

    Attributes:
        state: the exported state with the trunks' pending creates settled.
        recorded: stack key → the ID of the trunk a pending create had made.
        dropped: stack keys whose create never reached LiveKit.
        left: URNs of other resources' pending operations, left for `pulumi refresh`.
    """

    state: dict[str, Any]
    recorded: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        """One line per settled pending create."""
        lines = [f"{key}: its create had reached LiveKit as {sip_trunk_id}; now recorded in the state"
                 for key, sip_trunk_id in self.recorded.items()]
        lines += [f"{key}: its create never reached LiveKit; dropped, so `pulumi up` creates it"
                  for key in self.dropped]
        lines += [f"{urn}: not an outbound trunk, left as it is (recover settles outbound trunks only; an "
                  "inbound trunk or dispatch rule that reached LiveKit is taken over with adoptTrunkId / "
                  "adoptRuleId)" for urn in self.left]
        return lines


def recover(exported: Mapping[str, Any], trunks: Iterable[OutboundTrunkInfo]) -> Recovery:
    """Settle the `OutboundTrunk` pending creates of an exported state.

    Args:
        exported: the JSON object `pulumi stack export` prints.
        trunks: every outbound trunk in the stack's LiveKit project.

    Returns:
        The new state, to load with `pulumi stack import`, and what was done.

    Raises:
        RecoverError: the export has no deployment, or several trunks could be the
            one a pending create made.
    """
    deployment = exported.get("deployment")
    if not isinstance(deployment, Mapping):
        raise RecoverError("not the output of `pulumi stack export`: it has no deployment")
    resources = list(deployment.get("resources") or [])
    held = {r.get("id") for r in resources if r.get("id")}
    unheld = {t.sip_trunk_id: t for t in trunks if t.sip_trunk_id not in held}
    recovery = Recovery(state={})
    pending: list[Any] = []
    for op in deployment.get("pending_operations") or []:
        resource = op.get("resource") or {}
        if op.get("type") != "creating" or resource.get("type") != RESOURCE_TYPE:
            recovery.left.append(str(resource.get("urn")))
            pending.append(op)
            continue
        key = str(resource.get("urn", "")).rsplit("::", 1)[-1]
        inputs = resource.get("inputs") or {}
        landed = _landed(key, inputs, unheld)
        if landed is None:
            recovery.dropped.append(key)
            continue
        unheld.pop(landed)
        recovery.recorded[key] = landed
        # The outputs are refreshed from LiveKit by the next `pulumi refresh`.
        resources.append({**resource, "id": landed, "outputs": {**inputs, ID: landed}})
    recovery.state = {**exported, "deployment": {**deployment, "resources": resources,
                                                 "pending_operations": pending}}
    return recovery


def _landed(key: str, inputs: Mapping[str, Any], unheld: Mapping[str, OutboundTrunkInfo]) -> str | None:
    """The ID of the one trunk that the pending create of `key` made, or None."""
    adopt = inputs.get(ADOPT)
    if isinstance(adopt, str) and adopt:
        # An adopt makes no trunk; the next `up` overwrites the adopted one again.
        return adopt if adopt in unheld else None
    want = _public(inputs)
    if want is None:
        raise RecoverError(f"{key}: the pending create's inputs are not a valid trunk spec")
    matches = sorted(sip_trunk_id for sip_trunk_id, trunk in unheld.items()
                     if not [f for f in want.changed(OutboundTrunkSpec.from_info(trunk, want.unmanaged()))
                             if f not in SECRET_FIELDS])
    if len(matches) > 1:
        raise RecoverError(f"{key}: {len(matches)} trunks that no resource holds match its pending create "
                           f"({', '.join(matches)}); delete all but one in LiveKit, then run recover again")
    return matches[0] if matches else None


def _public(inputs: Mapping[str, Any]) -> OutboundTrunkSpec | None:
    """The spec of pending inputs, credentials left out (the export keeps them encrypted)."""
    spec, _ = parse_spec({f: inputs.get(f) for f in FIELDS if f not in SECRET_FIELDS})
    return spec
