"""Inbound trunks in the stack config: `livekit-sip:inboundTrunks`, their SIP credentials in
`livekit-sip:inboundCredentials` (a section of their own, so a key used for an outbound and an
inbound trunk never shares credentials), and the `InboundTrunk` each entry declares."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pulumi

from livekit_sip import conflicts
from livekit_sip.entries import Entry
from livekit_sip.entry_files import SERVER_KEYS, FileFormat, ReadEntry
from livekit_sip.inbound.provider import CREDENTIALS, ID, KIND, SECTION
from livekit_sip.inbound.resource import RESOURCE_TYPE, InboundTrunk, InboundTrunkArgs, export_inbound_trunk
from livekit_sip.inbound.spec import ADOPT, FIELDS, SECRET_FIELDS, parse_spec
from livekit_sip.media import MEDIA_FIELDS
from livekit_sip.secret_config import SecretSection, read_credentials
from livekit_sip.section import Reading, Section, StackConfig

ENTRY_FIELDS = tuple(f for f in FIELDS if f not in SECRET_FIELDS) + (ADOPT,)
FILE = FileFormat(SECTION, "inbound trunk", "trunk", tuple(f for f in FIELDS if f not in MEDIA_FIELDS),
                  SERVER_KEYS | {ID}, CREDENTIALS, SECRET_FIELDS)


def read(reading: Reading, key: str, entry: ReadEntry) -> tuple[Entry, set[Any] | None]:
    """One entry; its credentials count only as given or not (`inboundCredentials` checks them),
    and only with a username: cleared credentials ("") protect nothing."""
    fields = entry.merged(key)
    given = reading.raw.get(CREDENTIALS)
    leaves = given.get(key) if isinstance(given, Mapping) else None
    auth = "given" if isinstance(leaves, Mapping) and leaves.get("username") not in (None, "") else ""
    spec, errors = parse_spec({**fields, "auth_username": auth, "auth_password": auth})
    CONFIG.report(key, entry, fields, errors, reading.problems)
    keys = spec.conflict_keys() if spec is not None else None
    return Entry(fields=fields, **CONFIG.options(key, entry, reading.problems)), keys


def explain(clash: Hashable) -> str:
    return (f"both take calls to {conflicts.describe_inbound(clash)}, and LiveKit refuses two inbound trunks "
            "for one number and caller; tell them apart with allowedNumbers, or merge them")


def declare(key: str, entry: Entry, stack: StackConfig, declared: Mapping[str, Mapping[str, Any]],
            opts: pulumi.ResourceOptions) -> InboundTrunk:
    """The `InboundTrunk` of one entry, its credentials from `inboundCredentials`."""
    credentials = stack.secrets.get(CREDENTIALS, {}).get(key)
    return InboundTrunk(key, InboundTrunkArgs(
        **entry.fields,
        auth_username=pulumi.Output.secret(credentials.username) if credentials else None,
        auth_password=pulumi.Output.secret(credentials.password) if credentials else None,
    ), opts)


CONFIG = Section(KIND, FILE, ENTRY_FIELDS, read, declare, "inboundTrunkIds", "inboundTrunks", export_inbound_trunk,
                 resource_type=RESOURCE_TYPE, explain_conflict=explain,
                 secrets=(SecretSection(CREDENTIALS, "these credentials", read_credentials),))
