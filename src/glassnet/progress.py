"""Progress reports during fit: a rich progress bar in a terminal, one plain line per epoch
otherwise, nothing when silent. Training code only calls ``start``, ``epoch`` and ``stop``.
"""

from __future__ import annotations

import sys
from typing import IO, Any


def _format(values: dict[str, float]) -> str:
    return "  ".join(f"{k} {v:.4g}" for k, v in values.items())


class Silent:
    """Reports nothing."""

    shows = False  # whether ``epoch`` prints: the loop skips preparing its values if not

    def start(self, epochs: int) -> None:
        pass

    def epoch(self, epoch: int, epochs: int, values: dict[str, float], seconds: float) -> None:
        pass

    def message(self, text: str) -> None:
        pass

    def stop(self) -> None:
        pass


class Plain(Silent):
    """One line per epoch: ``epoch 3/20  loss 0.1234  val_loss 0.2345  (0.12 s)``."""

    shows = True

    def __init__(self, file: IO[str] | None = None) -> None:
        self.file = file or sys.stdout

    def epoch(self, epoch: int, epochs: int, values: dict[str, float], seconds: float) -> None:
        width = len(str(epochs))
        print(
            f"epoch {epoch:>{width}}/{epochs}  {_format(values)}  ({seconds:.3g} s)",
            file=self.file,
            flush=True,
        )

    def message(self, text: str) -> None:
        print(text, file=self.file, flush=True)


class Rich(Silent):
    """A live progress bar over epochs; each finished epoch's line is printed above it."""

    shows = True

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = Console()
        self.progress = Progress(
            TextColumn("[bold]epoch"),
            MofNCompleteColumn(),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task: Any = None

    def start(self, epochs: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("fit", total=epochs)

    def epoch(self, epoch: int, epochs: int, values: dict[str, float], seconds: float) -> None:
        width = len(str(epochs))
        self.progress.console.print(
            f"epoch {epoch:>{width}}/{epochs}  {_format(values)}  ({seconds:.3g} s)",
            highlight=False,
            soft_wrap=True,
        )
        self.progress.update(self.task, completed=epoch)

    def message(self, text: str) -> None:
        self.progress.console.print(text)

    def stop(self) -> None:
        self.progress.stop()


def reporter(verbose: bool | int) -> Silent:
    """Rich in a terminal, plain lines when output is redirected, silent when not verbose."""
    if not verbose:
        return Silent()
    if sys.stdout.isatty():
        return Rich()
    return Plain()
