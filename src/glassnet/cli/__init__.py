"""The ``glassnet`` command: one sub-command per module of this package; no maths here.

Each sub-command module defines ``add_parser(subparsers)``, which registers its options and
sets ``run`` (a function of the parsed arguments returning the exit status).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from glassnet._version import __version__
from glassnet.cli._common import CLIError, CLIFailure, tolerant_stdout

# name -> module; a module is imported only to build its parser, so `glassnet --help` is quick
COMMANDS = {
    "demo": "glassnet.cli.demo",
    "explain": "glassnet.cli.explain",
    "train": "glassnet.cli.train",
    "predict": "glassnet.cli.predict",
    "evaluate": "glassnet.cli.evaluate",
    "export": "glassnet.cli.export",
    "gradcheck": "glassnet.cli.gradcheck",
    "bench": "glassnet.cli.bench",
}


class _UsageError(Exception):
    """argparse found a bad option: already printed; exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on standard error (not the usage block)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise _UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            prog = f"glassnet {args.command}" if args.command else "glassnet"
            print(
                f"{prog}: error: unrecognized arguments: {' '.join(extra)} (see {prog} --help)",
                file=sys.stderr,
            )
            return 2
    except _UsageError:
        return 2
    except SystemExit as exc:  # --help and --version print and exit 0
        return int(exc.code or 0)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    status = _run(args)
    if status not in (0, 75, 130):  # under mpiexec: end every rank, not just this one
        from glassnet.distributed import abort

        abort(status)
    return status


def _run(args: argparse.Namespace) -> int:
    """Run the sub-command; a mistake is one line on standard error and an exit status."""
    try:
        with tolerant_stdout():
            return int(args.run(args) or 0)
    except (CLIError, ValueError, FileNotFoundError, IsADirectoryError) as exc:
        if args.debug:
            raise
        print(f"glassnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except CLIFailure as exc:
        if args.debug:
            raise
        print(f"glassnet {args.command}: error: {exc}", file=sys.stderr)
        return 1
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
