"""The explorer page in chromium: offline, stepping, hover text, live training equal to
glassnet's, downloads, keyboard only, wide networks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose

import glassnet as gn
from glassnet.trace import Trace, render


def seed_trace(learning_rate: float = 0.01) -> Trace:
    net, X, Y = gn.datasets.seed_example()
    return net.trace(X, Y, learning_rate=learning_rate)


def python_training(net: gn.Network, X: Any, Y: Any, steps: int, lr: float) -> list[float]:
    """``steps`` steps of full-batch gradient descent with gn.SGD; the cost before each."""
    Xc, Yc, scale = net.check(X, Y)
    opt, costs = gn.SGD(lr), []
    for _ in range(steps):
        costs.append(net.loss_and_gradient(Xc, Yc, scale))
        opt.step(net.P, net.G)
    return costs


def agreement(page_trace: dict[str, Any], tr: Trace) -> float:
    """The largest difference between the page's and Python's quantities, relative to the
    largest entry of each matrix; every quantity of the trace is compared."""
    worst = 0.0
    for q in page_trace["quantities"]:
        a, b = np.asarray(q["values"], dtype=float), tr[q["name"]]
        assert a.shape == b.shape, q["name"]
        size = float(np.max(np.abs(b))) or 1.0
        worst = max(worst, float(np.max(np.abs(a - b))) / size)
        assert_allclose(a, b, rtol=1e-9, atol=1e-12 * size, err_msg=q["name"])
    return worst


def test_the_seed_page_is_one_offline_file_without_errors(open_page):
    p = open_page(seed_trace())
    text = p.path.read_text(encoding="utf-8")
    assert p.errors == [] and p.remote() == []
    assert 'type="application/json"' in text and "<math" in text and "<svg" in text
    for absent in ("<script src", 'type="module"', "fetch(", "<link", "import("):
        assert absent not in text, absent
    assert p.page.locator("#matrices table.grid[data-key]").count() == len(seed_trace())
    assert p.page.locator("#diagram circle").count() == 5  # 1 + 2 + 2 units


def test_stepping_walks_forward_then_backward_in_the_seeds_order(open_page):
    tr = seed_trace()
    p = open_page(tr)
    seen = []
    for k in range(len(tr)):
        if k:
            p.page.keyboard.press("ArrowRight")
        seen.append(p.page.locator(".card.current h3 .qname").inner_text())
        assert p.page.locator(".card.current").count() == 1
    assert seen == tr.names
    order = [n for n in seen if n in ("Eo", "Eh", "dWo", "dWh", "Wh_new")]
    assert order == ["Eo", "Eh", "dWo", "dWh", "Wh_new"]  # Eo → Eh → dW → W ← W − η·dW
    # the diagram marks where the current quantity lives: dWo is the weights into layer 2
    p.page.keyboard.press("Home")
    for _ in range(tr.names.index("dWo")):
        p.page.keyboard.press("ArrowRight")
    assert p.page.locator("#diagram g.edges.hl").get_attribute("data-l") == "2"
    assert "dWo" in (p.page.locator("#diagram-now").text_content() or "")
    p.page.keyboard.press("ArrowLeft")  # Eh, the hidden layer error: the units of layer 1
    assert p.page.locator("#diagram g.units.hl").get_attribute("data-l") == "1"


def hover_text(p: Any, key: str, i: int, j: int) -> str:
    p.page.hover(f"#matrices td[data-key='{key}'][data-i='{i}'][data-j='{j}']")
    return p.page.locator("#explain-formula").inner_text()


def test_hover_shows_each_cells_computation_with_pythons_numbers(open_page):
    tr = seed_trace()
    p = open_page(tr)
    X, Wh, Bh = tr["X"], tr["Wh"], tr["Bh"]
    expected = (
        f"Zh[2,1] = X[2,:]·Wh[:,1] + Bh[1] = {render.number(X[1, 0])}·"
        f"{render.number(Wh[0, 0])} + {render.number(Bh[0, 0])} = {render.number(tr['Zh'][1, 0])}"
    )
    assert (
        hover_text(p, "Z1", 1, 0)
        == expected
        == "Zh[2,1] = X[2,:]·Wh[:,1] + Bh[1] = 2·0.469 + 0.1 = 1.038"
    )
    # the sources are outlined: X row 2, Wh column 1, Bh[1]
    sources = p.page.locator("#matrices td.src")
    marked = {(c.get_attribute("data-key"), c.get_attribute("data-i"), c.get_attribute("data-j"))
              for c in sources.all()}  # fmt: skip
    assert marked == {("X", "1", "0"), ("W1", "0", "0"), ("B1", "0", "0")}
    # every cell of every matrix ends with Python's value: each cell gets the pointer's
    # mouseover event in turn (one call, so that the test stays fast)
    shown = p.js(
        """() => Array.from(document.querySelectorAll('#matrices td[data-key]')).map(c => {
            c.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
            return [c.dataset.key, +c.dataset.i, +c.dataset.j, c.textContent,
                    document.getElementById('explain-formula').textContent];
        })"""
    )
    assert len(shown) == sum(max(s.values.size, 1) for s in tr)
    for key, i, j, cell, text in shown:
        value = render.number(float(np.atleast_2d(tr[key])[i, j]))
        assert cell == value, (key, i, j)
        assert re.search(rf"= {re.escape(value)}(\s|$)", text), (key, text)
    # each weight's finite-difference check beside the analytic dW, with its relative error
    net, X, Y = gn.datasets.seed_example()
    report = gn.gradcheck(net, X, Y)
    hover_text(p, "W2", 0, 1)
    check = p.page.locator("#explain-check").inner_text()
    assert check == ""  # a weight itself has no check; its derivative has
    hover_text(p, "dW2", 0, 1)
    check = p.page.locator("#explain-check").inner_text()
    rel = float(check.rsplit("relative error ", 1)[1])
    assert rel < 1e-6 and report.max_rel_error < 1e-6
    assert f"analytic {render.number(tr['dWo'][0, 1])}" in check
    # and every dW, dB card shows the check of each entry beside its value
    for key in ("dW1", "dB1", "dW2", "dB2"):
        card = p.page.locator(f"#fd-{key}")
        worst = float(re.search(r"largest relative error (\S+)", card.inner_text()).group(1))
        assert worst < 1e-6, key
        rows = card.locator("table tr").count() - 1
        assert rows == tr[key].size


@pytest.mark.parametrize(
    ("sizes", "activation", "output", "loss", "reduction"),
    [
        ([1, 2, 2], "relu", "relu", "mse", "sum"),  # the seed's network
        ([2, 4, 3], "tanh", None, "cross_entropy", "mean"),
        ([3, 3, 2, 1], "sigmoid", None, "binary_cross_entropy", "mean"),
    ],
)
def test_fifty_steps_in_the_page_equal_fifty_steps_of_glassnet(
    open_page, sizes, activation, output, loss, reduction
):
    lr, steps = 0.05, 50
    net = gn.Network(sizes, activation=activation, output_activation=output, loss=loss,
                     reduction=reduction, dtype="float64", seed=3, bias_init=0.1)  # fmt: skip
    if sizes == [1, 2, 2]:
        net, X, Y = gn.datasets.seed_example()
    else:
        rng = np.random.default_rng(1)
        X, Y = rng.standard_normal((6, sizes[0])), net.loss.example_targets(rng, 6, sizes[-1])
    p = open_page(net.trace(X, Y, learning_rate=lr))
    assert p.js("window.glassnetExplorer.train(49)") == 49
    p.page.locator("#train-step").click()  # the 50th step through the page's own button
    page_costs, page_trace = (
        p.js("window.glassnetExplorer.history()"),
        p.js("window.glassnetExplorer.trace()"),
    )
    costs = python_training(net, X, Y, steps, lr)
    assert_allclose(page_costs, costs, rtol=1e-9)
    worst = agreement(page_trace, net.trace(X, Y, learning_rate=lr))
    assert worst <= 1e-9
    assert p.errors == [] and p.remote() == []
    print(f"page vs glassnet after {steps} steps of {sizes} {loss}: {worst:.2e}")


def test_changing_the_activation_and_resetting(open_page):
    net, X, Y = gn.datasets.seed_example()
    p = open_page(net.trace(X, Y, learning_rate=0.01))
    p.page.select_option("#act", "sigmoid")
    p.js("window.glassnetExplorer.train(20)")
    sig = gn.Network([1, 2, 2], activation="sigmoid", output_activation="relu", reduction="sum",
                     dtype="float64")  # fmt: skip
    sig.P[...] = net.P
    python_training(sig, X, Y, 20, 0.01)
    page_trace = p.js("window.glassnetExplorer.trace()")
    assert "H = σ(Zh)" in [q["equation"] for q in page_trace["quantities"]]
    assert page_trace["network"] == repr(sig)
    assert agreement(page_trace, sig.trace(X, Y, learning_rate=0.01)) <= 1e-9
    p.page.locator("#reset").click()
    assert p.js("window.glassnetExplorer.history()") == []
    Wo = next(
        q for q in p.js("window.glassnetExplorer.trace()")["quantities"] if q["name"] == "Wo"
    )
    assert_allclose(Wo["values"], net.layers[1].W, rtol=0, atol=0)  # the same initial weights
    assert p.errors == []


def test_run_pause_and_a_new_learning_rate(open_page):
    net, X, Y = gn.datasets.seed_example()
    p = open_page(net.trace(X, Y, learning_rate=0.01))
    p.page.fill("#lr", "0.02")
    p.page.locator("#lr").dispatch_event("change")
    p.page.locator("#run").click()
    p.page.wait_for_function("window.glassnetExplorer.history().length >= 20")
    p.page.locator("#pause").click()
    n = len(p.js("window.glassnetExplorer.history()"))
    p.page.wait_for_timeout(200)
    assert len(p.js("window.glassnetExplorer.history()")) == n  # paused: no more steps
    assert p.page.locator("#run").is_enabled() and p.page.locator("#pause").is_disabled()
    costs = python_training(net, X, Y, n, 0.02)
    assert_allclose(p.js("window.glassnetExplorer.history()"), costs, rtol=1e-9)
    assert agreement(p.js("window.glassnetExplorer.trace()"), net.trace(X, Y, 0.02)) <= 1e-9
    assert f"steps trained: {n}" in p.page.locator("#live-status").inner_text()
    assert p.page.locator("#curve path.loss").count() == 1
    assert p.errors == []


def test_json_and_csv_downloads_round_trip(open_page):
    tr = seed_trace()
    p = open_page(tr)
    with p.page.expect_download() as info:
        p.page.locator("#download-json").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    back = Trace.from_json(text)
    assert back.names == tr.names and back.sizes == tr.sizes and back.loss == tr.loss
    for s in tr:
        assert back.step(s.name).equation == s.equation
        # the page computed these itself: equal to Python's up to the last bits
        assert_allclose(back[s.name], s.values, rtol=1e-12, atol=1e-15, err_msg=s.name)
    assert json.loads(text).keys() == tr.to_dict().keys()  # the schema of --format json
    with p.page.expect_download() as info:
        p.page.locator("#card-Z1 button.csv").click()
    assert info.value.suggested_filename == "Zh.csv"
    assert_allclose(np.loadtxt(info.value.path(), delimiter=","), tr["Zh"], rtol=1e-12)
    assert p.remote() == []


def test_keyboard_only(open_page):
    net, X, Y = gn.datasets.seed_example()
    p = open_page(net.trace(X, Y))
    page = p.page
    for _ in range(3):  # First, Back, Next: Tab reaches the Next button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "next"
    page.keyboard.press("Enter")
    assert p.js("window.glassnetExplorer.step()") == 1
    page.keyboard.press("Space")
    assert p.js("window.glassnetExplorer.step()") == 2
    # into a matrix: focus explains the cell, arrow keys move within it
    page.locator("#matrices td[data-key='Z1'][data-i='0'][data-j='0']").focus()
    assert page.locator("#explain-formula").inner_text().startswith("Zh[1,1] = X[1,:]")
    page.keyboard.press("ArrowDown")
    assert page.locator("#explain-formula").inner_text().startswith("Zh[2,1] = ")
    assert p.js("window.glassnetExplorer.step()") == 2  # the arrow moved the cell, not the step
    # Enter on a weight edits it; the page recomputes the trace with the new weight
    page.locator("#matrices td[data-key='W2'][data-i='1'][data-j='0']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "edit-value"
    page.keyboard.press("Control+A")
    page.keyboard.type("-0.25")
    page.keyboard.press("Enter")
    net.layers[1].W[1, 0] = -0.25
    assert agreement(p.js("window.glassnetExplorer.trace()"), net.trace(X, Y)) <= 1e-12
    assert page.evaluate("document.activeElement.dataset.key") == "W2"  # focus came back
    page.locator("#train-step").focus()
    page.keyboard.press("Enter")
    assert len(p.js("window.glassnetExplorer.history()")) == 1
    assert p.errors == []


def test_a_wide_network_is_summarised_and_a_loss_the_page_cannot_train_is_shown(open_page):
    net = gn.Network([30, 16, 3], loss="cross_entropy", dtype="float64", seed=0)
    rng = np.random.default_rng(0)
    p = open_page(net.trace(rng.standard_normal((12, 30)), rng.integers(0, 3, 12)))
    assert p.page.locator("#diagram .more").count() == 2  # the input and hidden layers
    assert p.page.locator("#card-X td.gap").count() > 0
    assert p.errors == []
    huber = gn.Network([2, 3, 1], loss="huber", dtype="float64", seed=0)
    X = rng.standard_normal((4, 2))
    p = open_page(huber.trace(X, rng.standard_normal((4, 1))))
    assert "not huber" in p.page.locator("#live-why").inner_text()
    assert p.page.locator("#train-step").is_disabled()
    assert p.errors == []


def test_the_page_writes_numbers_as_glassnet_does(open_page):
    p = open_page(seed_trace())
    rng = np.random.default_rng(0)
    values = [0.0, 1.0, -2.5, 1.038, 0.1, 1e6, -123456789.0, 8.156e-5, 1.5e-7, -3.2e-12]
    values += (rng.standard_normal(200) * 10.0 ** rng.integers(-8, 9, 200)).tolist()
    page = p.js("vs => vs.map(v => window.glassnetExplorer.number(v))", values)
    assert page == [render.number(v) for v in values]


def test_phone_width_has_no_sideways_scroll(open_page):
    p = open_page(seed_trace(), width=390, height=844)
    assert p.js("document.documentElement.scrollWidth") <= 390
    assert p.errors == []
