"""plots.network_diagram: what is drawn for the seed's network and for summarised layers."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

import glassnet as gn
from glassnet import plots


def test_seed_diagram_draws_every_edge_neuron_and_value():
    net, X, Y = gn.datasets.seed_example()
    tr = net.trace(X, Y)
    ax = Figure().subplots()
    assert plots.network_diagram(net, trace=tr, ax=ax) is ax
    assert len(ax.lines) == 1 * 2 + 2 * 2  # one edge per weight
    texts = [t.get_text() for t in ax.texts]
    assert "Hidden: H = R(Zh)\nZh = X @ Wh + Bh\n2 neurons, relu" in texts
    Wo = net.layers[1].W
    assert f"{Wo[0, 1]:.3g}" in texts  # weights written on the edges
    notes = [t for t in texts if t.startswith("B ")]
    assert len(notes) == 4
    first_hidden = notes[0].splitlines()
    assert first_hidden[1] == f"Z {tr['Zh'][0, 0]:.4g}" and first_hidden[-1].startswith("E ")
    colours = {line.get_color() for line in ax.lines}
    assert colours <= {plots.POSITIVE, plots.NEGATIVE}
    widths = [line.get_linewidth() for line in ax.lines]
    assert max(widths) > 2 * min(widths)  # width follows |w|


def test_wide_layers_are_summarised():
    assert plots.shown_neurons(128) == [0, 1, 2, 3, None, 124, 125, 126, 127]
    net = gn.Network([64, 128, 10], loss="cross_entropy", seed=0)
    ax = Figure().subplots()
    plots.network_diagram(net, ax=ax)
    assert len(ax.lines) == 8 * 8 + 8 * 10
    texts = [t.get_text() for t in ax.texts]
    assert "⋮\n56 more" in texts and "⋮\n120 more" in texts
    w, h = plots.diagram_size(net.sizes)
    assert (w, h) == (1.0 + 3 * plots.COLUMN_WIDTH, 2.2 + 10 * plots.SLOT_HEIGHT)


def test_sample_outside_the_trace_is_refused():
    net, X, Y = gn.datasets.seed_example()
    try:
        plots.network_diagram(net, trace=net.trace(X, Y), ax=Figure().subplots(), sample=3)
    except ValueError as exc:
        assert "sample 3 is outside 0..2" in str(exc)
    else:
        raise AssertionError("no error")
    assert np.isfinite(net.P).all()
