"""Learning-rate schedules: the rate for each epoch, from the optimizer's initial rate.

A schedule is called once at the start of every epoch as ``schedule(epoch, lr0)`` (epoch
counts from 0) and returns the learning rate for that epoch.
"""

from __future__ import annotations

import math


class Schedule:
    """Base class: lr(epoch) from the initial rate lr0."""

    name = "schedule"

    def __call__(self, epoch: int, lr0: float) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """lr = lr0."""

    name = "constant"

    def __call__(self, epoch: int, lr0: float) -> float:
        return lr0


class StepDecay(Schedule):
    """lr = lr0 · gamma ** (epoch // step_size)."""

    name = "step"

    def __init__(self, step_size: int = 10, gamma: float = 0.1) -> None:
        if step_size < 1 or gamma <= 0:
            raise ValueError("StepDecay needs step_size >= 1 and gamma > 0")
        self.step_size, self.gamma = step_size, gamma

    def __call__(self, epoch: int, lr0: float) -> float:
        return lr0 * self.gamma ** (epoch // self.step_size)


class Cosine(Schedule):
    """lr = min_lr + (lr0 − min_lr) · (1 + cos(π · epoch / epochs)) / 2.

    ``epochs`` defaults to the length of the ``fit`` it is used in.
    """

    name = "cosine"

    def __init__(self, epochs: int | None = None, min_lr: float = 0.0) -> None:
        self.epochs, self.min_lr = epochs, min_lr

    def __call__(self, epoch: int, lr0: float) -> float:
        T = max(self.epochs or 1, 1)
        return self.min_lr + (lr0 - self.min_lr) * (1 + math.cos(math.pi * min(epoch, T) / T)) / 2


class InverseScaling(Schedule):
    """lr = lr0 / (epoch + 1) ** power (scikit-learn's "invscaling", per epoch)."""

    name = "invscaling"

    def __init__(self, power: float = 0.5) -> None:
        self.power = power

    def __call__(self, epoch: int, lr0: float) -> float:
        return lr0 / (epoch + 1) ** self.power


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, StepDecay, Cosine, InverseScaling)
}


def get_schedule(spec: str | Schedule | None, epochs: int) -> Schedule:
    """The schedule named ``spec`` (Cosine over ``epochs``), or ``spec`` itself."""
    if spec is None:
        return Constant()
    if isinstance(spec, Schedule):
        if isinstance(spec, Cosine) and spec.epochs is None:
            return Cosine(epochs, spec.min_lr)
        return spec
    if isinstance(spec, str) and spec.lower() in SCHEDULES:
        cls = SCHEDULES[spec.lower()]
        return Cosine(epochs) if cls is Cosine else cls()
    raise ValueError(
        f"unknown schedule {spec!r}: use one of {', '.join(SCHEDULES)}, or an object such "
        "as gn.schedules.StepDecay(step_size=10, gamma=0.5)"
    )
