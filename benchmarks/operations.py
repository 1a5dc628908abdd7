"""Per-operation cost: `SIPClient` against a bare httpx request for the same RPC.

Both sides send the same JSON body with a token from one `TokenSource`, straight
to livekit-server. The bare side is one shared `httpx.Client`: post, check the
status, decode the JSON. Its bodies are built before timing starts; the client's
arguments (models) are too, so its figure holds only what the client adds:
serializing the model, signing headers, retry bookkeeping and validating the answer.
Calls alternate client/bare, and which goes first flips every iteration.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from livekit_sip.client import SIPClient
from livekit_sip.outbound.models import CreateRequest, OutboundTrunkInfo, OutboundTrunkUpdate, UpdateRequest
from livekit_sip.settings import Settings
from livekit_sip.tokens import TokenSource
from livekit_sip.twirp import SERVICE_PATH

OPERATIONS = ("create", "get", "update", "replace", "delete")
TARGET_RATIO = 1.10
WARMUP = 3


@dataclass
class OperationResult:
    """Medians over `iterations` interleaved pairs of calls."""

    client_ms: float
    bare_ms: float
    #: Median of the per-iteration ratios client/bare.
    ratio: float
    ratio_of_medians: float
    client_p90_ms: float
    bare_p90_ms: float
    iterations: int
    target: float
    met: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Bare:
    """The least a caller can do: one shared httpx.Client, the same token, raw JSON."""

    def __init__(self, settings: Settings) -> None:
        self._tokens = TokenSource(settings.api_key, settings.api_secret)
        self._http = httpx.Client(base_url=settings.url + SERVICE_PATH,
                                  headers={"Content-Type": "application/json"}, timeout=20.0)

    def call(self, method: str, body: dict[str, Any]) -> Any:
        response = self._http.post(method, json=body, headers={"Authorization": "Bearer " + self._tokens.token()})
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        self._http.close()


def _trunk(tag: str, i: int) -> OutboundTrunkInfo:
    return OutboundTrunkInfo(name=f"bench-{tag}{i:03d}", address="sip.example.com",
                     numbers=[f"+1415{0 if tag == 'c' else 1}55{i:04d}"])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _pairs(iterations: int, client_call: Callable[[int], object],
           bare_call: Callable[[int], object]) -> OperationResult:
    client_s: list[float] = []
    bare_s: list[float] = []
    for i in range(iterations):
        order = ((client_call, client_s), (bare_call, bare_s))
        for call, times in order if i % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            call(i)
            times.append(time.perf_counter() - started)
    ratios = [c / b for c, b in zip(client_s, bare_s, strict=True)]
    ratio = statistics.median(ratios)
    return OperationResult(
        client_ms=statistics.median(client_s) * 1e3,
        bare_ms=statistics.median(bare_s) * 1e3,
        ratio=ratio,
        ratio_of_medians=statistics.median(client_s) / statistics.median(bare_s),
        client_p90_ms=_percentile(client_s, 0.9) * 1e3,
        bare_p90_ms=_percentile(bare_s, 0.9) * 1e3,
        iterations=iterations,
        target=TARGET_RATIO,
        met=ratio <= TARGET_RATIO,
    )


def _warm_up(client: SIPClient, bare: Bare) -> None:
    """Open both connection pools and run each code path once, untimed."""
    for i in range(WARMUP):
        made = client.outbound.create(_trunk("w", 900 + i))
        client.outbound.get(made.sip_trunk_id)
        client.outbound.update(made.sip_trunk_id, OutboundTrunkUpdate(name="warm"))
        client.outbound.delete(made.sip_trunk_id)
        raw = bare.call("CreateSIPOutboundTrunk", CreateRequest(trunk=_trunk("w", 950 + i)).to_wire())
        bare.call("GetSIPOutboundTrunk", {"sip_trunk_id": raw["sip_trunk_id"]})
        bare.call("UpdateSIPOutboundTrunk", {"sip_trunk_id": raw["sip_trunk_id"], "update": {"name": "warm"}})
        bare.call("DeleteSIPTrunk", {"sip_trunk_id": raw["sip_trunk_id"]})


def bench_operations(settings: Settings, iterations: int) -> dict[str, OperationResult]:
    """Run create, get, update, replace and delete `iterations` times each way.

    The trunks created in the create round are the ones later read, changed and deleted.
    """
    client = SIPClient(settings)
    bare = Bare(settings)
    results: dict[str, OperationResult] = {}
    client_ids: list[str] = []
    bare_ids: list[str] = []
    try:
        _warm_up(client, bare)
        new_client = [_trunk("c", i) for i in range(iterations)]
        new_bare = [CreateRequest(trunk=_trunk("b", i)).to_wire() for i in range(iterations)]
        results["create"] = _pairs(
            iterations,
            lambda i: client_ids.append(client.outbound.create(new_client[i]).sip_trunk_id),
            lambda i: bare_ids.append(bare.call("CreateSIPOutboundTrunk", new_bare[i])["sip_trunk_id"]),
        )
        results["get"] = _pairs(
            iterations,
            lambda i: client.outbound.get(client_ids[i]),
            lambda i: bare.call("GetSIPOutboundTrunk", {"sip_trunk_id": bare_ids[i]}),
        )
        updates = [OutboundTrunkUpdate(name=f"bench-updated{i:03d}") for i in range(iterations)]
        update_bodies = [UpdateRequest(sip_trunk_id=bare_ids[i], update=updates[i]).to_wire()
                         for i in range(iterations)]
        results["update"] = _pairs(
            iterations,
            lambda i: client.outbound.update(client_ids[i], updates[i]),
            lambda i: bare.call("UpdateSIPOutboundTrunk", update_bodies[i]),
        )
        replacements = [_trunk("r", i) for i in range(iterations)]
        replace_bodies = [UpdateRequest(sip_trunk_id=bare_ids[i], replace=replacements[i]).to_wire()
                          for i in range(iterations)]
        results["replace"] = _pairs(
            iterations,
            lambda i: client.outbound.replace(client_ids[i], replacements[i]),
            lambda i: bare.call("UpdateSIPOutboundTrunk", replace_bodies[i]),
        )
        results["delete"] = _pairs(
            iterations,
            lambda i: client.outbound.delete(client_ids[i]),
            lambda i: bare.call("DeleteSIPTrunk", {"sip_trunk_id": bare_ids[i]}),
        )
    finally:
        for trunk in client.outbound.list():
            client.outbound.delete(trunk.sip_trunk_id)
        client.close()
        bare.close()
    return results
