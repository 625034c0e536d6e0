"""`glassnet bench`: options are checked, and the table's arithmetic is right (no timing here:
benchmarks never run in the test suite)."""

from __future__ import annotations

import pytest

from glassnet import bench
from glassnet.cli import main


def test_unknown_config_or_system_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--configs", "huge"]) == 2
    assert "unknown config 'huge'" in capsys.readouterr().err
    assert main(["bench", "--systems", "jax"]) == 2
    assert "unknown system 'jax'" in capsys.readouterr().err


def test_training_flops_count_forward_dW_and_dX() -> None:
    # 784-256-128-10 on 60,000 rows: 2·n·(784·256·2 + 256·128·3 + 128·10·3)
    expected = 2 * 60_000 * (784 * 256 * 2 + 256 * 128 * 3 + 128 * 10 * 3)
    assert bench.train_flops([784, 256, 128, 10], 60_000) == expected


def test_table_reports_the_median_of_per_round_ratios() -> None:
    results = {
        "medium": {
            "glassnet": [{"value": 1.0}, {"value": 2.0}, {"value": 1.0}],
            "pytorch": [{"value": 3.0}, {"value": 3.0}, {"value": 1.5}],  # ratios 3, 1.5, 1.5
            "sklearn": [{"missing": "sklearn is not installed"}],
        }
    }
    text = bench.table(results, sgemm=100.0)
    torch_row = next(line for line in text.splitlines() if "| pytorch |" in line)
    assert "| 3.0000 s/epoch | 1.50× |" in torch_row
    assert "sklearn is not installed" in text
    glassnet_row = next(line for line in text.splitlines() if "| glassnet |" in line)
    rate = bench.train_flops(bench.SIZES["medium"], 60_000) / 1.0 / 1e9
    assert f"| {rate:.1f} |" in glassnet_row


def test_the_fastest_repeat_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Noise only slows a run: each system's value is its fastest of the timed repeats."""
    from glassnet.bench import workload

    clock = iter([0.0, 3.0, 3.0, 4.0, 4.0, 6.0])  # three runs: 3 s, 1 s, 2 s
    monkeypatch.setattr(workload.time, "perf_counter", lambda: next(clock))
    assert workload.fastest(lambda: None, 3) == (1.0, [3.0, 1.0, 2.0])


def test_repeats_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--fits", "0"]) == 2
    assert "--fits" in capsys.readouterr().err
