"""How the stack config names things: its namespace, camelCase keys, the path of an entry or
a secret, and the command that stores a secret. Every message that names a stack path builds
it here."""

from __future__ import annotations

import re

NAMESPACE = "livekit-sip"


def camel(name: str) -> str:
    """snake_case → camelCase."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def snake(name: str) -> str:
    """camelCase → snake_case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def section_path(section: str, key: str, field: str = "") -> str:
    """The stack config path of an entry of `section` (trunks, inboundTrunks, dispatchRules) or of
    one of its fields, camelCase."""
    if not field:
        return f"{NAMESPACE}:{section}.{key}"
    field = re.sub(r"^[a-z_]+", lambda m: camel(m.group(0)), field)
    return f"{NAMESPACE}:{section}.{key}.{field}"


def secret_path(section: str, key: str, leaf: str = "") -> str:
    """The stack config path of the secrets of entry `key` in secret section `section`
    (credentials, inboundCredentials, pins), or of one of their keys (`leaf`)."""
    return f"{NAMESPACE}:{section}.{key}" + (f".{leaf}" if leaf else "")


def secret_command(section: str, key: str, leaf: str = "") -> str:
    """The command that stores one secret; `--` keeps a value that begins with `-` from being
    read as a flag."""
    return f"pulumi config set --secret --path '{secret_path(section, key, leaf)}' -- <value>"
