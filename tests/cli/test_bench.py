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


@pytest.mark.parametrize(
    ("family", "model", "kind"),
    [
        (25, 1, "AMD Zen 3 AVX-512"),  # Milan (flags below say AVX-512 for the test only)
        (25, 17, "AMD Zen 4 AVX-512"),  # Genoa, seen in runs 11-18
        (26, 2, "AMD Zen 5 AVX-512"),  # Turin, seen in run 19
        (99, 1, "AMD AVX-512"),  # an unknown family names no generation
    ],
)
def test_cpu_kind_names_the_zen_generation(family: int, model: int, kind: str) -> None:
    from glassnet.bench import probe

    info = {"model": "AMD EPYC", "family": family, "model_number": model}
    info |= {"flags": ["avx2", "avx512f"], "cores": 2}
    assert probe.kind(info) == kind
    assert f"family {family} model {model}; avx2, avx512f; 2 cores" in probe.describe(info)


def test_an_intel_cpu_has_no_generation() -> None:
    from glassnet.bench import probe

    info = {"model": "Intel(R) Xeon(R) Platinum 8480C", "family": 6, "model_number": 143}
    assert probe.kind({**info, "flags": ["avx2"], "cores": 2}) == "Intel AVX2"


def test_blas_line_names_the_kernel_and_the_variables_that_force_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threadpoolctl

    from glassnet.bench import probe

    pool = {"user_api": "blas", "internal_api": "openblas", "version": "0.3.31"}
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: [pool | {"architecture": "Zen"}])
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Zen")  # (only this test's environment)
    assert probe.blas().startswith("openblas 0.3.31, Zen kernel (OPENBLAS_CORETYPE=Zen")
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    monkeypatch.delenv("OPENBLAS_L2_SIZE", raising=False)
    assert probe.blas().endswith("(no OPENBLAS_* variable)")


def test_blas_line_is_numpys_when_scipy_brought_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """threadpoolctl lists scipy's OpenBLAS first once scipy is imported (seen here)."""
    import os

    import numpy as np
    import threadpoolctl

    from glassnet.bench import probe

    site = os.path.dirname(os.path.dirname(np.__file__))
    pools = [
        {"user_api": "blas", "internal_api": "openblas", "version": "0.3.30"}
        | {"architecture": "Zen", "filepath": f"{site}/scipy.libs/libscipy_openblas.so"},
        {"user_api": "blas", "internal_api": "openblas", "version": "0.3.31"}
        | {"architecture": "Haswell", "filepath": f"{site}/numpy.libs/libscipy_openblas64_.so"},
    ]
    monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda: pools)
    assert probe.blas().startswith("openblas 0.3.31, Haswell kernel")
