"""The `glassnet` command: demo, --help, --version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from glassnet.cli import main


def test_demo_trains_the_seed_network_and_digits_and_ends_with_the_explorer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "seed.html"
    assert main(["demo", "--epochs", "3", "--page", str(page)]) == 0
    out = capsys.readouterr().out
    assert "1 → 2 → 2" in out and "step   0" in out and "step  50" in out
    assert "epoch 3/3" in out and "test accuracy" in out
    assert out.rstrip().splitlines()[-1].strip() == page.resolve().as_uri()
    assert 'id="glassnet-data"' in page.read_text(encoding="utf-8")


def test_demo_rejects_bad_epochs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--epochs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--epochs must be a positive integer" in err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "demo" in capsys.readouterr().out


def test_installed_command_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "glassnet", "--version"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=True,
    )
    assert out.stdout.startswith("glassnet ")
