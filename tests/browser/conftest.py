"""The explorer page in a real browser: Debian's chromium driven by Playwright, offline.

Never `playwright install` (it downloads a browser): `make test` installs Debian's chromium
when /usr/bin/chromium is missing, and these tests use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from glassnet.trace import Trace

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL = ("file:", "data:", "about:")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@dataclass
class Opened:
    """A page opened from file://, with what it logged and requested."""

    page: Page
    path: Path
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def remote(self) -> list[str]:
        """Every request that was not for a local file, data: or about: address."""
        return [u for u in self.requests if not u.startswith(LOCAL)]


@pytest.fixture
def open_page(browser: Browser, tmp_path: Path) -> Iterator[Any]:
    contexts = []

    def opener(tr: Trace, width: int = 1280, height: int = 800) -> Opened:
        path = Path(tr.to_html(tmp_path / f"page{len(contexts)}.html"))
        context = browser.new_context(
            offline=True, accept_downloads=True, viewport={"width": width, "height": height}
        )
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page, path)
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("request", lambda r: opened.requests.append(r.url))
        page.goto(path.as_uri())
        return opened

    yield opener
    for context in contexts:
        context.close()
