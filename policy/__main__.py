"""The livekit-sip policy pack: production guardrails for SIP trunks and dispatch rules.

The Pulumi CLI runs this file with the pack's virtualenv (PulumiPolicy.yaml) for
`pulumi preview --policy-pack policy` and `pulumi up --policy-pack policy`. Every rule is
advisory unless the pack config makes it mandatory (`policy/config/prod.json` does, for
every rule); the rules themselves are in `rules.py`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from concurrent import futures
from typing import Any

import grpc
import rules
from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer

NAME = "livekit-sip"
#: PulumiPolicy.yaml's version is the one the CLI shows; this one is the SDK's fallback.
VERSION = "0.1.0"
_LEVEL_NAMES = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.DISABLED: "disabled",
                proto.REMEDIATE: "remediate"}


def _policy(rule: rules.Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for message in rule.messages(args.resource_type, args.name, args.props):
            report_violation(message, args.urn)

    return ResourceValidationPolicy(name=rule.name, description=rule.description, validate=validate)


class _Analyzer(_PolicyAnalyzerServicer):  # type: ignore[misc]
    """pulumi-policy's analyzer, with the pack config checked when the CLI hands it over:
    an unknown rule name, level or setting fails the command with one line naming it."""

    def Configure(self, request: Any, context: grpc.ServicerContext) -> Any:  # noqa: N802 (gRPC's name)
        given: dict[str, tuple[str | None, Mapping[str, Any]]] = {}
        for name, value in request.policyConfig.items():
            given[name] = (_LEVEL_NAMES.get(value.enforcementLevel, str(value.enforcementLevel)),
                           json_format.MessageToDict(value.properties))
        problems = rules.config_problems(given)
        if problems:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"policy pack {NAME}: {problems[0]}")
        return super().Configure(request, context)


def serve() -> None:
    """Serve the pack as `pulumi_policy.PolicyPack` does: print the port, then wait."""
    policies = [_policy(rule) for rule in rules.RULES]
    analyzer = _Analyzer(NAME, VERSION, policies, EnforcementLevel.ADVISORY,
                         description="Production guardrails for LiveKit SIP trunks and dispatch rules")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)])
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(analyzer, server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(24 * 60 * 60)
    except KeyboardInterrupt:
        server.stop(0)


if __name__ == "__main__":
    serve()
