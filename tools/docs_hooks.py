"""mkdocs hooks: the parts of the site that are made from the code at build time.

- the API reference: one page per module, and for ``glassnet`` one entry per name in
  ``glassnet.__all__``, so that a new public name appears without editing the site;
- the figures: the Python blocks of ``docs/figures.md`` run in a temporary folder, and every
  PNG they write becomes ``figures/NAME.png`` (the pictures are never committed);
- the explorer: ``glassnet explain --html`` (or, on a glassnet without that flag, the
  ``--format html`` table) written to ``explorer/seed.html`` and embedded in the lesson;
- the lesson: ``<!-- notebook: PATH -->`` is replaced by the notebook's cells and stored outputs;
- the navigation: a page in docs/ that mkdocs.yml does not list (a new guide) is added under
  "Guides", so that no page is left out of the site.

Nothing here uses the network. The site documents the checkout it is built from: ``src/`` is put
first on ``sys.path`` and ``PYTHONPATH`` of the commands it runs.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

# the modules the reference documents besides those in glassnet.__all__
EXTRA_MODULES = ["sklearn", "saving", "trace", "plots", "datasets", "metrics", "distributed"]
# pages placed after a given page when present (others' new guides), else appended to Guides
PLACE_AFTER = {"long-jobs.md": "distributed.md"}
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)

EXPLORER: dict[str, str] = {}  # "how": which command made explorer/seed.html


def _env() -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


# ---- navigation ---------------------------------------------------------------------------


def _nav_files(nav: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(nav, str):
        found.add(nav)
    elif isinstance(nav, list):
        for item in nav:
            found |= _nav_files(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            found |= _nav_files(value)
    return found


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("`")
    return path.stem.replace("-", " ").capitalize()


def reference_modules() -> list[str]:
    """The modules of the API reference: glassnet, its public submodules, and EXTRA_MODULES."""
    gn = importlib.import_module("glassnet")
    modules = [n for n in gn.__all__ if isinstance(getattr(gn, n, None), type(gn))]
    return ["glassnet"] + [f"glassnet.{m}" for m in sorted({*modules, *EXTRA_MODULES})]


def on_config(config: Any) -> Any:
    nav = config["nav"]
    docs = Path(config["docs_dir"])
    listed = _nav_files(nav)
    guides = next(item["Guides"] for item in nav if isinstance(item, dict) and "Guides" in item)
    for page in sorted(docs.rglob("*.md")):
        rel = page.relative_to(docs).as_posix()
        if rel in listed or rel.startswith(("reference/", "_")):
            continue
        entry = {_title(page): rel}
        after = PLACE_AFTER.get(rel)
        where = [k for k, g in enumerate(guides) if after and after in _nav_files(g)]
        guides.insert(where[0] + 1 if where else len(guides), entry)
    for k, item in enumerate(nav):
        if isinstance(item, dict) and "API reference" in item:
            nav[k] = {"API reference": [{m: _ref_path(m)} for m in reference_modules()]}
    return config


def _ref_path(module: str) -> str:
    return (
        f"reference/{module.removeprefix('glassnet.') if module != 'glassnet' else 'glassnet'}.md"
    )


# ---- generated files ----------------------------------------------------------------------


def _reference_page(module: str) -> str:
    if module != "glassnet":
        return f"# `{module}`\n\n::: {module}\n    options:\n      show_root_heading: false\n"
    gn = importlib.import_module("glassnet")
    lines = [
        "# `glassnet`",
        "",
        "::: glassnet",
        "    options:",
        "      show_root_heading: false",
        "      members: false",
        "",
        "Every public name of `glassnet` (its `__all__`); the modules have their own pages.",
        "",
    ]
    for name in gn.__all__:
        obj = getattr(gn, name)
        if isinstance(obj, type(gn)):
            lines.append(f"- [`glassnet.{name}`]({name}.md): {_first_line(obj)}")
        elif name == "__version__":
            lines.append(f"- `glassnet.__version__`: the version string (`{obj}` here)")
    lines.append("")
    for name in gn.__all__:
        if not isinstance(getattr(gn, name), (type(gn), str)):
            lines += [f"::: glassnet.{name}", ""]
    return "\n".join(lines)


def _first_line(obj: Any) -> str:
    return (obj.__doc__ or "").strip().splitlines()[0] if obj.__doc__ else ""


def run_figure_blocks(page: Path, folder: Path) -> list[Path]:
    """Run the Python blocks of ``page`` in order in ``folder``; return the PNGs they wrote."""
    code = "\n".join(FENCE.findall(page.read_text(encoding="utf-8")))
    subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=_env(), check=True, capture_output=True
    )
    return sorted(folder.glob("*.png"))


def _explorer_page() -> bytes:
    cmd = [sys.executable, "-m", "glassnet", "explain"]
    helptext = subprocess.run(
        [*cmd, "--help"], env=_env(), capture_output=True, text=True, check=True
    ).stdout
    if "--html" in helptext:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "seed.html"
            subprocess.run([*cmd, "--html", str(out)], env=_env(), check=True, capture_output=True)
            EXPLORER["how"] = "glassnet explain --html"
            return out.read_bytes()
    EXPLORER["how"] = "glassnet explain --format html"
    done = subprocess.run([*cmd, "--format", "html"], env=_env(), check=True, capture_output=True)
    return done.stdout


def on_files(files: Files, config: Any) -> Files:
    for module in reference_modules():
        files.append(File.generated(config, _ref_path(module), content=_reference_page(module)))
    with tempfile.TemporaryDirectory() as tmp:
        for png in run_figure_blocks(Path(config["docs_dir"]) / "figures.md", Path(tmp)):
            files.append(File.generated(config, f"figures/{png.name}", content=png.read_bytes()))
    files.append(File.generated(config, "explorer/seed.html", content=_explorer_page()))
    return files


# ---- the lesson: notebook and explorer ----------------------------------------------------

NOTEBOOK = re.compile(r"<!-- notebook: (\S+) -->")


def notebook_markdown(path: Path) -> str:
    """A notebook as markdown: its markdown cells, its code cells and their stored outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts: list[str] = []
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            parts.append(source)
        elif cell.get("cell_type") == "code" and source.strip():
            parts.append(f"```python\n{source}\n```")
            parts.extend(_output(out) for out in cell.get("outputs", []))
    return "\n\n".join(p for p in parts if p)


def _output(out: dict[str, Any]) -> str:
    if out.get("output_type") == "stream":
        return f"```text\n{''.join(out.get('text', [])).rstrip()}\n```"
    data = out.get("data", {})
    if "image/png" in data:
        png = "".join(data["image/png"]).replace("\n", "")
        return f'<img alt="output" src="data:image/png;base64,{png}">'
    if "text/html" in data:
        return f'<div class="nb-output" markdown="0">\n{"".join(data["text/html"])}\n</div>'
    if "text/plain" in data:
        return f"```text\n{''.join(data['text/plain']).rstrip()}\n```"
    if out.get("output_type") == "error":
        return f"```text\n{html.escape(out.get('ename', ''))}: {out.get('evalue', '')}\n```"
    return ""


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    def notebook(match: re.Match[str]) -> str:
        path = ROOT / match.group(1)
        if path.exists():
            return notebook_markdown(path)
        return (
            '!!! note "The tutorial notebook is not in this checkout"\n'
            f"    `{match.group(1)}` is rendered here when it is present in the repository."
        )

    markdown = NOTEBOOK.sub(notebook, markdown)
    if "<!-- explorer -->" in markdown:
        how = EXPLORER.get("how", "glassnet explain --format html")
        what = (
            "the explorer page: step through forward and back propagation, hover a matrix"
            if how.endswith("--html")
            else "the table of every matrix of one pass (this glassnet has no `--html` explorer"
            " page yet, so the page embeds `--format html`)"
        )
        frame = (
            f"Below, built with `{how}` when this site was built: {what}. "
            "[Open it on its own](explorer/seed.html).\n\n"
            '<iframe src="explorer/seed.html" title="glassnet explorer" '
            'style="width:100%;height:720px;border:1px solid #ccc"></iframe>'
        )
        markdown = markdown.replace("<!-- explorer -->", frame)
    return markdown
