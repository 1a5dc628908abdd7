"""The field registry: a resource's pydantic spec model is the one list of its fields.

Each field of a spec model is declared once, with its type, default, check and how
LiveKit changes it::

    numbers: Annotated[tuple[str, ...], Slot(Write.LIST), check(...)]

Everything else derives from the model: the field order of outputs, which fields
are secret, which ones only the `replace` action can change, the checks run at
`pulumi preview`, and the errors, whose paths come from pydantic's error locations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pulumi.output import Unknown
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from livekit_sip import validators
from livekit_sip.enums import IncludeHeaders, WireEnum
from livekit_sip.errors import SpecError
from livekit_sip.validators import Invalid
from livekit_sip.wire import MediaConfig, WireModel

S = TypeVar("S", bound="Spec")
#: A trunk ID, inbound or outbound, as LiveKit makes them.
TRUNK_ID = re.compile(r"^ST_[A-Za-z0-9]{4,}\Z")
#: The context key that tells model validators some inputs are not known yet (preview).
PARTIAL = "partial"


class Write(str, Enum):
    """How LiveKit's `update` action changes a field, if it can."""

    #: set as a value in the update action
    UPDATE = "update"
    #: sent as a ListUpdate (add/remove) in the update action
    LIST = "list"
    #: part of LiveKit's `media` message, which the update action replaces whole
    MEDIA = "media"
    #: sent as a map diff: set keys, "" deletes a key
    MAP = "map"
    #: the update action has no slot for it; only a `replace` changes it
    REPLACE = "replace"


@dataclass(frozen=True)
class Slot:
    """Field metadata: how the field is written, and whether it is a secret."""

    write: Write
    secret: bool = False


def check(function: Callable[[Any], Any]) -> BeforeValidator:
    """A field validator from a `livekit_sip.validators` check: its `Invalid` becomes a
    pydantic error carrying the reason and the place inside the value."""

    def validate(value: Any) -> Any:
        try:
            return function(value)
        except Invalid as err:
            raise PydanticCustomError("livekit_sip", "{reason}", {"reason": err.reason, "at": err.at}) from None

    return BeforeValidator(validate)


def invalid(reason: str, at: str = "") -> PydanticCustomError:
    """The error a model validator raises, `at` naming the field (and the place in it)."""
    return PydanticCustomError("livekit_sip", "{reason}", {"reason": reason, "at": at})


def check_auth_pair(auth_username: str, auth_password: str) -> None:
    """Raises the error of a credential pair with one half given and the other empty."""
    pair = "set both auth_username and auth_password, or neither"
    if auth_username and not auth_password:
        raise invalid(f"is empty while auth_username is set; {pair}", "auth_password")
    if auth_password and not auth_username:
        raise invalid(f"is empty while auth_password is set; {pair}", "auth_username")


def is_partial(info: ValidationInfo) -> bool:
    """Whether some inputs are unknown (preview), so checks across fields must wait."""
    return bool(info.context and info.context.get(PARTIAL))


class Spec(BaseModel):
    """Base of the spec models: frozen, validated, secrets hidden from repr."""

    model_config = ConfigDict(frozen=True)
    #: The wire model of LiveKit's `update` action for this kind of object.
    update_model: ClassVar[type[WireModel]]

    def __repr_args__(self) -> Any:
        secret = set(self.secret_fields())
        for key, value in super().__repr_args__():
            yield key, ("[secure]" if key in secret and value else value)

    # -- the registry ----------------------------------------------------------------------

    @classmethod
    def slots(cls) -> dict[str, Slot]:
        """Every field's slot, in declaration order (the order of outputs)."""
        found = {}
        for name, info in cls.model_fields.items():
            slot = next((m for m in info.metadata if isinstance(m, Slot)), None)
            assert slot is not None, f"{cls.__name__}.{name} has no Slot"
            found[name] = slot
        return found

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(cls.model_fields)

    @classmethod
    def secret_fields(cls) -> tuple[str, ...]:
        return tuple(name for name, slot in cls.slots().items() if slot.secret)

    @classmethod
    def written(cls, write: Write) -> frozenset[str]:
        """The fields written the way `write` says."""
        return frozenset(name for name, slot in cls.slots().items() if slot.write is write)

    # -- parsing ---------------------------------------------------------------------------

    @classmethod
    def parse(cls, props: Mapping[str, Any], unknown: object = None) -> tuple[Self | None, list[SpecError]]:
        """Validate and normalize provider properties (snake_case; missing fields default).

        Args:
            props: the properties; keys that are no field are ignored.
            unknown: Pulumi's placeholder for values not known during preview; fields
                holding it are not checked.

        Returns:
            The spec (None when a rule is broken or a value is unknown) and every error.
        """
        values = {name: props[name] for name in cls.fields() if props.get(name) is not None}
        waiting = {name for name, value in values.items() if unknown is not None and _contains(value, unknown)}
        for name in waiting:
            del values[name]
        try:
            spec = cls.model_validate(values, context={PARTIAL: bool(waiting)})
        except ValidationError as err:
            return None, [e for e in spec_errors(err) if e.field.split(".")[0].split("[")[0] not in waiting]
        return (None, []) if waiting else (spec, [])

    def props(self) -> dict[str, Any]:
        """The spec as provider properties: short enum names, lists, plain dicts, None for unset."""
        return {name: plain(getattr(self, name)) for name in self.fields()}

    def to_info(self, held: MediaConfig | None = None) -> WireModel:
        """The spec as LiveKit's info message (no id), `media` filled from `held`."""
        raise NotImplementedError

    def wire_value(self, field: str) -> Any:
        """`field` as the update action carries it; a spec overrides this for structured fields."""
        return getattr(self, field)

    def same(self, other: Spec, field: str) -> bool:
        """Whether `field` is equal in both specs; lists written as add/remove compare as sets."""
        mine, theirs = getattr(self, field), getattr(other, field)
        if field in self.written(Write.LIST) and mine is not None and theirs is not None:
            return set(mine) == set(theirs)
        return bool(mine == theirs)

    def changed(self, other: Spec) -> tuple[str, ...]:
        """The fields whose values differ from `other`'s, in registry order."""
        return tuple(field for field in self.fields() if not self.same(other, field))


def adopt_error(props: Mapping[str, Any], unknown: object, field: str, pattern: re.Pattern[str],
                like: str) -> SpecError | None:
    """The error of the adopt ID input `field` (an input, not a spec field) when it is set,
    known and not an ID matching `pattern`; `like` describes one (``a trunk id like ST_…``)."""
    adopt = props.get(field)
    if adopt in (None, "") or (unknown is not None and adopt == unknown):
        return None
    if isinstance(adopt, str) and pattern.match(adopt):
        return None
    return SpecError(field, f"{adopt!r} is not {like}")


def parse_adopting(cls: type[S], props: Mapping[str, Any], unknown: object, field: str, pattern: re.Pattern[str],
                   like: str) -> tuple[S | None, list[SpecError]]:
    """`cls.parse`, plus the check of the adopt ID input `field` (see `adopt_error`)."""
    spec, errors = cls.parse(props, unknown)
    if (error := adopt_error(props, unknown, field, pattern, like)) is not None:
        errors.append(error)
        spec = None
    return spec, errors


def plain(value: Any) -> Any:
    """`value` as Pulumi properties hold it: enums by short name, tuples as lists, models as dicts."""
    if isinstance(value, WireEnum):
        return value.value
    if isinstance(value, BaseModel):
        return {k: plain(v) for k, v in value.model_dump().items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    return value


def spec_errors(err: ValidationError) -> list[SpecError]:
    """One `SpecError` per pydantic error, its field the path into the spec (``numbers[2]``)."""
    return [SpecError(_path(e["loc"], (e.get("ctx") or {}).get("at", "")), _reason(e)) for e in err.errors()]


def _path(loc: tuple[int | str, ...], at: str) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part != "[key]":
            parts.append(f".{part}" if parts else part)
    if at.startswith(".") and not parts:
        at = at[1:]
    return "".join(parts) + at


def _reason(error: Mapping[str, Any]) -> str:
    if error["type"] == "livekit_sip":
        return str(error["ctx"]["reason"])
    if error["type"] == "missing":
        return "is required"
    return str(error["msg"])


def _contains(value: Any, marker: object) -> bool:
    # Inside lists and maps the dynamic-provider server hands unknowns over as `Unknown`
    # objects rather than the marker string (seen with a rule naming a trunk not yet created).
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == marker
    if isinstance(value, Mapping):
        return any(_contains(k, marker) or _contains(v, marker) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_contains(v, marker) for v in value)
    return False


# -- field types more than one kind declares -----------------------------------------------


def text(**options: Any) -> BeforeValidator:
    """The check of a text field; `options` as `validators.text` takes them."""
    return check(lambda v: validators.text(v, **options))


Name = Annotated[str, Slot(Write.UPDATE), text()]
Metadata = Annotated[str, Slot(Write.UPDATE), text(strip=False)]
AuthUsername = Annotated[str, Slot(Write.UPDATE, secret=True), text(secret=True)]
AuthPassword = Annotated[str, Slot(Write.UPDATE, secret=True), text(strip=False, secret=True)]
# The update action cannot patch headers: only a replace changes them.
Headers = Annotated[dict[str, str], Slot(Write.REPLACE), check(validators.headers)]
HeadersToAttributes = Annotated[dict[str, str], Slot(Write.REPLACE), check(validators.headers_to_attributes)]
AttributesToHeaders = Annotated[dict[str, str], Slot(Write.REPLACE), check(validators.attributes_to_headers)]
IncludeHeadersField = Annotated[
    IncludeHeaders, Slot(Write.REPLACE),
    check(lambda v: validators.wire_enum(IncludeHeaders, v) or IncludeHeaders.NONE)]
