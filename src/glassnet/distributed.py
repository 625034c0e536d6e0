"""Data-parallel training over MPI: every rank takes its slice of every global batch, and one
Allreduce of the flat gradient vector sums the slices before every rank takes the same step.

For a global batch of n rows split over the ranks r = 0 .. size−1 (slices S_r):

    G = Σ_r Σ_{i ∈ S_r} scale_i · dc_i/dP      scale_i = 1/n for a mean (w_i/Σw with weights)
    C = Σ_r Σ_{i ∈ S_r} scale_i · c_i

Each rank computes its own inner sum into ``net.G`` with the *global* scale, so the sum over
ranks is exactly the gradient one process would compute for the whole batch (only the order of
the additions differs). Then every rank applies the same optimizer step to the same P.

Run a script under ``mpiexec -n 4 python train.py`` and call ``net.fit(X, Y,
distributed="mpi")`` in it; every rank must pass the same X and Y (a CSV read once per rank is
the simple way; a cheap fingerprint checks it). Without mpiexec it is ordinary training.
mpi4py is imported only when used: ``pip install -e '.[mpi]'`` in a glassnet clone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from glassnet._typing import Array

if TYPE_CHECKING:
    from glassnet.network import Network

T = TypeVar("T")

# Set by the common launchers in every process they start: MPICH/Intel MPI (Hydra), PMIx,
# Open MPI, MVAPICH. Used to tell an MPI launch from a plain run without initialising MPI.
LAUNCH_VARIABLES = (
    "PMI_RANK",
    "PMI_SIZE",
    "PMIX_RANK",
    "OMPI_COMM_WORLD_RANK",
    "MV2_COMM_WORLD_RANK",
)


def launched_by_mpi() -> bool:
    """True when this process was started by mpiexec/mpirun/srun (read from the environment)."""
    return any(name in os.environ for name in LAUNCH_VARIABLES)


def world() -> Any:
    """MPI.COMM_WORLD, importing mpi4py (and so initialising MPI) on first use."""
    try:
        from mpi4py import MPI
    except ImportError as exc:  # pragma: no cover - the test extras install mpi4py
        raise ImportError(
            "distributed training needs mpi4py: pip install -e '.[mpi]' in a glassnet clone"
        ) from exc
    return MPI.COMM_WORLD


def rank() -> int:
    """This process's rank in COMM_WORLD; 0 when not launched by MPI (MPI left untouched)."""
    return int(world().Get_rank()) if launched_by_mpi() else 0


def size() -> int:
    """The number of processes in COMM_WORLD; 1 when not launched by MPI."""
    return int(world().Get_size()) if launched_by_mpi() else 1


def is_root() -> bool:
    """True on rank 0, the one process that prints and writes files (and in a plain run)."""
    return rank() == 0


ABORT_GRACE = 0.5  # seconds between an error's message and MPI_Abort


def abort(status: int) -> None:
    """End every rank of the job with exit ``status`` (MPI_Abort) when launched by MPI with
    more than one rank; otherwise do nothing. For an error on one rank: the others would
    otherwise wait in the next collective call forever."""
    if not launched_by_mpi():
        return
    try:
        comm = world()  # initialises MPI if need be: a rank that exits before MPI_Init, or
    except ImportError:  # returns normally into MPI_Finalize, leaves the others waiting
        return
    if comm.Get_size() > 1:
        # mpiexec stops forwarding the ranks' output at the abort: give it a moment to pass
        # on the error line just printed (seen in CI: exit 2 and an empty standard error)
        sys.stdout.flush()
        sys.stderr.flush()
        time.sleep(ABORT_GRACE)
        comm.Abort(status)


def bounds(n: int, rank: int, size: int) -> tuple[int, int]:
    """Rows [lo, hi) of an n-row global batch that ``rank`` takes: near-equal, contiguous
    slices; the first ``n % size`` ranks take one row more (as ``np.array_split``).

    >>> [bounds(7, r, 2) for r in range(2)]
    [(0, 4), (4, 7)]
    >>> [bounds(1, r, 2) for r in range(2)]
    [(0, 1), (1, 1)]
    """
    q, extra = divmod(n, size)
    lo = rank * q + min(rank, extra)
    return lo, lo + q + (rank < extra)


def _fingerprint(M: Array) -> str:
    """A cheap digest of the shape and ~64 evenly spaced rows of M."""
    step = max(1, M.shape[0] // 64)
    sample = np.ascontiguousarray(M[::step])
    return f"{M.shape}:{M.dtype}:{hashlib.blake2b(sample.tobytes(), digest_size=8).hexdigest()}"


class DataParallel:
    """The MPI side of one distributed fit: slices of batches, the Allreduce, agreement.

    ``training.fit`` calls ``share`` (this rank's rows of a global batch), ``reduce`` (the
    one Allreduce of G, after backward and before the optimizer step) and ``agree`` (rank 0's
    decision, for validation results and callbacks).
    """

    def __init__(self, comm: Any) -> None:
        from mpi4py import MPI

        self.MPI = MPI
        self.comm = comm
        self.rank, self.size = int(comm.Get_rank()), int(comm.Get_size())
        self.is_root = self.rank == 0
        # [C, correct predictions, ranks told to stop, checkpoint due], reduced beside G
        self.scalars = np.zeros(4)
        local = comm.Split_type(MPI.COMM_TYPE_SHARED)  # the ranks on this machine
        ranks_here = int(local.Get_size())
        local.Free()
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        cores = min(cores or os.cpu_count() or 1, os.cpu_count() or 1)
        # ranks × threads = cores: more BLAS threads than cores makes small GEMMs crawl
        self.threads = max(1, cores // ranks_here)

    def start(self, net: Network, rng: np.random.Generator, X: Array, Y: Array) -> None:
        """Make every rank start alike: rank 0's weights and generator state, the same data."""
        prints = self.comm.allgather((repr(net), _fingerprint(X), _fingerprint(Y)))
        if any(p[0] != prints[0][0] for p in prints):
            networks = sorted({p[0] for p in prints})
            raise ValueError(f"distributed='mpi': the ranks built different networks: {networks}")
        if any(p != prints[0] for p in prints):
            raise ValueError(
                "distributed='mpi': the ranks were given different data (X, Y differ in "
                "shape, dtype or values); every rank must pass the whole training set"
            )
        self.comm.Bcast(net.P, root=0)
        rng.bit_generator.state = self.comm.bcast(rng.bit_generator.state, root=0)

    def dropout_rng(self, rng: np.random.Generator) -> np.random.Generator:
        """A generator of this rank's own for dropout masks, so that the shared one (shuffling)
        advances alike on every rank however many rows each rank draws masks for."""
        return np.random.default_rng([int(rng.integers(2**63)), self.rank])

    def share(self, idx: np.ndarray[Any, Any], scale: float | Array) -> tuple[Any, Any]:
        """This rank's rows of the global batch ``idx``, and their part of ``scale``."""
        lo, hi = bounds(len(idx), self.rank, self.size)
        if isinstance(scale, np.ndarray):
            scale = scale[lo:hi]
        return idx[lo:hi], scale

    def reduce(
        self, G: Array, C: float, correct: float, stop: bool = False, due: bool = False
    ) -> tuple[float, float, bool, bool]:
        """G ← Σ_ranks G in place (one Allreduce of the flat vector); the same for C, the
        count of correct predictions and two flags, reduced alongside: whether any rank was
        told to stop (a signal) and whether a checkpoint is due (rank 0's clock), so that
        every rank stops, or checkpoints, after the same step. Returns the global values."""
        MPI = self.MPI
        self.scalars[:] = C, correct, stop, due
        request = self.comm.Iallreduce(MPI.IN_PLACE, self.scalars, op=MPI.SUM)
        self.comm.Allreduce(MPI.IN_PLACE, G, op=MPI.SUM)
        request.Wait()
        s = self.scalars
        return float(s[0]), float(s[1]), bool(s[2] > 0), bool(s[3] > 0)

    def agree(self, value: T) -> T:
        """Rank 0's ``value`` on every rank, so that all ranks decide alike."""
        return self.comm.bcast(value, root=0)

    @contextlib.contextmanager
    def thread_limit(self) -> Iterator[None]:
        """BLAS threads per rank such that ranks × threads = cores, for the whole fit."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.threads):
            yield


def data_parallel(
    net: Network, rng: np.random.Generator, X: Array, Y: Array
) -> DataParallel | None:
    """Start a distributed fit on COMM_WORLD; None for a single process (ordinary training)."""
    comm = world()
    if comm.Get_size() == 1:
        return None
    dp = DataParallel(comm)
    dp.start(net, rng, X, Y)
    return dp
