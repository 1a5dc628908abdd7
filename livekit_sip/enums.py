"""LiveKit's SIP enums, with the short names used in config, Args and outputs.

Each member's value is its short name; `wire` is LiveKit's protobuf name and
`number` its protobuf number. `parse` takes any of the three, case-insensitive.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound="WireEnum")


class WireEnum(str, Enum):
    """A str enum whose members also carry LiveKit's name and number."""

    wire: str
    number: int

    def __new__(cls, short: str, wire: str, number: int) -> WireEnum:
        member = str.__new__(cls, short)
        member._value_ = short
        member.wire = wire
        member.number = number
        return member

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def choices(cls) -> str:
        """The accepted short names, for error messages."""
        return " | ".join(m.value for m in cls)

    @classmethod
    def parse(cls: type[E], value: Any) -> E:
        """The member named by `value`: a short name, LiveKit's name or the protobuf number.

        Raises:
            ValueError: `value` names no member; the message lists the accepted names.
        """
        if isinstance(value, cls):
            return value
        for member in cls:
            if isinstance(value, int) and not isinstance(value, bool):
                if value == member.number:
                    return member
            elif isinstance(value, str) and value.strip().lower() in (member.value, member.wire.lower()):
                return member
        raise ValueError(f"{value!r} is not one of {cls.choices()}")


class Transport(WireEnum):
    AUTO = ("auto", "SIP_TRANSPORT_AUTO", 0)
    UDP = ("udp", "SIP_TRANSPORT_UDP", 1)
    TCP = ("tcp", "SIP_TRANSPORT_TCP", 2)
    TLS = ("tls", "SIP_TRANSPORT_TLS", 3)


class IncludeHeaders(WireEnum):
    NONE = ("none", "SIP_NO_HEADERS", 0)
    X_HEADERS = ("x_headers", "SIP_X_HEADERS", 1)
    ALL = ("all", "SIP_ALL_HEADERS", 2)


class MediaEncryption(WireEnum):
    DISABLE = ("disable", "SIP_MEDIA_ENCRYPT_DISABLE", 0)
    ALLOW = ("allow", "SIP_MEDIA_ENCRYPT_ALLOW", 1)
    REQUIRE = ("require", "SIP_MEDIA_ENCRYPT_REQUIRE", 2)
