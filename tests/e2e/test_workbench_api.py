"""What the auditor's workbench asks of the API (issue 12): audit filters by actor, item kind
and effective dates, newest first with the same cursor; who the token is; the moments a
roadmap's record changed; authority in item history; and the page served with its headers."""

from __future__ import annotations

from typing import Any

import pytest

from api.auditor_page import CSP
from tests.e2e.support import (
    AUDITOR,
    CA,
    FR,
    REPORTER,
    Api,
    adopt,
    assert_problem,
    make_pledge,
    schedule,
)


@pytest.fixture(scope="module")
def record(api: Api) -> dict[str, Any]:
    """A roadmap (FR), two pledges (CA, one effective in 2016) and a consultation (FR)."""
    roadmap = adopt(api, FR)
    early = make_pledge(api, roadmap, CA, effective_on="2016-08-26", authority="Announcement")
    late = make_pledge(api, roadmap, CA, effective_on="2017-03-01")
    consultation = schedule(api, roadmap, FR)
    return {"roadmap": roadmap, "early": early, "late": late, "consultation": consultation}


def _entries(api: Api, roadmap: str, **params: str) -> list[dict[str, Any]]:
    answer = api.get(f"/roadmaps/{roadmap}/audit", params=params)
    assert answer.status_code == 200, answer.text
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


def test_filters_by_actor_kind_and_effective_dates(api: Api, record: dict[str, Any]) -> None:
    roadmap = record["roadmap"]
    by_ca = _entries(api, roadmap, actor=CA.sub)
    assert {e["stream_id"] for e in by_ca} == {record["early"], record["late"]}
    pledges = _entries(api, roadmap, item_kind="Pledge")
    assert [e["item_kind"] for e in pledges] == ["Pledge", "Pledge"]
    in_2016 = _entries(api, roadmap, effective_from="2016-01-01", effective_to="2016-12-31")
    assert record["early"] in {e["stream_id"] for e in in_2016}
    assert record["late"] not in {e["stream_id"] for e in in_2016}
    assert all("2016-01-01" <= e["effective_on"] <= "2016-12-31" for e in in_2016)
    assert _entries(api, roadmap, actor="nobody") == []
    everywhere = api.get("/audit/entries", params={"stream_id": record["late"]}).json()
    assert [e["stream_id"] for e in everywhere["entries"]] == [record["late"]]


def test_newest_first_pages_with_the_same_cursor(api: Api, record: dict[str, Any]) -> None:
    roadmap = record["roadmap"]
    oldest_first = [e["position"] for e in _entries(api, roadmap)]
    seen: list[int] = []
    after = 0
    while True:
        params = {"order": "desc", "limit": "1", **({"after": str(after)} if after else {})}
        page = api.get(f"/roadmaps/{roadmap}/audit", params=params).json()
        seen += [e["position"] for e in page["entries"]]
        if page["next_cursor"] is None:
            break
        after = page["next_cursor"]
    assert seen == oldest_first[::-1]
    assert_problem(api.get(f"/roadmaps/{roadmap}/audit", params={"order": "up"}), 422)
    assert_problem(api.get(f"/roadmaps/{roadmap}/audit", params={"effective_from": "x"}), 422)


def test_me_answers_the_tokens_subject_and_what_it_may_do(api: Api) -> None:
    auditor = api.get("/me", AUDITOR).json()
    assert auditor == {
        "sub": AUDITOR.sub,
        "party": None,
        "roles": ["auditor"],
        "may": {
            "read_state": True,
            "read_reports": True,
            "audit_trail": True,
            "time_travel": True,
            "record": False,
        },
    }
    official = api.get("/me", CA).json()
    assert (official["party"], official["may"]["record"], official["may"]["audit_trail"]) == (
        "CA",
        True,
        False,
    )
    assert api.get("/me", REPORTER).json()["may"]["time_travel"] is False
    assert_problem(api.get("/me", None), 401)


def test_moments_list_when_the_record_changed(api: Api, record: dict[str, Any]) -> None:
    roadmap = record["roadmap"]
    answer = api.get(f"/roadmaps/{roadmap}/moments")
    assert answer.status_code == 200, answer.text
    moments = answer.json()["moments"]
    entries = _entries(api, roadmap)
    assert [m["position"] for m in moments] == [e["position"] for e in entries]
    assert [m["recorded_at"] for m in moments] == [e["recorded_at"] for e in entries]
    assert moments[0]["event_type"] == "Adopted"
    assert answer.json()["truncated"] is False
    two = api.get(f"/roadmaps/{roadmap}/moments", params={"limit": "2"}).json()
    assert len(two["moments"]) == 2
    assert two["truncated"] is True
    assert_problem(api.get(f"/roadmaps/{roadmap}/moments", CA), 403)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(api.get(f"/roadmaps/{unknown}/moments"), 404)


def test_history_gives_the_authority_of_each_version(api: Api, record: dict[str, Any]) -> None:
    history = api.get(f"/pledges/{record['early']}/history").json()
    assert history["versions"][0]["authority"] == "Announcement"
    later = api.get(f"/pledges/{record['late']}/history").json()
    assert later["versions"][0]["authority"] is None


def test_the_workbench_is_served_with_its_security_headers(api: Api) -> None:
    for path in ("/auditor/", "/auditor/app.js", "/auditor/lib/merkle.js", "/auditor/app.css"):
        answer = api.client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-security-policy"] == CSP
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert api.client.get("/auditor/app.js").headers["content-type"].startswith("text/javascript")
    assert "frame-ancestors 'none'" in CSP
    assert "unsafe-inline" not in CSP
    missing = api.client.get("/auditor/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"] == CSP
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["instance"] == "/auditor/nothing.js"
    assert api.client.head("/", follow_redirects=False).headers["location"] == "/auditor/"
    html = api.client.get("/auditor/").text
    assert '<script type="module" src="app.js"></script>' in html
    assert "http://" not in html
    assert "https://" not in html
    assert "style=" not in html
