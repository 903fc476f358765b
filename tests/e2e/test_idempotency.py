"""Idempotency-Key (a retry answers the first response, records nothing) and If-Match (412)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, tzinfo

import pytest

from api import app as app_module
from tests.e2e.support import (
    CA,
    FR,
    Api,
    adopt,
    assert_problem,
    held,
    make_pledge,
    pledge_body,
    running,
    settings_for,
)


def test_same_key_same_answer_one_event(api: Api) -> None:
    roadmap_id = adopt(api)
    path = f"/roadmaps/{roadmap_id}/pledges"
    key = {"Idempotency-Key": "pledge-600-soldiers"}
    first = api.post(path, CA, pledge_body(), key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    position = api.position()

    # The same body, as JSON that parses to the same values (an integer amount).
    body = pledge_body(quantity={"amount": 600, "unit": "personnel"})
    again = api.post(path, CA, body, key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert api.position() == position

    pledge_id = first.json()["id"]
    withdrawal = f"/pledges/{pledge_id}/withdrawal"
    key = {"Idempotency-Key": "withdraw-1"}
    done = api.post(withdrawal, CA, {"reason": "Superseded"}, key)
    replayed = api.post(withdrawal, CA, {"reason": "Superseded"}, key)
    assert (done.status_code, replayed.status_code) == (200, 200)
    assert replayed.json() == done.json() == {**done.json(), "version": 2}
    assert api.read(f"/pledges/{pledge_id}")["version"] == 2


def test_same_key_other_request_is_422(api: Api) -> None:
    roadmap_id = adopt(api)
    path = f"/roadmaps/{roadmap_id}/pledges"
    key = {"Idempotency-Key": "reused"}
    assert api.post(path, CA, pledge_body(), key).status_code == 201
    position = api.position()
    other_body = api.post(path, CA, pledge_body(title="Another pledge"), key)
    problem = assert_problem(other_body, 422, "idempotency-key-reused")
    assert problem["field"] == "Idempotency-Key"
    other_path = api.post(f"/roadmaps/{adopt(api)}/pledges", CA, pledge_body(), key)
    assert_problem(other_path, 422, "idempotency-key-reused")
    assert api.position() == position + 1  # only the second roadmap


def test_keys_belong_to_their_subject(api: Api) -> None:
    roadmap_id = adopt(api)
    key = {"Idempotency-Key": "mine"}
    french = api.post(f"/roadmaps/{roadmap_id}/pledges", FR, pledge_body(party="FR"), key)
    canadian = api.post(f"/roadmaps/{roadmap_id}/pledges", CA, pledge_body(), key)
    assert (french.status_code, canadian.status_code) == (201, 201)
    assert french.json()["id"] != canadian.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 201, "caf\u00e9"])
def test_malformed_keys_are_422(api: Api, key: str) -> None:
    roadmap_id = adopt(api)
    position = api.position()
    headers = {**api.headers(CA), "Idempotency-Key": key}
    answer = api.client.post(
        f"/roadmaps/{roadmap_id}/pledges",
        json=pledge_body(),
        headers={k.encode(): v.encode() for k, v in headers.items()},  # UTF-8 on the wire
    )
    assert assert_problem(answer, 422)["field"] == "Idempotency-Key"
    assert api.position() == position


def test_if_match_stale_is_412(api: Api) -> None:
    pledge_id = make_pledge(api, adopt(api))
    path = f"/pledges/{pledge_id}/revisions"
    body = {"title": "Up to 600 soldiers", "reason": "Wording"}
    assert api.ok(path, CA, body, {"If-Match": '"1"'})["version"] == 2
    position = api.position()
    stale = api.post(path, CA, body, {"If-Match": '"1"'})
    problem = assert_problem(stale, 412, "stale-version")
    assert problem["current_version"] == 2
    assert stale.headers["ETag"] == '"2"'
    assert api.position() == position
    assert api.ok(path, CA, {**body, "title": "B"}, {"If-Match": 'W/"2"'})["version"] == 3
    assert api.ok(path, CA, {**body, "title": "C"}, {"If-Match": "3"})["version"] == 4
    assert api.ok(path, CA, {**body, "title": "D"}, {"If-Match": "*"})["version"] == 5


@pytest.mark.parametrize("value", ["abc", '"0"', '"1", "2"', "-1", '"1'])
def test_malformed_if_match_is_422(api: Api, value: str) -> None:
    pledge_id = make_pledge(api, adopt(api))
    answer = api.post(f"/pledges/{pledge_id}/fulfilment", CA, None, {"If-Match": value})
    assert assert_problem(answer, 422)["field"] == "If-Match"


def test_if_match_on_a_decision_is_the_consultations_version(api: Api) -> None:
    consultation_id = held(api, adopt(api))  # version 2: scheduled, held
    path = f"/consultations/{consultation_id}/decisions"
    body = {"text": "A yearly consultation", "priorities": []}
    assert_problem(api.post(path, FR, body, {"If-Match": '"1"'}), 412, "stale-version")
    answer = api.post(path, FR, body, {"If-Match": '"2"'})
    assert answer.status_code == 201, answer.text
    assert api.read(f"/consultations/{consultation_id}")["version"] == 3


def test_if_match_is_ignored_on_creations_under_a_roadmap(api: Api) -> None:
    roadmap_id = adopt(api)
    answer = api.post(f"/roadmaps/{roadmap_id}/pledges", CA, pledge_body(), {"If-Match": '"9"'})
    assert answer.status_code == 201, answer.text


def test_without_if_match_lost_races_are_retried(api: Api) -> None:
    pledge_id = make_pledge(api, adopt(api))
    path = f"/pledges/{pledge_id}/progress"

    def report(amount: int) -> int:
        body = {"delivered": {"amount": amount, "unit": "personnel"}}
        return api.post(path, CA, body).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(report, [0, 0, 0, 0]))
    assert statuses == [200, 200, 200, 200]
    assert api.read(f"/pledges/{pledge_id}")["version"] == 5


def test_keys_older_than_the_retention_are_purged_at_start(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(database_url, idempotency_retention_days=30)
    key = {"Idempotency-Key": "kept-for-30-days"}
    with running(settings) as api:
        roadmap_id = adopt(api)
        path = f"/roadmaps/{roadmap_id}/pledges"
        assert api.post(path, CA, pledge_body(), key).status_code == 201
    with running(settings) as api:  # a restart within the retention keeps the key
        assert_problem(api.post(path, CA, pledge_body(title="Other"), key), 422)

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Later:
            return cls.fromtimestamp(datetime.now(tz).timestamp() + 31 * 86400, tz)

    monkeypatch.setattr(app_module, "datetime", Later)
    with running(settings) as api:  # 31 days later the key is forgotten: a new command
        assert api.post(path, CA, pledge_body(title="Other"), key).status_code == 201
