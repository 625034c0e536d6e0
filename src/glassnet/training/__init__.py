"""Training: the fit loop, early stopping, checkpoints and exact resume, stop signals.

- ``fit.py``: :func:`fit` checks the data and options and sets up one run;
- ``loop.py``: the epochs and steps, and where the run stands (``Position``);
- ``stopping.py``: early stopping; ``signals.py``: SIGTERM/SIGINT stop at a step's end;
- ``checkpoint.py``: what a checkpoint holds and when it is written; ``resume.py``: reading
  one back (checked like a model file) and continuing the same run.
"""

from glassnet.training.checkpoint import CheckpointWarning as CheckpointWarning
from glassnet.training.fit import fit as fit
from glassnet.training.fit import split_rows as split_rows
from glassnet.training.loop import Callback as Callback
from glassnet.training.loop import FitData as FitData
from glassnet.training.loop import _Loop as _Loop
from glassnet.training.resume import read_checkpoint as read_checkpoint

__all__ = ["Callback", "CheckpointWarning", "FitData", "fit", "read_checkpoint", "split_rows"]
