"""Outbound trunks in the stack config: `livekit-sip:trunks`, their SIP credentials in
`livekit-sip:credentials`, and the `OutboundTrunk` each entry declares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from livekit_sip.entries import Entry
from livekit_sip.entry_files import SERVER_KEYS, FileFormat, ReadEntry
from livekit_sip.media import MEDIA_FIELDS
from livekit_sip.outbound.provider import CREDENTIALS, ID, KIND, SECTION
from livekit_sip.outbound.resource import RESOURCE_TYPE, OutboundTrunk, OutboundTrunkArgs, export_trunk
from livekit_sip.outbound.spec import ADOPT, FIELDS, SECRET_FIELDS, parse_spec
from livekit_sip.secret_config import Credentials, SecretSection, read_credentials
from livekit_sip.section import Reading, Section, StackConfig

ENTRY_FIELDS = tuple(f for f in FIELDS if f not in SECRET_FIELDS) + (ADOPT,)
FILE = FileFormat(SECTION, "trunk", "trunk", tuple(f for f in FIELDS if f not in MEDIA_FIELDS),
                  SERVER_KEYS | {ID}, CREDENTIALS, SECRET_FIELDS)


def read(reading: Reading, key: str, entry: ReadEntry) -> tuple[Entry, None]:
    """One entry with `name` defaulted; every rule it breaks goes to the problems."""
    fields = entry.merged(key)
    # Credentials are checked with livekit-sip:credentials; the provider checks the pair again.
    _, errors = parse_spec({**fields, "auth_username": "", "auth_password": ""})
    CONFIG.report(key, entry, fields, errors, reading.problems)
    return Entry(fields=fields, **CONFIG.options(key, entry, reading.problems)), None


def declare(key: str, entry: Entry, stack: StackConfig, declared: Mapping[str, Mapping[str, Any]],
            opts: pulumi.ResourceOptions) -> OutboundTrunk:
    """The `OutboundTrunk` of one entry, with its credentials as secrets."""
    credentials: Credentials | None = stack.secrets.get(CREDENTIALS, {}).get(key)
    return OutboundTrunk(key, OutboundTrunkArgs(
        **entry.fields,
        # None (no entry in livekit-sip:credentials) is not "": the provider keeps
        # existing credentials from being cleared unless they are given as "".
        auth_username=pulumi.Output.secret(credentials.username) if credentials else None,
        auth_password=pulumi.Output.secret(credentials.password) if credentials else None,
    ), opts)


CONFIG = Section(KIND, FILE, ENTRY_FIELDS, read, declare, "trunkIds", "trunks", export_trunk,
                   resource_type=RESOURCE_TYPE, always_export=True,
                   secrets=(SecretSection(CREDENTIALS, "these credentials", read_credentials),))
