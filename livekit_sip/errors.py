"""The one exception hierarchy of livekit-sip.

    LiveKitError
    ├── SpecError                 a trunk spec is invalid (names the trunk and the field)
    │   └── ConfigError           the stack config breaks rules: every (stack path, message) found
    ├── SettingsError             the LiveKit URL, API key or secret is missing or unusable
    ├── TransportError            the request did not get an HTTP answer
    │   └── AmbiguousWriteError   a write was sent but its outcome is unknown; not retried
    └── ServerError               LiveKit answered with a Twirp error (code, message, status)
        ├── InvalidArgumentError  invalid_argument, malformed, out_of_range
        ├── UnauthenticatedError  unauthenticated, permission_denied (bad key or secret)
        ├── NotFoundError         not_found
        └── UnavailableError      429 / 5xx after the retry deadline ran out

No message, repr or attribute ever carries a password, the API secret or a token.
"""

from __future__ import annotations


class LiveKitError(Exception):
    """Base of every error raised by livekit-sip."""


class SpecError(LiveKitError, ValueError):
    """A trunk spec breaks a rule; `trunk` and `field` say where."""

    def __init__(self, field: str, reason: str, trunk: str | None = None) -> None:
        self.field = field
        self.reason = reason
        self.trunk = trunk
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"trunk {self.trunk!r}: " if self.trunk else ""
        return f"{where}{self.field}: {self.reason}"

    def for_trunk(self, trunk: str) -> SpecError:
        """The same error, naming `trunk`."""
        return SpecError(self.field, self.reason, trunk)


class ConfigError(SpecError):
    """The stack config breaks one or more rules.

    Attributes:
        problems: each problem as (stack config path, message), e.g.
            ``("livekit-sip:trunks.telnyx-us.numbers[0]", "'555' is not an E.164 number ...")``.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("config", "\n".join(f"{path}: {message}" for path, message in self.problems))

    def _text(self) -> str:
        return self.reason


class SettingsError(LiveKitError):
    """The connection settings (URL, API key, API secret) are missing or unusable."""


class TransportError(LiveKitError):
    """No HTTP answer: connection refused, timeout, or the retry deadline ran out."""


class AmbiguousWriteError(TransportError):
    """A write may or may not have happened; it is not retried because that could duplicate it."""


class ServerError(LiveKitError):
    """LiveKit answered with an error.

    Attributes:
        code: the Twirp code, e.g. ``not_found``.
        message: LiveKit's message (with any bearer token removed).
        status: the HTTP status.
        operation: the RPC or provider step that failed.
    """

    def __init__(self, operation: str, code: str, message: str, status: int) -> None:
        self.operation = operation
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{operation}: LiveKit {code} ({status}): {message}")


class InvalidArgumentError(ServerError):
    """LiveKit refused the request as invalid."""


class UnauthenticatedError(ServerError):
    """The API key or secret is wrong, or the key lacks the sip.admin grant."""


class NotFoundError(ServerError):
    """The trunk does not exist."""


class UnavailableError(ServerError):
    """Rate limited or unavailable, and the retry deadline ran out."""


_BY_CODE: dict[str, type[ServerError]] = {
    "invalid_argument": InvalidArgumentError,
    "malformed": InvalidArgumentError,
    "out_of_range": InvalidArgumentError,
    "unauthenticated": UnauthenticatedError,
    "permission_denied": UnauthenticatedError,
    "not_found": NotFoundError,
    "resource_exhausted": UnavailableError,
    "unavailable": UnavailableError,
}


def server_error(operation: str, code: str, message: str, status: int) -> ServerError:
    """The typed ServerError for a Twirp `code`."""
    return _BY_CODE.get(code, ServerError)(operation, code, message, status)


class TrunkError(LiveKitError):
    """An operation on one trunk failed; the message names the trunk and the operation.

    Attributes:
        cause: the underlying LiveKitError.
    """

    def __init__(self, trunk: str, operation: str, cause: LiveKitError | str, kind: str = "trunk") -> None:
        self.trunk = trunk
        self.operation = operation
        self.cause = cause
        super().__init__(f"{kind} {trunk}: {operation} failed: {cause}")
