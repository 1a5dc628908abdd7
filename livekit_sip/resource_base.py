"""What the resources share: the props they hand their provider, and their stack outputs."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pulumi

from livekit_sip.kind import AUTH_GIVEN, RESOURCE_NAME
from livekit_sip.names import camel


def base_props(resource_name: str, props: dict[str, Any], id_field: str) -> dict[str, Any]:
    """`props` with what every resource adds: `name` defaults to the resource name, the
    resource name for the provider's messages, and the output-only ID."""
    if props["name"] is None:
        props["name"] = resource_name
    props[RESOURCE_NAME] = resource_name
    props[id_field] = None
    return props


def trunk_props(
    resource_name: str, args: Any, fields: Sequence[str], secret: Sequence[str], adopt: str, id_field: str
) -> dict[str, Any]:
    """A trunk's props from its Args dataclass: secrets always wrapped (None as ""),
    every spec field and the adopt ID present, and whether credentials were given."""
    props: dict[str, Any] = {f.name: getattr(args, f.name) for f in dataclasses.fields(args)}
    # Read by the provider's check only: "" credentials were meant, not forgotten.
    props[AUTH_GIVEN] = args.auth_username is not None or args.auth_password is not None
    for field in secret:
        props[field] = pulumi.Output.secret(props[field] if props[field] is not None else "")
    for field in fields:
        props.setdefault(field, None)
    props.setdefault(adopt, None)
    return base_props(resource_name, props, id_field)


def secret_options(opts: pulumi.ResourceOptions | None, secret: Sequence[str]) -> pulumi.ResourceOptions:
    """`opts` with the secret fields marked as secret outputs."""
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=list(secret)))


def export_outputs(resource: pulumi.Resource, fields: Sequence[str], secret: Sequence[str]) -> pulumi.Output[Any]:
    """The resource's non-secret outputs, camelCase, for a stack output; fields that are
    None (media fields LiveKit keeps for itself) are left out."""
    public = [f for f in fields if f not in secret]
    values = [getattr(resource, f) for f in public]
    return pulumi.Output.all(*values).apply(
        lambda got: {camel(f): v for f, v in zip(public, got, strict=True) if v is not None})
