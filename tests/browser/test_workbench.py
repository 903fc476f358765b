"""Sign in, pin the key, read the demo's timeline with every badge verified; no request leaves
the app's origin; the keyboard alone walks sign in → timeline → entry."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Workbench
from tests.browser.support import badges, pin_key, same_origin, settled, shot, sign_in


def test_the_demos_timeline_verifies_in_the_browser(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench)
    assert page.inner_text("#me-sub") == "alice-auditor"
    assert "auditor" in page.inner_text("#me-roles")
    assert "audit trail" in page.inner_text("#me-may")
    pin_key(page, workbench)
    statuses = badges(page)
    events = workbench.get("/audit/entries").json()["entries"]
    assert len(statuses) == len(events) >= 9
    assert all(status == "verified" for status, _ in statuses), statuses
    assert page.get_attribute("#checkpoint-status .badge", "data-status") == "verified"
    assert "first visit" in page.inner_text("#growth-status")
    positions = [int(p) for p in page.locator("#timeline tbody tr").evaluate_all("rs => rs.map(r => r.dataset.position)")]
    assert positions == sorted(positions, reverse=True)
    shot(page, workbench, "timeline")
    assert not [line for line in page.console if "error" in line], page.console
    assert "⟦" not in page.inner_text("body")
    same_origin(page, workbench)
