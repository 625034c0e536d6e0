"""The tutorial notebook runs from top to bottom in a real kernel, so it cannot go stale."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "seed_tutorial.ipynb"


def test_the_seed_tutorial_runs_and_shows_the_explorer(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Zh = X @ Wh + Bh" in text and "Eh = (Eo @ Wo.T) * R'(Zh)" in text
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any(h.startswith('<table class="glassnet-network">') for h in html)  # the Network
    assert any(h.startswith('<table class="glassnet-trace">') for h in html)  # the Trace
    assert any(h.startswith("<iframe srcdoc=") for h in html)  # the explorer
