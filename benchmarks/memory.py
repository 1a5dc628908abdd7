"""Peak memory of the dynamic-provider process (`python -u -m pulumi.dynamic`).

The pulumi engine starts the provider; it is found as a descendant of this
process (ppid links in /proc/<pid>/stat) whose command line names
`pulumi.dynamic`, and sampled from /proc/<pid>/status. Nothing is signalled.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

PROC = Path("/proc")
MARKER = b"pulumi.dynamic"


def _parents() -> dict[int, int]:
    """pid -> ppid for every visible process."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces; fields after it are fixed.
        fields = stat[stat.rfind(b")") + 2:].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(root: int) -> list[int]:
    """Every process below `root`."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def provider_pids(root: int) -> list[int]:
    """Descendants of `root` running the dynamic provider."""
    pids = []
    for pid in descendants(root):
        try:
            if MARKER in (PROC / str(pid) / "cmdline").read_bytes():
                pids.append(pid)
        except OSError:
            continue
    return pids


def _status_kib(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values


@dataclass
class ProviderMemory:
    """Samples the provider's RSS every `interval` seconds while the `with` block runs."""

    interval: float = 0.1
    root: int = field(default_factory=os.getpid)
    peak_hwm_kib: int = 0
    peak_rss_kib: int = 0
    samples: int = 0
    pids: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="provider-memory", daemon=True)

    def __enter__(self) -> ProviderMemory:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for pid in provider_pids(self.root):
            try:
                status = _status_kib(pid)
            except (OSError, ValueError):
                continue  # exited between listing and reading
            self.pids.add(pid)
            self.samples += 1
            self.peak_hwm_kib = max(self.peak_hwm_kib, status.get("VmHWM", 0))
            self.peak_rss_kib = max(self.peak_rss_kib, status.get("VmRSS", 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "peak_hwm_mib": round(self.peak_hwm_kib / 1024, 1),
            "peak_rss_mib": round(self.peak_rss_kib / 1024, 1),
            "samples": self.samples,
            "interval_s": self.interval,
            "processes": len(self.pids),
        }
