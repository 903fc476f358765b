"""`/docs` and `/redoc` work on a machine without internet: every asset they load is the app's."""

from __future__ import annotations

import re

import pytest

from tests.e2e.support import Api


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_loads_nothing_from_another_origin(api: Api, page: str) -> None:
    html = api.client.get(page)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html.text)
    assert assets, html.text
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "http://" not in html.text
    assert "https://" not in html.text
    for asset in assets:
        answer = api.client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.content, asset


def test_the_swagger_page_reads_the_apps_own_schema(api: Api) -> None:
    html = api.client.get("/docs").text
    assert "/openapi.json" in html
    assert api.client.get("/openapi.json").json()["info"]["title"] == "Roadmap Ledger"


def test_the_root_leads_to_the_auditors_workbench(api: Api) -> None:
    answer = api.client.get("/", follow_redirects=False)
    assert answer.status_code in (302, 307)
    assert answer.headers["location"] == "/auditor/"
