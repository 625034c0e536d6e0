"""SIGTERM and SIGINT during fit: noted, so that training stops at the end of the step.

A cluster scheduler sends SIGTERM before it kills a job (preemption, the time limit); Ctrl-C
sends SIGINT. While ``StopSignals`` is active, either one only sets ``received``; the fit loop
looks at it after every step, writes its checkpoint and stops. A second SIGINT raises
KeyboardInterrupt at once, for a user who does not want to wait for the step.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals:
    """``with StopSignals() as stop:`` … ``if stop.received:`` (the signal's name, or None)."""

    def __init__(self, active: bool = True) -> None:
        # handlers can only be installed from the main thread; elsewhere signals act as usual
        self.active = active and threading.current_thread() is threading.main_thread()
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if number == signal.SIGINT and self.received == "SIGINT":
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        self.received = signal.Signals(number).name

    def __enter__(self) -> StopSignals:  # noqa: PYI034 (Self needs Python 3.11)
        if self.active:
            for number in SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)
        self._previous.clear()
