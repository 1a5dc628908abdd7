"""The stack-config program: one `OutboundTrunk` per entry of `livekit-sip:trunks`.

A Pulumi project's `__main__.py` is two lines::

    from livekit_sip import program
    program.run()

`run()` reads `livekit-sip:*` and `livekit:*` config, declares the trunks, exports
`trunkIds` and `trunks`, and returns the trunks by stack key, so a program can
add outputs or resources of its own.
"""

from __future__ import annotations

import functools
import operator
import os
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings

from livekit_sip.errors import SettingsError, SpecError
from livekit_sip.resource import OutboundTrunk, OutboundTrunkArgs, export_trunk
from livekit_sip.settings import cleartext_risk
from livekit_sip.stack_config import NAMESPACE, credential_fields, trunk_entries


class ProgramError(SettingsError):
    """`run()` was called where no Pulumi engine is running."""


def run() -> dict[str, OutboundTrunk]:
    """Declare the trunks of the current stack's config and export their IDs and fields.

    `file:` paths in trunk entries are relative to the Pulumi project directory
    (where `Pulumi.yaml` is).

    Returns:
        The declared trunks by stack key.

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
    try:
        entries = trunk_entries(config.get_object("trunks"), project_dir())
    except SpecError as err:
        raise pulumi.RunError(f"invalid stack config:\n{err.reason}") from None

    credentials = config.get_secret_object("credentials") or pulumi.Output.secret({})
    trunks: dict[str, OutboundTrunk] = {}
    for key, entry in entries.items():
        secret = credentials.apply(functools.partial(_credentials, key, entry))
        trunks[key] = OutboundTrunk(key, OutboundTrunkArgs(
            **{k: v for k, v in entry.items() if k not in ("auth_username", "auth_password")},
            auth_username=secret.apply(operator.itemgetter("auth_username")),
            auth_password=secret.apply(operator.itemgetter("auth_password")),
        ))

    pulumi.export("trunkIds", {key: trunk.sip_trunk_id for key, trunk in trunks.items()})
    pulumi.export("trunks", {key: export_trunk(trunk) for key, trunk in trunks.items()})
    return trunks


def _credentials(key: str, entry: dict[str, Any], creds: Any) -> dict[str, str]:
    """The trunk's username and password: from `livekit-sip:credentials`, else its entry."""
    found = credential_fields(key, creds)
    return {field: found.get(field, entry.get(field, "")) for field in ("auth_username", "auth_password")}


def project_dir() -> Path:
    """The directory of the project's `Pulumi.yaml` (the program's directory when unknown)."""
    root = runtime_settings.get_root_directory()
    return Path(root) if root else Path.cwd()
