"""Item history, time travel and its comparison, downloads, filters, what other roles are told;
and the page's own verification code, run in the browser against proofs for many tree sizes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from domain.adapters.demo import ROADMAP_ID
from projections.audit.merkle import Frontier, consistency_path, inclusion_path, root_of
from tests.browser.conftest import Workbench
from tests.browser.support import pin_key, settled, shot, sign_in

HERE = Path(__file__).parent
STATIC = HERE.parents[1] / "api" / "static" / "auditor"


def _ca_pledge(workbench: Workbench) -> dict[str, Any]:
    state = workbench.get(f"/roadmaps/{ROADMAP_ID}/state").json()
    pledge: dict[str, Any] = next(p for p in state["pledges"] if p["party"] == "CA")
    return pledge


def test_item_history_shows_what_a_correction_changed(page: Any, workbench: Workbench) -> None:
    pledge = _ca_pledge(workbench)
    sign_in(page, workbench)
    pin_key(page, workbench)
    page.goto(f"/auditor/#/items/{pledge['id']}")
    page.wait_for_selector("#version-2 .badge")
    settled(page)
    correction = page.locator("#version-2")
    text = correction.inner_text()
    assert "Version 2: Corrected" in text
    assert "Corrects version 1:" in text
    assert "beneficiary: United Nations peace operations → MINUSMA" in text
    assert "Reason: Beneficiary entered wrongly" in text
    assert "Note verbale 2016-117" in text  # the authority it was recorded under
    assert "demo-ca (CA)" in text
    assert correction.locator(".badge").get_attribute("data-status") == "verified"
    assert page.locator("#version-1 .badge").get_attribute("data-status") == "verified"
    shot(page, workbench, "item-history")


def test_time_travel_slider_and_comparison(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench)
    page.goto("/auditor/#/time-travel")
    page.wait_for_selector("#as-of-slider")
    settled(page)
    assert page.locator("#state table[data-section='pledges'] tbody tr").count() == 1
    page.focus("#as-of-slider")
    page.keyboard.press("Home")  # the first moment: the roadmap adopted, nothing else yet
    page.wait_for_function("() => location.hash.includes('as_of=')")
    page.wait_for_selector("#state-heading >> text=The record as of")
    settled(page)
    assert page.locator("#state table[data-section='pledges']").count() == 0
    assert "Pledges (0)" in page.inner_text("#state")
    page.select_option("#compare-with", "now")
    page.click("#tt-apply")
    page.wait_for_selector("#comparison")
    settled(page)
    added = page.inner_text("#diff-added")
    assert "Pledges · Deploy up to 600 soldiers" in added
    assert "Consultations" in added
    assert "Exchanges" in added
    link = page.evaluate("location.hash")
    assert "as_of=" in link
    assert "compare=now" in link
    # What changed about the pledge between just before its correction and now.
    moments = workbench.get(f"/roadmaps/{ROADMAP_ID}/moments").json()["moments"]
    corrected = next(m for m in moments if m["event_type"] == "Corrected")
    before = moments[moments.index(corrected) - 1]["recorded_at"]
    page.goto(f"/auditor/#/time-travel?as_of={before}&compare=now&effective_on=2016-12-31")
    page.wait_for_selector("#diff-changed")
    settled(page)
    changed = page.inner_text("#diff-changed")
    assert "beneficiary: United Nations peace operations → MINUSMA" in changed
    assert "in effect on December 31, 2016" in page.inner_text("#state-heading")
    assert page.input_value("#effective-on") == "2016-12-31"
    assert page.input_value("#as-of-exact") == before  # the link's "+00:00" is a plus
    slider = page.locator("#as-of-slider")
    assert slider.input_value() == str(moments.index(corrected) - 1)
    shot(page, workbench, "time-travel")
    page.reload()  # the link reproduces the view
    page.wait_for_selector("#diff-changed")
    assert "beneficiary: United Nations peace operations → MINUSMA" in page.inner_text(
        "#diff-changed"
    )


def test_downloads_and_filters(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench)
    pin_key(page, workbench)
    page.select_option("#f-item_kind", "Pledge")
    page.fill("#f-actor", "demo-ca")
    page.click("#apply-filters")
    page.wait_for_function("() => location.hash.includes('item_kind=Pledge')")
    page.wait_for_selector("#timeline tbody tr")
    settled(page)
    rows = page.locator("#timeline tbody tr")
    expected = workbench.get(
        f"/roadmaps/{ROADMAP_ID}/audit", item_kind="Pledge", actor="demo-ca"
    ).json()["entries"]
    assert rows.count() == len(expected) >= 2
    with page.expect_download() as csv_download:
        page.click("#download-csv")
    table = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text())))
    assert [int(r["position"]) for r in table] == sorted(
        (e["position"] for e in expected), reverse=True
    )
    assert {r["item_kind"] for r in table} == {"Pledge"}
    with page.expect_download() as jsonl_download:
        page.click("#download-jsonl")
    lines = Path(jsonl_download.value.path()).read_text().splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [r["hash"] for r in table]
    page.click("#timeline .permalink")
    page.wait_for_selector("#download-bundle:not([disabled])")
    with page.expect_download() as bundle:
        page.click("#download-bundle")
    assert bundle.value.suggested_filename.endswith(".tlog-proof")
    assert Path(bundle.value.path()).read_text().startswith("c2sp.org/tlog-proof@v1\n")


def test_a_reporter_is_told_what_they_may_see(page: Any, workbench: Workbench) -> None:
    sign_in(page, workbench, workbench.token("rita", "reporter"))
    assert "for auditors and admins" in page.inner_text("#me-may")
    page.goto("/auditor/#/timeline")
    settled(page)
    page.wait_for_selector("text=The audit trail is for auditors and admins")
    official = workbench.token("demo-fr", "official", party="FR")
    sign_in(page, workbench, official)
    assert "As an official of FR" in page.inner_text("#me-may")
    page.goto("/auditor/#/signin")
    page.fill("#token-input", "not-a-token")
    page.click("#signin-submit")
    page.wait_for_selector("#token-error >> text=The token was refused")


def test_both_languages_have_every_label(page: Any, workbench: Workbench) -> None:
    page.goto("/auditor/")
    settled(page)
    keys = page.evaluate(
        """async () => {
            const { MESSAGES } = await import('/auditor/messages.js');
            return { en: Object.keys(MESSAGES.en).sort(), fr: Object.keys(MESSAGES.fr).sort() };
        }"""
    )
    assert keys["en"] == keys["fr"]
    import re  # noqa: PLC0415

    used = set()
    for source in STATIC.rglob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*"([a-zA-Z]+\.[A-Za-z_]+)""", source.read_text()))
        used |= set(re.findall(r""""((?:reason|growth)\\.[A-Za-z]+)\"""", source.read_text()))
    assert used - set(keys["en"]) == set()


def _tree(size: int) -> dict[tuple[int, int], bytes]:
    frontier = Frontier(0, [])
    nodes: dict[tuple[int, int], bytes] = {}
    for i in range(size):
        leaf = bytes([i % 256]) * 32
        for level, index, digest in frontier.append(leaf):
            nodes[(level, index)] = digest
    return nodes


def test_the_pages_proof_checks_agree_with_the_servers_for_many_sizes(
    page: Any, workbench: Workbench
) -> None:
    """Every inclusion and consistency proof of trees up to 33 leaves verifies in the browser,
    and none with one byte altered (path, leaf or earlier root) or an index beyond the tree."""
    top = 33
    nodes = _tree(top)

    def fetch(keys: Any) -> dict[tuple[int, int], bytes]:
        return {key: nodes[key] for key in keys}

    inclusions = [
        {
            "index": i,
            "size": n,
            "leaf": (bytes([i % 256]) * 32).hex(),
            "path": [p.hex() for p in inclusion_path(i, n, fetch)],
            "root": root_of(n, fetch).hex(),
        }
        for n in range(1, top + 1)
        for i in range(n)
    ]
    consistencies = [
        {
            "first": m,
            "second": n,
            "path": [p.hex() for p in consistency_path(m, n, fetch)],
            "first_root": root_of(m, fetch).hex(),
            "second_root": root_of(n, fetch).hex(),
        }
        for n in range(1, top + 1)
        for m in range(1, n + 1)
    ]
    page.goto("/auditor/")
    settled(page)
    checks = (HERE / "proof_checks.js").read_text(encoding="utf-8")
    result = page.evaluate(checks, [inclusions, consistencies])
    assert result == []


def test_the_pages_leaf_hash_is_the_servers(page: Any, workbench: Workbench) -> None:
    """Canonical JSON in the browser: sorted keys by code point, escapes, non-ASCII text."""
    entries = workbench.get("/audit/entries", limit=1000).json()["entries"]
    tricky = {
        **entries[0],
        "actor": 'q"\\\n\t\x01é😀',
        "data": {"\U0001f600": 1, "\uffff": 2, "b": [True, None, "x"], "a": {"z": -3, "é": ""}},
    }
    from projections.audit.leaf import leaf_hash  # noqa: PLC0415

    page.goto("/auditor/")
    settled(page)
    computed = page.evaluate(
        """async (entries) => {
            const c = await import('/auditor/lib/canonical.js');
            return Promise.all(entries.map((e) => c.leafHashHex(e)));
        }""",
        [*entries, tricky],
    )
    assert computed == [*(e["hash"] for e in entries), leaf_hash(tricky)]
