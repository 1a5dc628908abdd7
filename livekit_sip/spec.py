"""The trunk spec: what a stack says a trunk should be, normalized and validated.

`parse_spec` turns provider inputs (or outputs) into a `TrunkSpec`, collecting
every rule it breaks as a `SpecError` naming the field. All checks run before
any API call, so a bad spec fails `pulumi preview`. `TrunkSpec.to_info` and
`spec_from_info` convert to and from LiveKit's wire model.

The media fields other than the encryption (`MEDIA_FIELDS`) may be left unset
(None): livekit-sip then neither writes nor reads them, and LiveKit keeps what
it holds. Every other field always has a value, LiveKit's default if not given.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from livekit_sip.enums import IncludeHeaders, MediaEncryption, Transport, WireEnum
from livekit_sip.errors import SpecError
from livekit_sip.models import Codec, MediaConfig, TrunkInfo

#: The spec fields, in the order outputs list them.
FIELDS = (
    "name", "address", "numbers", "auth_username", "auth_password", "transport",
    "destination_country", "metadata", "headers", "headers_to_attributes",
    "attributes_to_headers", "include_headers", "media_encryption", "codecs",
    "only_listed_codecs", "media_timeout", "from_host",
)
#: Fields of LiveKit's `media` message besides its encryption (same names there), with
#: what LiveKit holds for one never set. A spec may leave them unset (None): LiveKit
#: then keeps its value, which is neither written nor read.
MEDIA_DEFAULTS: dict[str, Any] = {"codecs": (), "only_listed_codecs": False, "media_timeout": "0s"}
MEDIA_FIELDS = tuple(MEDIA_DEFAULTS)
SECRET_FIELDS = ("auth_username", "auth_password")
MAP_FIELDS = ("headers", "headers_to_attributes", "attributes_to_headers")
ENUM_FIELDS: dict[str, type[WireEnum]] = {
    "transport": Transport, "include_headers": IncludeHeaders, "media_encryption": MediaEncryption,
}

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
# LiveKit's limit on media_timeout (livekit/protocol sip.go MaxSIPMediaTimeout).
MAX_MEDIA_TIMEOUT_NS = 10 * 60 * 10**9
MAX_CODEC_RATE = 2**32 - 1

# \Z, not $: $ also matches before a trailing newline, which would let "X-Team\n" through.
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}\Z")
_TOKEN = re.compile(r"^[0-9A-Za-z.!%*_+`'~-]{1,255}\Z")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_TRUNK_ID = re.compile(r"^ST_[A-Za-z0-9]{4,}\Z")
_PRINTABLE = re.compile(r"^[\t\x20-\x7e]*\Z")
_PORT = re.compile(r"^[0-9]{1,5}\Z")
# Go's time.ParseDuration syntax, which also reads protojson's "1.500s".
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


class TrunkSpec(BaseModel):
    """A normalized, valid outbound trunk spec. Enums hold short names."""

    model_config = ConfigDict(frozen=True)

    name: str
    address: str
    numbers: tuple[str, ...]
    auth_username: str = ""
    auth_password: str = ""
    transport: Transport = Transport.AUTO
    destination_country: str = ""
    metadata: str = ""
    headers: dict[str, str] = {}
    headers_to_attributes: dict[str, str] = {}
    attributes_to_headers: dict[str, str] = {}
    include_headers: IncludeHeaders = IncludeHeaders.NONE
    media_encryption: MediaEncryption = MediaEncryption.DISABLE
    codecs: tuple[Codec, ...] | None = None
    only_listed_codecs: bool | None = None
    media_timeout: str | None = None
    from_host: str = ""

    def __repr_args__(self) -> Any:
        for key, value in super().__repr_args__():
            yield key, ("[secure]" if key in SECRET_FIELDS and value else value)

    def props(self) -> dict[str, Any]:
        """The spec as provider properties: snake_case keys, short enum names, lists,
        codecs as ``{name, rate}`` objects, None for an unset media field."""
        out: dict[str, Any] = {}
        for field in FIELDS:
            value = getattr(self, field)
            if isinstance(value, WireEnum):
                value = value.value
            elif field == "codecs" and value is not None:
                value = [codec.model_dump() for codec in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
            out[field] = value
        return out

    def unmanaged(self) -> tuple[str, ...]:
        """The media fields this spec leaves to LiveKit."""
        return unmanaged_fields(dict(self))

    def media(self, held: MediaConfig | None = None) -> MediaConfig:
        """The whole `media` message: this spec's fields, and `held` (what LiveKit
        holds) for the media fields the spec leaves unset."""
        kept = held or MediaConfig()
        values = {f: getattr(kept if getattr(self, f) is None else self, f) for f in MEDIA_FIELDS}
        return MediaConfig.model_validate({**values, "encryption": self.media_encryption})

    def to_info(self, held: MediaConfig | None = None) -> TrunkInfo:
        """The spec as LiveKit's `SIPOutboundTrunkInfo` (no id).

        `media` is the whole message, its unset fields taken from `held`, when LiveKit
        holds one or the spec sets a media field away from LiveKit's default. Otherwise
        it is left null, with the encryption in the legacy field only, as `lk` and the
        SDKs make trunks: LiveKit reads both alike, and an adopted trunk stays as it was.
        """
        top = {k: v for k, v in self.props().items() if k not in MEDIA_FIELDS}
        needed = held is not None or any(getattr(self, f) not in (None, MEDIA_DEFAULTS[f]) for f in MEDIA_FIELDS)
        return TrunkInfo.model_validate(
            {**top, "numbers": list(self.numbers), "media": self.media(held) if needed else None})


def same_field(field: str, old: TrunkSpec, new: TrunkSpec) -> bool:
    """Whether `field` is equal in both specs; numbers compare as a set."""
    if field == "numbers":
        return set(old.numbers) == set(new.numbers)
    return bool(getattr(old, field) == getattr(new, field))


def changed_fields(old: TrunkSpec, new: TrunkSpec) -> list[str]:
    """The fields whose values differ, in `FIELDS` order."""
    return [f for f in FIELDS if not same_field(f, old, new)]


def unmanaged_fields(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The media fields that `values` (spec properties or stored outputs) leave unset."""
    return tuple(field for field in MEDIA_FIELDS if values.get(field) is None)


def spec_from_info(info: TrunkInfo, unmanaged: Iterable[str] = ()) -> TrunkSpec:
    """The spec a trunk read from LiveKit holds (no validation: it is the truth).

    Args:
        info: the trunk as LiveKit answered.
        unmanaged: media fields to leave unset, as the spec they are compared with does.
    """
    media = info.media or MediaConfig()
    held = {f: getattr(media, f) for f in MEDIA_FIELDS}
    # A null timeout and "0s" both mean LiveKit's default.
    held["media_timeout"] = _canonical_duration(media.media_timeout or "0s")
    held.update(dict.fromkeys(unmanaged))
    return TrunkSpec(
        name=info.name, address=info.address, numbers=tuple(info.numbers),
        auth_username=info.auth_username, auth_password=info.auth_password,
        transport=info.transport, destination_country=info.destination_country,
        metadata=info.metadata, headers=dict(info.headers),
        headers_to_attributes=dict(info.headers_to_attributes),
        attributes_to_headers=dict(info.attributes_to_headers),
        include_headers=info.include_headers,
        media_encryption=info.effective_media_encryption, from_host=info.from_host, **held,
    )


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
    text = f"{seconds}.{nanos:09d}"
    for _ in range(2):
        text = text.removesuffix("000")
    return f"{sign}{text.removesuffix('.000')}s"


def _canonical_duration(text: str) -> str:
    try:
        return format_duration(parse_duration(text))
    except ValueError:
        return text


def parse_spec(props: Mapping[str, Any], unknown: object = None) -> tuple[TrunkSpec | None, list[SpecError]]:
    """Validate and normalize provider properties.

    Args:
        props: snake_case properties; missing optional fields take LiveKit's defaults.
        unknown: the placeholder Pulumi uses for values not known during preview;
            such values are not checked.

    Returns:
        The spec (None when a rule is broken, or when a value is unknown) and the errors.
    """
    errors: list[SpecError] = []
    values: dict[str, Any] = {}
    has_unknown = False
    for field in FIELDS:
        raw = props.get(field)
        if unknown is not None and _contains(raw, unknown):
            has_unknown = True
            continue
        try:
            value = _CHECKS[field](raw)
        except SpecError as err:
            errors.append(err)
            continue
        if value is not None:
            values[field] = value
    adopt = props.get("adopt_trunk_id")
    if adopt not in (None, "") and not (unknown is not None and adopt == unknown):
        if not isinstance(adopt, str) or not _TRUNK_ID.match(adopt):
            errors.append(SpecError("adopt_trunk_id", f"{adopt!r} is not a trunk id like ST_xxxxxxxxxxxx"))
    if not has_unknown:
        pair = "set both auth_username and auth_password, or neither"
        if values.get("auth_username") and not values.get("auth_password"):
            errors.append(SpecError("auth_password", f"is empty while auth_username is set; {pair}"))
        elif values.get("auth_password") and not values.get("auth_username"):
            errors.append(SpecError("auth_username", f"is empty while auth_password is set; {pair}"))
    if errors or has_unknown:
        return None, errors
    return TrunkSpec(**values), []


def _contains(value: Any, marker: object) -> bool:
    if isinstance(value, str):
        return value == marker
    if isinstance(value, Mapping):
        return any(_contains(k, marker) or _contains(v, marker) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_contains(v, marker) for v in value)
    return False


def _string(field: str, value: Any, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        shown = "" if field in SECRET_FIELDS else f" {_show(value)}"
        raise SpecError(field, f"must be a string, got {type(value).__name__}{shown}")
    text: str = value.strip() if field not in ("metadata", "auth_password") else value
    if required and not text:
        raise SpecError(field, "is required")
    return text


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_host(field: str, value: str) -> str:
    """`value` as `host` or `host:port`; SIP URIs and URI parameters are refused."""
    lowered = value.lower()
    if lowered.startswith(("sip:", "sips:")) or "@" in value:
        raise SpecError(field, f"{value!r} is a SIP URI; give only the host (and port), e.g. sip.example.com")
    if "transport=" in lowered:
        raise SpecError(field, f"{value!r} has a transport parameter; use the transport field instead")
    if ";" in value or "/" in value or any(c.isspace() for c in value):
        raise SpecError(field, f"{value!r} is not a host or host:port")
    host, port = value, None
    if value.startswith("["):
        host, closed, rest = value[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")) or not _is_ipv6(host):
            raise SpecError(field, f"{value!r} is not a host or host:port; brackets enclose only an IPv6 address")
        port = rest[1:] if rest else None
    elif value.count(":") == 1:
        host, port = value.split(":")
    if port is not None and not (_PORT.match(port) and 0 < int(port) < 65536):
        raise SpecError(field, f"{value!r} has an invalid port {port!r}")
    try:
        ipaddress.ip_address(host)
        return value
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    # An all-numeric last label is a mistyped IPv4 address (999.1.1.1), never a DNS name.
    if not host or len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise SpecError(field, f"{value!r} is not a valid hostname or IP address")
    return value


def _is_ipv6(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return False
    return True


def _address(value: Any) -> str:
    return check_host("address", _string("address", value, required=True))


def _from_host(value: Any) -> str:
    text = _string("from_host", value)
    return check_host("from_host", text) if text else text


def _numbers(value: Any) -> tuple[str, ...]:
    if value is None or (isinstance(value, (list, tuple)) and not value):
        raise SpecError("numbers", "at least one number is required (E.164 like +15105550100, or \"*\")")
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise SpecError("numbers", f"must be a list of numbers, got {_show(value)}")
    seen: list[str] = []
    for index, number in enumerate(value):
        where = f"numbers[{index}]"
        if not isinstance(number, str):
            raise SpecError(where, f"must be a string, got {_show(number)}")
        number = number.strip()
        if number != "*" and not _E164.match(number):
            raise SpecError(where, f"{number!r} is not an E.164 number like +15105550100 (or \"*\")")
        if number in seen:
            raise SpecError(where, f"{number!r} is listed twice")
        seen.append(number)
    if "*" in seen and len(seen) > 1:
        raise SpecError("numbers", "\"*\" (any number) cannot be combined with other numbers")
    return tuple(seen)


def _country(value: Any) -> str:
    text = _string("destination_country", value).upper()
    if text and text not in ISO_COUNTRIES:
        raise SpecError("destination_country", f"{value!r} is not an ISO 3166-1 alpha-2 country code like US")
    return text


def _enum(field: str) -> Any:
    def check(value: Any) -> WireEnum | None:
        if value is None or value == "":
            return None
        try:
            return ENUM_FIELDS[field].parse(value)
        except ValueError as err:
            raise SpecError(field, str(err)) from None
    return check


def _header_name(field: str, name: Any, forbid: bool) -> None:
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise SpecError(field, f"{_show(name)} is not a valid SIP header name (letters, digits, - . ! % * _ + ` ' ~)")
    if not forbid:
        return
    lowered = name.lower()
    long_form = COMPACT_HEADERS.get(lowered)
    if long_form is not None and long_form.lower() in FORBIDDEN_HEADERS:
        raise SpecError(field, f"{name!r} is the compact form of {long_form}, a header LiveKit sets itself "
                        "and cannot be overridden")
    if long_form is not None and lowered in FORBIDDEN_HEADERS:
        raise SpecError(field, f"{name!r} is the compact form of {long_form}; LiveKit refuses compact "
                        f"header names, write {long_form} in full")
    if lowered in FORBIDDEN_HEADERS:
        raise SpecError(field, f"{name!r} is a header LiveKit sets itself and cannot be overridden")


def _map(field: str) -> Any:
    def check(value: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise SpecError(field, f"must be a map of strings, got {_show(value)}")
        for key, item in value.items():
            where = f"{field}.{key}"
            if not isinstance(key, str) or not key or not isinstance(item, str) or not item:
                raise SpecError(where, f"keys and values must be non-empty strings, got {_show(item)}")
            if field == "headers":
                _header_name(where, key, forbid=True)
                if len(item) > 1024 or not _PRINTABLE.match(item):
                    raise SpecError(where, "value must be printable ASCII, at most 1024 characters")
            elif field == "headers_to_attributes":
                _header_name(where, key, forbid=False)
            else:
                _header_name(where, item, forbid=False)
        return dict(value)
    return check


def _codecs(value: Any) -> tuple[Codec, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, Mapping)) or not isinstance(value, (list, tuple)):
        raise SpecError("codecs", f"must be a list of codecs like [PCMU/8000, opus/48000], got {_show(value)}")
    return tuple(_codec(f"codecs[{index}]", item) for index, item in enumerate(value))


def _codec(where: str, value: Any) -> Codec:
    """One codec: ``NAME/RATE`` or ``NAME`` shorthand, or ``{name, rate}``; the name is
    checked as LiveKit does (livekit/protocol sip.go SIPCodec.Validate)."""
    if isinstance(value, Codec):
        value = value.model_dump()
    if isinstance(value, str):
        head, slash, tail = value.strip().partition("/")
        if slash and not tail.isdigit():
            raise SpecError(where, f"{value!r} is not a codec like PCMU/8000 (a name, then a rate in Hz)")
        value = {"name": head, "rate": int(tail) if slash else 0}
    if not isinstance(value, Mapping):
        raise SpecError(where, f"must be a codec like PCMU/8000 or {{name: PCMU, rate: 8000}}, got {_show(value)}")
    unknown = sorted(str(k) for k in value if k not in ("name", "rate"))
    if unknown:
        raise SpecError(where, f"unknown key(s) {', '.join(unknown)}; a codec has a name and a rate")
    name: Any = value.get("name")
    rate: Any = value.get("rate")
    if not isinstance(name, str) or not name:
        raise SpecError(where, f"the codec name must be a non-empty string, got {_show(name)}")
    if any(c.isspace() for c in name) or "/" in name:
        raise SpecError(where, f"the codec name {name!r} must not contain whitespace or '/'")
    if rate is None:
        rate = 0
    elif isinstance(rate, float) and rate.is_integer():
        rate = int(rate)  # Pulumi carries every number as a float
    if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= MAX_CODEC_RATE:
        raise SpecError(where, f"the rate of {name} must be a whole number of Hz (0 or left out when not "
                        f"fixed), got {_show(rate)}")
    return Codec(name=name, rate=rate)


def _only_listed_codecs(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise SpecError("only_listed_codecs", f"must be true or false, got {_show(value)}")
    return value


def _media_timeout(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SpecError("media_timeout", f"must be a duration with a unit, like 30s or 2m, got {_show(value)}")
    try:
        nanoseconds = parse_duration(value)
    except ValueError as err:
        raise SpecError("media_timeout", str(err)) from None
    if nanoseconds < 0:
        raise SpecError("media_timeout", f"{value!r} is negative; give 0s (LiveKit's default) to 10m")
    if nanoseconds > MAX_MEDIA_TIMEOUT_NS:
        raise SpecError("media_timeout", f"{value!r} exceeds LiveKit's maximum of 10m")
    return format_duration(nanoseconds)


_CHECKS: dict[str, Any] = {
    "name": lambda v: _string("name", v),
    "address": _address,
    "numbers": _numbers,
    "auth_username": lambda v: _string("auth_username", v),
    "auth_password": lambda v: _string("auth_password", v),
    "transport": _enum("transport"),
    "destination_country": _country,
    "metadata": lambda v: _string("metadata", v),
    "headers": _map("headers"),
    "headers_to_attributes": _map("headers_to_attributes"),
    "attributes_to_headers": _map("attributes_to_headers"),
    "include_headers": _enum("include_headers"),
    "media_encryption": _enum("media_encryption"),
    "codecs": _codecs,
    "only_listed_codecs": _only_listed_codecs,
    "media_timeout": _media_timeout,
    "from_host": _from_host,
}
