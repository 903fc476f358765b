"""Issue 15, item 1: a poison event never stops the read side.

Texts written below the API (or before it refused control characters) are projected exactly,
on both backends, through catch-up, rebuild and verify; an event that a projection still cannot
apply stops that projection alone, visibly: `stuck`, /ready, /metrics, `projections status`, and
one line in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.auth import mint_token
from api.cli import app as cli
from domain.application.service import RoadmapLedger
from domain.model.pledge import Pledge
from domain.model.roadmap import Roadmap
from projections.audit.leaf import StoredLeaves, leaf_hash
from projections.audit.signing import Signer
from projections.audit.verify import verify
from projections.partnership.queries import AuditFilter, ReadModels
from projections.runtime.db import ReadStore
from projections.runtime.runner import Runner
from projections.temporal.timetravel import state_at
from tests.e2e.support import settings_for
from tests.factories import CA_OFFICIAL, adopt_france_canada, make_canada_pledge, personnel
from tests.support.rawlog import RawLog
from tests.support.readmodels import assert_equals_rebuild, positions
from tests.support.stores import opened, runner_for, signer_in

#: Lone surrogates cannot be encoded as UTF-8: they are spliced into the JSON as escapes.
HIGH, LOW = "@@lone-high@@", "@@lone-low@@"
HOSTILE = {
    "nul": "a\x00b",
    "controls": "\x01\x1b[31mred\x1b[0m\x7f",
    "c1": "next\x85line\x9f",
    "bidi": "\u202egnp.exe \u2066isolate\u2069 \u200e\u200f",
    "invisible": "zero\u200bwidth \ufeffbom \u2060joiner",
    "private": "\ue000 and \ue0000000 (the read models' own escape, written by hand)",
    "astral": "emoji \U0001f600 and \U00010348",
    "lines": "tab\tnew\nline\r\n",
    "surrogates": f"high {HIGH} low {LOW} pair {HIGH}{LOW}",
}
#: (Two escapes side by side are a pair in JSON: one character beyond the BMP.)
EXPECTED = {
    name: value.replace(HIGH + LOW, "\U000103ff").replace(HIGH, "\ud800").replace(LOW, "\udfff")
    for name, value in HOSTILE.items()
}


def _texts(*names: str) -> str:
    return " | ".join(HOSTILE[name] for name in names)


def _expected(*names: str) -> str:
    return " | ".join(EXPECTED[name] for name in names)


def _encoded(app: RoadmapLedger, state: dict[str, Any]) -> bytes:
    """The state as the store writes it, with the lone surrogates spliced in as JSON escapes."""
    data = app.mapper.transcoder.encode(state)
    return data.replace(HIGH.encode(), b"\\ud800").replace(LOW.encode(), b"\\udfff")


def _copy(app: RoadmapLedger, item_id: UUID, version: int, **changes: Any) -> dict[str, Any]:
    """The stored state of an event, as a plain dict, with `changes`."""
    (row,) = [r for r in app.recorder.select_events(item_id) if r.originator_version == version]
    state: dict[str, Any] = app.mapper.transcoder.decode(row.state)
    return {**state, **changes}


def _write_hostile_record(app: RoadmapLedger, url: str) -> dict[str, UUID]:
    """A roadmap, a pledge and its revision, as an API that did not check texts would have
    recorded them, written straight into the event table."""
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    app.revise_pledge(CA_OFFICIAL, pledge, quantity=personnel(700), title=None, reason="more")
    raw = RawLog(url)
    ids = {"roadmap": uuid4(), "pledge": uuid4()}
    adopted = _copy(app, roadmap, 1)
    priorities = list(adopted["priorities"])
    priorities[0] = type(priorities[0])(priorities[0].code, _texts("nul", "bidi", "surrogates"))
    metadata = {
        "actor": "demo\x00" + HOSTILE["bidi"],
        "note": _texts("controls", "c1", "lines"),
        "authority": _texts("invisible", "private"),
    }
    raw.append(
        ids["roadmap"],
        1,
        Roadmap.Adopted.__module__ + ":Roadmap.Adopted",
        _encoded(
            app,
            {
                **adopted,
                **metadata,
                "title": _texts("nul", "controls", "surrogates"),
                "summary": _texts("c1", "bidi", "invisible", "private", "astral", "lines"),
                "priorities": tuple(priorities),
            },
        ),
    )
    made = _copy(app, pledge, 1, roadmap_id=ids["roadmap"], **metadata)
    made.update(title=_texts("nul", "surrogates", "astral"), beneficiary=_texts("bidi", "nul"))
    raw.append(ids["pledge"], 1, f"{Pledge.__module__}:Pledge.Made", _encoded(app, made))
    revised = _copy(app, pledge, 2, **metadata)
    revised.update(title=_texts("private", "nul"), reason=_texts("surrogates", "controls"))
    raw.append(ids["pledge"], 2, f"{Pledge.__module__}:Pledge.Revised", _encoded(app, revised))
    return ids


@pytest.fixture
def hostile(database_url: str, tmp_path: Path) -> Iterator[tuple[RoadmapLedger, ReadStore, Any]]:
    with opened(database_url) as (app, store):
        ids = _write_hostile_record(app, database_url)
        yield app, store, ids


def test_hostile_texts_are_projected_exactly_rebuilt_and_verified(
    hostile: tuple[RoadmapLedger, ReadStore, dict[str, UUID]], tmp_path: Path
) -> None:
    app, store, ids = hostile
    signer = signer_in(tmp_path)
    runner = runner_for(app, store, signer, batch_size=3)
    runner.catch_up()

    assert runner.stuck == {}
    assert set(positions(store).values()) == {app.position()}
    models = ReadModels(store)
    pledge = models.item("pledges", str(ids["pledge"]))
    assert pledge is not None
    assert _written(pledge["title"]) == _expected("private", "nul")  # the revision's, exactly
    assert pledge["beneficiary"] == _expected("bidi", "nul")
    assert _as_written(pledge) == _as_written(app.get_public(Pledge, ids["pledge"]))  # replay
    roadmap = models.item("roadmaps", str(ids["roadmap"]))
    assert roadmap is not None
    assert _written(roadmap["title"]) == _expected("nul", "controls", "surrogates")
    assert _written(roadmap["priorities"][0]["title"]) == _expected("nul", "bidi", "surrogates")
    assert _as_written(roadmap) == _as_written(app.get_public(Roadmap, ids["roadmap"]))
    state = state_at(store, str(ids["roadmap"]), as_of=None, effective_on=None, position=0)
    assert state is not None
    assert _as_written(state["roadmap"]) == _as_written(roadmap)
    assert _as_written(state["pledges"]) == [_as_written(pledge)]

    page = models.audit(AuditFilter(roadmap_id=str(ids["roadmap"])), limit=10)
    assert [e["stream_version"] for e in page.entries] == [1, 1, 2]
    for entry, notification in zip(
        page.entries, list(app.notifications())[-3:], strict=True
    ):  # each entry shows the event as stored, and hashes as its leaf
        fields = StoredLeaves().fields(notification)
        assert entry["data"] == fields["data"]
        assert entry["actor"] == "demo\x00" + EXPECTED["bidi"]
        assert entry["hash"] == leaf_hash(fields)

    assert_equals_rebuild(app, store)
    verdict = verify(app, store, signer.public)
    assert verdict.ok, verdict.line()
    assert verdict.covered == verdict.events == app.position()


def _as_written(value: Any) -> Any:
    """Every text of a value as written (records written below the API may hold a plain
    string where this release writes a text: both read the same)."""
    if isinstance(value, dict) and "lang" in value and set(value) <= {"en", "fr", "lang"}:
        return value[value["lang"]]
    if isinstance(value, dict):
        return {k: _as_written(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_written(v) for v in value]
    return value


def _written(text: Any) -> Any:
    """A text as written: the form in its own language (a text of the record), or itself."""
    return text[text["lang"]] if isinstance(text, dict) and "lang" in text else text


def test_hostile_texts_answer_exactly_over_http(database_url: str) -> None:
    settings = settings_for(database_url)
    with opened(database_url) as (app, _):
        ids = _write_hostile_record(app, database_url)
        position = app.position()
    token = mint_token(settings, subject="auditor", party=None, roles=["auditor"])
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        params = {"min_position": str(position)}
        answer = client.get(f"/pledges/{ids['pledge']}", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.json()["title"] == _expected("private", "nul")
        state = client.get(f"/roadmaps/{ids['roadmap']}/state", params=params, headers=headers)
        assert state.status_code == 200, state.text
        assert state.json()["roadmap"]["title"] == _expected("nul", "controls", "surrogates")
        audit = client.get(f"/roadmaps/{ids['roadmap']}/audit", params=params, headers=headers)
        assert audit.status_code == 200, audit.text
        assert _written(audit.json()["entries"][0]["data"]["title"]) == _expected(
            "nul", "controls", "surrogates"
        )
        assert client.get("/ready").status_code == 200


# --- an event no projection can apply ---------------------------------------------------------


def _orphan_progress(app: RoadmapLedger, url: str) -> int:
    """Progress reported on a pledge the log never made: the audit trail can take it, the
    partnership and temporal projections cannot (they have no pledge to fold it into)."""
    roadmap = adopt_france_canada(app).id
    pledge = make_canada_pledge(app, roadmap).id
    app.report_pledge_progress(CA_OFFICIAL, pledge, delivered=personnel(60))
    state = _copy(app, pledge, 2)
    return RawLog(url).append(
        uuid4(), 2, f"{Pledge.__module__}:Pledge.ProgressReported", _encoded(app, state)
    )


def test_a_projection_that_cannot_apply_an_event_stops_there_alone_and_says_so_once(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="projections")
    with opened(database_url) as (app, store):
        poison = _orphan_progress(app, database_url)
        after = make_canada_pledge(app, adopt_france_canada(app).id).id
        runner = runner_for(app, store, signer_in(tmp_path), batch_size=2)
        runner.catch_up()
        for _ in range(3):  # a retry that fails the same way is not logged again
            runner._retry_at = dict.fromkeys(runner._retry_at, 0.0)
            runner.catch_up()

        assert sorted(runner.stuck) == ["partnership", "temporal"]
        assert {s.position for s in runner.stuck.values()} == {poison}
        reached = positions(store)
        assert reached["partnership"] == reached["temporal"] == poison - 1
        assert reached["audit"] == app.position()  # the audit trail went on past it
        stuck_lines = [r for r in caplog.records if f"stuck at {poison}" in r.getMessage()]
        assert len(stuck_lines) == 2, [r.getMessage() for r in caplog.records]  # one each
        assert ReadModels(store).item("pledges", str(after)) is None

        # A new runner (a restart) finds them stuck, tries once, and says nothing new.
        caplog.clear()
        again = runner_for(app, store, signer_in(tmp_path))
        again.catch_up()
        assert sorted(again.stuck) == ["partnership", "temporal"]
        assert not [r for r in caplog.records if "stuck" in r.getMessage()]


def test_a_stuck_projection_shows_on_ready_metrics_and_status(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(database_url, signing_key_file=tmp_path / "key.pem")
    with opened(database_url) as (app, store):
        poison = _orphan_progress(app, database_url)
        runner_for(app, store, Signer.from_file(tmp_path / "key.pem")).catch_up()
    token = mint_token(settings, subject="ops", party=None, roles=["reporter"])
    with TestClient(create_app(settings)) as client:
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.headers["Retry-After"]
        detail = ready.json()["detail"]
        assert f"projection partnership is stuck at position {poison}" in detail
        assert f"projection temporal is stuck at position {poison}" in detail
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert metrics.status_code == 200, metrics.text
        assert f"# partnership stuck at {poison}: KeyError" in metrics.text
        assert f'roadmap_projection_stuck{{name="partnership",position="{poison}"}} 1' in (
            metrics.text
        )
        assert 'roadmap_projection_stuck{name="audit"} 0' in metrics.text

    monkeypatch.setenv("ROADMAP_DATABASE_URL", database_url)
    monkeypatch.setenv("ROADMAP_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    status = CliRunner().invoke(cli, ["projections", "status"])
    assert status.exit_code == 0, status.output
    lines = {line.split()[0]: line for line in status.stdout.splitlines()}
    assert f"stuck at {poison}: KeyError" in lines["partnership"]
    assert "stuck" not in lines["audit"]
    rebuilt = CliRunner().invoke(cli, ["projections", "rebuild", "partnership"])
    assert rebuilt.exit_code == 1
    assert f"cannot rebuild: partnership stuck at {poison}" in rebuilt.output


def test_an_event_the_mapper_cannot_read_stops_every_projection_there(
    database_url: str, tmp_path: Path
) -> None:
    with opened(database_url) as (app, store):
        adopt_france_canada(app)
        poison = RawLog(database_url).append(uuid4(), 1, "domain.model.pledge:Pledge.Made", b"{")
        adopt_france_canada(app)
        runner: Runner = runner_for(app, store, signer_in(tmp_path))
        runner.catch_up()
        assert sorted(runner.stuck) == ["audit", "partnership", "temporal"]
        assert set(positions(store).values()) == {poison - 1}
        assert "JSONDecodeError" in runner.stuck["audit"].error
