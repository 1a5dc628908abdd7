"""The checks every SIP object's fields share: hosts, E.164 numbers, SIP header names,
countries, PINs (codecs and durations: `livekit_sip.media_values`). Pure functions from a raw
value to the normalized one.

A check that fails raises `Invalid` with the reason and, for a part of the value, where
in it (``[2]``, ``.X-Team``); the spec models (`livekit_sip.fields`) turn that into a
pydantic error whose location names the field, so every message names the stack path.
The rules mirror livekit/protocol's (`sip.go`, `sip_validation.go`) unless a comment says
why they are stricter.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from livekit_sip.enums import WireEnum


class Invalid(ValueError):
    """A value breaks a rule. `at` is where inside the value, e.g. ``[2]``; empty for all of it."""

    def __init__(self, reason: str, at: str = "") -> None:
        self.reason = reason
        self.at = at
        super().__init__(reason)


ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())

# Header names LiveKit refuses in `headers` (livekit/protocol sip_validation.go).
FORBIDDEN_HEADERS = frozenset("""
accept accept-encoding accept-language allow allow-events call-id contact content-encoding
content-length content-type cseq event expires from max-forwards record-route refer-to reply-to
k l m o r t u v
""".split())
# One-letter header names (RFC 3261 7.3.3; o, r, u from RFC 6665 and RFC 3515). LiveKit's list
# holds some of the letters but not f, i, c and e, whose long forms it refuses: a SIP stack reads
# "f" as From, so the letter must be refused wherever the long form is.
COMPACT_HEADERS = {
    "c": "Content-Type", "e": "Content-Encoding", "f": "From", "i": "Call-ID", "k": "Supported",
    "l": "Content-Length", "m": "Contact", "o": "Event", "r": "Refer-To", "s": "Subject", "t": "To",
    "u": "Allow-Events", "v": "Via",
}

# \Z, not $: $ also matches before a trailing newline, which would let "X-Team\n" through.
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}\Z")
_TOKEN = re.compile(r"^[0-9A-Za-z.!%*_+`'~-]{1,255}\Z")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_PRINTABLE = re.compile(r"^[\t\x20-\x7e]*\Z")
_PORT = re.compile(r"^[0-9]{1,5}\Z")


def show(value: Any) -> str:
    """`value` for a message, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def text(value: Any, *, strip: bool = True, required: bool = False, secret: bool = False) -> str:
    """A string; None is empty. A secret's value is never shown."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        shown = "" if secret else f" {show(value)}"
        raise Invalid(f"must be a string, got {type(value).__name__}{shown}")
    result: str = value.strip() if strip else value
    if required and not result:
        raise Invalid("is required")
    return result


def boolean(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise Invalid(f"must be true or false, got {show(value)}")
    return value


def wire_enum(cls: type[WireEnum], value: Any) -> WireEnum | None:
    """A member of `cls` by short name, LiveKit's name or number; None or "" is the default."""
    if value is None or value == "":
        return None
    try:
        return cls.parse(value)
    except ValueError as err:
        raise Invalid(str(err)) from None


def host(value: str) -> str:
    """`value` as `host` or `host:port`; SIP URIs and URI parameters are refused."""
    lowered = value.lower()
    if lowered.startswith(("sip:", "sips:")) or "@" in value:
        raise Invalid(f"{value!r} is a SIP URI; give only the host (and port), e.g. sip.example.com")
    if "transport=" in lowered:
        raise Invalid(f"{value!r} has a transport parameter; use the transport field instead")
    if ";" in value or "/" in value or any(c.isspace() for c in value):
        raise Invalid(f"{value!r} is not a host or host:port")
    name, port = value, None
    if value.startswith("["):
        name, closed, rest = value[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")) or not _is_ipv6(name):
            raise Invalid(f"{value!r} is not a host or host:port; brackets enclose only an IPv6 address")
        port = rest[1:] if rest else None
    elif value.count(":") == 1:
        name, port = value.split(":")
    if port is not None and not (_PORT.match(port) and 0 < int(port) < 65536):
        raise Invalid(f"{value!r} has an invalid port {port!r}")
    if not is_hostname(name):
        raise Invalid(f"{value!r} is not a valid hostname or IP address")
    return value


def is_hostname(name: str) -> bool:
    """Whether `name` is an IP address or a DNS name."""
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    labels = name.rstrip(".").split(".")
    # An all-numeric last label is a mistyped IPv4 address (999.1.1.1), never a DNS name.
    return bool(name) and len(name) <= 253 and all(_HOST_LABEL.match(label) for label in labels) \
        and not labels[-1].isdigit()


def _is_ipv6(name: str) -> bool:
    try:
        ipaddress.IPv6Address(name)
    except ValueError:
        return False
    return True


def string_list(value: Any, item: str = "item") -> list[Any]:
    """`value` as a list (None is empty); a lone string or a map is refused."""
    if value is None:
        return []
    if isinstance(value, (str, Mapping)) or not isinstance(value, (list, tuple)):
        raise Invalid(f"must be a list of {item}s, got {show(value)}")
    return list(value)


def e164_numbers(value: Any, *, wildcard: bool, required: bool) -> tuple[str, ...]:
    """E.164 numbers, each once; with `wildcard`, ``"*"`` alone means any number."""
    hint = "E.164 like +15105550100" + (', or "*"' if wildcard else "")
    if required and (value is None or (isinstance(value, (list, tuple)) and not value)):
        raise Invalid(f"at least one number is required ({hint})")
    seen: list[str] = []
    for index, number in enumerate(string_list(value, "number")):
        if not isinstance(number, str):
            raise Invalid(f"must be a string, got {show(number)}", f"[{index}]")
        number = number.strip()
        if not (wildcard and number == "*") and not _E164.match(number):
            raise Invalid(f"{number!r} is not an E.164 number like +15105550100" + (' (or "*")' if wildcard else ""),
                          f"[{index}]")
        if number in seen:
            raise Invalid(f"{number!r} is listed twice", f"[{index}]")
        seen.append(number)
    if "*" in seen and len(seen) > 1:
        raise Invalid("\"*\" (any number) cannot be combined with other numbers")
    return tuple(seen)


def country(value: Any) -> str:
    code = text(value).upper()
    if code and code not in ISO_COUNTRIES:
        raise Invalid(f"{value!r} is not an ISO 3166-1 alpha-2 country code like US")
    return code


def header_name(name: Any, *, forbid: bool, at: str = "") -> str:
    """A SIP header name (an RFC 3261 token); with `forbid`, not one LiveKit sets itself."""
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise Invalid(f"{show(name)} is not a valid SIP header name (letters, digits, - . ! % * _ + ` ' ~)", at)
    if not forbid:
        return name
    lowered = name.lower()
    long_form = COMPACT_HEADERS.get(lowered)
    if long_form is not None and long_form.lower() in FORBIDDEN_HEADERS:
        raise Invalid(f"{name!r} is the compact form of {long_form}, a header LiveKit sets itself "
                      "and cannot be overridden", at)
    if long_form is not None and lowered in FORBIDDEN_HEADERS:
        raise Invalid(f"{name!r} is the compact form of {long_form}; LiveKit refuses compact "
                      f"header names, write {long_form} in full", at)
    if lowered in FORBIDDEN_HEADERS:
        raise Invalid(f"{name!r} is a header LiveKit sets itself and cannot be overridden", at)
    return name


def string_map(value: Any) -> dict[Any, Any]:
    """`value` as a map of non-empty strings (None is empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise Invalid(f"must be a map of strings, got {show(value)}")
    for key, item in value.items():
        if not isinstance(key, str) or not key or not isinstance(item, str) or not item:
            raise Invalid(f"keys and values must be non-empty strings, got {show(item)}", f".{key}")
    return dict(value)


def headers(value: Any) -> dict[str, str]:
    """Headers LiveKit adds to its SIP messages: names it does not set itself, printable values."""
    checked = string_map(value)
    for name, item in checked.items():
        header_name(name, forbid=True, at=f".{name}")
        if len(item) > 1024 or not _PRINTABLE.match(item):
            raise Invalid("value must be printable ASCII, at most 1024 characters", f".{name}")
    return checked


def headers_to_attributes(value: Any) -> dict[str, str]:
    """SIP header name → participant attribute."""
    checked = string_map(value)
    for name in checked:
        header_name(name, forbid=False, at=f".{name}")
    return checked


def attributes_to_headers(value: Any) -> dict[str, str]:
    """Participant attribute → SIP header name."""
    checked = string_map(value)
    for key, name in checked.items():
        header_name(name, forbid=False, at=f".{key}")
    return checked


_LOOSE_NUMBER = re.compile(r"^\+?[\d\- ()]+\Z")
_PIN = re.compile(r"^[0-9]*\Z")


def normalize_number(number: str) -> str:
    """A phone number as LiveKit compares numbers in its conflict checks
    (livekit/protocol sip NormalizeNumber): ``1 (555) 0001`` is ``+15550001``; other strings as given."""
    if not _LOOSE_NUMBER.match(number):
        return number
    digits = re.sub(r"[\s\-()]", "", number)
    return digits if digits.startswith("+") else "+" + digits


def phone_numbers(value: Any) -> tuple[str, ...]:
    """Numbers as the carrier sends them (LiveKit checks no format), each once.

    LiveKit keeps duplicates and compares ``+15550001`` and ``1 555 0001`` as one number
    in its conflict checks (a dispatch rule even conflicts with itself), so a number
    given twice in either spelling is refused.
    """
    seen: dict[str, str] = {}
    out: list[str] = []
    for index, number in enumerate(string_list(value, "number")):
        if not isinstance(number, str):
            raise Invalid(f"must be a string, got {show(number)}", f"[{index}]")
        number = number.strip()
        if not number:
            raise Invalid("is empty; an empty number is a wildcard LiveKit does not show", f"[{index}]")
        key = normalize_number(number)
        if key in seen:
            same = "" if seen[key] == number else f" (as {seen[key]!r})"
            raise Invalid(f"{number!r} is listed twice{same}", f"[{index}]")
        seen[key] = number
        out.append(number)
    return tuple(out)


def allowed_addresses(value: Any) -> tuple[str, ...]:
    """Source IPs, CIDR ranges or hostnames. LiveKit stores anything, then silently drops
    masks it cannot read at call time, and with none left accepts calls from any source."""
    out: list[str] = []
    for index, item in enumerate(string_list(value, "address")):
        if not isinstance(item, str):
            raise Invalid(f"must be a string, got {show(item)}", f"[{index}]")
        address = item.strip()
        if not _is_address(address):
            raise Invalid(f"{address!r} is not an IP address, CIDR range (10.0.0.0/24) or hostname; LiveKit "
                          "would ignore it at call time and might accept calls from any source", f"[{index}]")
        if address in out:
            raise Invalid(f"{address!r} is listed twice", f"[{index}]")
        out.append(address)
    return tuple(out)


def _is_address(address: str) -> bool:
    if "/" in address:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            return False
        return True
    return is_hostname(address)


def pin(value: Any) -> str:
    """A dispatch rule's PIN: digits the caller types, or "" for none. A whole number is taken
    as its digits: Pulumi YAML hands a digits-only config value over as a number."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    result = text(value)
    if not _PIN.match(result):
        raise Invalid("is not a PIN: digits only (0-9)")  # a PIN is a secret: never shown
    return result


def attributes(value: Any) -> dict[str, str]:
    """Participant attributes. The update action deletes a key sent as "", so LiveKit cannot
    hold an empty value through it: empty values are refused."""
    checked = string_map(value)
    return checked
