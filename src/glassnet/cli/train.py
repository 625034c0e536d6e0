"""``glassnet train DATA --target COL --out MODEL``: fit a network on a CSV or Parquet table.

The data path is one call, :func:`prepare_data` (read, roles, split, encode); then training,
the scores and the model file."""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import warnings
from typing import Any

import numpy as np

from glassnet.activations import ACTIVATIONS
from glassnet.cli._common import (
    CLIFailure,
    add_debug,
    check_output,
    fraction,
    layer_sizes,
    non_negative_int,
    note,
    positive_float,
    positive_int,
    writing,
)
from glassnet.history import DivergenceWarning
from glassnet.optimizers import OPTIMIZERS

# Exit status of a run stopped by SIGTERM/SIGINT after writing its checkpoint: sysexits.h's
# EX_TEMPFAIL ("try again later"); a job script requeues on it (docs/long-jobs.md).
EXIT_RESUMABLE = 75


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="train a network on a CSV or Parquet table and save it",
        description="Train a multilayer perceptron on DATA (a CSV file with a header row, or "
        "Parquet) to predict the --target column, and save it to MODEL. Every other column "
        "gets a role, printed before training: numbers are standardised, text, booleans and "
        "integer codes are one-hot encoded, missing cells are imputed (numbers: the median plus "
        "a missing-indicator column; categories: a category of their own), constant and id-like "
        "columns are left out. The preprocessing is stored in the model. A validation split is "
        "held out and scored; the final metrics are printed.",
    )
    p.add_argument("data", metavar="DATA", help="training table: CSV (header row) or Parquet")
    p.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    p.add_argument(
        "-o",
        "--out",
        required=True,
        metavar="MODEL",
        help="model file to write (e.g. model.safetensors); replaced only when training succeeds",
    )
    for flag, what in (
        ("--ignore", "columns to leave out (an id, a date, free text)"),
        ("--categorical", "columns to one-hot encode, whatever they hold"),
        ("--numeric", "columns to standardise as numbers, whatever their role would be"),
    ):
        p.add_argument(
            flag,
            action=_Extend,
            default=[],
            metavar="COL,...",
            help=f"{what}; repeatable, comma-separated",
        )
    p.add_argument(
        "--task",
        choices=["classification", "regression"],
        help="inferred when absent: text labels or at most 20 distinct integers "
        "mean classification, other numbers regression",
    )
    p.add_argument(
        "--hidden",
        type=layer_sizes,
        default=[64, 32],
        metavar="64,32",
        help="hidden layer sizes, comma-separated (default 64,32)",
    )
    p.add_argument(
        "--activation",
        type=str.lower,
        default="relu",
        choices=[a for a in ACTIVATIONS if a != "softmax"],
        help="hidden-layer activation (default relu)",
    )
    p.add_argument(
        "--epochs", type=positive_int, default=100, help="passes over the data (default 100)"
    )
    p.add_argument(
        "--batch-size", type=positive_int, default=32, help="rows per step (default 32)"
    )
    p.add_argument(
        "--optimizer",
        type=str.lower,
        default="adam",
        choices=list(OPTIMIZERS),
        help="default adam",
    )
    p.add_argument(
        "--learning-rate", type=positive_float, default=1e-3, metavar="X", help="default 0.001"
    )
    p.add_argument(
        "--validation-split",
        type=fraction,
        default=0.2,
        metavar="F",
        help="fraction of rows held out to score the model, in (0, 1) "
        "(default 0.2; stratified by class)",
    )
    p.add_argument(
        "--no-validation",
        action="store_true",
        help="train on every row (the metrics are then training metrics)",
    )
    p.add_argument(
        "--patience",
        type=non_negative_int,
        default=10,
        metavar="N",
        help="stop when the validation loss has not improved for N epochs and keep "
        "the best epoch's weights (default 10; 0: always run every epoch)",
    )
    p.add_argument(
        "--seed", type=int, default=0, help="seeds initialisation, split and shuffling (default 0)"
    )
    p.add_argument("--plot", metavar="curves.png", help="write the loss curves to this image")
    p.add_argument("--quiet", action="store_true", help="no progress, only the final lines")
    p.add_argument(
        "--distributed",
        choices=["auto", "mpi", "none"],
        default="auto",
        help="data-parallel training over MPI, e.g. mpiexec -n 4 glassnet train ... "
        "(auto, the default: when started by mpiexec; see docs/distributed.md)",
    )
    _add_checkpoint_options(p)
    add_debug(p)
    p.set_defaults(run=run)


def _add_checkpoint_options(p: Any) -> None:
    """--checkpoint, --checkpoint-every, --resume (see docs/long-jobs.md)."""
    p.add_argument(
        "--checkpoint",
        metavar="RUN.ckpt",
        help="keep the whole run in this file (written atomically every --checkpoint-every, "
        "and on SIGTERM/SIGINT, which then exit with status 75 so that a job can requeue)",
    )
    p.add_argument(
        "--checkpoint-every",
        default="1",
        metavar="N",
        help="epochs between checkpoints (default 1), or e.g. '500 steps', '600 s', '10 min'",
    )
    p.add_argument(
        "--resume",
        metavar="RUN.ckpt",
        help="continue the run kept in this checkpoint (same data and options; it goes on "
        "being written to --checkpoint, by default this file)",
    )


def run(args: argparse.Namespace) -> int:
    from glassnet import distributed as mpi

    parallel = args.distributed == "mpi" or (args.distributed == "auto" and mpi.launched_by_mpi())
    if not parallel or mpi.is_root():
        return _train(args, "mpi" if parallel else None, write=True)
    with contextlib.redirect_stdout(io.StringIO()):  # rank 0 alone prints and writes
        return _train(args, "mpi", write=False)


def prepare_data(args: argparse.Namespace) -> Any:
    """Read and encode the training data as the options say: one call, the same rows, split and
    encoding every time (a resumed run calls it again). Returns glassnet.tables.training.Prepared."""
    from glassnet.tables.training import prepare

    return prepare(
        args.data,
        args.target,
        task=args.task,
        ignore=args.ignore,
        categorical=args.categorical,
        numeric=args.numeric,
        validation_split=None if args.no_validation else args.validation_split,
        seed=args.seed,
    )


def _train(args: argparse.Namespace, distributed: str | None, write: bool) -> int:
    """Every rank reads the data itself (simple; the file must be readable on every machine)."""
    from glassnet.cli.report import print_roles, print_scores
    from glassnet.tables.training import train

    out = check_output(args.out)
    plot = check_output(args.plot, "--plot") if args.plot else None
    if plot is not None:
        from glassnet.plots import _pyplot

        _pyplot()  # fail now, not after training, if matplotlib is missing
    prepared = prepare_data(args)
    print(f"task: {prepared.task} ({prepared.task_reason})")
    pre = prepared.preprocessing
    print(
        f"data: {args.data}: {prepared.n_rows} rows, {len(pre.columns)} columns in, "
        f"{pre.n_inputs} inputs to the network, target {args.target!r}"
    )
    print_roles(prepared.roles)
    for text in prepared.notes:
        note(text)
    verbose: bool = not args.quiet and sys.stdout.isatty()
    callbacks = [] if args.quiet or verbose else [_every_tenth(args.epochs)]
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always", DivergenceWarning)
        fitted = train(
            prepared,
            hidden=args.hidden,
            activation=args.activation,
            epochs=args.epochs,
            batch_size=args.batch_size,
            optimizer=args.optimizer,
            learning_rate=args.learning_rate,
            seed=args.seed,
            patience=args.patience,
            verbose=verbose,
            callbacks=callbacks,
            distributed=distributed,
            fit_options=_checkpoint_options(args),
        )
    reason = fitted.history.stop_reason or ""
    if any(issubclass(w.category, DivergenceWarning) for w in caught):
        # the restored weights are finite but poor: keep any previous model instead
        raise CLIFailure(f"training diverged: {reason}; {args.out} was not written")
    if reason.startswith("interrupted") and "checkpoint written" in reason:
        print_once = print if write else _quiet  # under mpiexec: rank 0 alone says it
        print_once(
            f"glassnet train: {reason.split('; resume with')[0]}; {args.out} was not written; "
            f"run the same command with --resume {args.checkpoint or args.resume} to go on",
            file=sys.stderr,
        )
        return EXIT_RESUMABLE
    if reason.startswith("interrupted"):
        print(f"glassnet train: {reason}; {args.out} was not written", file=sys.stderr)
        return 130
    model = fitted.model
    net = model.network
    print(
        f"model: {net.sizes}, {args.activation}, {net.n_params} parameters, "
        f"{fitted.history.epochs} epochs in {fitted.history.seconds:.2f} s"
    )
    if fitted.history.stop_reason:
        print(f"stopped: {fitted.history.stop_reason}")
    n_train, n_val = len(prepared.X_train), len(prepared.X_val)
    print_scores(f"training rows ({n_train})", fitted.train_scores, model.labels, brief=True)
    if fitted.val_scores is not None:
        print_scores(f"validation rows ({n_val})", fitted.val_scores, model.labels)
    if not write:
        return 0
    with writing("--out", out):
        model.save(out)
    print(f"saved {out}")
    if plot is not None:
        from glassnet.plots import loss_curves

        with writing("--plot", plot):
            loss_curves(fitted.history, path=plot)
        print(f"wrote loss curves to {plot}")
    return 0


def _quiet(*args: Any, **kwargs: Any) -> None:
    """Print nothing (the ranks other than 0)."""


def _checkpoint_options(args: argparse.Namespace) -> dict[str, Any]:
    """The fit keywords of --checkpoint, --checkpoint-every and --resume."""
    if args.checkpoint is None and args.resume is None:
        return {}
    every = args.checkpoint_every
    return {
        "checkpoint": args.checkpoint,
        "checkpoint_every": int(every) if every.isdigit() else every,
        "resume": args.resume,
    }


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


class _Extend(argparse.Action):
    """A repeatable option of comma-separated names: every use adds to the list."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        names = [*(getattr(namespace, self.dest, None) or []), *_names(values)]
        setattr(namespace, self.dest, list(dict.fromkeys(names)))


def _every_tenth(epochs: int) -> Any:
    """A callback printing one progress line every tenth of the epochs (when not a terminal)."""
    step = max(1, epochs // 10)

    def report(net: Any, history: Any) -> None:
        e = history.epochs
        if e % step == 0 or e == epochs:
            values = "  ".join(
                f"{k} {v[-1]:.4g}" for k, v in history.history.items() if k != "learning_rate"
            )
            print(f"epoch {e:>{len(str(epochs))}}/{epochs}  {values}", flush=True)

    return report
