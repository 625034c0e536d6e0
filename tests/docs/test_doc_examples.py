"""Every example of README.md, docs/**/*.md and notebooks/*.ipynb runs as written.

One test per page: its blocks run in order, Python in one namespace, shell commands in the same
temporary folder, with ``glassnet``, ``python`` and ``mpiexec`` from this environment on PATH
and this checkout's ``src`` first on PYTHONPATH. See markdown_examples.py for the conventions.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from markdown_examples import ROOT, Block, blocks, console_steps, pages

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
TIMEOUT = 300  # seconds for one shell command: a safety net, the examples take seconds


def matches(expected: str, got: str) -> bool:
    """doctest's comparison with ELLIPSIS and NORMALIZE_WHITESPACE."""
    return doctest.OutputChecker().check_output(expected.strip() + "\n", got, FLAGS)


def environment() -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg", COLUMNS="100", NO_COLOR="1", TERM="dumb")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def shell(code: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + code],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


class Session:
    """One page's namespace and folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.namespace: dict[str, Any] = {"__name__": "__main__"}

    def python(self, code: str, where: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, where, "exec"), self.namespace)  # noqa: S102 - running the docs is the point
        return out.getvalue()

    def doctest(self, block: Block) -> None:
        test = doctest.DocTestParser().get_doctest(
            block.code, self.namespace, block.where, str(block.page), block.line
        )
        report = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        runner.run(test, out=report.write, clear_globs=False)
        assert not runner.failures, f"{block.where}: doctest failed\n{report.getvalue()}"

    def sh(self, code: str, where: str) -> None:
        done = shell(code, self.folder)
        assert done.returncode == 0, (
            f"{where}: exit status {done.returncode}\n{done.stdout}{done.stderr}"
        )

    def console(self, block: Block) -> None:
        for command, shown in console_steps(block.code):
            done = shell(command + " 2>&1", self.folder)
            if shown:
                assert matches(shown, done.stdout), (
                    f"{block.where}: $ {command}\nshown:\n{shown}\nprinted:\n{done.stdout}"
                )
            else:
                assert done.returncode == 0, (
                    f"{block.where}: $ {command}: exit status {done.returncode}\n{done.stdout}"
                )

    def run(self, block: Block) -> None:
        for lang, code in block.setup:
            if lang == "python":
                self.python(code, f"{block.where} (setup)")
            else:
                self.sh(code, f"{block.where} (setup)")
        if block.file:
            (self.folder / block.file).write_text(block.code, encoding="utf-8")
        elif block.kind == "doctest":
            self.doctest(block)
        elif block.kind == "python":
            printed = self.python(block.code, block.where)
            if block.output is not None:
                assert matches(block.output, printed), (
                    f"{block.where}: shown:\n{block.output}\nprinted:\n{printed}"
                )
        elif block.kind == "sh":
            self.sh(block.code, block.where)
        elif block.kind == "console":
            self.console(block)


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples_run_as_written(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    session = Session(tmp_path)
    examples = [b for b in blocks(page) if b.is_example and not b.not_run]
    for block in examples:
        session.run(block)
