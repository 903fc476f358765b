"""Every contract path of DESIGN.md, through HTTP, on both backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from api.localize import localize
from domain.model.kinds import COLLECTIONS
from domain.model.plain import plain
from domain.model.pledge import Pledge
from tests.e2e.support import (
    ADMIN,
    AUDITOR,
    CA,
    FR,
    REPORTER,
    Api,
    adopt,
    assert_problem,
    held,
    make_pledge,
    propose_exchange,
    propose_reform,
    record_decision,
    roadmap_body,
    schedule,
    share_assessment,
)


def test_adopt_list_and_read_the_roadmap(api: Api) -> None:
    answer = api.post("/roadmaps", FR, roadmap_body())
    assert answer.status_code == 201
    created = answer.json()
    assert set(created) == {"id", "version", "position"}
    assert created["version"] == 1
    assert answer.headers["ETag"] == '"1"'
    assert answer.headers["Location"] == f"/roadmaps/{created['id']}"
    assert answer.headers["X-Roadmap-Position"] == str(created["position"])

    listed = api.get("/roadmaps", REPORTER)
    assert listed.status_code == 200
    assert int(listed.headers["X-Roadmap-Position"]) == listed.json()["position"]
    assert listed.json()["position"] >= created["position"]
    summary = {
        "id": created["id"],
        "title": "France-Canada Peacekeeping Roadmap",
        "title_translated": {"en": "France-Canada Peacekeeping Roadmap", "fr": None},
        "parties": ["FR", "CA"],
        "adopted_on": "2016-10-13",
    }
    assert summary in listed.json()["roadmaps"]

    read = api.get(f"/roadmaps/{created['id']}", REPORTER)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    roadmap = read.json()
    assert roadmap["parties"] == ["FR", "CA"]
    assert [p["code"] for p in roadmap["priorities"]] == [
        "preventive-diplomacy",
        "operations-support",
        "development-cooperation",
        "civilians-and-women",
        "military-performance",
    ]
    assert roadmap["effective_on"] == "2016-10-13"
    assert roadmap["void"] is False


def test_pledge_made_revised_progressed_fulfilled(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id)
    path = f"/pledges/{pledge_id}"
    revised = api.ok(
        f"{path}/revisions",
        CA,
        {"quantity": {"amount": 750, "unit": "personnel"}, "reason": "Cabinet decision"},
    )
    assert revised["version"] == 2
    api.ok(f"{path}/progress", CA, {"delivered": {"amount": "200", "unit": "personnel"}})
    pledge = api.read(path, FR)
    assert pledge["quantity"] == {"amount": "750", "unit": "personnel"}
    assert pledge["delivered"] == {"amount": "200", "unit": "personnel"}
    assert pledge["status"] == "active"
    assert pledge["made_on"] == "2016-08-26"
    short = api.post(f"{path}/fulfilment", CA)  # 200 of 750 delivered: say why it is fulfilled
    assert assert_problem(short, 422, "reason-required")["field"] == "reason"
    fulfilled = api.ok(f"{path}/fulfilment", CA, {"reason": "The mission closed early"})
    assert fulfilled["version"] == 4
    pledge = api.read(path, FR)
    assert (pledge["status"], pledge["version"]) == ("fulfilled", 4)

    # The recorded actor is the token's subject.
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    entries = ledger.get_item(Pledge, UUID(pledge["id"])).entries
    assert {(e.actor, e.actor_party) for e in entries} == {("ca-official", "CA")}


def test_pledge_withdrawn_then_refused(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id)
    api.ok(f"/pledges/{pledge_id}/withdrawal", CA, {"reason": "Superseded"})
    assert api.read(f"/pledges/{pledge_id}")["status"] == "withdrawn"
    before = api.position()
    answer = api.post(f"/pledges/{pledge_id}/fulfilment", CA)
    assert_problem(answer, 409, "pledge-already-withdrawn")
    assert api.position() == before


def test_consultation_co_chaired_held_decided_and_agreed(api: Api) -> None:
    roadmap_id = adopt(api)
    consultation_id = schedule(api, roadmap_id)
    path = f"/consultations/{consultation_id}"
    api.ok(f"{path}/co-chair-invitations", FR, {"party": "CA"})
    assert api.read(path)["invited_co_chairs"] == ["CA"]
    api.ok(f"{path}/co-chair-acceptances", CA)
    api.ok(
        f"{path}/rescheduling",
        FR,
        {"starts_on": "2016-10-26", "ends_on": "2016-10-28", "reason": "A third day"},
    )
    api.ok(f"{path}/held", CA, {"summary": "Ministers adopted the Paris declaration."})
    consultation = api.read(path)
    assert consultation["co_chairs"] == ["CA"]
    assert consultation["ends_on"] == "2016-10-28"
    assert consultation["status"] == "held"

    answer = api.post(
        f"{path}/decisions",
        FR,
        {"text": "A joint working group on francophone operations", "priorities": []},
    )
    assert answer.status_code == 201
    decision_id = answer.json()["id"]
    assert answer.headers["Location"] == f"/decisions/{decision_id}"
    decision = api.read(f"/decisions/{decision_id}")
    assert (decision["status"], decision["endorsements"]) == ("proposed", ["FR"])
    assert api.read(path)["decisions"] == [decision_id]

    assert_problem(api.post(f"/decisions/{decision_id}/endorsements", FR), 409, "already-endorsed")
    api.ok(f"/decisions/{decision_id}/endorsements", CA, {"note": "Ottawa agrees"})
    decision = api.read(f"/decisions/{decision_id}")
    assert (decision["status"], decision["endorsements"]) == ("agreed", ["FR", "CA"])


def test_consultation_cancelled(api: Api) -> None:
    roadmap_id = adopt(api)
    consultation_id = schedule(api, roadmap_id, host_party="CA", who=CA)
    api.ok(f"/consultations/{consultation_id}/cancellation", CA, {"reason": "Postponed"})
    assert api.read(f"/consultations/{consultation_id}")["status"] == "cancelled"
    answer = api.post(
        f"/consultations/{consultation_id}/decisions", CA, {"text": "x", "priorities": []}
    )
    assert_problem(answer, 409, "illegal-transition")


def test_exchange_agreed_by_the_receiving_party_only(api: Api) -> None:
    roadmap_id = adopt(api)
    exchange_id = propose_exchange(api, roadmap_id)
    path = f"/exchanges/{exchange_id}"
    assert_problem(api.post(f"{path}/agreement", FR), 403, "only-receiving-party-agrees")
    api.ok(f"{path}/agreement", CA)
    api.ok(f"{path}/start", FR)
    api.ok(f"{path}/completion", CA)
    exchange = api.read(path)
    assert (exchange["status"], exchange["participants"], exchange["version"]) == (
        "completed",
        4,
        4,
    )

    other = propose_exchange(api, roadmap_id, category="diplomat", participants=1)
    api.ok(f"/exchanges/{other}/cancellation", CA, {"reason": "Posting filled"})
    assert api.read(f"/exchanges/{other}")["status"] == "cancelled"


def test_reform_cosponsored_submitted_adopted_or_withdrawn(api: Api) -> None:
    roadmap_id = adopt(api)
    proposal_id = propose_reform(api, roadmap_id)
    path = f"/reform-proposals/{proposal_id}"
    api.ok(f"{path}/cosponsorships", CA)
    api.ok(f"{path}/submission", FR, {"forum": "General Assembly"})
    api.ok(f"{path}/outcome", CA, {"result": "adopted"})
    proposal = api.read(path)
    assert proposal["sponsors"] == ["FR", "CA"]
    assert (proposal["forum"], proposal["status"]) == ("General Assembly", "adopted")

    other = propose_reform(api, roadmap_id, who=CA)
    api.ok(f"/reform-proposals/{other}/submission", CA)
    api.ok(f"/reform-proposals/{other}/withdrawal", CA, {"reason": "Merged into another"})
    assert api.read(f"/reform-proposals/{other}")["status"] == "withdrawn"


def _item(api: Api, collection: str) -> tuple[str, str, dict[str, Any]]:
    """An item of `collection`, recorded by FR (or ADMIN), and a correction of its creation."""
    roadmap_id = adopt(api)
    title = {"title": "Corrected title"}
    builders: dict[str, Callable[[], tuple[str, str, dict[str, Any]]]] = {
        "roadmaps": lambda: (roadmap_id, "title", title),
        "pledges": lambda: (make_pledge(api, roadmap_id, who=FR, party="FR"), "title", title),
        "consultations": lambda: (schedule(api, roadmap_id), "location", {"location": "Lyon"}),
        "decisions": lambda: (
            record_decision(api, held(api, roadmap_id)),
            "text",
            {"text": "Corrected text"},
        ),
        "exchanges": lambda: (
            propose_exchange(api, roadmap_id),
            "participants",
            {"participants": 5},
        ),
        "reform-proposals": lambda: (propose_reform(api, roadmap_id), "title", title),
        "assessments": lambda: (share_assessment(api, roadmap_id), "subject", {"subject": "Mali"}),
    }
    return builders[collection]()


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_correction_then_retraction(api: Api, collection: str) -> None:
    item_id, field, changes = _item(api, collection)
    path = f"/{collection}/{item_id}"
    original = api.read(path)

    body = {"target_version": 1, "changes": changes, "reason": "Typing error"}
    assert_problem(api.post(f"{path}/corrections", CA, body), 403, "not-your-party")
    corrected = api.ok(f"{path}/corrections", FR, body)
    read = api.read(path)
    assert read[field] == changes[field] != original[field]
    assert read["version"] == corrected["version"]

    retracted = api.ok(f"{path}/retractions", ADMIN, {"target_version": 1, "reason": "Duplicate"})
    read = api.read(path)
    assert (read["void"], read["version"]) == (True, retracted["version"])
    again = api.post(f"{path}/retractions", FR, {"target_version": 1, "reason": "Twice"})
    assert_problem(again, 422, "event-already-retracted")


def test_retracted_items_leave_lists_and_state(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id)
    state = api.read(f"/roadmaps/{roadmap_id}/state", REPORTER)
    assert [p["id"] for p in state["pledges"]] == [pledge_id]
    api.ok(f"/pledges/{pledge_id}/retractions", CA, {"target_version": 1, "reason": "Duplicate"})
    assert api.read(f"/roadmaps/{roadmap_id}/state", REPORTER)["pledges"] == []
    api.ok(f"/roadmaps/{roadmap_id}/retractions", FR, {"target_version": 1, "reason": "Test"})
    listed = api.read("/roadmaps", REPORTER)["roadmaps"]
    assert roadmap_id not in [r["id"] for r in listed]


def test_state_now_and_by_time_travel(api: Api) -> None:
    roadmap_id = adopt(api)
    roadmap = api.read(f"/roadmaps/{roadmap_id}")
    pledge_id = make_pledge(api, roadmap_id)  # effective 2016-08-26, before the roadmap
    api.ok(
        f"/pledges/{pledge_id}/corrections",
        CA,
        {"target_version": 1, "changes": {"title": "Up to 600 soldiers"}, "reason": "Wording"},
    )
    path = f"/roadmaps/{roadmap_id}/state"

    now = api.get(path, REPORTER)
    assert now.status_code == 200
    state = now.json()
    assert set(state) == {
        "roadmap",
        "pledges",
        "consultations",
        "decisions",
        "exchanges",
        "reform_proposals",
        "assessments",
        "as_of",
        "effective_on",
        "position",
    }
    assert now.headers["X-Roadmap-Position"] == str(state["position"])
    assert state["pledges"][0]["title"] == "Up to 600 soldiers"

    in_effect = api.read(f"{path}?effective_on=2016-09-01", AUDITOR)
    assert [p["id"] for p in in_effect["pledges"]] == [pledge_id]
    assert in_effect["effective_on"] == "2016-09-01"
    assert api.read(f"{path}?effective_on=2016-08-01", ADMIN)["pledges"] == []

    # As recorded when the roadmap was adopted: no pledge yet.
    as_of = roadmap["recorded_at"]
    answer = api.get(path, AUDITOR, params={"as_of": as_of})
    assert answer.status_code == 200, answer.text
    assert answer.json()["pledges"] == []
    assert answer.json()["as_of"] == as_of

    # Before the roadmap was recorded: nothing to show.
    before = api.get(path, AUDITOR, params={"as_of": "2016-10-13T00:00:00Z"})
    assert_problem(before, 404, "not-found")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2017-01-01T00:00:00"}, "as_of"),  # no timezone
        ({"as_of": "yesterday"}, "as_of"),
        ({"effective_on": "2017-02-30"}, "effective_on"),
        ({"effective_on": "20170101"}, "effective_on"),
    ],
)
def test_state_refuses_malformed_times(api: Api, params: dict[str, str], field: str) -> None:
    roadmap_id = adopt(api)
    answer = api.get(f"/roadmaps/{roadmap_id}/state", AUDITOR, params=params)
    assert assert_problem(answer, 422)["field"] == field


def test_state_time_travel_is_for_auditors(api: Api) -> None:
    roadmap_id = adopt(api)
    path = f"/roadmaps/{roadmap_id}/state"
    for who in (FR, REPORTER):
        assert api.get(path, who).status_code == 200
        answer = api.get(path, who, params={"effective_on": "2017-01-01"})
        assert_problem(answer, 403, "not-authorised")
        answer = api.get(path, who, params={"as_of": "2017-01-01T00:00:00Z"})
        assert_problem(answer, 403, "not-authorised")


@pytest.mark.parametrize(
    "collection",
    ["roadmaps", "pledges", "consultations", "decisions", "exchanges", "reform-proposals"],
)
def test_unknown_items_are_404(api: Api, collection: str) -> None:
    roadmap_id = adopt(api)  # an id that exists, but (except for roadmaps) as another item
    unknown = "00000000-0000-4000-8000-000000000000"
    assert_problem(api.get(f"/{collection}/{unknown}"), 404, "not-found")
    if collection != "roadmaps":
        assert_problem(api.get(f"/{collection}/{roadmap_id}"), 404, "not-found")
    answer = api.post(
        f"/{collection}/{unknown}/retractions", ADMIN, {"target_version": 1, "reason": "x"}
    )
    assert_problem(answer, 404, "not-found")
    assert_problem(api.get(f"/roadmaps/{unknown}/state"), 404, "not-found")


@pytest.mark.parametrize("collection", list(COLLECTIONS))
def test_item_reads_answer_the_facades_public_view(api: Api, collection: str) -> None:
    item_id, _, _ = _item(api, collection)
    answer = api.get(f"/{collection}/{item_id}")
    ledger = api.client.app.state.ledger  # type: ignore[attr-defined]
    public = ledger.get_public(COLLECTIONS[collection], UUID(item_id))
    assert answer.json() == localize(plain(public), "en")
    assert answer.headers["ETag"] == f'"{answer.json()["version"]}"'
    assert int(answer.headers["X-Roadmap-Position"]) >= 1


def test_an_assessment_is_shared_acknowledged_and_superseded(api: Api) -> None:
    roadmap_id = adopt(api)
    first = share_assessment(api, roadmap_id)
    assert_problem(api.post(f"/assessments/{first}/acknowledgement", FR, {}), 403)
    acknowledged = api.ok(f"/assessments/{first}/acknowledgement", CA, {})
    assert acknowledged["version"] == 2
    newer = share_assessment(api, roadmap_id, shared_on="2018-01-15", title="Mali, a year on")
    api.ok(f"/assessments/{first}/supersession", FR, {"by": newer})
    read = api.read(f"/assessments/{first}")
    assert (read["status"], read["superseded_by"]) == ("superseded", newer)
    withdrawn = api.post(f"/assessments/{first}/withdrawal", FR, {"reason": "late"})
    assert_problem(withdrawn, 409)
    state = api.read(f"/roadmaps/{roadmap_id}/state", AUDITOR)
    assert [a["id"] for a in state["assessments"]] == [first, newer]
    assert [a["status"] for a in state["assessments"]] == ["superseded", "shared"]
