"""Tables that hold every column kind, and the palmerpenguins CSV (shipped in its package)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest


def mixed_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """Every column kind: numbers (some missing), text (some missing), booleans, integer
    codes, a constant, an all-missing column, a text id, a row counter; a class target that
    depends on the numbers, the text and the codes, and a regression target."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    size = rng.uniform(10, 50, n)
    colour = rng.choice(["red", "green", "blue"], n)
    grade = rng.integers(1, 4, n)
    flag = rng.random(n) < 0.5
    score = 2 * x + (colour == "red") - (grade == 3) + 0.05 * (size - 30)
    label = np.where(score > 0.5, "high", np.where(score > -0.5, "mid", "low"))
    x_obs = np.where(rng.random(n) < 0.1, np.nan, x)
    colour_obs = np.where(rng.random(n) < 0.1, None, colour).astype(object)
    return pd.DataFrame(
        {
            "row": np.arange(n),
            "name": [f"item {i:05d}" for i in range(n)],
            "x": x_obs,
            "size": size,
            "colour": colour_obs,
            "flag": flag,
            "grade": grade,
            "constant": 7,
            "nothing": np.nan,
            "label": label,
            "value": 3 * x + size / 10 + 2 * (colour == "blue"),
        }
    )


@pytest.fixture(scope="session")
def mixed_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "mixed.csv"
    mixed_frame(600).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def penguins_csv() -> Path:
    from importlib.resources import files

    return Path(str(files("palmerpenguins") / "data" / "penguins.csv"))
