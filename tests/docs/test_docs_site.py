"""The site builds in strict mode (a broken link or reference fails), offline, with every
public name in the API reference and the figures and explorer page made by the build."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_examples import ROOT, PageError, blocks

import glassnet as gn


def test_strict_build_is_complete_and_offline(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    api = (site / "reference" / "glassnet.html").read_text(encoding="utf-8")
    missing = [n for n in gn.__all__ if n != "__version__" and n not in api]
    assert not missing, f"not in the API reference: {missing}"
    for name in ["seed-network", "network-4-8-3", "network-20-16-3", "decision-boundary"]:
        assert (site / "figures" / f"{name}.png").stat().st_size > 10_000
    assert "application/json" in (site / "explorer" / "seed.html").read_text(encoding="utf-8")
    assert 'src="explorer/seed.html"' in (site / "lesson.html").read_text(encoding="utf-8")
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(https?://[^"]+)', text)
        assert not remote, f"{page.relative_to(site)} loads {remote[:3]} from the network"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("```\nglassnet train\n```\n", "needs a language"),
        ("```text\n$ glassnet train\n```\n", "```console"),
        ("<!-- setup: python\nx = 1\n-->\n```python\nprint(x)\n```\n", "# fragment:"),
        ("<!-- not-run: -->\n```sh\nmake\n```\n", "not-run needs a reason"),
    ],
)
def test_runner_refuses_pages_that_break_the_conventions(
    tmp_path: Path, text: str, error: str
) -> None:
    page = ROOT / "docs" / "_runner_probe.md"  # blocks() names lines relative to the repository
    page.write_text(text, encoding="utf-8")
    try:
        with pytest.raises(PageError, match=re.escape(error)):
            blocks(page)
    finally:
        page.unlink()
