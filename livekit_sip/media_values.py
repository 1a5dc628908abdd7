"""The checks of media and time values: codecs (``PCMU/8000`` or ``{name, rate}``) and
durations in Go's syntax, normalized as protojson writes them (``1.5s`` → ``1.500s``).
Pure functions from a raw value to the normalized one; a failed check raises `Invalid`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from livekit_sip.validators import Invalid, show
from livekit_sip.wire import Codec

# LiveKit's limit on media_timeout (livekit/protocol sip.go MaxSIPMediaTimeout).
MAX_MEDIA_TIMEOUT_NS = 10 * 60 * 10**9
MAX_CODEC_RATE = 2**32 - 1
# Go's time.ParseDuration syntax, which also reads protojson's "1.500s".
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def codecs(value: Any) -> tuple[Codec, ...] | None:
    """Codecs as ``NAME/RATE`` or ``NAME`` shorthand, or ``{name, rate}``; None is unset."""
    if value is None:
        return None
    if isinstance(value, (str, Mapping)) or not isinstance(value, (list, tuple)):
        raise Invalid(f"must be a list of codecs like [PCMU/8000, opus/48000], got {show(value)}")
    return tuple(codec(item, f"[{index}]") for index, item in enumerate(value))


def codec(value: Any, at: str = "") -> Codec:
    """One codec; the name is checked as LiveKit does (livekit/protocol sip.go SIPCodec.Validate)."""
    if isinstance(value, Codec):
        value = value.model_dump()
    if isinstance(value, str):
        head, slash, tail = value.strip().partition("/")
        if slash and not tail.isdigit():
            raise Invalid(f"{value!r} is not a codec like PCMU/8000 (a name, then a rate in Hz)", at)
        value = {"name": head, "rate": int(tail) if slash else 0}
    if not isinstance(value, Mapping):
        raise Invalid(f"must be a codec like PCMU/8000 or {{name: PCMU, rate: 8000}}, got {show(value)}", at)
    unknown = sorted(str(k) for k in value if k not in ("name", "rate"))
    if unknown:
        raise Invalid(f"unknown key(s) {', '.join(unknown)}; a codec has a name and a rate", at)
    name: Any = value.get("name")
    rate: Any = value.get("rate")
    if not isinstance(name, str) or not name:
        raise Invalid(f"the codec name must be a non-empty string, got {show(name)}", at)
    if any(c.isspace() for c in name) or "/" in name:
        raise Invalid(f"the codec name {name!r} must not contain whitespace or '/'", at)
    if rate is None:
        rate = 0
    elif isinstance(rate, float) and rate.is_integer():
        rate = int(rate)  # Pulumi carries every number as a float
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= MAX_CODEC_RATE:
        raise Invalid(f"the rate of {name} must be a whole number of Hz (0 or left out when not "
                      f"fixed), got {show(rate)}", at)
    return Codec(name=name, rate=rate)


def codec_shorthand(codec: Codec) -> str:
    """`codec` as config shorthand: ``PCMU/8000``, or the bare name when the rate is 0."""
    return f"{codec.name}/{codec.rate}" if codec.rate else codec.name


def parse_duration(text: str) -> int:
    """A duration in Go's syntax (``30s``, ``1m30s``, ``1.5s``, ``500ms``) in nanoseconds.

    Raises:
        ValueError: `text` is not such a duration, or is finer than a nanosecond.
    """
    body = text.strip()
    if body == "0":
        return 0
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    total = Fraction(0)
    position = 0
    for match in _DURATION_PART.finditer(body):
        number = match.group(1)
        if match.start() != position or number in ("", "."):
            break
        total += Fraction(number) * _UNIT_NS[match.group(2)]
        position = match.end()
    if not body or position != len(body):
        raise ValueError(f"{text!r} is not a duration like 30s, 1.5s, 2m or 1m30s")
    if total.denominator != 1:
        raise ValueError(f"{text!r} is finer than a nanosecond")
    return sign * int(total)


def format_duration(nanoseconds: int) -> str:
    """A duration as protojson writes it, LiveKit's answers included: ``30s``, ``1.500s``."""
    sign = "-" if nanoseconds < 0 else ""
    seconds, nanos = divmod(abs(nanoseconds), 10**9)
    result = f"{seconds}.{nanos:09d}"
    for _ in range(2):
        result = result.removesuffix("000")
    return f"{sign}{result.removesuffix('.000')}s"


def canonical_duration(value: str) -> str:
    """`value` as protojson writes it; unchanged when it is no duration."""
    try:
        return format_duration(parse_duration(value))
    except ValueError:
        return value


def duration(value: Any, *, maximum_ns: int | None = None, maximum: str = "") -> str | None:
    """A non-negative duration with a unit, in protojson's form; None is unset."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"must be a duration with a unit, like 30s or 2m, got {show(value)}")
    try:
        nanoseconds = parse_duration(value)
    except ValueError as err:
        raise Invalid(str(err)) from None
    if nanoseconds < 0:
        raise Invalid(f"{value!r} is negative; give 0s (LiveKit's default) to {maximum or 'a positive duration'}")
    if maximum_ns is not None and nanoseconds > maximum_ns:
        raise Invalid(f"{value!r} exceeds LiveKit's maximum of {maximum}")
    return format_duration(nanoseconds)


def media_timeout(value: Any) -> str | None:
    return duration(value, maximum_ns=MAX_MEDIA_TIMEOUT_NS, maximum="10m")


# --- inbound trunks and dispatch rules ---------------------------------------------------------


def positive_duration(value: Any) -> str | None:
    """A duration above zero in protojson's form; None is unset (LiveKit's default)."""
    result = duration(value)
    if result == "0s":
        raise Invalid("'0s' is stored as given and ends calls at once; leave it unset for LiveKit's default")
    return result
