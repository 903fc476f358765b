"""Sign in, pin the key, read the demo's timeline with every badge verified; answers tampered
with on the way turn their badge to failed with the reason; the keyboard alone walks sign in →
timeline → entry; French; the log's growth since the last visit. No request leaves the origin."""

from __future__ import annotations

import json
from typing import Any

from domain.adapters.demo import ROADMAP_ID
from tests.browser.conftest import Workbench
from tests.browser.support import badges, pin_key, same_origin, settled, shot, sign_in, tab_to

PROOF_FAILS = "the inclusion proof does not lead to the signed root of {size} entries"
FIELDS_ALTERED = "the entry's fields do not hash to its leaf (recomputed "


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
    rows = page.locator("#timeline tbody tr")
    positions = [int(p) for p in rows.evaluate_all("rs => rs.map(r => r.dataset.position)")]
    assert positions == sorted(positions, reverse=True)
    shot(page, workbench, "timeline")
    assert not [line for line in page.console if "error" in line], page.console
    assert "⟦" not in page.inner_text("body")
    same_origin(page, workbench)


def _size(workbench: Workbench) -> int:
    return int(workbench.get("/audit/checkpoint").text.split("\n")[1])


def test_one_altered_byte_of_a_proof_fails_that_entry(page: Any, workbench: Workbench) -> None:
    def flip(route: Any) -> None:
        proof = route.fetch().json()
        first = proof["path"][0]
        proof["path"][0] = f"{int(first[:2], 16) ^ 0x01:02x}{first[2:]}"
        route.fulfill(status=200, content_type="application/json", body=json.dumps(proof))

    page.route(lambda url: "/audit/proofs/inclusion" in url and "leaf_index=3&" in url, flip)
    sign_in(page, workbench)
    pin_key(page, workbench)
    row = page.locator("#entry-4 .badge")
    assert row.get_attribute("data-status") == "failed"
    reason = row.locator(".reason").inner_text()
    assert reason.startswith(PROOF_FAILS.format(size=_size(workbench))), reason
    assert "the proof or the log was altered" in reason
    others = [status for status, _ in badges(page)]
    assert others.count("failed") == 1
    assert others.count("verified") == len(others) - 1
    shot(page, workbench, "tampered-proof", "#timeline")
    same_origin(page, workbench)


def test_one_altered_field_of_an_entry_fails_that_entry(page: Any, workbench: Workbench) -> None:
    def alter(route: Any) -> None:
        page_ = route.fetch().json()
        for entry in page_["entries"]:
            if entry["position"] == 2:
                entry["data"]["quantity"]["amount"] = "700"
        route.fulfill(status=200, content_type="application/json", body=json.dumps(page_))

    page.route(lambda url: f"/roadmaps/{ROADMAP_ID}/audit" in url, alter)
    sign_in(page, workbench)
    pin_key(page, workbench)
    row = page.locator("#entry-2 .badge")
    assert row.get_attribute("data-status") == "failed"
    reason = row.locator(".reason").inner_text()
    assert reason.startswith(FIELDS_ALTERED), reason
    assert reason.endswith("the entry was altered"), reason
    assert [s for s, _ in badges(page)].count("failed") == 1
    shot(page, workbench, "tampered-entry", "#timeline")


def test_a_checkpoint_signed_by_another_key_fails_every_entry(
    page: Any, workbench: Workbench
) -> None:
    def resign(route: Any) -> None:
        note = route.fetch().text()
        text, _, signature = note.rpartition("\n\n")
        name, _, encoded = signature.removeprefix("— ").strip().partition(" ")
        flipped = encoded[:10] + ("A" if encoded[10] != "A" else "B") + encoded[11:]
        route.fulfill(status=200, content_type="text/plain", body=f"{text}\n\n— {name} {flipped}\n")

    page.route(lambda url: url.endswith("/audit/checkpoint"), resign)
    sign_in(page, workbench)
    pin_key(page, workbench)
    head = page.locator("#checkpoint-status .badge")
    assert head.get_attribute("data-status") == "failed"
    assert "does not verify with the pinned key" in head.inner_text()
    assert {status for status, _ in badges(page)} == {"failed"}


def test_the_keyboard_alone_signs_in_and_reaches_an_entry(page: Any, workbench: Workbench) -> None:
    page.goto("/auditor/#/signin")
    settled(page)
    tab_to(page, "#token-input")
    page.keyboard.type(workbench.auditor)
    tab_to(page, "#signin-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#me-sub")
    settled(page)
    tab_to(page, "#key-input")
    page.keyboard.type(workbench.verifier_key)
    tab_to(page, "#key-pin")
    page.keyboard.press("Enter")
    page.wait_for_selector("#timeline tbody tr")
    settled(page)
    tab_to(page, "#timeline .permalink")
    target = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_selector("#entry-badge .badge")
    settled(page)
    assert page.inner_text("h1") == f"Entry {target}"
    assert page.get_attribute("#entry-badge .badge", "data-status") == "verified"
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_french_labels_dates_and_data(page: Any, workbench: Workbench) -> None:
    languages: list[str] = []
    page.on(
        "request",
        lambda r: (
            languages.append(r.headers.get("accept-language", "")) if "/audit" in r.url else None
        ),
    )
    sign_in(page, workbench)
    pin_key(page, workbench)
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    settled(page)
    assert page.inner_text("h1") == "Piste d'audit"
    assert page.inner_text("#nav-timeline") == "Chronologie"
    assert page.inner_text("#lang-toggle") == "English"
    assert page.get_attribute("#lang-toggle", "lang") == "en"
    pledge = page.locator("#entry-2")
    assert "26 août 2016" in pledge.inner_text()
    assert "engagement" in pledge.inner_text()  # the summary, in the answer's language
    assert pledge.locator(".badge-label").inner_text().endswith("Vérifiée")
    assert "fr" in languages
    assert "⟦" not in page.inner_text("body")
    shot(page, workbench, "timeline-fr")
    page.reload()
    settled(page)
    assert page.inner_text("h1") == "Piste d'audit"  # the choice is kept


def test_the_log_has_only_grown_since_the_last_visit(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench)
    pin_key(page, workbench)
    assert "first visit" in page.inner_text("#growth-status")
    before = _size(workbench)
    ca = workbench.token("demo-ca", "official", party="CA")
    state = workbench.get(f"/roadmaps/{ROADMAP_ID}/state").json()
    pledge = next(p for p in state["pledges"] if p["party"] == "CA")
    progress = {"delivered": {"amount": "120", "unit": "personnel"}}
    answer = workbench.post(f"/pledges/{pledge['id']}/progress", ca, progress)
    assert answer.status_code in (200, 201), answer.text
    assert workbench.settled() == before + 1
    page.reload()
    settled(page)
    growth = page.locator("#growth-status .badge")
    assert growth.get_attribute("data-status") == "verified"
    assert "the log has only grown since" in growth.inner_text()
    assert growth.inner_text().endswith(": 1 new events")


def test_without_a_pinned_key_nothing_is_called_verified(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench)
    page.click("#go-timeline")
    page.wait_for_selector("#timeline tbody tr .badge")
    settled(page)
    assert {status for status, _ in badges(page)} == {"unchecked"}
    assert {reason for _, reason in badges(page)} == {"no verifier key is pinned"}


def test_a_key_other_than_the_servers_is_warned_about(page: Any, workbench: Workbench) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
        Ed25519PrivateKey,
    )

    from projections.audit.notes import VerifierKey  # noqa: PLC0415

    origin = workbench.verifier_key.split("+")[0]
    other = VerifierKey.of(origin, Ed25519PrivateKey.generate().public_key()).text()
    sign_in(page, workbench)
    pin_key(page, workbench, other)
    assert "the server now serves a different key" in page.inner_text("#key-differs")
    head = page.locator("#checkpoint-status .badge")
    assert head.get_attribute("data-status") == "failed"
    assert "does not verify with the pinned key" in head.inner_text()
    page.goto("/auditor/#/signin")
    page.wait_for_selector("#key-differs")
    page.fill("#key-input", other[:-3] + "AAA")
    page.click("#key-pin")
    page.wait_for_selector("#key-error >> text=The key ID does not match the key")
