"""Training: the fit loop, early stopping, checkpoints and exact resume, stop signals.

- ``fit.py``: :func:`fit` checks the data and options and sets up one run;
- ``loop.py``: the epochs and steps, and where the run stands (``Position``);
- ``stopping.py``: early stopping; ``signals.py``: SIGTERM/SIGINT stop at a step's end;
- ``checkpoint.py``: what a checkpoint holds and when it is written; ``resume.py``: reading
  one back (checked like a model file) and continuing the same run.
"""

from typing import Any

from glassnet.training.checkpoint import CheckpointWarning as CheckpointWarning
from glassnet.training.fit import fit as fit
from glassnet.training.fit import split_rows as split_rows
from glassnet.training.loop import Callback as Callback
from glassnet.training.loop import FitData as FitData
from glassnet.training.loop import _Loop as _Loop

__all__ = ["Callback", "CheckpointWarning", "FitData", "fit", "read_checkpoint", "split_rows"]


def __getattr__(name: str) -> Any:
    """``read_checkpoint`` on first use: reading checkpoints imports the model-file checks,
    which a fit without them does not need."""
    if name == "read_checkpoint":
        from glassnet.training.resume import read_checkpoint

        return read_checkpoint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
