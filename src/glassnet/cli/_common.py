"""Checks shared by the sub-commands: option values, output paths, model files. No maths."""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from glassnet.network import Network


class CLIError(Exception):
    """A user mistake: printed as one line on standard error, exit status 2."""


class CLIFailure(Exception):
    """Not the user's mistake (a full disk, ...): one line on standard error, exit status 1."""


@contextmanager
def writing(option: str, path: str | os.PathLike[str]) -> Iterator[None]:
    """Report an OSError while writing an output as one line naming the option and file."""
    try:
        yield
    except OSError as exc:
        raise CLIFailure(
            f"{option} {path}: could not write the file ({exc.strerror or exc}); "
            "any previous file is unchanged"
        ) from exc


def _int_at_least(text: str, low: int, what: str) -> int:
    """``int(text)`` if it is ≥ ``low``, else an argparse type error saying ``what`` was expected."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: an integer ≥ 1."""
    return _int_at_least(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    """An argparse type: an integer ≥ 0."""
    return _int_at_least(text, 0, "an integer ≥ 0")


def layer_sizes(text: str) -> list[int]:
    """An argparse type: comma-separated hidden layer sizes such as ``64,32`` (or ``""``)."""
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    sizes = []
    for p in parts:
        try:
            size = int(p)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated positive integers such as 64,32, got {text!r} "
                f"({p!r} is not an integer)"
            ) from None
        if size < 1:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated positive integers such as 64,32, got {text!r} "
                f"({size} is not positive)"
            )
        sizes.append(size)
    return sizes


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return value


def fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a fraction between 0 and 1, got {text!r}"
        ) from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a fraction strictly between 0 and 1 (such as 0.2), got {text}"
        )
    return value


def check_output(path: str, option: str = "--out") -> Path:
    """Refuse an output path that is a folder or whose folder does not exist, before any work
    is done (the file itself is only ever replaced atomically, at the end)."""
    p = Path(path)
    if p.is_dir() or path.endswith(("/", os.sep)):
        raise CLIError(f"{option} {path}: is a folder; give a file name inside it")
    parent = p.parent
    if not parent.exists():
        raise CLIError(f"{option} {path}: the folder {str(parent)!r} does not exist")
    if not parent.is_dir():
        raise CLIError(f"{option} {path}: {str(parent)!r} is not a folder")
    if not os.access(parent, os.W_OK):
        raise CLIError(f"{option} {path}: the folder {str(parent)!r} is not writable")
    return p


def load_model(path: str) -> Network:
    """gn.load, with a missing file reported as a user mistake."""
    from glassnet.saving import load

    if not Path(path).exists():
        raise CLIError(f"{path}: no such model file")
    return load(path)


def load_table_model(path: str) -> Any:
    """The model file at ``path`` as a glassnet.tables.Model (its preprocessing, or its
    inputs as given for a bare network)."""
    from glassnet.tables import Model

    return Model.of(load_model(path))


def add_debug(p: argparse.ArgumentParser) -> None:
    """``--debug`` after the sub-command too (SUPPRESS keeps the main parser's value)."""
    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )


def note(text: str) -> None:
    """A remark for the user on standard error, so standard output stays data."""
    print(f"note: {text}", file=sys.stderr)


class _TolerantStdout:
    """Standard output that, once its reader has gone (``glassnet train ... | head``), drops
    further output instead of raising, so that the command still finishes its work -- and
    still writes its files."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return int(self.stream.write(text))
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.broken = True
        try:  # so that Python's own flush at exit finds somewhere to write
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextmanager
def tolerant_stdout() -> Iterator[None]:
    """Within the block, a vanished reader of standard output is not an error."""
    real = sys.stdout
    sys.stdout = _TolerantStdout(real)
    try:
        yield
    finally:
        sys.stdout = real
