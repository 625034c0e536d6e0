"""Matrices as text for people: in full when small, summarised (shape, min/max/mean, a corner)
when large, so that a trace never floods a terminal. Used by ``trace.py``; no maths here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from glassnet._typing import Array

# A matrix is printed in full when it has at most this many entries and its rows fit in
# SMALL_WIDTH characters; otherwise a summary and a corner.
SMALL_SIZE = 40
SMALL_WIDTH = 56
CORNER = 3  # a large matrix shows its top-left CORNER × CORNER entries


def number(v: float) -> str:
    """A number to four decimals, trailing zeros dropped (``-17.9439``, ``0.1``, ``2``);
    scientific notation for the very large and the very small. ASCII minus, so it pastes.
    """
    if v == 0 or not np.isfinite(v):
        return str(v) if v != 0 else "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        return f"{v:.4g}"
    return np.format_float_positional(v, precision=4, unique=True, trim="-")


def is_small(M: Array) -> bool:
    if M.ndim < 2:
        return True
    return M.size <= SMALL_SIZE and max(map(len, _bracketed(_grid(M)).split("\n"))) <= SMALL_WIDTH


def _grid(M: Array) -> list[list[str]]:
    return [[number(float(v)) for v in row] for row in np.atleast_2d(M)]


def matrix(M: Array, full: bool = False) -> str:
    """The matrix on several lines, NumPy-style; a summary with a corner when it is large."""
    if M.ndim == 0:
        return number(float(M))
    if full or is_small(M):
        return _bracketed(_grid(M))
    rows, cols = np.atleast_2d(M).shape
    corner = _grid(np.atleast_2d(M)[:CORNER, :CORNER])
    if cols > CORNER:
        corner = [[*row, "…"] for row in corner]
    if rows > CORNER:
        corner.append(["⋮"] * len(corner[0]))
    return f"{summary(M)}\n{_bracketed(corner)}"


def _bracketed(grid: list[list[str]]) -> str:
    """Rows in brackets, each column aligned on its decimal point."""
    columns = list(zip(*grid, strict=True))
    aligned = [_align(list(col)) for col in columns]
    lines = []
    for i, row in enumerate(zip(*aligned, strict=True)):
        start = "[[" if i == 0 else " ["
        end = "]]" if i == len(grid) - 1 else "]"
        lines.append(f"{start}{'  '.join(row)}{end}")
    return "\n".join(lines)


def _align(column: list[str]) -> list[str]:
    heads = [s.split(".")[0] for s in column]
    tails = [s[len(h) :] for s, h in zip(column, heads, strict=True)]
    left, right = max(len(h) for h in heads), max(len(t) for t in tails)
    return [h.rjust(left) + t.ljust(right) for h, t in zip(heads, tails, strict=True)]


def inline(M: Array, full: bool = False) -> str:
    """The matrix on one line, ``[[1, 2], [3, 4]]``; the summary when it is large."""
    if M.ndim == 0:
        return number(float(M))
    if full or is_small(M):
        return "[" + ", ".join("[" + ", ".join(row) + "]" for row in _grid(M)) + "]"
    return summary(M)


def hstack(blocks: Sequence[str], sep: str = " ") -> str:
    """Several (multi-line) strings side by side, top-aligned: ``A = [[1]  @  [[2 3]]``."""
    split = [b.split("\n") for b in blocks]
    widths = [max(len(line) for line in lines) for lines in split]
    height = max(len(lines) for lines in split)
    rows = []
    for k in range(height):
        parts = [
            (lines[k] if k < len(lines) else "").ljust(w)
            for lines, w in zip(split, widths, strict=True)
        ]
        rows.append(sep.join(parts).rstrip())
    return "\n".join(rows)


def summary(M: Array) -> str:
    """``(64, 128) matrix: min −0.31, max 0.29, mean 0.0012``."""
    return (
        f"{tuple(M.shape)} matrix: min {number(float(M.min()))}, "
        f"max {number(float(M.max()))}, mean {number(float(M.mean()))}"
    )


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table; cells may hold several lines. Rows of several lines are separated
    by a blank line so that each matrix stays readable.
    """
    split = [[cell.split("\n") for cell in row] for row in [header, *rows]]
    widths = [max(len(line) for row in split for line in row[c]) for c in range(len(header))]
    tall = any(len(cell) > 1 for row in split for cell in row)
    out = []
    for r, row in enumerate(split):
        height = max(len(cell) for cell in row)
        for k in range(height):
            parts = [
                (cell[k] if k < len(cell) else "").ljust(w)
                for cell, w in zip(row, widths, strict=True)
            ]
            out.append("  ".join(parts).rstrip())
        if r == 0:
            out.append("  ".join("─" * w for w in widths))
        elif tall and r < len(split) - 1:
            out.append("")
    return "\n".join(out)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table; '|' inside a cell is escaped, newlines become <br>."""

    def cell(s: str) -> str:
        return s.replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], pre: int = -1) -> str:
    """An HTML table; column ``pre`` (the values) is set in <pre> so matrices keep their shape."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for c, s in enumerate(row):
            text = html.escape(s)
            is_pre = pre >= 0 and c == pre
            cells.append(f"<td><pre>{text}</pre></td>" if is_pre else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="glassnet-trace">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )
