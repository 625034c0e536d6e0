"""Trace: the seed's example against the tutorial's equations by hand, names, renderings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import glassnet as gn
from glassnet.trace import render as _render

SEED_TABLE = ["X", "Wh", "Bh", "Zh", "H", "Wo", "Bo", "Zo", "O"]
SEED_NAMES = [*SEED_TABLE, "Y", "C", "Eo", "Eh", "dWo", "dBo", "dWh", "dBh"]
UPDATES = ["Wh_new", "Bh_new", "Wo_new", "Bo_new"]


def relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0)


def relu_prime(Z: np.ndarray) -> np.ndarray:
    return (Z > 0).astype(float)


@pytest.fixture
def seed():
    net, X, Y = gn.datasets.seed_example()
    return net, X, Y, net.trace(X, Y, learning_rate=0.05)


def test_seed_values_equal_the_tutorials_equations_by_hand(seed):
    net, X, Y, tr = seed
    Wh, Bh = net.layers[0].W.copy(), net.layers[0].B.copy()
    Wo, Bo = net.layers[1].W.copy(), net.layers[1].B.copy()
    # forward: the seed's nested functions R(R(X Wh + Bh) Wo + Bo)
    Zh = X @ Wh + Bh
    H = relu(Zh)
    Zo = H @ Wo + Bo
    O = relu(Zo)
    C = 0.5 * np.sum((O - Y) ** 2)  # the seed's cost ½ Σ (ŷ − y)²
    # backward: the seed's three equations
    Eo = (O - Y) * relu_prime(Zo)
    Eh = (Eo @ Wo.T) * relu_prime(Zh)
    dWo, dBo = H.T @ Eo, Eo.sum(axis=0, keepdims=True)
    dWh, dBh = X.T @ Eh, Eh.sum(axis=0, keepdims=True)
    eta = 0.05
    expected = {
        "X": X, "Y": Y, "Wh": Wh, "Bh": Bh, "Zh": Zh, "H": H, "Wo": Wo, "Bo": Bo, "Zo": Zo,
        "O": O, "C": C, "Eo": Eo, "Eh": Eh, "dWo": dWo, "dBo": dBo, "dWh": dWh, "dBh": dBh,
        "Wh_new": Wh - eta * dWh, "Bh_new": Bh - eta * dBh,
        "Wo_new": Wo - eta * dWo, "Bo_new": Bo - eta * dBo,
    }  # fmt: skip
    assert tr.names == [*SEED_NAMES, *UPDATES]
    for name, value in expected.items():
        assert_allclose(tr[name], value, rtol=1e-12, atol=1e-14, err_msg=name)
        assert tr.step(name).shape == np.shape(value), name
    # no ReLU is dead on these samples, so every R' above is 1 and the check is not vacuous
    assert (Zh > 0).all() and (Zo > 0).all()
    assert tr.cost == pytest.approx(C)


def test_seed_shapes_are_read_from_the_arrays_not_the_seeds_table(seed):
    *_, tr = seed
    shapes = {name: tr.step(name).shape for name in SEED_TABLE}
    assert shapes == {
        "X": (3, 1), "Wh": (1, 2), "Bh": (1, 2), "Zh": (3, 2), "H": (3, 2),  # not (1, 2)
        "Wo": (2, 2), "Bo": (1, 2), "Zo": (3, 2), "O": (3, 2),
    }  # fmt: skip
    assert tr.step("C").shape == ()


def test_seed_equations_in_the_seeds_notation(seed):
    *_, tr = seed
    equations = {s.name: s.equation for s in tr}
    assert equations["Zh"] == "Zh = X @ Wh + Bh"
    assert equations["H"] == "H = R(Zh)"
    assert equations["Zo"] == "Zo = H @ Wo + Bo"
    assert equations["Eo"] == "Eo = (O − Y) * R'(Zo)"
    assert equations["Eh"] == "Eh = (Eo @ Wo.T) * R'(Zh)"
    assert equations["dWh"] == "dWh = X.T @ Eh"
    assert equations["dWo"] == "dWo = H.T @ Eo"
    assert equations["dBh"] == "dBh = Σ_rows Eh"
    assert equations["Wh_new"] == "Wh ← Wh − η·dWh"
    assert tr.step("Zh").shapes == "(3, 2) = (3, 1) @ (1, 2) + (1, 2)"
    assert tr.step("dWo").shapes == "(2, 2) = (2, 3) @ (3, 2)"
    assert tr.step("Zh").description == "Hidden weighted input"


def test_indexed_names_are_aliases_of_the_seeds(seed):
    *_, tr = seed
    pairs = {"A0": "X", "W1": "Wh", "B1": "Bh", "Z1": "Zh", "A1": "H", "W2": "Wo", "B2": "Bo",
             "Z2": "Zo", "A2": "O", "E2": "Eo", "E1": "Eh", "dW1": "dWh", "dB1": "dBh",
             "dW2": "dWo", "dB2": "dBo", "W1_new": "Wh_new", "B2_new": "Bo_new"}  # fmt: skip
    for alias, name in pairs.items():
        assert alias in tr
        assert tr[alias] is tr[name]
        assert tr.step(alias).name == name
    with pytest.raises(KeyError, match=r"no quantity 'Zx'.*Zh"):
        tr["Zx"]


def test_gradients_equal_network_gradients_and_weights_are_unchanged(seed):
    net, X, Y, tr = seed
    P = net.P.copy()
    for (dW, dB), (gW, gB) in zip(tr.gradients(), net.gradients(X, Y), strict=True):
        assert_array_equal(dW, gW)
        assert_array_equal(dB, gB)
    net.trace(X, Y)
    assert_array_equal(net.P, P)


def test_trace_keeps_copies_not_views_of_the_networks_buffers(seed):
    net, X, Y, tr = seed
    Zh, dWh = tr["Zh"].copy(), tr["dWh"].copy()
    net.gradients(2 * X, Y)  # a new pass overwrites the layers' caches and G
    net.P += 1.0
    assert_array_equal(tr["Zh"], Zh)
    assert_array_equal(tr["dWh"], dWh)
    assert not np.shares_memory(tr["Wh"], net.P)


def test_deep_network_names_equations_and_fused_output_error():
    net = gn.Network([3, 5, 4, 2], loss="cross_entropy", dtype="float64", seed=1)
    X = np.random.default_rng(0).standard_normal((6, 3))
    tr = net.trace(X, [0, 1, 1, 0, 1, 0])
    assert tr.names[:5] == ["X", "W1", "B1", "Z1", "A1"]
    assert tr["O"] is tr["A3"] and tr["Eo"] is tr["E3"] and tr["Wo"] is tr["W3"]
    assert tr.step("A3").equation == "A3 = S(Z3)"
    assert tr.step("E3").equation == "E3 = (A3 − Y) / n"
    assert tr.step("E2").equation == "E2 = (E3 @ W3.T) * R'(Z2)"
    assert tr.step("C").equation == "C = −(1/n) Σ Y · log A3"
    assert tr.step("Z2").description == "Hidden layer 2 weighted input"
    assert_array_equal(tr["Y"].sum(axis=1), np.ones(6))  # integer labels became one-hot
    assert_allclose(tr["E3"], (tr["A3"] - tr["Y"]) / 6, rtol=1e-12)


@pytest.mark.parametrize(
    ("hidden", "output", "loss", "reduction", "E_out"),
    [
        ("tanh", "identity", "mse", "mean", "E2 = (O − Y) / n"),
        ("identity", "sigmoid", "binary_cross_entropy", "sum", "E2 = (O − Y)"),
        ("sigmoid", "softmax", "mse", "sum", "E2 = S'(Z2)·(O − Y)  (softmax Jacobian, row by row)"),
        ("elu", "sigmoid", "cross_entropy", "mean", "E2 = (−Y / O) * σ'(Z2) / n"),
    ],
)  # fmt: skip
def test_every_kind_of_layer_renders(hidden, output, loss, reduction, E_out):
    net = gn.Network([2, 3, 2], activation=hidden, output_activation=output, loss=loss,
                     reduction=reduction, dtype="float64", seed=3)  # fmt: skip
    rng = np.random.default_rng(5)
    X, Y = rng.standard_normal((4, 2)), rng.integers(0, 2, (4, 2)).astype(float)
    if loss == "cross_entropy":
        Y = np.eye(2)[[0, 1, 1, 0]]
    tr = net.trace(X, Y)
    assert tr["Eo"].shape == (4, 2)
    E_out = E_out.replace("E2", "Eo").replace("Z2", "Zo")
    assert tr.step("Eo").equation == E_out
    story = tr.narrative()
    for heading in ("1. Output layer error", "2. Hidden layer error", "3. Derivative", "4. The"):
        assert heading in story
    for s in tr:
        assert s.name in tr.table()
    gW = net.gradients(X, Y)
    assert_array_equal(tr["dWh"], gW[0][0])


def test_narrative_follows_the_seeds_order_with_numbers(seed):
    *_, tr = seed
    story = tr.narrative()
    steps = ["1. Output layer error", "Eo = (O − Y) * R'(Zo)", "2. Hidden layer error",
             "Eh = (Eo @ Wo.T) * R'(Zh)", "3. Derivative of the cost", "dWo = H.T @ Eo",
             "dWh = X.T @ Eh", "4. The update", "Wh ← Wh − η·dWh"]  # fmt: skip
    positions = [story.index(s) for s in steps]
    assert positions == sorted(positions)
    for name in ("Eo", "Eh", "dWh", "Wh_new"):  # each result appears with its numbers
        assert _render.matrix(tr[name]).split("\n")[0] in story
    assert "η = 0.05" in story
    assert tr.narrative(values=False).count("[[") == 0


def test_table_shows_small_values_and_summarises_large_ones():
    net = gn.Network([30, 20, 2], dtype="float64", seed=0)
    X = np.random.default_rng(0).standard_normal((50, 30))
    tr = net.trace(X, np.zeros((50, 2)))
    text = tr.table()
    assert "(30, 20) matrix: min" in text
    assert len(text.splitlines()) < 200  # never floods a terminal
    full = tr.table(full=True)
    assert len(full.splitlines()) > 300
    assert "Values" not in tr.table(values=False)
    assert "Dimensions" in tr.table(values=False)


def test_json_holds_every_quantity_with_its_values(seed):
    *_, tr = seed
    data = json.loads(tr.to_json())
    names = [q["name"] for q in data["quantities"]]
    assert names == tr.names and "Y" in names
    for q in data["quantities"]:
        assert set(q) >= {"name", "shape", "equation", "values"}
        assert tuple(q["shape"]) == tr.step(q["name"]).shape
        assert_allclose(np.asarray(q["values"]), tr[q["name"]], rtol=1e-15)
    assert data["sizes"] == [1, 2, 2] and data["cost"] == pytest.approx(tr.cost)
    assert all(q["values"] is None for q in json.loads(tr.to_json(values=False))["quantities"])


def test_markdown_is_a_valid_table(seed):
    *_, tr = seed
    lines = tr.to_markdown().splitlines()
    assert len(lines) == 2 + len(tr)
    assert lines[0] == "| Var | Name | Dimensions | Equation | Values |"
    assert lines[1] == "|---|---|---|---|---|"
    for line in lines:
        assert line.startswith(("| ", "|---"))
        assert line.endswith("|")
        cells = line.replace("\\|", "").strip("|").split("|")
        assert len(cells) == 5
    assert "| Zh | Hidden weighted input | (3, 2) | Zh = X @ Wh + Bh |" in lines[5]


def test_html_has_a_table_with_a_row_per_quantity(seed):
    *_, tr = seed
    page = tr.to_html()
    assert page.startswith('<table class="glassnet-trace">') and page.endswith("</table>")
    assert page.count("<tr>") == len(tr) + 1
    assert "<td>Zh = X @ Wh + Bh</td>" in page
    assert tr._repr_html_() == page
    assert "&lt;" not in page or "<" in page  # escaped text, real tags


def test_render_helpers():
    assert _render.number(-17.94398) == "-17.944"
    assert _render.number(2.0) == "2" and _render.number(0.0) == "0"
    assert _render.number(1.5e-7) == "1.5e-07"
    assert _render.matrix(np.array([[1.0, -2.5], [3.25, 4.0]])) == "[[1     -2.5]\n [3.25   4  ]]"
    big = np.arange(100.0).reshape(10, 10)
    text = _render.matrix(big)
    assert text.startswith("(10, 10) matrix: min 0, max 99, mean 49.5")
    assert "…" in text and "⋮" in text
    assert _render.inline(np.array([[1.0, 2.0]])) == "[[1, 2]]"
    assert _render.hstack(["a\nb", "=", "c"]) == "a = c\nb"


def test_trace_rejects_bad_input(seed):
    net, X, Y, _ = seed
    with pytest.raises(ValueError, match="X has 2 columns but W1 is"):
        net.trace(np.ones((3, 2)), Y)
    with pytest.raises(ValueError, match="learning_rate"):
        net.trace(X, Y, learning_rate=float("nan"))


def test_the_package_keeps_its_public_paths():
    import glassnet.trace as package
    from glassnet.trace import Trace, TraceStep, trace
    from glassnet.trace.equations import apply, layer_names

    net, X, Y = gn.datasets.seed_example()
    assert isinstance(trace(net, X, Y), Trace) and package.Trace is Trace
    assert TraceStep.__module__ == "glassnet.trace.quantities"
    assert layer_names(1, 2)["A"] == ("H", ("A1",))
    assert apply(gn.activations.get_activation("identity"), "O", "Zo") == "O = Zo"


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_from_json_reads_back_what_to_json_wrote(seed, loss):
    if loss == "mse":
        *_, tr = seed
    else:
        net = gn.Network([3, 4, 2], activation="tanh", loss=loss, dtype="float64", seed=1)
        tr = net.trace(np.eye(3), [0, 1, 1])
    back = gn.Trace.from_json(tr.to_json())
    assert back.names == tr.names and back.table() == tr.table()
    assert back.narrative() == tr.narrative() and back.to_dict() == tr.to_dict()
    with pytest.raises(ValueError, match="not a glassnet trace"):
        gn.trace.Trace.from_json('{"quantities": []}')


def test_to_html_with_a_path_writes_the_explorer_page(seed, tmp_path):
    *_, tr = seed
    path = tr.to_html(tmp_path / "seed.html")
    page = (tmp_path / "seed.html").read_text(encoding="utf-8")
    assert path == str(tmp_path / "seed.html")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<script") == 2 and '<script type="application/json"' in page
    data = page.split('id="glassnet-data">', 1)[1].split("</script>", 1)[0]
    numbers = json.loads(data)
    assert {q["name"] for q in numbers["quantities"]} == set(tr.names)
    assert set(numbers["page"]["variants"]) == {"sigmoid", "tanh", "identity"}
    assert numbers["page"]["live"] == ""
    zh = next(q for q in numbers["quantities"] if q["name"] == "Zh")
    assert zh["key"] == "Z1" and zh["mathml"].startswith("<math>")
    assert_array_equal(zh["values"], tr["Zh"])  # every digit: JSON floats round-trip


def test_notebook_views(seed):
    net, X, Y, tr = seed
    frame = tr.explore(height=500)._repr_html_()
    assert frame.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;') and "500px" in frame
    assert "<script" not in frame  # all of the page is inside the escaped attribute
    table = net._repr_html_()
    assert table.count("<tr>") == 3 and "W1 (1, 2)" in table and "relu" in table
    assert net.explore(X, Y)._repr_html_().startswith("<iframe srcdoc=")


def test_equations_in_mathml():
    from glassnet.explorer.mathml import mathml

    assert mathml("dWo = H.T @ Eo") == (
        "<math><mi>d</mi><msub><mi>W</mi><mi>o</mi></msub><mo>=</mo>"
        "<msup><mrow><mi>H</mi></mrow><mi>T</mi></msup><mo>·</mo>"
        "<msub><mi>E</mi><mi>o</mi></msub></math>"
    )
    assert "<mo>⊙</mo>" in mathml("Eh = (Eo @ Wo.T) * R'(Zh)")
    assert "<munder><mo>Σ</mo><mtext>rows</mtext></munder>" in mathml("dB2 = Σ_rows E2")
    assert "<mtext>(softmax Jacobian, row by row)</mtext>" in mathml(
        "E2 = S'(Z2)·(E3 @ W3.T)  (softmax Jacobian, row by row)"
    )
