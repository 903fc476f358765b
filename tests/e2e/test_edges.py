"""Issue 15, item 3: no 500 on well-formed input. Moments at the ends of the calendar and
integers beyond what a column holds answer 422 (or an empty answer), the same on both backends.
"""

from __future__ import annotations

import pytest

from tests.e2e.support import AUDITOR, Api, adopt, assert_problem, make_pledge

#: Well-formed RFC 3339 moments that fall outside years 1 to 9999 once in UTC.
BEYOND = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:59:59+01:00"]
#: Moments at the very ends, still inside.
WITHIN = ["0001-01-01T00:00:00Z", "0001-01-01T01:00:00+01:00", "9999-12-31T23:59:59.999999Z"]


@pytest.fixture(scope="module")
def ids(api: Api) -> dict[str, str]:
    roadmap_id = adopt(api)
    return {"roadmap": roadmap_id, "pledge": make_pledge(api, roadmap_id)}


def _paths(ids: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (f"/roadmaps/{ids['roadmap']}/state", "as_of"),
        (f"/roadmaps/{ids['roadmap']}", "as_of"),
        (f"/pledges/{ids['pledge']}", "as_of"),
        (f"/roadmaps/{ids['roadmap']}/audit", "since"),
        (f"/roadmaps/{ids['roadmap']}/audit", "until"),
        ("/audit/entries", "since"),
        ("/audit/entries", "until"),
    ]


@pytest.mark.parametrize("moment", BEYOND)
def test_moments_beyond_the_calendar_answer_422(api: Api, ids: dict[str, str], moment: str) -> None:
    for path, name in _paths(ids):
        problem = assert_problem(api.get(path, AUDITOR, {name: moment}), 422)
        assert problem["field"] == name
        assert "outside the years 0001 to 9999" in problem["detail"]


@pytest.mark.parametrize("moment", WITHIN)
def test_moments_at_the_ends_of_the_calendar_answer(
    api: Api, ids: dict[str, str], moment: str
) -> None:
    for path, name in _paths(ids):
        answer = api.get(path, AUDITOR, {name: moment})
        if moment.startswith("0001") and name in {"as_of"}:
            # Nothing was recorded in year 1: the roadmap and the pledge did not exist yet.
            assert_problem(answer, 404, "not-found")
        else:
            assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_answer(api: Api, ids: dict[str, str], day: str) -> None:
    state = api.get(f"/roadmaps/{ids['roadmap']}/state", AUDITOR, {"effective_on": day})
    assert state.status_code == 200, state.text
    pledges = state.json()["pledges"]
    assert [p["id"] for p in pledges] == ([] if day.startswith("0001") else [ids["pledge"]])
    pledge = api.get(f"/pledges/{ids['pledge']}", AUDITOR, {"effective_on": day})
    assert pledge.status_code == (404 if day.startswith("0001") else 200), pledge.text


@pytest.mark.parametrize("size", [2**62 + 1, 2**63 - 1, 2**63, 2**64, 10**30])
def test_integers_beyond_a_column_answer_422(api: Api, size: int) -> None:
    for path, params in [
        ("/audit/tree-head", {"tree_size": str(size)}),
        ("/audit/proofs/inclusion", {"leaf_index": "0", "tree_size": str(size)}),
        ("/audit/proofs/inclusion", {"leaf_index": str(size), "tree_size": "1"}),
        ("/audit/proofs/consistency", {"first": "1", "second": str(size)}),
        ("/audit/entries", {"after": str(size)}),
        ("/roadmaps", {"min_position": str(size)}),
    ]:
        answer = api.client.get(path, params=params, headers=api.headers(AUDITOR))
        problem = assert_problem(answer, 422)
        assert problem["field"] in params, problem


def test_the_largest_integers_taken_answer_without_error(api: Api) -> None:
    largest = str(2**62)
    head = api.client.get(
        "/audit/tree-head", params={"tree_size": largest}, headers=api.headers(AUDITOR)
    )
    assert_problem(head, 404, "not-found")
    proof = api.client.get(
        "/audit/proofs/inclusion",
        params={"leaf_index": largest, "tree_size": largest},
        headers=api.headers(AUDITOR),
    )
    assert_problem(proof, 422, "proof-out-of-range")
    entries = api.client.get(
        "/audit/entries", params={"after": largest}, headers=api.headers(AUDITOR)
    )
    assert entries.status_code == 200
    assert entries.json()["entries"] == []
    behind = api.client.get(
        "/roadmaps", params={"min_position": largest}, headers=api.headers(AUDITOR)
    )
    assert_problem(behind, 422, "position-not-recorded")
