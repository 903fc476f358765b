"""Issue 15, item 4: /metrics needs a reporter's or admin's token unless opened by a setting,
and declares its answers; an oversized body is answered 413 to every client, also those that
send the whole body before reading (urllib, requests), on a real server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.servers import serving
from tests.e2e.support import ADMIN, AUDITOR, FR, REPORTER, Api, running, settings_for

#: 11 MiB: what the probe of the last release sent, ten times the default limit.
OVERSIZED = 11 * 1024 * 1024


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), (FR, 403), (AUDITOR, 403), (REPORTER, 200), (ADMIN, 200)]
)
def test_metrics_are_for_reporters_and_admins(api: Api, who: object, status: int) -> None:
    answer = api.client.get("/metrics", headers=api.headers(who))  # type: ignore[arg-type]
    assert answer.status_code == status, answer.text
    if status == 200:
        assert "roadmap_log_position" in answer.text


def test_metrics_may_be_made_public(database_url: str) -> None:
    with running(settings_for(database_url, metrics_public=True)) as api:
        answer = api.client.get("/metrics")
        assert answer.status_code == 200
        assert "roadmap_projection_lag" in answer.text


def test_metrics_declare_their_answers(api: Api) -> None:
    operation = api.client.get("/openapi.json").json()["paths"]["/metrics"]["get"]
    assert {"200", "401", "403", "429", "503"} <= set(operation["responses"])
    assert operation["security"] == [{"HTTPBearer": []}]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory: Path = tmp_path_factory.mktemp("limits")
    settings = settings_for(f"sqlite:///{directory}/roadmap.db", signing_key_file=directory / "k")
    with serving(settings) as base:
        yield base


def test_urllib_sees_the_413_of_an_oversized_body(server: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own loopback server
        f"{server}/roadmaps",
        data=b"x" * OVERSIZED,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310
    assert raised.value.code == 413
    body = json.loads(raised.value.read())
    assert body["code"] == "body-too-large"


def test_requests_sees_the_413_of_an_oversized_body(server: str) -> None:
    answer = requests.post(
        f"{server}/roadmaps",
        data=b"x" * OVERSIZED,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "body-too-large"


def test_requests_sees_the_413_of_an_oversized_chunked_body(server: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(OVERSIZED // 65536):
            yield b"x" * 65536

    answer = requests.post(
        f"{server}/roadmaps",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "body-too-large"
    assert requests.get(f"{server}/health", timeout=5).status_code == 200
