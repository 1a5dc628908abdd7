"""`livekit-sip` (also `python -m livekit_sip`): commands for moving existing trunks under Pulumi.

    livekit-sip export [--stack-key-from name|id] [--output FILE]
    livekit-sip recover EXPORTED_STATE [--output FILE] [--stack NAME]

The connection comes from `LIVEKIT_URL`, `LIVEKIT_API_KEY` and `LIVEKIT_API_SECRET`.
Errors are one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from livekit_sip.client import SIPClient
from livekit_sip.errors import LiveKitError, SettingsError
from livekit_sip.export import KEY_SOURCES, render
from livekit_sip.kinds import SECTIONS
from livekit_sip.recover import RecoverError, check_export, recover
from livekit_sip.settings import ENV_KEYS, CleartextWarning, resolve

PROG = "livekit-sip"


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description="Manage LiveKit SIP trunks and dispatch rules as code.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    export = commands.add_parser(
        "export", help="print a livekit-sip:trunks config block for every outbound trunk in a project",
        description="Print a livekit-sip:trunks stack config block, each entry with its adoptTrunkId, "
                    "for every outbound trunk in the LiveKit project named by LIVEKIT_URL, LIVEKIT_API_KEY "
                    "and LIVEKIT_API_SECRET. SIP credentials are never printed.")
    export.add_argument("--stack-key-from", choices=KEY_SOURCES, default="name",
                        help="derive each stack key from the trunk's name (default) or its id")
    export.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write the block to FILE instead of stdout")
    settle = commands.add_parser(
        "recover", help="settle the pending creates an interrupted `pulumi up` left in a stack's state",
        description="Read the JSON of `pulumi stack export` and write it back with every pending create of an "
                    "outbound trunk, inbound trunk or dispatch rule settled: an object that reached LiveKit is "
                    "recorded with its ID, one that did not is dropped so that `pulumi up` creates it. Load the "
                    "result with `pulumi stack import`. The LiveKit project is the one named by LIVEKIT_URL, "
                    "LIVEKIT_API_KEY and LIVEKIT_API_SECRET. On any error nothing is written.")
    settle.add_argument("state", type=Path, metavar="EXPORTED_STATE", help="the file `pulumi stack export` wrote")
    settle.add_argument("--output", "-o", type=Path, metavar="FILE",
                        help="write the settled state to FILE instead of stdout")
    settle.add_argument("--stack", metavar="NAME", help="refuse an export of any other stack than NAME")
    args = parser.parse_args(argv)
    try:
        if args.command == "recover":
            return _recover(args.state, args.output, args.stack, prog)
        return _export(args.stack_key_from, args.output, prog)
    except (LiveKitError, OSError) as err:
        print(f"{prog} {args.command}: {_one_line(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _client(prog: str, command: str) -> tuple[SIPClient, str]:
    """A client of the project the environment names, and its URL."""
    missing = [name for name in ENV_KEYS.values() if not os.environ.get(name)]
    if missing:
        # resolve() would also name stack config keys, which these commands do not read.
        raise SettingsError(f"set {', '.join(missing)} in the environment to the stack's LiveKit project")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CleartextWarning)
        settings = resolve(None, os.environ)
    for warning in caught:
        print(f"{prog} {command}: warning: {warning.message}", file=sys.stderr)
    return SIPClient(settings), settings.url


def _recover(state: Path, output: Path | None, stack: str | None, prog: str) -> int:
    try:
        exported = json.loads(state.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        why = err.msg if isinstance(err, json.JSONDecodeError) else "it is not text"
        raise SettingsError(f"{state} is not the JSON of `pulumi stack export`: {why}") from None
    if not isinstance(exported, dict):
        raise SettingsError(f"{state} is not the JSON of `pulumi stack export`")
    try:
        check_export(exported, stack)
    except RecoverError as err:
        raise RecoverError(f"{state}: {err}") from None
    client, url = _client(prog, "recover")
    try:
        objects = {section.kind.service: getattr(client, section.kind.service).list() for section in SECTIONS}
    finally:
        client.close()
    recovery = recover(exported, objects, stack=stack, project=f"the LiveKit project at {url}")
    text = json.dumps(recovery.state, indent=4) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
    for line in recovery.report() or ["no pending creates of livekit-sip objects"]:
        print(f"{prog} recover: {line}", file=sys.stderr)
    return 0


def _export(key_from: str, output: Path | None, prog: str) -> int:
    client, url = _client(prog, "export")
    try:
        trunks, inbound, rules = client.outbound.list(), client.inbound.list(), client.dispatch.list()
    finally:
        client.close()
    text = render(trunks, key_from=key_from, source=url, inbound=inbound, rules=rules)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
        print(f"{prog} export: wrote {len(trunks)} trunk(s) to {output}", file=sys.stderr)
    return 0


def _one_line(err: BaseException) -> str:
    if isinstance(err, OSError) and err.filename is not None:
        return f"{err.filename}: {err.strerror or err}"
    return " ".join(str(err).split()) or type(err).__name__


if __name__ == "__main__":
    sys.exit(main(prog="python -m livekit_sip"))
