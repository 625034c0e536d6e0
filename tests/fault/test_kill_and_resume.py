"""Runs killed with SIGKILL at random moments (mid-step, mid-checkpoint-write), resumed to
the end: each ends as the uninterrupted run did, and no checkpoint is ever unreadable
(issue 13, point 6). The same under ``mpiexec -n 2``, and SIGTERM there: one checkpoint,
every rank ends, mpiexec exits 75.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from glassnet.training import read_checkpoint

WORKER = Path(__file__).with_name("worker.py")
MPIEXEC = Path(sys.executable).parent / "mpiexec"
SRC = Path(__file__).parents[2] / "src"


def start(
    out: Path,
    mode: str,
    every: str,
    ranks: int = 0,
    slow: float = 0.0,
    epochs: int = 25,
    kill: str = "",
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "GLASSNET_TEST_SLOW_WRITE": str(slow)}
    env["GLASSNET_TEST_KILL"] = kill
    for name in ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"):
        env.pop(name, None)
    cmd = [sys.executable, str(WORKER), str(out), mode, every, str(epochs)]
    if ranks:
        cmd = [str(MPIEXEC), "-n", str(ranks), *cmd]
    return subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a kill reaches mpiexec and its ranks
    )


def wait_for(flag: Path, p: subprocess.Popen[bytes]) -> None:
    """Until training runs (the worker's flag file after its first epoch)."""
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert p.poll() is None and time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)


def finish(p: subprocess.Popen[bytes], timeout: float = 60) -> int:
    out, _ = p.communicate(timeout=timeout)
    assert p.returncode in (0, 75), out.decode()
    return p.returncode


def result(path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    npz = np.load(path)
    return npz["P"], json.loads(str(npz["history"]))


def kill_and_resume(
    out: Path, every: str, kills: int, ranks: int, seed: int, window: tuple[float, float]
) -> int:
    """Kill the run ``kills`` times at random moments; check the checkpoint after each kill;
    then run it to its end. Returns how many kills landed before the run finished."""
    moments = random.Random(seed)
    landed = 0
    while landed < kills:
        p = start(out, "run", every, ranks, slow=0.002)
        time.sleep(moments.uniform(*window))
        if p.poll() is not None:  # it finished first: no kill this time
            finish(p)
            break
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        landed += 1
        if (out / "run.ckpt").exists():  # atomic writes: whatever the moment, it reads
            read_checkpoint(out / "run.ckpt")
    finish(start(out, "run", every, ranks))
    return landed


def self_kills_and_resume(out: Path, every: str, kills: int, seed: int) -> list[str]:
    """The run kills itself ``kills`` times, at random steps or inside random checkpoint
    writes (a run has 300 steps); each time the checkpoint must read; then it runs to its end."""
    moments = random.Random(seed)
    done = []
    for _ in range(kills):
        kill = f"{moments.choice(['step', 'write'])}:{moments.randint(1, 40)}"
        p = start(out, "run", every, kill=kill)
        p.communicate(timeout=60)
        assert p.returncode == -signal.SIGKILL, f"{kill}: the run was not killed"
        done.append(kill)
        if (out / "run.ckpt").exists():  # atomic writes: whatever the moment, it reads
            read_checkpoint(out / "run.ckpt")
    finish(start(out, "run", every))
    return done


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, dict[str, Any]]:
    out = tmp_path_factory.mktemp("ref")
    finish(start(out, "ref", "1"))
    return result(out / "ref.npz")


# 4 runs x 5 kills at random moments: inside a step or inside a checkpoint's write, with a
# checkpoint after every step or every 4 steps (so that a kill also loses steps to redo)
@pytest.mark.parametrize(
    ("every", "seed"), [("1 step", 1), ("1 step", 2), ("4 steps", 3), ("4 steps", 4)]
)
def test_twenty_kills_each_resumed_to_the_same_end(
    tmp_path: Path, reference: tuple[np.ndarray, dict[str, Any]], every: str, seed: int
) -> None:
    kills = self_kills_and_resume(tmp_path, every, kills=5, seed=seed)
    P, history = result(tmp_path / "run.npz")
    P_ref, history_ref = reference
    np.testing.assert_array_equal(P, P_ref)  # bitwise: same BLAS threads (one)
    assert history == history_ref
    print(f"kills {kills}: max |P - P_ref| = {np.abs(P - P_ref).max()}")


def test_kills_under_mpiexec_resume_to_the_same_two_rank_run(tmp_path: Path) -> None:
    ref = tmp_path / "ref"
    ref.mkdir()
    finish(start(ref, "ref", "1", ranks=2))
    landed = kill_and_resume(tmp_path, "1 step", kills=3, ranks=2, seed=5, window=(0.8, 2.0))
    P, history = result(tmp_path / "run.npz")
    P_ref, history_ref = result(ref / "ref.npz")
    assert landed >= 1
    assert np.linalg.norm(P - P_ref) <= 1e-12 * np.linalg.norm(P_ref)
    np.testing.assert_allclose(history["loss"], history_ref["loss"], rtol=1e-12)
    print(f"MPI: {landed} kills, max |P - P_ref| = {np.abs(P - P_ref).max()}")


def test_sigterm_under_mpiexec_checkpoints_once_and_ends_every_rank(tmp_path: Path) -> None:
    p = start(tmp_path, "run", "100000 steps", ranks=2, epochs=2000)
    wait_for(tmp_path / "started", p)
    os.killpg(p.pid, signal.SIGTERM)
    assert finish(p) == 75
    state = read_checkpoint(tmp_path / "run.ckpt").state
    assert state["ranks"] == 2 and not state["position"]["finished"]
    assert len(state["dropout_rngs"]) == 2  # each rank's own dropout generator
    (tmp_path / "started").unlink()
    p = start(tmp_path, "run", "100000 steps", ranks=2, epochs=2000)  # resumed ...
    wait_for(tmp_path / "started", p)
    os.killpg(p.pid, signal.SIGINT)  # ... and stopped again, as Ctrl-C under mpiexec does
    assert finish(p) == 75
    again = read_checkpoint(tmp_path / "run.ckpt").state["position"]["steps"]
    assert again > state["position"]["steps"]
