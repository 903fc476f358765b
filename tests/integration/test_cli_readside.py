"""The read side's commands: `report`, `audit`, `projections rebuild` and `projections status`."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from domain.adapters.demo import ROADMAP_ID
from projections.partnership.reports import REPORTS
from tests.support.readmodels import snapshot
from tests.support.stores import opened

runner = CliRunner()


@pytest.fixture
def store(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo roadmap recorded (not yet projected) in a fresh store."""
    monkeypatch.setenv("ROADMAP_DATABASE_URL", database_url)
    monkeypatch.setenv("ROADMAP_SIGNING_KEY_FILE", str(tmp_path / "signing-key.pem"))
    demo = runner.invoke(cli, ["demo"])
    assert demo.exit_code == 0, demo.output
    return database_url


def _run(*args: str) -> str:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _status() -> dict[str, int]:
    """`roadmap projections status` as {name: events behind}."""
    behind: dict[str, int] = {}
    for line in _run("projections", "status").splitlines():
        name, _position, *_, lag = line.split()
        behind[name] = int(lag)
    return behind


def _plain(value: Any) -> str:
    """A JSON value as the CSV writer spells it."""
    return "" if value is None else str(value)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_as_json_and_as_csv(store: str, name: str) -> None:
    answer = json.loads(_run("report", name, "--format", "json"))
    as_csv = list(csv.DictReader(io.StringIO(_run("report", name, "--format", "csv"))))

    assert answer["name"] == name
    columns = list(REPORTS[name].columns)
    assert all(list(row) == columns for row in as_csv)
    assert as_csv == [{c: _plain(row[c]) for c in columns} for row in answer["rows"]]
    assert json.loads(_run("report", name)) == answer  # JSON by default
    if name == "pledge-fulfilment":
        canada = [r for r in answer["rows"] if r["party"] == "CA"]
        assert canada
        assert {r["pledged"] for r in canada} == {"600"}


def test_report_unknown_name_exits_2(store: str) -> None:
    result = runner.invoke(cli, ["report", "no-such-report"])
    assert result.exit_code == 2
    assert "no report named 'no-such-report'" in result.stderr


def test_audit_prints_every_event_once_in_log_order(store: str) -> None:
    entries = [json.loads(line) for line in _run("audit").splitlines()]
    with opened(store) as (app, _):
        positions = [n.id for n in app.notifications()]

    assert [e["position"] for e in entries] == positions
    assert [e["leaf_index"] for e in entries] == list(range(len(positions)))
    assert {e["roadmap_id"] for e in entries} == {str(ROADMAP_ID)}
    assert {"hash", "summary", "data", "stream_id", "event_type", "recorded_at"} <= entries[
        0
    ].keys()

    assert _run("audit", "entries") == _run("audit")  # `audit` is also a group now (issue 10)
    later = [json.loads(line) for line in _run("audit", "--after", "3").splitlines()]
    assert _run("audit", "entries", "--after", "3") == _run("audit", "--after", "3")
    assert later == [e for e in entries if e["position"] > 3]
    mine = [json.loads(line) for line in _run("audit", "--roadmap", str(ROADMAP_ID)).splitlines()]
    assert mine == entries
    other = _run("audit", "--roadmap", "00000000-0000-0000-0000-000000000000")
    assert other == ""


def test_projections_status_says_how_far_behind(store: str) -> None:
    with opened(store) as (app, _):
        head = app.position()
    assert _status() == {"partnership": head, "audit": head, "temporal": head}
    _run("audit")  # brings the read models up to date
    assert _status() == {"partnership": 0, "audit": 0, "temporal": 0}


def test_projections_rebuild_all_or_one(store: str) -> None:
    _run("audit")
    with opened(store) as (app, read):
        head = app.position()
        before = snapshot(read)

    *rebuilt, took = _run("projections", "rebuild").splitlines()
    assert [line.split() for line in rebuilt] == [
        ["rebuilt", name, "up", "to", "position", str(head)]
        for name in ("partnership", "audit", "temporal")
    ]
    assert re.fullmatch(r"rebuilt in \d+\.\d s \([\d,]+ events/s\)", took), took
    *one, _ = _run("projections", "rebuild", "temporal").splitlines()
    assert [line.split()[:2] for line in one] == [["rebuilt", "temporal"]]

    with opened(store) as (_, read):
        assert snapshot(read) == before
    assert _status() == {"partnership": 0, "audit": 0, "temporal": 0}


def test_projections_rebuild_of_an_unknown_projection_exits_2(store: str) -> None:
    result = runner.invoke(cli, ["projections", "rebuild", "nonsense"])
    assert result.exit_code == 2
    assert "no projection named 'nonsense'" in result.stderr
    assert "partnership, audit, temporal" in result.stderr
