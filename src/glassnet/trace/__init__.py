"""Trace: every named matrix of one forward pass, one backward pass and the update they imply.

``record`` runs the passes and keeps the matrices (``trace``); ``quantities`` holds them
(``Trace``, ``TraceStep``: lookup by name, renderings, JSON both ways);
``equations`` writes each quantity's name and equation in the seed's notation; ``narrative``
tells backpropagation in the seed's order with the numbers plugged in; ``render`` sets
matrices as text. The explorer page (``Trace.to_html(path)``) lives in ``glassnet.explorer``.

>>> import glassnet as gn
>>> net, X, Y = gn.datasets.seed_example()
>>> tr = net.trace(X, Y)
>>> tr["Zh"].shape, tr.step("Eh").equation
((3, 2), "Eh = (Eo @ Wo.T) * R'(Zh)")
>>> tr["W1"] is tr["Wh"]
True
"""

from glassnet.trace.quantities import PHASES, Trace, TraceStep
from glassnet.trace.record import trace

__all__ = ["PHASES", "Trace", "TraceStep", "trace"]
