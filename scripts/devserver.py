"""Start and stop a local LiveKit server (Redis + livekit-server) on 127.0.0.1.

Used by `make up` / `make down` and by the tests' session fixture, so all three
start the server the same way. Everything started is recorded by PID in
`<state_dir>/pids.json`; `stop` signals exactly those processes.

    python scripts/devserver.py start [--state-dir DIR] [--port 7880]
    python scripts/devserver.py stop  [--state-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from livekit_sip.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TOOLS_BIN = ROOT / ".tools" / "bin"
DEFAULT_STATE = ROOT / ".devserver"
HOST = "127.0.0.1"
# Throwaway keys of the local dev server. The secret is 32+ bytes: HS256 keys shorter
# than that make pyjwt warn on every token.
LOCAL_KEY, LOCAL_SECRET = "devkey", "livekit-sip-local-dev-server-secret-not-for-production"


class ToolMissing(RuntimeError):
    """A program the dev server needs is not installed."""


@dataclass
class DevServer:
    url: str
    api_key: str
    api_secret: str
    redis_port: int
    http_port: int
    state_dir: Path

    @property
    def settings(self) -> Settings:
        """The connection, as the provider resolves it."""
        return Settings(self.url, self.api_key, self.api_secret)

    def env(self, url: str | None = None) -> dict[str, str]:
        """The connection as LiveKit's usual environment variables; `url` puts a proxy in front."""
        return self.settings.as_env(url)

    def stop(self) -> None:
        stop(self.state_dir)


def tool(name: str) -> str:
    """The path of `name`, from `.tools/bin` first, then PATH.

    Raises:
        ToolMissing: with what to run to install it.
    """
    local = TOOLS_BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    hint = {
        "redis-server": "install Debian's redis-server package (`make tools` does, as root)",
    }.get(name, "run `make tools` (needs Go and the Go module proxy)")
    raise ToolMissing(f"{name} is not installed: {hint}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Go's listeners do
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _wait(check: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], log: Path,
          timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{what} exited with {proc.returncode}; log {log}:\n{tail}")
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s; see {log}")


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _http_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=1) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def _record(state_dir: Path, name: str, proc: subprocess.Popen[bytes], exe: str, **extra: str) -> None:
    path = state_dir / "pids.json"
    pids = json.loads(path.read_text()) if path.exists() else {}
    # Debian's redis-server is a link to redis-check-rdb: record what /proc will show.
    pids[name] = {"pid": proc.pid, "exe": os.path.basename(os.path.realpath(exe)), **extra}
    path.write_text(json.dumps(pids))


def start_redis(state_dir: Path, port: int, persist: bool = False) -> subprocess.Popen[bytes]:
    """Redis on loopback; with `persist`, trunks survive a stop (saved to state_dir on shutdown)."""
    exe = tool("redis-server")
    log = state_dir / "redis.log"
    proc = subprocess.Popen(
        [exe, "--bind", HOST, "--port", str(port), "--save", "3600 1" if persist else "", "--appendonly", "no",
         "--dir", str(state_dir)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    _record(state_dir, "redis", proc, exe)
    _wait(lambda: _redis_ready(port), "redis-server", proc, log)
    return proc


def start_livekit(state_dir: Path, http_port: int, redis_port: int, api_key: str,
                  api_secret: str) -> subprocess.Popen[bytes]:
    exe = tool("livekit-server")
    log = state_dir / "livekit.log"
    config = {
        "port": http_port,
        "bind_addresses": [HOST],
        "rtc": {"tcp_port": free_port(), "udp_port": free_port(), "node_ip": HOST,
                "use_external_ip": False},
        "redis": {"address": f"{HOST}:{redis_port}"},
        "keys": {api_key: api_secret},
        "logging": {"level": "info"},
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEKIT_")}
    proc = subprocess.Popen(
        [exe, "--config-body", json.dumps(config)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True, env=env)
    _record(state_dir, "livekit", proc, exe)
    _wait(lambda: _http_ready(http_port), "livekit-server", proc, log)
    return proc


def start(state_dir: Path = DEFAULT_STATE, http_port: int | None = None,
          api_key: str | None = None, api_secret: str | None = None, persist: bool = False) -> DevServer:
    """Start Redis and livekit-server on loopback and wait until both answer.

    Free ports and a random key pair are used unless given. Writes `env` (shell
    exports) and `pids.json` into `state_dir`.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    running = _running(state_dir)
    if running is not None and (http_port is None or running.http_port == http_port) \
            and (api_key is None or running.api_key == api_key) \
            and (api_secret is None or running.api_secret == api_secret):
        return running
    stop(state_dir)
    if http_port is not None and not _port_free(http_port):
        raise RuntimeError(f"127.0.0.1:{http_port} is already in use by a process this checkout did not "
                           "start; stop it, or pick another port")
    redis_port = free_port()
    http_port = http_port or free_port()
    api_key = api_key or "APItest" + secrets.token_hex(4)
    api_secret = api_secret or secrets.token_urlsafe(32)
    try:
        start_redis(state_dir, redis_port, persist)
        start_livekit(state_dir, http_port, redis_port, api_key, api_secret)
    except BaseException:
        stop(state_dir)
        raise
    server = DevServer(f"http://{HOST}:{http_port}", api_key, api_secret, redis_port,
                       http_port, state_dir)
    (state_dir / "server.json").write_text(json.dumps(
        {**server.env(), "REDIS_PORT": str(redis_port)}))
    (state_dir / "env").write_text("".join(f"export {k}='{v}'\n" for k, v in server.env().items()))
    return server


def _running(state_dir: Path) -> DevServer | None:
    """The server recorded in `state_dir`, if both its processes still run and it answers."""
    pids_path, info_path = state_dir / "pids.json", state_dir / "server.json"
    if not (pids_path.exists() and info_path.exists()):
        return None
    pids = json.loads(pids_path.read_text())
    if not all(name in pids and _alive(pids[name]["pid"], pids[name]["exe"]) for name in ("redis", "livekit")):
        return None
    info = json.loads(info_path.read_text())
    http_port = int(info["LIVEKIT_URL"].rsplit(":", 1)[1])
    if not _http_ready(http_port):
        return None
    return DevServer(info["LIVEKIT_URL"], info["LIVEKIT_API_KEY"], info["LIVEKIT_API_SECRET"],
                     int(info["REDIS_PORT"]), http_port, state_dir)


def _alive(pid: int, exe: str) -> bool:
    # redis-server rewrites its argv, so the executable link is the reliable check.
    # A rebuilt binary shows as "<path> (deleted)" while the old process runs.
    try:
        target = os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)")
    except OSError:
        return False
    return os.path.basename(target) == exe


def stop_one(state_dir: Path, name: str) -> None:
    """Stop one recorded process (`redis` or `livekit`) with SIGKILL, as a crash would."""
    pids = json.loads((state_dir / "pids.json").read_text())
    entry = pids[name]
    if _alive(entry["pid"], entry["exe"]):
        os.kill(entry["pid"], signal.SIGKILL)
        _reap(entry["pid"], entry["exe"])


def _reap(pid: int, exe: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid, exe) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.05)


#: How each recorded process is asked to stop; PostgreSQL's SIGTERM waits for clients, SIGINT does not.
_STOP_SIGNAL = {"postgres": signal.SIGINT}
_LABEL = {"livekit": "livekit-server", "redis": "redis-server", "postgres": "postgres"}


def stop(state_dir: Path = DEFAULT_STATE) -> list[str]:
    """Stop the processes recorded in `state_dir`, the last started first.

    Returns:
        What was stopped, e.g. ``["livekit-server (pid 123)"]``; empty when nothing ran.
    """
    path = state_dir / "pids.json"
    if not path.exists():
        return []
    pids = json.loads(path.read_text())
    stopped = []
    for name in reversed(list(pids)):
        entry = pids[name]
        if _alive(entry["pid"], entry["exe"]):
            os.kill(entry["pid"], _STOP_SIGNAL.get(name, signal.SIGTERM))
            _reap(entry["pid"], entry["exe"])
            if _alive(entry["pid"], entry["exe"]):
                os.kill(entry["pid"], signal.SIGKILL)
                _reap(entry["pid"], entry["exe"])
            stopped.append(f"{_LABEL.get(name, name)} (pid {entry['pid']})")
        if entry.get("data_dir"):
            shutil.rmtree(entry["data_dir"], ignore_errors=True)
    path.unlink()
    return stopped


def postgres_bin() -> Path:
    """Debian's PostgreSQL server programs, newest major version first.

    Raises:
        ToolMissing: with what to run to install it.
    """
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise ToolMissing("PostgreSQL is not installed: install Debian's postgresql package "
                          "(`make tools` does, as root)")
    return found[-1].parent


def start_postgres(state_dir: Path) -> str:
    """A throwaway PostgreSQL cluster on a free loopback port, recorded in `state_dir`.

    Trust authentication on 127.0.0.1 only. PostgreSQL refuses to run as root, so as
    root the cluster belongs to Debian's `postgres` user, in a directory of its own.

    Returns:
        A Pulumi DIY backend URL (``postgres://...``) for the cluster's `postgres` database.
    """
    bin_dir = postgres_bin()
    state_dir.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="livekit-sip-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(data, user.pw_uid, user.pw_gid)
        as_user = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"]
    log = state_dir / "postgres.log"
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "pulumi", "--auth=trust",
                    "-E", "UTF8", "--no-instructions"], check=True, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    port = free_port()
    exe = str(bin_dir / "postgres")
    proc = subprocess.Popen(
        [*as_user, exe, "-D", str(data / "db"), "-h", HOST, "-p", str(port), "-k", str(data)],
        stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    _record(state_dir, "postgres", proc, exe, data_dir=str(data))
    ready = [str(bin_dir / "pg_isready"), "-q", "-h", HOST, "-p", str(port)]
    _wait(lambda: subprocess.run(ready, check=False).returncode == 0, "postgres", proc, log)
    return f"postgres://pulumi@{HOST}:{port}/postgres?sslmode=disable"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_STATE)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--local", action="store_true",
                        help="the fixed local key pair (LOCAL_KEY), and trunks kept across stop/start")
    args = parser.parse_args(argv)
    if args.command == "stop":
        stopped = stop(args.state_dir)
        if stopped:
            print(f"stopped {' and '.join(stopped)}")
        else:
            print("nothing to stop: no dev server recorded as running")
        return 0
    try:
        key, secret = (LOCAL_KEY, LOCAL_SECRET) if args.local else (None, None)
        server = start(args.state_dir, args.port, key, secret, persist=args.local)
    except (ToolMissing, RuntimeError) as err:
        print(f"devserver: {err}", file=sys.stderr)
        return 1
    print(f"LiveKit server on {server.url} (Redis on {HOST}:{server.redis_port})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
