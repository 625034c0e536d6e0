"""An optimizer's state belongs to the run it was made for (issue 13, point 7)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.optimizers import OptimizerStateWarning


def data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.standard_normal((96, 4))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int)


def net(seed: int = 0) -> gn.Network:
    return gn.Network([4, 12, 2], loss="cross_entropy", dtype="float64", seed=seed)


def test_a_second_fit_of_the_same_network_continues_the_run(rng: np.random.Generator) -> None:
    X, y = data(rng)
    once, twice = net(), net()
    once.fit(X, y, epochs=6, batch_size=16, optimizer=gn.Adam(0.01))
    opt = gn.Adam(0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # continuing warns nothing
        twice.fit(X, y, epochs=3, batch_size=16, optimizer=opt)
        assert opt.t == 18
        twice.fit(X, y, epochs=3, batch_size=16, optimizer=opt)
    assert opt.t == 36  # moments and step count went on, as in one fit of 6 epochs
    np.testing.assert_array_equal(twice.P, once.P)


def test_an_optimizer_of_another_network_starts_fresh_with_a_warning(
    rng: np.random.Generator,
) -> None:
    X, y = data(rng)
    shared = gn.AdamW(0.01)
    net(0).fit(X, y, epochs=4, optimizer=shared, schedule="cosine")
    reused, fresh = net(1), net(1)
    with pytest.warns(OptimizerStateWarning, match=r"AdamW held the state of another network"):
        reused.fit(X, y, epochs=4, optimizer=shared, schedule="cosine", seed=2)
    fresh.fit(X, y, epochs=4, optimizer=gn.AdamW(0.01), schedule="cosine", seed=2)
    np.testing.assert_array_equal(reused.P, fresh.P)
    assert shared.t == 4 * 3  # 96 rows in batches of 32: only the second run's steps


def test_a_copy_of_the_network_is_another_network(rng: np.random.Generator) -> None:
    X, y = data(rng)
    first = net()
    opt = gn.SGD(0.1, momentum=0.9)
    first.fit(X, y, epochs=1, optimizer=opt)
    with pytest.warns(OptimizerStateWarning):
        first.copy().fit(X, y, epochs=1, optimizer=opt)


def test_fit_leaves_the_learning_rate_as_it_found_it(rng: np.random.Generator) -> None:
    X, y = data(rng)
    opt = gn.Adam(0.02)
    h = net().fit(X, y, epochs=5, optimizer=opt, schedule="cosine")
    assert h["learning_rate"][0] == 0.02 and h["learning_rate"][-1] < 0.02
    assert opt.learning_rate == 0.02  # the schedule's last rate did not stick


@pytest.mark.parametrize(
    "make",
    [
        lambda: gn.Adam(0.01),
        lambda: gn.AdamW(0.01),
        lambda: gn.SGD(0.05, momentum=0.9, nesterov=True),
        lambda: gn.RMSprop(0.01, momentum=0.5, centered=True),
    ],
)
def test_exported_state_continues_the_same_steps(rng: np.random.Generator, make: object) -> None:
    X, y = data(rng)
    a, b = net(), net()
    opt_a = make()  # type: ignore[operator]
    a.fit(X, y, epochs=2, optimizer=opt_a, shuffle=False)
    b.P[...] = a.P
    opt_b = make()  # type: ignore[operator]
    arrays, scalars = opt_a.state()
    assert "T" not in arrays and scalars == {"t": opt_a.t}
    opt_b.load_state(arrays, scalars, b.P)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a.fit(X, y, epochs=2, optimizer=opt_a, shuffle=False)
        b.fit(X, y, epochs=2, optimizer=opt_b, shuffle=False)
    np.testing.assert_array_equal(a.P, b.P)
