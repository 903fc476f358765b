"""Who calls, a thin client that signs as them, and builders of the France-Canada record."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.auth import mint_token
from api.settings import Settings

TEST_SECRET = "test-secret"
PROBLEM = "application/problem+json"
PRIORITIES = [
    {"code": "preventive-diplomacy", "title": "Preventive diplomacy"},
    {"code": "operations-support", "title": "Support to operations"},
    {"code": "development-cooperation", "title": "Development cooperation"},
    {"code": "civilians-and-women", "title": "Civilians and women"},
    {"code": "military-performance", "title": "Military performance"},
]


@dataclass(frozen=True)
class Who:
    sub: str
    party: str | None
    roles: tuple[str, ...]


FR = Who("fr-official", "FR", ("official",))
CA = Who("ca-official", "CA", ("official",))
US = Who("us-official", "US", ("official",))  # not a party of the roadmap
ADMIN = Who("admin", None, ("admin",))
AUDITOR = Who("auditor", None, ("auditor",))
REPORTER = Who("reporter", None, ("reporter",))
FR_AUDITOR = Who("fr-auditor", "FR", ("auditor",))  # a party, but no writer


#: Tree heads are signed with a key of the test run's own, never one in the working tree.
SIGNING_KEY = Path(tempfile.mkdtemp(prefix="roadmap-test-")) / "signing-key.pem"


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url,
        secret=SecretStr(TEST_SECRET),
        signing_key_file=overrides.pop("signing_key_file", SIGNING_KEY),
        **overrides,
    )


class Api:
    """A TestClient that signs each request as someone."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self._tokens: dict[Who, str] = {}
        #: The highest position a command answered: reads wait for it, as a client should.
        self.last_position = 0

    def token(self, who: Who) -> str:
        if who not in self._tokens:
            self._tokens[who] = mint_token(
                self.settings, subject=who.sub, party=who.party, roles=list(who.roles)
            )
        return self._tokens[who]

    def headers(self, who: Who | None, headers: dict[str, str] | None = None) -> dict[str, str]:
        signed = {} if who is None else {"Authorization": f"Bearer {self.token(who)}"}
        return {**signed, **(headers or {})}

    def post(
        self,
        path: str,
        who: Who | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        answer: httpx.Response = self.client.post(
            path, json=body, headers=self.headers(who, headers)
        )
        if answer.is_success and isinstance(answer.json(), dict):
            self.last_position = max(self.last_position, answer.json().get("position", 0))
        return answer

    def get(
        self,
        path: str,
        who: Who | None = AUDITOR,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        waited = {"min_position": str(self.last_position), **(params or {})}
        url = str(httpx.URL(path).copy_merge_params(waited))
        answer: httpx.Response = self.client.get(url, headers=self.headers(who, headers))
        return answer

    def position(self) -> int:
        answer = self.client.get("/ready")
        assert answer.status_code == 200, answer.text
        position: int = answer.json()["position"]
        return position

    def created(self, path: str, who: Who, body: Any) -> str:
        answer = self.post(path, who, body)
        assert answer.status_code == 201, answer.text
        item_id: str = answer.json()["id"]
        return item_id

    def ok(
        self, path: str, who: Who, body: Any = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        answer = self.post(path, who, body, headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def read(self, path: str, who: Who = AUDITOR) -> dict[str, Any]:
        answer = self.get(path, who)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


@contextmanager
def running(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings)


def assert_problem(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """An RFC 9457 answer with our extensions; answers its body."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    assert body["type"] == f"urn:roadmap-ledger:problem:{body['code']}"
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == answer.request.url.path
    if code is not None:
        assert body["code"] == code, body
    return body


# --- the France-Canada record ---------------------------------------------------------------


def roadmap_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "France-Canada Peacekeeping Roadmap",
        "parties": ["FR", "CA"],
        "adopted_on": "2016-10-13",
        "priorities": PRIORITIES,
        "summary": "France and Canada deepen their cooperation in peacekeeping.",
        **overrides,
    }


def pledge_body(**overrides: Any) -> dict[str, Any]:
    return {
        "party": "CA",
        "title": "Deploy up to 600 soldiers to UN peace operations",
        "kind": "personnel",
        "quantity": {"amount": "600", "unit": "personnel"},
        "priorities": ["operations-support"],
        "effective_on": "2016-08-26",
        **overrides,
    }


def consultation_body(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "ministerial-conference",
        "title": "Peacekeeping in francophone environments",
        "host_party": "FR",
        "location": "Paris",
        "starts_on": "2016-10-26",
        "ends_on": "2016-10-27",
        "priorities": ["operations-support", "preventive-diplomacy"],
        **overrides,
    }


def exchange_body(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "military-expert",
        "from_party": "FR",
        "to_party": "CA",
        "participants": 4,
        "starts_on": "2017-01-09",
        "ends_on": "2017-06-30",
        "title": "Staff officers to the Canadian Joint Operations Command",
        **overrides,
    }


def assessment_body(**overrides: Any) -> dict[str, Any]:
    return {
        "from_party": "FR",
        "to_party": "CA",
        "title": "Security situation in northern Mali",
        "subject": "MINUSMA",
        "priorities": ["preventive-diplomacy"],
        "summary": "Armed groups contest the peace agreement in the north.",
        "marking": "unclassified",
        "shared_on": "2017-03-01",
        **overrides,
    }


def reform_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Francophone capacity in peace operations",
        "forum": "C-34",
        "summary": "Raise the number of French-speaking personnel in UN missions.",
        "priorities": ["military-performance"],
        **overrides,
    }


def adopt(api: Api, who: Who = FR) -> str:
    return api.created("/roadmaps", who, roadmap_body())


def make_pledge(api: Api, roadmap_id: str, who: Who = CA, **overrides: Any) -> str:
    return api.created(f"/roadmaps/{roadmap_id}/pledges", who, pledge_body(**overrides))


def schedule(api: Api, roadmap_id: str, who: Who = FR, **overrides: Any) -> str:
    return api.created(f"/roadmaps/{roadmap_id}/consultations", who, consultation_body(**overrides))


def held(api: Api, roadmap_id: str) -> str:
    consultation_id = schedule(api, roadmap_id)
    api.ok(f"/consultations/{consultation_id}/held", FR, {"summary": "Ministers met."})
    return consultation_id


def record_decision(api: Api, consultation_id: str, who: Who = FR) -> str:
    body = {"text": "Hold a yearly bilateral consultation", "priorities": ["preventive-diplomacy"]}
    return api.created(f"/consultations/{consultation_id}/decisions", who, body)


def propose_exchange(api: Api, roadmap_id: str, who: Who = FR, **overrides: Any) -> str:
    return api.created(f"/roadmaps/{roadmap_id}/exchanges", who, exchange_body(**overrides))


def share_assessment(api: Api, roadmap_id: str, who: Who = FR, **overrides: Any) -> str:
    body = assessment_body(**overrides)
    return api.created(f"/roadmaps/{roadmap_id}/assessments", who, body)


def propose_reform(api: Api, roadmap_id: str, who: Who = FR, **overrides: Any) -> str:
    return api.created(f"/roadmaps/{roadmap_id}/reform-proposals", who, reform_body(**overrides))
