"""Steps the browser tests share: sign in, pin the key, wait for a view to settle."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import SCREENSHOTS, Workbench


def settled(page: Any) -> None:
    """The view has rendered (app.js marks the body after each render)."""
    page.wait_for_function("() => document.body.dataset.ready !== undefined")
    page.wait_for_function(
        "() => document.getElementById('main').getAttribute('aria-busy') === null"
    )


def sign_in(page: Any, workbench: Workbench, token: str | None = None) -> None:
    page.goto("/auditor/#/signin")
    settled(page)
    page.fill("#token-input", token or workbench.auditor)
    page.click("#signin-submit")
    page.wait_for_selector("#me-sub")


def pin_key(page: Any, workbench: Workbench, key: str | None = None) -> None:
    page.fill("#key-input", key or workbench.verifier_key)
    page.click("#key-pin")
    page.wait_for_selector("#timeline tbody tr")
    settled(page)


def badges(page: Any) -> list[tuple[str, str]]:
    """(status, reason) of every badge in the timeline, top to bottom."""
    cells = page.locator("#timeline tbody .badge")
    return [
        (
            cells.nth(i).get_attribute("data-status") or "",
            cells.nth(i).locator(".reason").inner_text(),
        )
        for i in range(cells.count())
    ]


def same_origin(page: Any, workbench: Workbench) -> None:
    origin = urlsplit(workbench.base_url)
    for url in page.requests:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            continue
        assert (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc), url


def shot(page: Any, workbench: Workbench, name: str, selector: str | None = None) -> None:
    """Screenshots of the SQLite run (both backends draw the same page) go to SCREENSHOTS:
    the whole page, or one part of it."""
    if workbench.backend != "sqlite":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    if selector is None:
        page.screenshot(path=path, full_page=True)
    else:
        page.locator(selector).screenshot(path=path)


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Presses Tab until `selector` has the focus, which must then be visibly outlined."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("", "none"), f"{selector} has no visible focus"
            return
    msg = f"Tab never reached {selector}"
    raise AssertionError(msg)
