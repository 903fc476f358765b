"""Who may do what: role x party x a representative command of each resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.support import (
    ADMIN,
    AUDITOR,
    CA,
    FR,
    FR_AUDITOR,
    REPORTER,
    US,
    Api,
    Who,
    adopt,
    assert_problem,
    consultation_body,
    held,
    make_pledge,
    pledge_body,
    propose_exchange,
    record_decision,
    reform_body,
    roadmap_body,
)

CALLERS = {w.sub: w for w in (FR, CA, US, ADMIN, AUDITOR, REPORTER, FR_AUDITOR)}

#: A command: given the app and a fresh roadmap, set up its target and answer (path, body).
Command = Callable[[Api, str], tuple[str, Any]]


def adopt_roadmap(api: Api, roadmap_id: str) -> tuple[str, Any]:
    return "/roadmaps", roadmap_body()


def make_canadian_pledge(api: Api, roadmap_id: str) -> tuple[str, Any]:
    return f"/roadmaps/{roadmap_id}/pledges", pledge_body(party="CA")


def schedule_in_paris(api: Api, roadmap_id: str) -> tuple[str, Any]:
    return f"/roadmaps/{roadmap_id}/consultations", consultation_body(host_party="FR")


def endorse_decision(api: Api, roadmap_id: str) -> tuple[str, Any]:
    decision_id = record_decision(api, held(api, roadmap_id), who=ADMIN)  # nobody endorsed yet
    return f"/decisions/{decision_id}/endorsements", None


def agree_to_exchange(api: Api, roadmap_id: str) -> tuple[str, Any]:
    exchange_id = propose_exchange(api, roadmap_id, from_party="FR", to_party="CA")
    return f"/exchanges/{exchange_id}/agreement", None


def propose_french_reform(api: Api, roadmap_id: str) -> tuple[str, Any]:
    return f"/roadmaps/{roadmap_id}/reform-proposals", reform_body(party="FR")


def retract_canadian_pledge(api: Api, roadmap_id: str) -> tuple[str, Any]:
    pledge_id = make_pledge(api, roadmap_id, who=CA)
    return f"/pledges/{pledge_id}/retractions", {"target_version": 1, "reason": "Duplicate"}


COMMANDS: dict[str, tuple[Command, dict[str, int]]] = {
    # command: (set-up, the callers allowed and their status; every other caller gets 403)
    "adopt-roadmap": (adopt_roadmap, {"fr-official": 201, "ca-official": 201, "admin": 201}),
    "make-pledge": (make_canadian_pledge, {"ca-official": 201, "admin": 201}),
    "schedule-consultation": (schedule_in_paris, {"fr-official": 201, "admin": 201}),
    "endorse-decision": (endorse_decision, {"fr-official": 200, "ca-official": 200}),
    "agree-exchange": (agree_to_exchange, {"ca-official": 200, "admin": 200}),
    "propose-reform": (propose_french_reform, {"fr-official": 201, "admin": 201}),
    "retract-pledge": (retract_canadian_pledge, {"ca-official": 200, "admin": 200}),
}

CASES = [
    pytest.param(name, caller, allowed.get(caller, 403), id=f"{name}-{caller}")
    for name, (_, allowed) in COMMANDS.items()
    for caller in CALLERS
]


@pytest.mark.parametrize(("command", "caller", "expected"), CASES)
def test_command_matrix(api: Api, command: str, caller: str, expected: int) -> None:
    set_up, _ = COMMANDS[command]
    path, body = set_up(api, adopt(api))
    before = api.position()
    answer = api.post(path, CALLERS[caller], body)
    if expected == 403:
        assert_problem(answer, 403)
        assert api.position() == before  # a refused command records nothing
    else:
        assert answer.status_code == expected, answer.text
        assert answer.json()["position"] > before


TIME_TRAVELLERS = {"admin", "auditor", "fr-auditor"}


@pytest.mark.parametrize("caller", list(CALLERS))
def test_read_matrix(api: Api, caller: str) -> None:
    who: Who = CALLERS[caller]
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id)
    assert api.get(f"/pledges/{pledge_id}", who).status_code == 200
    assert api.get(f"/roadmaps/{roadmap_id}/state", who).status_code == 200
    travel = api.get(f"/roadmaps/{roadmap_id}/state", who, params={"effective_on": "2016-09-01"})
    if caller in TIME_TRAVELLERS:
        assert travel.status_code == 200, travel.text
    else:
        assert_problem(travel, 403, "not-authorised")
