"""`livekit-sip` (also `python -m livekit_sip`): commands for moving existing trunks under Pulumi.

    livekit-sip export [--stack-key-from name|id] [--output FILE]

The connection comes from `LIVEKIT_URL`, `LIVEKIT_API_KEY` and `LIVEKIT_API_SECRET`.
Errors are one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from livekit_sip.client import SIPClient
from livekit_sip.errors import LiveKitError, SettingsError
from livekit_sip.export import KEY_SOURCES, render
from livekit_sip.settings import ENV_KEYS, CleartextWarning, resolve

PROG = "livekit-sip"
#: Seconds one LiveKit call may take, retries included: long enough for a rate limit, short for a typo'd URL.
DEADLINE = 30.0


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog=prog, description="Manage LiveKit SIP outbound trunks as code.")
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
    args = parser.parse_args(argv)
    try:
        return _export(args.stack_key_from, args.output, prog)
    except (LiveKitError, OSError) as err:
        print(f"{prog} {args.command}: {_one_line(err)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _export(key_from: str, output: Path | None, prog: str) -> int:
    missing = [name for name in ENV_KEYS.values() if not os.environ.get(name)]
    if missing:
        # resolve() would also name stack config keys, which this command does not read.
        raise SettingsError(f"set {', '.join(missing)} in the environment to the LiveKit project to export")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CleartextWarning)
        settings = resolve(None, os.environ)
    for warning in caught:
        print(f"{prog} export: warning: {warning.message}", file=sys.stderr)
    client = SIPClient(settings, deadline=DEADLINE)
    try:
        trunks = client.list()
    finally:
        client.close()
    text = render(trunks, key_from=key_from, source=settings.url)
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
