"""``glassnet demo``: the seed's network explained, then trained step by step, then a real
classifier; it ends by writing the seed's explorer page and printing its file:// address."""

from __future__ import annotations

import argparse
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np

import glassnet as gn


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="explain and train the seed's 1-2-2 network, then a digits classifier",
        description="Explain the seed's 1 → 2 → 2 network (every matrix of one forward and "
        "backward pass, and backpropagation step by step), train it by gradient descent, printing the "
        "cost as it falls, then a 64 → 128 → 64 → 10 classifier on scikit-learn's bundled "
        "digits, with progress and its test accuracy.",
    )
    p.add_argument("--epochs", type=int, default=30, help="digits epochs (default 30)")
    p.add_argument(
        "--page",
        default="glassnet-seed.html",
        metavar="PAGE.html",
        help="where to write the seed's explorer page (default glassnet-seed.html)",
    )
    p.set_defaults(run=run)


def explain_part() -> None:
    net, X, Y = gn.datasets.seed_example()
    tr = net.trace(X, Y, learning_rate=0.01)
    print("1. The seed's network explained: every matrix of one forward and backward pass\n")
    print(textwrap.indent(tr.table(values=False), "   "))
    print()
    print(textwrap.indent(tr.narrative(), "   "))
    print("\n   (`glassnet explain` adds every value to the table; --plot net.png draws it)\n")


def seed_part(steps: int = 50, learning_rate: float = 0.01) -> None:
    net, X, Y = gn.datasets.seed_example()
    print("2. The seed's network trained: 1 → 2 → 2, ReLU on both layers, C = ½ Σ (O − Y)²")
    print(f"   X = {X.ravel().tolist()} (3 samples), Y = {Y.tolist()}")
    print(f"   gradient descent W ← W − {learning_rate} · dW on all 3 samples at once\n")
    opt = gn.SGD(learning_rate)
    for step in range(steps + 1):
        C = net.loss_and_gradient(X, Y, 1.0)
        if step % 10 == 0:
            print(f"   step {step:>3}   C = {C:8.4f}")
        opt.step(net.P, net.G)
    print(f"   O after {steps} steps = {np.round(net.forward(X), 3).tolist()}\n")


def digits_part(epochs: int) -> None:
    X_train, X_test, y_train, y_test = gn.datasets.load_digits()
    print("3. A classifier on scikit-learn's digits: 64 → 128 → 64 → 10, softmax + cross-entropy")
    print(f"   {len(X_train)} training and {len(X_test)} test images, Adam 3e-3 with a cosine")
    print("   schedule, batch 32\n")
    net = gn.Network([64, 128, 64, 10], loss="cross_entropy", seed=0)
    start = time.perf_counter()
    net.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=32,
        optimizer="adam",
        learning_rate=3e-3,
        schedule="cosine",
        validation_split=0.1,
        verbose=True,
        seed=0,
    )
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(net.predict(X_test) == y_test))
    print(f"\n   test accuracy {accuracy:.4f} after {epochs} epochs ({seconds:.2f} s)")


def explorer_part(path: str) -> None:
    net, X, Y = gn.datasets.seed_example()
    page = Path(net.trace(X, Y, learning_rate=0.01).to_html(path)).resolve()
    print("\n4. The explorer: the seed's network in one offline page. Step through the forward")
    print("   and backward pass matrix by matrix (arrow keys), point at any number to see how it")
    print("   was computed, and train the network live. Open it in a browser:\n")
    print(f"   {page.as_uri()}")


def run(args: argparse.Namespace) -> int:
    if args.epochs < 1:
        raise ValueError(f"--epochs must be a positive integer, got {args.epochs}")
    explain_part()
    seed_part()
    digits_part(args.epochs)
    explorer_part(args.page)
    return 0
