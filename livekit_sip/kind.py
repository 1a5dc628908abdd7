"""What one kind of LiveKit object is to the shared provider: a `Kind`, and what a check reads.

A `Kind` names what differs between outbound trunks, inbound trunks and dispatch rules
(the spec, the service, the ID field and the words of messages); the inputs `check`
reads and drops, and the helpers that compare credentials, are the same for every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from livekit_sip.errors import SpecError
from livekit_sip.fields import Spec

#: Inputs `check` reads and drops: whether credentials were given at all (even as ""),
#: whether an empty `trunk_ids` means every trunk on purpose, and the resource name.
AUTH_GIVEN = "auth_given"
ALL_TRUNKS = "all_trunks"
RESOURCE_NAME = "resource_name"
CHECK_ONLY = (AUTH_GIVEN, ALL_TRUNKS, RESOURCE_NAME)


@dataclass(frozen=True)
class Kind:
    """What an `ObjectProvider` needs to know about one kind of LiveKit object."""

    #: The object as messages name it ("inbound trunk").
    noun: str
    #: The listing cache's name, and the attribute of `SIPClient` serving the kind.
    service: str
    #: The ID field of the wire model and of outputs.
    id_field: str
    #: The input that adopts an existing object, snake_case, and its stack-config name.
    adopt: str
    adopt_key: str
    spec: type[Spec]
    parse: Callable[..., tuple[Any, list[SpecError]]]
    #: The stack config path of an entry, for messages.
    entry_path: Callable[[str], str]
    #: The stack config path of an entry's credentials, or of one of their keys (`leaf`),
    #: for messages; None when the kind has none.
    credentials_path: Callable[..., str] | None = None
    #: The listing filters that find a create which landed before its answer was lost.
    landed_filter: Callable[[Any], dict[str, Any]] = lambda spec: {}
    #: Fields that are secret in these properties besides the spec's secret fields
    #: (a rule whose PIN is set is secret whole).
    secret_when: Callable[[Mapping[str, Any]], frozenset[str]] = lambda props: frozenset()
    #: A field's value as a program gives it, secrets left out (`pulumi import` prints it);
    #: (field, value) → value, or None to leave the field out.
    given_form: Callable[[str, Any], Any] = lambda field, value: value

    def secret_fields(self, props: Mapping[str, Any]) -> frozenset[str]:
        """The fields of `props` that are secrets."""
        return frozenset(self.spec.secret_fields()) | self.secret_when(props)

    def object_id(self, info: Any) -> str:
        return str(getattr(info, self.id_field))

    @property
    def explains_conflicts(self) -> bool:
        """Whether LiveKit refuses an object that clashes with another (numbers, trunks,
        PIN), so a refusal names the objects outside the stack it clashes with."""
        return hasattr(self.spec, "conflict_keys")


def unredacted(info: Any, password: Any) -> Any:
    """`info` with `password` when the server left the password out of its answer.

    A server that redacts passwords in responses cannot show drift in them.
    """
    if (str(getattr(info, "auth_username", "")) and not info.auth_password and isinstance(password, str)
            and password):
        return info.model_copy(update={"auth_password": password})
    return info


def has_auth(info: Any) -> bool:
    return bool(getattr(info, "auth_username", None) or getattr(info, "auth_password", None))
