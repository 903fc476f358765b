"""Every error is problem+json: 404, 405, 413 (chunked too), 415, 422 naming the field, 429, 500;
probes and OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from domain.application.service import RoadmapLedger
from tests.e2e.support import (
    ADMIN,
    CA,
    FR,
    Api,
    adopt,
    assert_problem,
    consultation_body,
    exchange_body,
    make_pledge,
    pledge_body,
    roadmap_body,
    running,
    settings_for,
)

CONTRACT_PATHS = {
    "/roadmaps",
    "/roadmaps/{roadmap_id}",
    "/roadmaps/{roadmap_id}/state",
    "/roadmaps/{roadmap_id}/pledges",
    "/pledges/{pledge_id}/revisions",
    "/pledges/{pledge_id}/progress",
    "/pledges/{pledge_id}/fulfilment",
    "/pledges/{pledge_id}/withdrawal",
    "/pledges/{pledge_id}",
    "/roadmaps/{roadmap_id}/consultations",
    "/consultations/{consultation_id}/co-chair-invitations",
    "/consultations/{consultation_id}/co-chair-acceptances",
    "/consultations/{consultation_id}/rescheduling",
    "/consultations/{consultation_id}/held",
    "/consultations/{consultation_id}/cancellation",
    "/consultations/{consultation_id}/decisions",
    "/consultations/{consultation_id}",
    "/decisions/{decision_id}/endorsements",
    "/decisions/{decision_id}",
    "/roadmaps/{roadmap_id}/exchanges",
    "/exchanges/{exchange_id}/agreement",
    "/exchanges/{exchange_id}/start",
    "/exchanges/{exchange_id}/completion",
    "/exchanges/{exchange_id}/cancellation",
    "/exchanges/{exchange_id}",
    "/roadmaps/{roadmap_id}/reform-proposals",
    "/reform-proposals/{proposal_id}/cosponsorships",
    "/reform-proposals/{proposal_id}/submission",
    "/reform-proposals/{proposal_id}/outcome",
    "/reform-proposals/{proposal_id}/withdrawal",
    "/reform-proposals/{proposal_id}",
    "/health",
    "/ready",
} | {
    f"/{collection}/{{item_id}}/{kind}"
    for collection in (
        "roadmaps",
        "pledges",
        "consultations",
        "decisions",
        "exchanges",
        "reform-proposals",
    )
    for kind in ("corrections", "retractions")
}


def test_404_and_405(api: Api) -> None:
    assert_problem(api.get("/nowhere"), 404, "not-found")
    pledge_id = make_pledge(api, adopt(api))
    answer = api.client.delete(f"/pledges/{pledge_id}", headers=api.headers(FR))
    assert_problem(answer, 405, "method-not-allowed")
    assert answer.headers["Allow"] == "GET"


def test_413_on_a_declared_length(api: Api) -> None:
    roadmap_id = adopt(api)
    position = api.position()
    limit = api.settings.max_body_bytes
    big = pledge_body(title="x" * limit)
    answer = api.post(f"/roadmaps/{roadmap_id}/pledges", CA, big)
    assert_problem(answer, 413, "body-too-large")
    assert api.position() == position


def test_413_on_a_chunked_body_without_length(api: Api) -> None:
    roadmap_id = adopt(api)
    position = api.position()
    chunk = b" " * 65536

    def chunks() -> Iterator[bytes]:
        yield b'{"reason": "'
        for _ in range(api.settings.max_body_bytes // len(chunk) + 2):
            yield chunk
        yield b'"}'

    pledge_id = make_pledge(api, roadmap_id)
    position = api.position()
    answer = api.client.post(
        f"/pledges/{pledge_id}/withdrawal",
        content=chunks(),
        headers=api.headers(CA, {"Content-Type": "application/json"}),
    )
    assert "content-length" not in answer.request.headers
    assert_problem(answer, 413, "body-too-large")
    assert api.position() == position


def test_415_when_the_body_is_not_json(api: Api) -> None:
    pledge_id = make_pledge(api, adopt(api))
    answer = api.client.post(
        f"/pledges/{pledge_id}/withdrawal",
        content=b"reason=late",
        headers=api.headers(CA, {"Content-Type": "application/x-www-form-urlencoded"}),
    )
    assert_problem(answer, 415, "unsupported-media-type")


INVALID: list[Any] = [
    # (path kind, body, the field the problem names)
    ("pledge", pledge_body(colour="blue"), "colour"),
    ("pledge", pledge_body(quantity={"amount": 600.0, "unit": "personnel"}), "quantity.amount"),
    ("pledge", pledge_body(quantity={"amount": "6e2", "unit": "personnel"}), "quantity.amount"),
    ("pledge", pledge_body(quantity={"amount": "-1", "unit": "personnel"}), "quantity.amount"),
    ("pledge", pledge_body(quantity={"amount": 1, "unit": "!"}), "quantity.unit"),
    ("pledge", pledge_body(quantity={"amount": 1}), "quantity.unit"),
    ("pledge", pledge_body(kind="money"), "kind"),
    ("pledge", pledge_body(party="fr"), "party"),
    ("pledge", pledge_body(title=""), "title"),
    ("pledge", pledge_body(title="\ud800"), "title"),
    ("pledge", pledge_body(title=None), "title"),
    ("pledge", pledge_body(priorities="operations-support"), "priorities"),
    ("pledge", pledge_body(effective_on="2016-08-26T00:00:00"), "effective_on"),
    ("pledge", pledge_body(effective_on=20160826), "effective_on"),
    ("pledge", pledge_body(effective_on="2999-01-01"), "effective_on"),
    ("pledge", pledge_body(due_on="2016-13-01"), "due_on"),
    ("pledge", [pledge_body()], "body"),
    ("pledge", None, "body"),
    ("roadmap", roadmap_body(parties=["FR"]), "parties"),
    ("roadmap", roadmap_body(adopted_on="13/10/2016"), "adopted_on"),
    ("roadmap", roadmap_body(priorities=[{"code": "Bad Code", "title": "x"}]), "priorities.0.code"),
    ("consultation", consultation_body(ends_on="2016-10-01"), "ends_on"),
    ("exchange", exchange_body(participants=True), "participants"),
    ("exchange", exchange_body(participants=4.0), "participants"),
    ("exchange", exchange_body(participants=0), "participants"),
    ("exchange", exchange_body(to_party="FR"), "to_party"),
    ("correction", {"target_version": 1, "reason": "x"}, "changes"),
    (
        "correction",
        {"target_version": "1", "changes": {"title": "x"}, "reason": "x"},
        "target_version",
    ),
    (
        "correction",
        {"target_version": 1, "changes": {"priorities": 5}, "reason": "x"},
        "changes.priorities",
    ),
    (
        "correction",
        {
            "target_version": 1,
            "changes": {"quantity": {"amount": 1.5, "unit": "personnel"}},
            "reason": "x",
        },
        "changes.quantity",
    ),
    (
        "correction",
        {"target_version": 1, "changes": {"party": "FR"}, "reason": "x"},
        "changes.party",
    ),
    (
        "correction",
        {"target_version": 1, "changes": {"title": [[[[[[["deep"]]]]]]]}, "reason": "x"},
        "changes",
    ),
    (
        "correction",
        {"target_version": 9, "changes": {"title": "x"}, "reason": "x"},
        "target_version",
    ),
]


@pytest.fixture(scope="module")
def targets(api: Api) -> dict[str, str]:
    roadmap_id = adopt(api)
    return {
        "roadmap": "/roadmaps",
        "pledge": f"/roadmaps/{roadmap_id}/pledges",
        "consultation": f"/roadmaps/{roadmap_id}/consultations",
        "exchange": f"/roadmaps/{roadmap_id}/exchanges",
        "correction": f"/pledges/{make_pledge(api, roadmap_id)}/corrections",
    }


@pytest.mark.parametrize(("kind", "body", "field"), INVALID)
def test_422_names_the_field(
    api: Api, targets: dict[str, str], kind: str, body: Any, field: str
) -> None:
    position = api.position()
    who = FR if kind in {"roadmap", "consultation", "exchange"} else CA
    answer = api.client.post(
        targets[kind],
        content=json.dumps(body),
        headers=api.headers(who, {"Content-Type": "application/json"}),
    )
    problem = assert_problem(answer, 422)
    assert problem["field"] == field, problem
    assert problem["errors"][0]["field"] == field
    assert all(set(e) == {"field", "message"} for e in problem["errors"])
    assert api.position() == position


@pytest.mark.parametrize(
    "raw", [b"{bad json", b'{"reason": "x"} trailing', b"[" * 100_000, b"1" * 5000, b"\xff\xfe"]
)
def test_unreadable_json_is_a_problem_not_a_500(api: Api, raw: bytes) -> None:
    pledge_id = make_pledge(api, adopt(api))
    answer = api.client.post(
        f"/pledges/{pledge_id}/withdrawal",
        content=raw,
        headers=api.headers(CA, {"Content-Type": "application/json"}),
    )
    assert answer.status_code in {400, 422}
    assert_problem(answer, answer.status_code)


def test_422_for_a_malformed_path_id(api: Api) -> None:
    answer = api.get("/pledges/not-a-uuid")
    assert assert_problem(answer, 422)["field"] == "pledge_id"


def test_429_with_retry_after(database_url: str) -> None:
    with running(settings_for(database_url, rate_limit_per_minute=3)) as api:
        for _ in range(3):
            assert api.get("/roadmaps", FR).status_code == 200
        limited = api.get("/roadmaps", FR)
        assert_problem(limited, 429, "rate-limited")
        assert int(limited.headers["Retry-After"]) >= 1
        assert api.get("/roadmaps", CA).status_code == 200  # another subject has its own bucket
        assert api.client.get("/health").status_code == 200  # probes are never limited
        for _ in range(3):
            api.client.get("/roadmaps")  # no token: counted per client address
        assert_problem(api.client.get("/roadmaps"), 429, "rate-limited")
        # The workbench's static files are not: a visit loads some twenty of them.
        assert api.client.get("/auditor/app.js").status_code == 200


def test_500_tells_nothing_of_the_internals(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("password=hunter2 in /srv/internal.py")

    roadmap_id = adopt(api)
    monkeypatch.setattr(RoadmapLedger, "make_pledge", explode)
    answer = api.post(f"/roadmaps/{roadmap_id}/pledges", CA, pledge_body())
    problem = assert_problem(answer, 500, "internal-error")
    assert "hunter2" not in answer.text
    assert "RuntimeError" not in answer.text
    assert "hunter2" in caplog.text  # but it is logged, with the id the answer gives
    assert problem["detail"].split("error id ")[1].rstrip(")") in caplog.text


def test_probes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"

    def unreachable(self: RoadmapLedger) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(RoadmapLedger, "position", unreachable)
    assert_problem(api.client.get("/ready"), 503, "not-ready")
    assert api.client.get("/health").status_code == 200


def test_openapi_lists_the_contract_with_examples(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert set(schema["paths"]) >= CONTRACT_PATHS
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is not None:
                body_schema = body["content"]["application/json"]["schema"]
                ref = body_schema.get("$ref") or body_schema["anyOf"][0]["$ref"]
                name = ref.rsplit("/", 1)[1]
                assert components[name].get("examples"), f"{method} {path}: {name}"
                assert components[name].get("additionalProperties") is False
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"]
    assert api.client.get("/docs").status_code == 200


def test_a_refused_request_changes_nothing(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id)
    before = api.position()
    version = api.read(f"/pledges/{pledge_id}")["version"]
    refused = [
        api.post(f"/pledges/{pledge_id}/fulfilment", FR),  # 403 not your party
        api.post(f"/pledges/{pledge_id}/fulfilment", CA, None, {"If-Match": '"7"'}),  # 412
        api.post(f"/pledges/{pledge_id}/progress", CA, {"delivered": {"amount": 1, "unit": "CAD"}}),
        api.post(f"/pledges/{pledge_id}/revisions", CA, {"reason": "nothing"}),  # 422
        api.post(f"/roadmaps/{roadmap_id}/pledges", ADMIN, pledge_body(party="US")),  # 409
    ]
    assert [r.status_code for r in refused] == [403, 412, 409, 422, 409]
    assert api.position() == before
    assert api.read(f"/pledges/{pledge_id}")["version"] == version
