"""What the resources share: their stack outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from livekit_sip.stack_config import camel


def export_outputs(resource: pulumi.Resource, fields: Sequence[str], secret: Sequence[str]) -> pulumi.Output[Any]:
    """The resource's non-secret outputs, camelCase, for a stack output; fields that are
    None (media fields LiveKit keeps for itself) are left out."""
    public = [f for f in fields if f not in secret]
    values = [getattr(resource, f) for f in public]
    return pulumi.Output.all(*values).apply(
        lambda got: {camel(f): v for f, v in zip(public, got, strict=True) if v is not None})
