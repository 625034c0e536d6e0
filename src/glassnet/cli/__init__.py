"""The ``glassnet`` command: one sub-command per module of this package; no maths here.

Each sub-command module defines ``add_parser(subparsers)``, which registers its options and
sets ``run`` (a function of the parsed arguments returning the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from glassnet._version import __version__

# name -> module; a module is imported only to build its parser, so `glassnet --help` is quick
COMMANDS = {
    "demo": "glassnet.cli.demo",
    "bench": "glassnet.cli.bench",
}


class CLIError(Exception):
    """A user mistake: printed as one line on standard error, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="Multilayer perceptrons with forward and back propagation in plain "
        "matrix form.",
    )
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``glassnet ARGS``; returns the exit status (0 ok, 2 bad input or usage, 1 other)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except (CLIError, ValueError) as exc:
        if args.debug:
            raise
        print(f"glassnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"glassnet {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"glassnet {args.command}: error: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
