"""What every livekit-sip dynamic provider shares: the runtime built after `configure()`,
the listing cache behind `read`, one-line errors, and the IDs held in this run.

A provider instance is pickled into state (by reference to its class), so it holds
nothing until `configure()` runs in the provider process; the API credentials then
live only in memory. Up to four engine threads call one instance at once, so the
runtime is built once under a lock and every shared piece is thread-safe.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pulumi.dynamic import CheckFailure, ConfigureRequest, ResourceProvider

from livekit_sip import process
from livekit_sip import settings as settings_mod
from livekit_sip.client import SIPClient
from livekit_sip.errors import LiveKitError, NotFoundError, SettingsError
from livekit_sip.twirp import CONNECTIONS

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
#: When set, the provider process logs each API call (method, status, time; never bodies) here.
LOG_FILE_ENV = "LIVEKIT_SIP_LOG_FILE"
#: Reads within this many seconds of a project listing are served from it.
LISTING_TTL = 60.0
#: Above this many objects of a kind in the project, reads go one object at a time.
LISTING_MAX = 5000
_FRAMES = 100


def start_log() -> None:
    """Log each API call to the file `LIVEKIT_SIP_LOG_FILE` names, if it is set."""
    log_file = os.environ.get(LOG_FILE_ENV)
    logger = logging.getLogger("livekit_sip")
    if log_file and not logger.handlers:
        handler = logging.FileHandler(log_file)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


class ProviderBug(Exception):
    """An unexpected exception in a provider method, with its traceback in the message."""


def one_line_errors(method: F) -> F:
    """Our errors reach the CLI as one line.

    The dynamic-provider server formats failures with `traceback.format_exc()`, which
    honours the process-wide `sys.tracebacklimit`. It is set to 0 and never unset, so
    four worker threads never race on it; an unexpected exception (a bug) is re-raised
    as `ProviderBug` carrying its full traceback in the message, so nothing is lost.
    """

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        sys.tracebacklimit = 0
        # Counted in flight, so a stopping provider process answers the call before it exits.
        process.CALLS.enter(method.__name__)
        try:
            return method(*args, **kwargs)
        except LiveKitError:
            raise
        except Exception as err:
            # An explicit limit: the default would honour sys.tracebacklimit, which is 0 here.
            trace = "".join(traceback.format_exception(err, limit=_FRAMES))
            raise ProviderBug(f"{type(err).__name__}: {err}\n{trace}") from None
        finally:
            process.CALLS.leave()

    return wrapper  # type: ignore[return-value]


class Held:
    """IDs that resources of the stack hold in this run of the provider process.

    The engine runs every create, update and diff of the program's resources before
    it deletes the resources the program dropped. So when an entry adopts the object
    of an entry that was removed (or renamed without `aliases`), the adopt comes
    first, and the old resource's delete finds the ID here and leaves the object alone.
    The server keeps one provider instance per kind, and an adopt may take over an object
    of a resource of another instance's calls, so this lives in the module.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[str] = set()

    def add(self, object_id: str) -> None:
        with self._lock:
            self._ids.add(object_id)

    def claim(self, object_id: str) -> bool:
        """Hold `object_id` for the caller; False when a resource already holds it (test and add at once)."""
        with self._lock:
            if object_id in self._ids:
                return False
            self._ids.add(object_id)
            return True

    def __contains__(self, object_id: object) -> bool:
        with self._lock:
            return object_id in self._ids


HELD = Held()


class Listing(Generic[T]):
    """One kind of object in the project, from a listing taken at most `ttl` seconds ago.

    A refresh of N objects then costs one paged listing instead of N reads. Any write
    drops the listing (`invalidate`); an object missing from it is confirmed by `get_one`.
    """

    def __init__(self, list_all: Callable[[], list[T]], get_one: Callable[[str], T], key: Callable[[T], str],
                 ttl: float = LISTING_TTL, limit: int = LISTING_MAX) -> None:
        self._list_all, self._get_one, self._key = list_all, get_one, key
        self._ttl, self._limit = ttl, limit
        self._lock = threading.Lock()
        self._taken = 0.0
        self._items: dict[str, T] | None = None

    def get(self, object_id: str) -> T | None:
        """The object with this id, or None when it is gone."""
        with self._lock:
            if self._items is None or time.monotonic() - self._taken > self._ttl:
                items = self._list_all()
                self._taken = time.monotonic()
                self._items = {self._key(i): i for i in items} if len(items) <= self._limit else {}
                if len(items) > self._limit:
                    self._taken = float("inf")
            found = self._items.get(object_id)
        if found is not None:
            return found
        try:
            return self._get_one(object_id)
        except NotFoundError:
            return None

    def invalidate(self) -> None:
        with self._lock:
            self._items = None


@dataclass
class Runtime:
    """What a provider builds on first use in the provider process, never pickled."""

    client: SIPClient
    #: Listing caches by kind of object.
    listings: dict[str, Listing[Any]] = field(default_factory=dict)
    #: By kind, the objects LiveKit held before this process wrote any, by name: what a create
    #: may take over (see `ObjectProvider.create`). Taken once, under `snapshot_lock`.
    snapshots: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    snapshot_lock: threading.Lock = field(default_factory=threading.Lock)


class BaseProvider(ResourceProvider):
    """Configuration, runtime and settings checks shared by livekit-sip's providers."""

    # Class defaults: a pickled provider carries no instance state.
    _lookup: Callable[[str], str | None] | None = None
    _runtime: Runtime | None = None
    _build_lock = threading.Lock()
    #: The config keys of the connection settings, as messages name them.
    config_keys: Mapping[str, str] = settings_mod.CONFIG_KEYS
    #: Requests in flight at once, at most (the client's connection pool).
    connections = CONNECTIONS

    def configure(self, req: ConfigureRequest) -> None:
        """Remember where the settings are; nothing is read or sent yet."""
        config = req.config
        self._lookup = config.get
        process.guard()
        start_log()

    def runtime(self) -> Runtime:
        """The client and caches, built from stack config or the environment on first use."""
        with self._build_lock:
            if self._runtime is None:
                settings = settings_mod.resolve(self._lookup, keys=self.config_keys)
                self._runtime = Runtime(SIPClient(settings, connections=self.connections))
            return self._runtime

    def client(self) -> SIPClient:
        return self.runtime().client

    def listing(self, kind: str, build: Callable[[SIPClient], Listing[Any]]) -> Listing[Any]:
        """The listing cache of `kind`, built on first use."""
        runtime = self.runtime()
        with self._build_lock:
            if kind not in runtime.listings:
                runtime.listings[kind] = build(runtime.client)
            return runtime.listings[kind]

    def settings_failure(self) -> CheckFailure | None:
        """A check failure when the connection settings are missing or unusable."""
        try:
            settings_mod.resolve(self._lookup, keys=self.config_keys)
        except SettingsError as err:
            return CheckFailure(self.config_keys["url"], str(err))
        return None


def label(props: Mapping[str, Any], object_id: str | None = None) -> str:
    """An object as messages name it: its name, and its ID when it has one."""
    name = props.get("name")
    text = repr(name) if isinstance(name, str) and name else "(unnamed)"
    return f"{text} ({object_id})" if object_id else text
