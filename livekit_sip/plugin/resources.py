"""The provider plugin's resources for Python programs: `OutboundTrunk`, `InboundTrunk` and
`DispatchRule`, taking the same `*Args` as the dynamic resources of `livekit_sip`.

They are `livekit-sip:index:*` resources served by `pulumi-resource-livekit-sip`, so they
run with the engine's `--parallel`, `pulumi import` works for them, and a stack of them
can be shared with YAML and TypeScript programs. Adopting an existing object is the
`import_` resource option here (the dynamic resources' `adopt_*_id` is refused).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import pulumi
from pulumi import Output, ResourceOptions

from livekit_sip.dispatch.resource import DispatchRuleArgs
from livekit_sip.dispatch.spec import KINDS
from livekit_sip.inbound.resource import InboundTrunkArgs
from livekit_sip.kinds import SECTIONS
from livekit_sip.names import camel
from livekit_sip.outbound.resource import OutboundTrunkArgs
from livekit_sip.plugin.schema import type_token
from livekit_sip.section import Section


def _section(noun: str) -> Section:
    return next(section for section in SECTIONS if section.kind.noun == noun)


class _PluginResource(pulumi.CustomResource):
    """A resource of the plugin: snake_case in Python, camelCase on the wire."""

    _noun = ""

    def __init__(self, resource_name: str, args: Any, opts: ResourceOptions | None = None) -> None:
        section = _section(self._noun)
        kind = section.kind
        props: dict[str, Any] = {}
        for item in dataclasses.fields(args):
            value = getattr(args, item.name)
            if item.name == kind.adopt:
                if value is not None:
                    raise pulumi.RunError(f"{resource_name}: {kind.adopt} is for the dynamic resources; adopt an "
                                          f"existing {kind.noun} here with ResourceOptions(import_={value!r})")
                continue
            if value is not None and item.name not in KINDS:
                props[item.name] = value
        secret = [f for f in kind.spec.secret_fields() if f in props]
        for field in secret:
            props[field] = Output.secret(props[field])
        rule = {k: getattr(args, k) for k in KINDS if getattr(args, k, None) is not None}
        if rule:
            # A rule whose PIN is set is secret whole, as the plugin answers it.
            pinned = any(isinstance(inner, dict) and inner.get("pin") for inner in rule.values())
            props["rule"] = Output.secret(rule) if pinned else rule
            secret += ["rule"] if pinned else []
        if props.get("all_trunks") is False:
            del props["all_trunks"]
        props.setdefault("name", resource_name)
        for field in kind.spec.fields():
            props.setdefault(field, None)
        props[kind.id_field] = None
        opts = ResourceOptions.merge(opts, ResourceOptions(additional_secret_outputs=secret))
        super().__init__(type_token(section), resource_name, props, opts)

    # The SDK applies these at every depth of a value: only the resource's own property names
    # change, never a key inside a value (a header, an attribute, a rule's fields).
    def translate_output_property(self, prop: str) -> str:
        return _names(self._noun)[1].get(prop, prop)

    def translate_input_property(self, prop: str) -> str:
        return _names(self._noun)[0].get(prop, prop)


@functools.cache
def _names(noun: str) -> tuple[dict[str, str], dict[str, str]]:
    """The property names of a kind, snake_case → camelCase, and back."""
    kind = _section(noun).kind
    to_wire = {name: camel(name) for name in (*kind.spec.fields(), kind.id_field, "all_trunks")}
    return to_wire, {wire: name for name, wire in to_wire.items()}


class OutboundTrunk(_PluginResource):
    """A LiveKit SIP outbound trunk, served by the plugin. Its ID is the trunk ID (``ST_...``)."""

    _noun = "trunk"
    sip_trunk_id: pulumi.Output[str]

    def __init__(self, resource_name: str, args: OutboundTrunkArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__(resource_name, args, opts)


class InboundTrunk(_PluginResource):
    """A LiveKit SIP inbound trunk, served by the plugin. Its ID is the trunk ID (``ST_...``)."""

    _noun = "inbound trunk"
    sip_trunk_id: pulumi.Output[str]

    def __init__(self, resource_name: str, args: InboundTrunkArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__(resource_name, args, opts)


class DispatchRule(_PluginResource):
    """A LiveKit SIP dispatch rule, served by the plugin. Its ID is the rule ID (``SDR_...``)."""

    _noun = "dispatch rule"
    sip_dispatch_rule_id: pulumi.Output[str]

    def __init__(self, resource_name: str, args: DispatchRuleArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__(resource_name, args, opts)


__all__ = ["DispatchRule", "DispatchRuleArgs", "InboundTrunk", "InboundTrunkArgs", "OutboundTrunk",
           "OutboundTrunkArgs"]
