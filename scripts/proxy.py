"""A loopback HTTP proxy in front of livekit-server that records and injects faults.

Every request is recorded as (RPC method, JSON body, status, when it arrived and
was answered). A `fault` callable may answer instead of the server: return
(status, body) to send that, or "stall" to hold the connection until the proxy
stops, or "drop" to let the server answer and then cut the connection before the
answer arrives, or "land" to let the server do the work and then hold its answer
until the proxy stops. `delay` adds a fixed round trip to every request, as a LiveKit
project tens of milliseconds away would; `limit` is a token bucket beyond which
requests get 429 `resource_exhausted` with a Retry-After header, as a rate-limited
project answers.
"""

from __future__ import annotations

import http.client
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Fault = Callable[[str, int], "tuple[int, str] | str | None"]


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    status: int = 0
    #: time.monotonic() when the request arrived and when its answer was sent.
    started: float = 0.0
    ended: float = 0.0


class TokenBucket:
    """`rate` requests per second on average, `burst` at once; thread-safe."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._tokens = float(burst)
        self._at = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0 when a request may go now (a token is spent), else the seconds until one may."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
            self._at = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


RATE_LIMITED = json.dumps({"code": "resource_exhausted", "msg": "rate limit exceeded"})


@dataclass
class Proxy:
    upstream: str
    fault: Fault | None = None
    calls: list[Call] = field(default_factory=list)
    #: Seconds added to every request, before it is answered.
    delay: float = 0.0
    limit: TokenBucket | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                method = self.path.rsplit("/", 1)[-1]
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                call = Call(method, body, started=time.monotonic())
                if proxy.delay:
                    time.sleep(proxy.delay)
                with proxy._lock:
                    proxy.calls.append(call)
                    attempt = sum(1 for c in proxy.calls if c.method == method)
                answer = proxy.fault(method, attempt) if proxy.fault else None
                wait = proxy.limit.take() if proxy.limit and answer is None else 0.0
                extra: dict[str, str] = {}
                if wait:
                    answer = (429, RATE_LIMITED)
                    extra["Retry-After"] = str(max(1, math.ceil(wait)))
                if answer == "stall":
                    proxy._stop.wait()
                    return
                if answer == "drop":  # the server does the work, the answer is lost
                    proxy._forward(self.path, raw, dict(self.headers.items()))
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if answer == "land":  # the server does the work, the answer never comes
                    call.status = proxy._forward(self.path, raw, dict(self.headers.items()))[0]
                    proxy._stop.wait()
                    return
                if isinstance(answer, tuple):
                    status, text = answer
                    data = text.encode()
                    ctype = "application/json"
                else:
                    status, data, ctype = proxy._forward(self.path, raw, dict(self.headers.items()))
                call.status = status
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                call.ended = time.monotonic()

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

        class Server(ThreadingHTTPServer):
            # The default backlog of 5 drops connections when a client sends hundreds at once
            # (the unbounded SDK baseline); the retransmits then cost seconds.
            request_queue_size = 1024
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _forward(self, path: str, raw: bytes, headers: dict[str, str]) -> tuple[int, bytes, str]:
        target = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(str(target.hostname), target.port, timeout=60)
        sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
        conn.request("POST", path, body=raw, headers=sent)
        resp = conn.getresponse()
        status, data = resp.status, resp.read()
        ctype = resp.getheader("Content-Type", "application/json")
        conn.close()
        return status, data, ctype

    def busy_seconds(self) -> float:
        """How long at least one request was in flight: the time spent waiting on LiveKit."""
        with self._lock:
            spans = sorted((c.started, c.ended) for c in self.calls if c.ended)
        busy, reach = 0.0, float("-inf")
        for start, end in spans:
            if end > reach:
                busy += end - max(start, reach)
                reach = end
        return busy

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
