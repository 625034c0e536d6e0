"""What a fit reports: its History, and the warning for a cost that diverged."""

from __future__ import annotations


class DivergenceWarning(RuntimeWarning):
    """The cost became NaN or infinite; training stopped and the weights were restored."""


class History:
    """Per-epoch records of a fit: ``history["loss"]``, ``history["val_loss"]``, ...

    ``stop_reason`` says why training ended early (None when it ran all its epochs);
    ``best_epoch`` is the epoch whose weights were kept by early stopping.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.stop_reason: str | None = None
        self.best_epoch: int | None = None
        self.seconds = 0.0
        self.blas_threads: int | None = None  # BLAS threads the steps used (None: all)
        self.gemm = "numpy"  # the library of the layers' products: "numpy" or "mkl"

    def append(self, values: dict[str, float]) -> None:
        """Add one epoch's values: history[key].append(value) for each key (new keys start)."""
        for key, value in values.items():
            column = self.history.get(key)
            if column is None:
                self.history[key] = [value]
            else:
                column.append(value)

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def loss(self) -> list[float]:
        return self.history.get("loss", [])

    @property
    def val_loss(self) -> list[float]:
        return self.history.get("val_loss", [])

    def __repr__(self) -> str:
        last = {k: round(v[-1], 6) for k, v in self.history.items() if v}
        return f"History(epochs={self.epochs}, last={last}, stop_reason={self.stop_reason!r})"
