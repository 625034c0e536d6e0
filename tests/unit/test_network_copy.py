"""A copied or unpickled Network keeps every W, B, dW and dB as views of its own P and G."""

from __future__ import annotations

import copy
import pickle

import numpy as np

import glassnet as gn


def test_copies_keep_the_flat_vector_views(rng: np.random.Generator) -> None:
    net = gn.Network([3, 4, 2], seed=0)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    for twin in (net.copy(), copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        np.testing.assert_array_equal(twin.P, net.P)
        assert not np.shares_memory(twin.P, net.P)
        for layer in twin.layers:
            assert np.shares_memory(layer.W, twin.P) and np.shares_memory(layer.B, twin.P)
            assert np.shares_memory(layer.dW, twin.G) and np.shares_memory(layer.dB, twin.G)
        before = twin.forward(X).copy()
        twin.fit(X, Y, epochs=2, batch_size=3, verbose=False)  # updates P, so W moves too
        assert not np.allclose(twin.forward(X), before)
        np.testing.assert_array_equal(twin.layers[0].W.ravel(), twin.P[:12])
