"""The livekit-sip program: one OutboundTrunk per entry of `livekit-sip:trunks`."""

import os
from pathlib import Path

import pulumi

from livekit_sip import OutboundTrunk, OutboundTrunkArgs
from livekit_sip.errors import SpecError
from livekit_sip.resource import export_trunk
from livekit_sip.settings import cleartext_risk
from livekit_sip.stack_config import NAMESPACE, credential_fields, trunk_entries

config = pulumi.Config(NAMESPACE)
risk = cleartext_risk(pulumi.Config("livekit").get("url") or os.environ.get("LIVEKIT_URL", ""))
if risk:
    pulumi.log.warn(risk)
try:
    entries = trunk_entries(config.get_object("trunks"), Path.cwd())
except SpecError as err:
    raise pulumi.RunError(f"invalid stack config:\n{err.reason}") from None

credentials = config.get_secret_object("credentials") or pulumi.Output.secret({})
trunks = {}
for key, entry in entries.items():
    secret = credentials.apply(lambda creds, key=key: credential_fields(key, creds))
    trunks[key] = OutboundTrunk(key, OutboundTrunkArgs(
        **{k: v for k, v in entry.items() if k not in ("auth_username", "auth_password")},
        auth_username=secret.apply(lambda c, e=entry: c.get("auth_username", e.get("auth_username", ""))),
        auth_password=secret.apply(lambda c, e=entry: c.get("auth_password", e.get("auth_password", ""))),
    ))

pulumi.export("trunkIds", {key: trunk.sip_trunk_id for key, trunk in trunks.items()})
pulumi.export("trunks", {key: export_trunk(trunk) for key, trunk in trunks.items()})
