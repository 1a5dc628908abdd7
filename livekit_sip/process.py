"""The provider process: calls in flight, signals, and leaving with the CLI that started it.

Pulumi runs a dynamic provider as ``sh -c "python -m pulumi.dynamic"``: a gRPC server
whose main thread only waits, and whose calls run on worker threads. Left as it is,
the process drops the calls it is serving when it is signalled:

- SIGINT (Ctrl-C to the whole process tree; also what the engine sends to close a
  provider) raises KeyboardInterrupt in the main thread, which stops the server at
  once, cancelling every call in flight: a create that reached LiveKit is answered
  with an error, the engine records it as failed, and the object is in no state.
- SIGTERM kills the process outright, with the same effect.
- When the CLI dies (SIGKILL), the provider keeps running, unknown to anyone.

`guard()`, run once by the first `configure` in such a process, changes that:

- SIGINT: the server's `stop` first waits (at most `STOP_WAIT` seconds) for the calls
  in flight to finish, so each one is answered; a call arriving after the signal is
  refused before it sends anything (`Stopping`). With no call in flight the process
  exits as fast as before, so closing a provider costs nothing more.
- SIGTERM is ignored: the CLI turns SIGTERM into a graceful cancel and closes its
  providers with SIGINT, so a SIGTERM to the whole tree ends like a SIGINT. Python's
  `signal.signal` only works in the main thread, which this code never runs in (it
  is imported by a worker thread), so this uses the C API's `PyOS_setsig`.
- When the CLI is gone (the provider's stdin, a pipe from the CLI, reaches end of
  file), the process waits for its calls in flight, then exits.

Outside the dynamic-provider server (tests calling a provider directly, a program)
`guard()` does nothing: signals stay the host's business.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import stat
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from livekit_sip.errors import LiveKitError

#: How long a stop waits for the calls in flight: longer than one call's retry deadline.
STOP_WAIT = 120.0
#: The module Pulumi runs a dynamic provider as.
SERVER_MODULE = "pulumi.dynamic.__main__"


class Stopping(LiveKitError):
    """A call that arrived after the provider process was told to stop; nothing was sent."""


class Calls:
    """The provider calls in flight in this process, and whether it is stopping."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0
        self._stopping = False

    def enter(self, what: str) -> None:
        """Count a call in; refuse it once the process is stopping."""
        with self._changed:
            if self._stopping:
                raise Stopping(f"{what}: not started, because the provider process is stopping (the command was "
                               "interrupted); nothing was sent to LiveKit")
            self._count += 1

    def leave(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def stop(self) -> None:
        """Refuse every later call."""
        with self._changed:
            self._stopping = True

    @property
    def in_flight(self) -> int:
        with self._changed:
            return self._count

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call is in flight; False when `timeout` seconds passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout)


CALLS = Calls()
_guarded = threading.Lock()
_done = False


def in_provider_server() -> bool:
    """Whether this process is Pulumi's dynamic-provider server."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return getattr(spec, "name", None) == SERVER_MODULE


def guard() -> None:
    """Make the provider process answer its calls in flight whatever stops it (see the module)."""
    global _done
    with _guarded:
        if _done or not in_provider_server():
            return
        _done = True
    _ignore(signal.SIGTERM)
    server = _server()
    if server is not None:
        server.stop = functools.partial(_stop_after_calls, server.stop)
    watch_cli()


def watch_cli() -> None:
    """Leave with the CLI: once its pipe on stdin ends, finish the calls in flight and exit."""
    if _is_pipe(0):
        threading.Thread(target=_leave_with_cli, name="livekit-sip-cli-watch", daemon=True).start()


def _ignore(signum: int) -> None:
    # signal.signal(signum, SIG_IGN) refuses outside the main thread; this is the same sigaction.
    setsig = ctypes.pythonapi.PyOS_setsig
    setsig.argtypes = [ctypes.c_int, ctypes.c_void_p]
    setsig.restype = ctypes.c_void_p
    setsig(int(signum), int(signal.SIG_IGN))


def _server() -> Any:
    """The gRPC server the main thread of `pulumi.dynamic` serves with (its local `server`)."""
    frame: types.FrameType | None = sys._current_frames().get(threading.main_thread().ident or 0)
    while frame is not None:
        if frame.f_globals.get("__name__") == "__main__" and frame.f_code.co_name == "main":
            return frame.f_locals.get("server")
        frame = frame.f_back
    return None


def _stop_after_calls(stop: Callable[[float | None], Any], grace: float | None) -> Any:
    CALLS.stop()
    CALLS.wait_idle(STOP_WAIT)
    return stop(grace)


def _is_pipe(fd: int) -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False


def _leave_with_cli() -> None:
    """Exit once the CLI is gone (end of file on stdin) and no call is in flight."""
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    CALLS.stop()
    CALLS.wait_idle(STOP_WAIT)
    os._exit(0)
