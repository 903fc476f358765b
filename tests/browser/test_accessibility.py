"""WCAG 2.1 AA checks on every view, in English and French: landmarks, a label for every
control, a name for every button and link, and text contrast of at least 4.5:1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domain.adapters.demo import ROADMAP_ID
from tests.browser.conftest import Workbench
from tests.browser.support import pin_key, settled, sign_in

CHECKS = (Path(__file__).parent / "accessibility.js").read_text(encoding="utf-8")


def test_every_view_passes_the_checks(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench)
    pin_key(page, workbench)
    pledge = next(
        p
        for p in workbench.get(f"/roadmaps/{ROADMAP_ID}/state").json()["pledges"]
        if p["party"] == "CA"
    )
    views = {
        "#/signin": "#me-sub",
        "#/timeline": "#timeline .badge",
        "#/entries/2": "#entry-badge .badge",
        f"#/items/{pledge['id']}": "#version-1 .badge",
        "#/time-travel?compare=now&as_of=2000-01-01T00:00:00Z": "#comparison",
    }
    problems: dict[str, list[str]] = {}
    for toggle in (False, True):
        if toggle:
            page.click("#lang-toggle")
            page.wait_for_function("() => document.documentElement.lang === 'fr'")
        for hash_, ready in views.items():
            page.goto(f"/auditor/{hash_}")
            page.wait_for_selector(ready)
            settled(page)
            found = page.evaluate(CHECKS)
            if found:
                problems[f"{page.evaluate('document.documentElement.lang')} {hash_}"] = found
    assert problems == {}
    # The checks can fail: a pale text and an unlabelled field are found.
    page.evaluate(
        """() => {
            const p = document.createElement('p');
            p.textContent = 'pale';
            p.style.color = '#aaaaaa';
            document.getElementById('main').append(p, document.createElement('input'));
        }"""
    )
    found = page.evaluate(CHECKS)
    assert any(line.startswith("contrast 2.32:1") for line in found), found
    assert "no label: #" in found
