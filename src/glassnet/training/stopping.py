"""Early stopping: the lowest validation loss so far and the weights that reached it."""

from __future__ import annotations

import math
from typing import Any

from glassnet._typing import Array


class EarlyStopping:
    """Tracks the lowest val_loss and a copy of the weights that reached it."""

    def __init__(self, patience: int, min_delta: float) -> None:
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.wait = math.inf, 0
        self.best_P: Array | None = None
        self.best_epoch: int | None = None

    def update(self, epoch: int, val_loss: float, P: Array) -> bool:
        """Record one epoch; True once val_loss has not improved for ``patience`` epochs."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_P, self.best_epoch, self.wait = val_loss, P.copy(), epoch, 0
            return False
        self.wait += 1
        return self.wait >= self.patience

    def state(self) -> dict[str, Any]:
        """What a checkpoint keeps besides best_P: {"best_loss", "wait", "best_epoch"}."""
        return {"best_loss": self.best_loss, "wait": self.wait, "best_epoch": self.best_epoch}

    def load_state(self, state: dict[str, Any], best_P: Array | None) -> None:
        self.best_loss, self.wait = float(state["best_loss"]), int(state["wait"])
        self.best_epoch = state["best_epoch"]
        self.best_P = None if best_P is None else best_P.copy()
