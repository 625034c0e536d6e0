"""glassnet's benchmarks against PyTorch and scikit-learn (never part of the test suite).

The runner lives in :mod:`glassnet.bench`, so that an installed ``glassnet bench`` finds it
too; ``python -m benchmarks`` from the repository root is the same program.
"""
