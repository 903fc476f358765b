"""The auditor's workbench in a real browser: Debian's Chromium driven by Playwright for Python,
against the real app (uvicorn in a thread) holding the demo roadmap, on SQLite and PostgreSQL.

Without Chromium (or Playwright) these tests skip with the reason, except under `CI=true`,
where they fail: CI installs Debian's `chromium` (.ci/run). Playwright's own browser download
is never used; the system browser is launched by its path.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth import mint_token
from api.settings import Settings
from domain.adapters.demo import ROADMAP_ID, load_demo
from domain.application.service import RoadmapLedger
from tests import pg
from tests.e2e.servers import serving
from tests.e2e.support import settings_for

CHROMIUM = Path(os.environ.get("ROADMAP_TEST_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every run saves its screenshots under build/ (ignored by git, so a test run leaves the clone
# clean); `make screenshots` points this at docs/screenshots, the copies the README shows.
SCREENSHOTS = Path(
    os.environ.get(
        "ROADMAP_SCREENSHOTS",
        Path(__file__).resolve().parents[2] / "build" / "screenshots",
    )
)
QUIET = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(QUIET)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run; .ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional until used
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        _unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    executable = str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        yield launched
        launched.close()


@dataclass
class Workbench:
    """The served app: its origin, settings, and tokens for the demo's people."""

    base_url: str
    settings: Settings
    backend: str

    def token(self, sub: str, *roles: str, party: str | None = None) -> str:
        return mint_token(self.settings, subject=sub, party=party, roles=list(roles))

    @property
    def auditor(self) -> str:
        return self.token("alice-auditor", "auditor")

    def get(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.auditor}"}
        return httpx.get(self.base_url + path, params=params, headers=headers, timeout=30)

    def post(self, path: str, token: str, body: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.post(self.base_url + path, json=body, headers=headers, timeout=30)

    @property
    def verifier_key(self) -> str:
        return self.get("/audit/verifier-key").text.strip()

    def settled(self) -> int:
        """Waits until every read model has every event, and a checkpoint of them is signed;
        answers its size."""
        position = httpx.get(self.base_url + "/ready", timeout=30).json()["position"]
        for path in (f"/roadmaps/{ROADMAP_ID}/audit", f"/roadmaps/{ROADMAP_ID}/state", "/roadmaps"):
            answer = self.get(path, min_position=position)
            assert answer.status_code == 200, answer.text
        for _ in range(200):
            size = int(self.get("/audit/checkpoint").text.split("\n")[1])
            if size >= position:
                return size
            httpx.get(self.base_url + "/ready", timeout=30)
            time.sleep(0.05)
        msg = f"no checkpoint of {position} entries was signed"
        raise AssertionError(msg)


def _demo_with_amendments(workbench: Workbench) -> None:
    """The demo, then a correction and a translation of its pledge: item history shows them."""
    ca = workbench.token("demo-ca", "official", party="CA")
    position = httpx.get(workbench.base_url + "/ready", timeout=30).json()["position"]
    answer = workbench.get(f"/roadmaps/{ROADMAP_ID}/state", min_position=position)
    assert answer.status_code == 200, answer.text
    pledge = next(p for p in answer.json()["pledges"] if p["party"] == "CA")
    answer = workbench.post(
        f"/pledges/{pledge['id']}/corrections",
        ca,
        {
            "target_version": 1,
            "changes": {"beneficiary": "MINUSMA"},
            "reason": "Beneficiary entered wrongly",
            "authority": "Note verbale 2016-117",
        },
    )
    assert answer.status_code in (200, 201), answer.text


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def workbench(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workbench]:
    """The app on each backend with the demo loaded (`roadmap demo`) and one correction."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('browser')}/roadmap.db"])
    else:
        urls = pg.fresh_schema_url()
    url = next(urls)
    try:
        # A loaded machine may keep the read side behind for a while: reads wait for it.
        settings = settings_for(url, rate_limit_per_minute=1_000_000, read_wait_seconds=30)
        ledger = RoadmapLedger(url)
        try:
            load_demo(ledger)
        finally:
            ledger.close()
        with serving(settings) as base_url:
            bench = Workbench(base_url, settings, request.param)
            _demo_with_amendments(bench)
            bench.settled()
            yield bench
    finally:
        for _ in urls:  # lets the schema generator drop its schema
            pass


@pytest.fixture
def page(browser: Any, workbench: Workbench) -> Iterator[Any]:
    """A fresh context (empty storage) on the app; every request's URL is kept."""
    context = browser.new_context(
        base_url=workbench.base_url, viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    tab.requests = []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.console = []
    tab.on("console", lambda m: tab.console.append(f"{m.type}: {m.text}"))
    tab.on("pageerror", lambda e: tab.console.append(f"pageerror: {e}"))
    yield tab
    context.close()
