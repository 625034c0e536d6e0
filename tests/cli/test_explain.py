"""``glassnet explain``: the seed's table by default, every format, bad options, the picture."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.plots import diagram_size

SEED_NAMES = ["X", "Wh", "Bh", "Zh", "H", "Wo", "Bo", "Zo", "O",
              "Y", "C", "Eo", "Eh", "dWo", "dWh", "dBo", "dBh"]  # fmt: skip


def run(capsys, *argv):
    rc = main(["explain", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_default_explains_the_seeds_network(capsys):
    rc, out, _ = run(capsys)
    assert rc == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line and line[0].isalpha()}
    for name in SEED_NAMES:
        assert name in rows, name
    assert "(3, 2)" in rows["Zh"] and "Zh = X @ Wh + Bh" in rows["Zh"]
    assert "Eo = (O − Y) * R'(Zo)" in rows["Eo"]
    net, X, Y = gn.datasets.seed_example()
    cost = net.cost(X, Y)
    assert f"cost C = {cost:.4f}" in out
    for step in (
        "1. Output layer error",
        "2. Hidden layer error",
        "3. Derivative",
        "4. The update",
    ):
        assert step in out


def test_json_parses_and_holds_every_name(capsys):
    rc, out, _ = run(capsys, "--format", "json")
    assert rc == 0
    data = json.loads(out)
    names = {q["name"] for q in data["quantities"]}
    assert names >= set(SEED_NAMES)
    net, X, _ = gn.datasets.seed_example()
    Zh = next(q for q in data["quantities"] if q["name"] == "Zh")
    assert Zh["shape"] == [3, 2] and Zh["equation"] == "Zh = X @ Wh + Bh"
    np.testing.assert_allclose(Zh["values"], X @ net.layers[0].W + net.layers[0].B)


def test_markdown_and_html(capsys):
    rc, out, _ = run(capsys, "--format", "markdown")
    assert rc == 0
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 21 and table[1] == "|---|---|---|---|---|"
    assert all(line.endswith("|") and line.count(" | ") == 4 for line in table if line[1] == " ")
    rc, out, _ = run(capsys, "--format", "html", "--no-values")
    assert rc == 0 and "<table" in out and "</html>" in out and "<th>Values</th>" not in out


def test_other_networks(capsys):
    rc, out, _ = run(capsys, "--sizes", "4,8,3", "--loss", "cross_entropy", "--samples", "5",
                     "--seed", "1", "--format", "json")  # fmt: skip
    assert rc == 0
    data = json.loads(out)
    shapes = {q["name"]: tuple(q["shape"]) for q in data["quantities"]}
    assert shapes["X"] == (5, 4) and shapes["Zh"] == (5, 8) and shapes["dWo"] == (8, 3)
    Zh = next(q for q in data["quantities"] if q["name"] == "Zh")
    assert Zh["aliases"] == ["Z1"]
    assert data["reduction"] == "mean" and data["output_activation"] == "softmax"
    rc, out, _ = run(capsys, "--activation", "tanh", "--no-values")
    assert rc == 0 and "H = tanh(Zh)" in out and "[[" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--sizes", "4,x"],
        ["--sizes", "4"],
        ["--format", "pdf"],
        ["--samples", "0"],
        ["--activation", "nope"],
        ["--loss", "hinge"],
        ["--learning-rate", "nan"],
    ],
)
def test_bad_options_give_one_line_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:  # argparse errors exit from inside parsing
        rc = main(["explain", *argv])
        raise SystemExit(rc)  # ValueErrors come back as a return code
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert err.startswith("glassnet explain: error: ")
    assert err.count("\n") == 1, err
    assert out == ""


@pytest.mark.parametrize("sizes", [None, "2,4,4,4,2"])
def test_plot_writes_a_png_of_the_expected_size(capsys, tmp_path, sizes):
    path = tmp_path / "net.png"
    argv = ["--plot", str(path), "--format", "json"]
    rc, out, err = run(capsys, *argv, *(["--sizes", sizes] if sizes else []))
    assert rc == 0
    json.loads(out)  # the note about the file goes to stderr
    assert f"diagram written to {path}" in err
    w, h = diagram_size([1, 2, 2] if sizes is None else [2, 4, 4, 4, 2])
    assert png_size(path) == (round(w * 100), round(h * 100))
    assert path.stat().st_size > 20_000  # drawn, not blank


def test_subprocess_smoke():
    done = subprocess.run(
        [sys.executable, "-m", "glassnet", "explain", "--no-values"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Zh = X @ Wh + Bh" in done.stdout


def test_html_writes_the_explorer_page_and_prints_its_address(capsys, tmp_path):
    path = tmp_path / "seed.html"
    rc, out, _ = run(capsys, "--html", str(path))
    assert rc == 0 and out.strip().endswith(path.resolve().as_uri())
    page = path.read_text(encoding="utf-8")
    assert '<script type="application/json" id="glassnet-data">' in page and "<math>" in page
    rc, out, _ = run(capsys, "--sizes", "4,8,3", "--loss", "cross_entropy", "--html", str(path))
    assert rc == 0 and '"sizes": [4, 8, 3]' in path.read_text(encoding="utf-8")


def test_a_saved_model_on_rows_of_a_csv_file(capsys, tmp_path):
    net = gn.Network([3, 4, 2], loss="cross_entropy", seed=1)
    model = tmp_path / "m.safetensors"
    net.save(model)
    rng = np.random.default_rng(0)
    X, labels = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    rows = tmp_path / "rows.csv"
    np.savetxt(rows, np.hstack([X, labels[:, None]]), delimiter=",", header="a,b,c,y",
               comments="")  # fmt: skip
    rc, out, _ = run(capsys, str(model), "--data", str(rows), "--rows", "4", "--format", "json")
    assert rc == 0
    data = json.loads(out)
    assert data["n_samples"] == 4 and data["dtype"] == "float64"
    O = next(q for q in data["quantities"] if q["name"] == "O")
    np.testing.assert_allclose(O["values"], net.astype("float64").forward(X[:4]), rtol=1e-12)
    rc, out, _ = run(capsys, str(model), "--data", str(rows), "--html", str(tmp_path / "m.html"))
    assert rc == 0 and (tmp_path / "m.html").exists()
    np.savetxt(rows, X, delimiter=",")
    rc, _, err = run(capsys, str(model), "--data", str(rows))
    assert rc == 2 and "has 3 columns but" in err and err.count("\n") == 1
    rc, _, err = run(capsys, str(model))
    assert rc == 2 and "both MODEL and --data" in err


def test_explain_a_table_trained_model_on_its_raw_rows(capsys, tmp_path):
    """--data of a `glassnet train` model: X is its preprocessing of the raw columns."""
    rng = np.random.default_rng(0)
    lines = ["colour,size,kind"] + [
        f"{rng.choice(['red', 'blue'])},{'' if i % 7 == 0 else round(rng.normal(), 3)},"
        f"{rng.choice(['a', 'b'])}"
        for i in range(40)
    ]
    table = tmp_path / "t.csv"
    table.write_text("\n".join(lines) + "\n")
    model = tmp_path / "t.safetensors"
    assert main(["train", str(table), "--target", "kind", "--out", str(model), "--epochs", "2",
                 "--quiet"]) == 0  # fmt: skip
    capsys.readouterr()
    rc, out, _ = run(capsys, str(model), "--data", str(table), "--rows", "5", "--format", "json")
    assert rc == 0
    quantities = {q["name"]: q for q in json.loads(out)["quantities"]}
    loaded = gn.load(model)
    raw = {"colour": [l.split(",")[0] for l in lines[1:6]],
           "size": [float(l.split(",")[1]) if l.split(",")[1] else None for l in lines[1:6]]}  # fmt: skip
    np.testing.assert_allclose(quantities["X"]["values"], loaded.transform(raw, notes=[]))
    (tmp_path / "no_target.csv").write_text("colour,size\nred,1.0\n")
    rc, _, err = run(capsys, str(model), "--data", str(tmp_path / "no_target.csv"))
    assert rc == 2 and "no column 'kind'" in err
