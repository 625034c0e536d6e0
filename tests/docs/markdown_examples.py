"""The examples of README.md, docs/**/*.md and notebooks/*.ipynb, as the test suite runs them.

A page's fenced blocks are read in order (docs/writing-docs.md describes the conventions):

- ```python (or py, pycon): run in one namespace per page, in the page's temporary folder.
  A block with ``>>>`` lines is a doctest (its shown outputs are checked); a block followed by
  ``<!-- output -->`` and a ```text block must print that text.
- ```sh (bash, shell): run by bash with ``set -eo pipefail`` in the page's folder; exit 0.
- ```console: ``$ command`` lines, each followed by the output it must print (stdout and
  stderr together); a command without shown output must exit 0.
- HTML comments before a block: ``<!-- setup: python`` or ``<!-- setup: sh``, code, ``-->``
  (hidden set-up, run first; the block then says ``# fragment: ...`` so a reader sees that
  something was set up); ``<!-- not-run: reason -->`` (shown, not run: installs, clusters);
  ``<!-- file: NAME -->`` (the block is written to NAME in the page's folder).
- ```text and other languages are not examples; a fence without a language is refused.

Shown outputs are compared as doctest does with ELLIPSIS and NORMALIZE_WHITESPACE: ``...``
matches anything, and runs of spaces and newlines compare equal.

``python tests/docs/markdown_examples.py`` prints how many examples each page has.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = {"python", "py", "python3", "pycon"}
SHELL = {"sh", "bash", "shell", "zsh"}
CONSOLE = {"console", "shell-session"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
COMMENT = re.compile(r"^\s*<!--\s*(?P<name>[a-z-]+)\s*(?::\s*(?P<arg>.*?))?\s*(?P<end>-->)?\s*$")


@dataclass
class Block:
    """One fenced block of a page, with the directives written before it."""

    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    setup: list[tuple[str, str]] = field(default_factory=list)  # (language, code)
    not_run: str | None = None
    file: str | None = None
    output: str | None = None  # the ```text block after <!-- output -->

    @property
    def kind(self) -> str:
        """python, doctest, sh, console, or text (not an example)."""
        if self.lang in PYTHON:
            return "doctest" if re.search(r"^\s*>>> ", self.code, re.MULTILINE) else "python"
        if self.lang in SHELL:
            return "sh"
        if self.lang in CONSOLE:
            return "console"
        return "text"

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def is_example(self) -> bool:
        return self.kind != "text" or self.file is not None


class PageError(ValueError):
    """A page breaks a convention of docs/writing-docs.md (the message names the line)."""


def pages() -> list[Path]:
    """README.md, every docs/**/*.md and every notebooks/*.ipynb, in a stable order."""
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in found if p.exists()] + sorted((ROOT / "notebooks").glob("*.ipynb"))


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a markdown page, with their directives; PageError on a page that
    breaks the conventions."""
    if page.suffix == ".ipynb":
        return notebook_blocks(page)
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    pending: dict[str, object] = {"setup": []}
    k = 0
    while k < len(lines):
        comment = COMMENT.match(lines[k])
        fence = FENCE.match(lines[k])
        if comment and comment["name"] in {"setup", "not-run", "file", "output"}:
            body: list[str] = []
            if not comment["end"]:
                k += 1
                while k < len(lines) and "-->" not in lines[k]:
                    body.append(lines[k])
                    k += 1
            _directive(page, k + 1, comment["name"], comment["arg"] or "", body, pending)
        elif fence:
            k, block = _fence(page, lines, k, fence)
            if pending.pop("output", False):
                if not found or block.kind != "text":
                    raise PageError(f"{block.where}: <!-- output --> needs a ```text block")
                found[-1].output = block.code
            else:
                _attach(block, pending)
                found.append(block)
            pending = {"setup": []}
        k += 1
    return found


def _directive(
    page: Path, line: int, name: str, arg: str, body: list[str], pending: dict[str, object]
) -> None:
    if name == "setup":
        lang = arg.split()[0] if arg else ""
        if lang not in PYTHON | SHELL:
            raise PageError(f"{page.relative_to(ROOT)}:{line}: setup: python or setup: sh")
        assert isinstance(pending["setup"], list)
        pending["setup"].append(("python" if lang in PYTHON else "sh", "\n".join(body)))
    elif name == "not-run":
        if not arg:
            raise PageError(f"{page.relative_to(ROOT)}:{line}: not-run needs a reason")
        pending["not_run"] = arg
    elif name == "file":
        pending["file"] = arg
    else:
        pending["output"] = True


def _fence(page: Path, lines: list[str], k: int, fence: re.Match[str]) -> tuple[int, Block]:
    indent, mark, start = len(fence["indent"]), fence["fence"], k + 1
    body: list[str] = []
    k += 1
    while k < len(lines) and not re.match(
        rf"^\s*{re.escape(mark[0])}{{{len(mark)},}}\s*$", lines[k]
    ):
        line = lines[k]
        body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
        k += 1
    block = Block(page, start, fence["info"].lower().lstrip("{."), "\n".join(body) + "\n")
    if not block.lang:
        raise PageError(f"{block.where}: a fence needs a language (python, sh, console, text)")
    if block.kind == "text" and block.code.lstrip().startswith("$ "):
        raise PageError(f"{block.where}: a console session in a {block.lang} block: ```console")
    return k, block


def _attach(block: Block, pending: dict[str, object]) -> None:
    setup = pending["setup"]
    assert isinstance(setup, list)
    block.setup = setup
    block.not_run = pending.get("not_run")  # type: ignore[assignment]
    block.file = pending.get("file")  # type: ignore[assignment]
    if not block.is_example and (setup or block.not_run):
        raise PageError(f"{block.where}: setup and not-run go before an example, not {block.lang}")
    if setup and "# fragment:" not in block.code:
        raise PageError(f"{block.where}: a block with a hidden setup says '# fragment: ...'")


def notebook_blocks(page: Path) -> list[Block]:
    """The code cells of a notebook, in order (IPython's % and ! lines left out)."""
    cells = json.loads(page.read_text(encoding="utf-8")).get("cells", [])
    found = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        code = "\n".join(x for x in source.splitlines() if not x.lstrip().startswith(("%", "!")))
        if code.strip():
            found.append(Block(page, number, "python", code + "\n"))
    return found


def console_steps(code: str) -> list[tuple[str, str]]:
    """``$ command`` lines (with ``\\`` continuations) and the output shown under each."""
    steps: list[tuple[str, list[str]]] = []
    lines = code.splitlines()
    k = 0
    while k < len(lines):
        line = lines[k]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and k + 1 < len(lines):
                k += 1
                command = command[:-1] + "\n" + lines[k].removeprefix("> ")
            steps.append((command, []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"output before the first '$ ' command: {line!r}")
        k += 1
    return [(c, "\n".join(out).strip("\n")) for c, out in steps]


def count() -> dict[str, dict[str, int]]:
    """Examples per page and kind, and the blocks shown but not run."""
    table: dict[str, dict[str, int]] = {}
    for page in pages():
        row = table.setdefault(str(page.relative_to(ROOT)), {})
        for block in blocks(page):
            if block.is_example:
                kind = "not-run" if block.not_run else "file" if block.file else block.kind
                row[kind] = row.get(kind, 0) + 1
    return table


if __name__ == "__main__":
    total: dict[str, int] = {}
    for name, row in count().items():
        print(f"{name:28} " + ", ".join(f"{v} {k}" for k, v in sorted(row.items())))
        for k, v in row.items():
            total[k] = total.get(k, 0) + v
    run = sum(v for k, v in total.items() if k != "not-run")
    print(f"run: {run} examples ({total}); shown but not run: {total.get('not-run', 0)}")
