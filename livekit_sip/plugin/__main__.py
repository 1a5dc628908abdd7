"""`pulumi-resource-livekit-sip ENGINE_ADDRESS`: the plugin's gRPC server, as the engine starts it.

It listens on a free loopback port, prints the port on stdout for the engine, and serves
until the engine closes it. Stopped (SIGINT or SIGTERM), or left by its CLI (stdin ends), it
refuses new calls and answers the ones under way before it exits.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from importlib import metadata

import grpc
import pulumi.runtime.settings
from pulumi.runtime.proto import provider_pb2_grpc

from livekit_sip import process
from livekit_sip.plugin.provider import Service

#: gRPC messages as large as the engine sends (a state of many resources).
_MAX_MESSAGE = 400 * 1024 * 1024


def version() -> str:
    try:
        return metadata.version("livekit-sip")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pulumi-resource-livekit-sip",
                                     description="The livekit-sip resource provider, as the Pulumi engine runs it.")
    parser.add_argument("engine", nargs="?", help="the engine's gRPC address")
    parser.add_argument("--logflow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--logtostderr", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-v", dest="verbose", help=argparse.SUPPRESS)
    parser.add_argument("--tracing", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)
    if args.engine:
        # Warnings of the core (a take-over, drift restored) reach the CLI through the engine.
        pulumi.runtime.settings.configure(pulumi.runtime.settings.Settings(project=None, stack=None,
                                                                            engine=args.engine))

    async def serve() -> None:
        options = [("grpc.max_receive_message_length", _MAX_MESSAGE),
                   ("grpc.max_send_message_length", _MAX_MESSAGE)]
        server = grpc.aio.server(options=options)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(Service(version()), server)
        port = server.add_insecure_port("127.0.0.1:0")
        loop = asyncio.get_running_loop()
        stopping: list[asyncio.Task[None]] = []

        async def stop() -> None:
            # Ctrl-C reaches the whole process group, and the CLI closes its plugins the same way:
            # refuse new calls, answer the ones under way (their writes may have landed), then leave.
            process.CALLS.stop()
            await loop.run_in_executor(None, process.CALLS.wait_idle, process.STOP_WAIT)
            await server.stop(grace=1.0)

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: stopping.append(loop.create_task(stop())) if not stopping
                                    else None)
        await server.start()
        process.watch_cli()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        await server.wait_for_termination()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
