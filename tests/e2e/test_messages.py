"""Issue 15, item 6: messages and small rules, on both backends.

A refusal says what is refused; an unescaped `+` of an offset is taken for one; `?format=csv`
answers CSV; a pledge fulfilled short of its quantity needs a reason, which is recorded; progress
beyond the quantity is accepted and flagged; exchanges of police experts; an unknown priority is
answered with the roadmap's codes.
"""

from __future__ import annotations

import csv
import io

from tests.e2e.support import (
    AUDITOR,
    CA,
    FR,
    PRIORITIES,
    REPORTER,
    Api,
    adopt,
    assert_problem,
    exchange_body,
    make_pledge,
    pledge_body,
)


def test_an_official_is_told_what_is_refused(api: Api) -> None:
    roadmap_id = adopt(api)
    for path in (f"/roadmaps/{roadmap_id}/audit", "/audit/tree-head", "/audit/entries"):
        problem = assert_problem(api.get(path, FR), 403, "not-authorised")
        assert problem["detail"].startswith("the audit trail"), problem
        assert "for auditors and admins, not official" in problem["detail"]
    state = api.get(f"/roadmaps/{roadmap_id}/state", FR, {"as_of": "2017-01-01T00:00:00Z"})
    problem = assert_problem(state, 403, "not-authorised")
    assert problem["detail"].startswith("time travel (as_of, effective_on)"), problem


def test_an_unescaped_plus_of_an_offset_is_taken_for_one(api: Api) -> None:
    roadmap_id = adopt(api)
    headers = api.headers(AUDITOR)
    # Written by hand in a URL, `+01:00` arrives as ` 01:00` (a `+` in a query is a space).
    waited = f"min_position={api.last_position}"
    raw = f"/roadmaps/{roadmap_id}/state?{waited}&as_of=2999-01-01T00:00:00+01:00"
    answer = api.client.get(raw, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["as_of"] == "2999-01-01T00:00:00+01:00"
    escaped = api.client.get(raw.replace("+", "%2B"), headers=headers)
    assert escaped.json()["as_of"] == answer.json()["as_of"]
    without = api.client.get(
        f"/roadmaps/{roadmap_id}/state?{waited}&as_of=2999-01-01 00:00:00", headers=headers
    )
    problem = assert_problem(without, 422)
    assert problem["field"] == "as_of"
    assert "%2B" in problem["detail"]


def test_format_csv_is_honoured_beside_accept(api: Api) -> None:
    make_pledge(api, adopt(api))
    by_query = api.get("/reports/pledge-fulfilment", REPORTER, {"format": "csv"})
    assert by_query.status_code == 200
    assert by_query.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(by_query.text)))
    assert rows
    assert "over_delivered" in rows[0]
    by_accept = api.get("/reports/pledge-fulfilment", REPORTER, headers={"Accept": "text/csv"})
    assert by_accept.text == by_query.text
    as_json = api.get(
        "/reports/pledge-fulfilment", REPORTER, {"format": "json"}, {"Accept": "text/csv"}
    )
    assert as_json.headers["content-type"].startswith("application/json")
    assert (
        assert_problem(api.get("/reports/pledge-fulfilment", REPORTER, {"format": "xml"}), 422)[
            "field"
        ]
        == "format"
    )


def test_a_pledge_fulfilled_short_of_its_quantity_needs_a_reason(api: Api) -> None:
    pledge_id = make_pledge(api, adopt(api))
    path = f"/pledges/{pledge_id}"
    api.ok(f"{path}/progress", CA, {"delivered": {"amount": "60", "unit": "personnel"}})
    before = api.position()
    for body in (None, {}, {"reason": None}, {"note": "no reason given"}):
        problem = assert_problem(api.post(f"{path}/fulfilment", CA, body), 422, "reason-required")
        assert problem["field"] == "reason"
        assert "60 of the 600 personnel" in problem["detail"]
    assert api.position() == before
    reason = "The mission closed after the first rotation"
    api.ok(f"{path}/fulfilment", CA, {"reason": reason})
    assert api.read(path)["status"] == "fulfilled"
    entries = api.read(f"/roadmaps/{api.read(path)['roadmap_id']}/audit?stream_id={pledge_id}")
    fulfilled = entries["entries"][-1]
    written = {"en": reason, "fr": None, "lang": "en"}
    assert (fulfilled["event_type"], fulfilled["data"]) == ("Fulfilled", {"reason": written})
    assert reason in fulfilled["summary"]


def test_a_pledge_fulfilled_in_full_needs_no_reason(api: Api) -> None:
    pledge_id = make_pledge(api, adopt(api))
    path = f"/pledges/{pledge_id}"
    api.ok(f"{path}/progress", CA, {"delivered": {"amount": "600", "unit": "personnel"}})
    api.ok(f"{path}/fulfilment", CA)
    entries = api.read(f"/roadmaps/{api.read(path)['roadmap_id']}/audit?stream_id={pledge_id}")
    assert entries["entries"][-1]["data"] == {"reason": None}  # recorded: no reason


def test_progress_beyond_the_pledge_is_accepted_and_flagged(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id, priorities=["military-performance"])
    path = f"/pledges/{pledge_id}"
    assert api.read(path)["over_delivered"] is False
    api.ok(f"{path}/progress", CA, {"delivered": {"amount": "650", "unit": "personnel"}})
    pledge = api.read(path)
    assert (pledge["delivered"]["amount"], pledge["over_delivered"]) == ("650", True)
    state = api.read(f"/roadmaps/{roadmap_id}/state")
    assert [p["over_delivered"] for p in state["pledges"]] == [True]
    report = api.read("/reports/pledge-fulfilment", REPORTER)
    (row,) = [r for r in report["rows"] if r["roadmap_id"] == roadmap_id]
    assert (row["over_delivered"], row["pledged"], row["delivered"]) == (1, "600", "650")
    with api.client.app.state.read_side.store.transaction() as cursor:  # type: ignore[attr-defined]
        cursor.execute(
            "SELECT over_delivered FROM v_pledge_fulfilment WHERE roadmap_id = ?", [roadmap_id]
        )
        assert [int(r[0]) for r in cursor.fetchall()] == [1]


def test_exchanges_of_police_experts(api: Api) -> None:
    roadmap_id = adopt(api)
    exchange = api.created(
        f"/roadmaps/{roadmap_id}/exchanges", FR, exchange_body(category="police-expert")
    )
    assert api.read(f"/exchanges/{exchange}")["category"] == "police-expert"


def test_an_unknown_priority_is_answered_with_the_roadmaps_codes(api: Api) -> None:
    roadmap_id = adopt(api)
    answer = api.post(f"/roadmaps/{roadmap_id}/pledges", CA, pledge_body(priorities=["policing"]))
    problem = assert_problem(answer, 409, "unknown-priority")
    assert problem["field"] == "priorities"
    codes = ", ".join(p["code"] for p in PRIORITIES)
    assert problem["detail"] == f"not priorities of the roadmap: policing (its priorities: {codes})"
