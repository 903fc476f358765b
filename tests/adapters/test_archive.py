"""Export and import: exact round trips between the backends, and refusals that record nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import pytest
from eventsourcing.persistence import StoredEvent

from domain.adapters.archive import (
    InexactStateError,
    InvalidArchiveLineError,
    StoreNotEmptyError,
    export_events,
    import_events,
)
from domain.adapters.demo import CA_OFFICIAL, FR_OFFICIAL, ROADMAP_ID, load_demo
from domain.application.service import RoadmapLedger
from domain.model.consultation import Consultation
from domain.model.pledge import Pledge
from domain.model.values import Quantity

Line = dict[str, Any]


def _record_history(app: RoadmapLedger) -> None:
    """The demo plus every kind of follow-up: acceptance, progress, correction, retraction,
    and a decision (two streams in one transaction)."""
    ids = load_demo(app).ids
    paris, pledge = ids["paris-conference"], ids["pledge-600-personnel"]
    app.accept_co_chair(CA_OFFICIAL, paris)
    app.report_pledge_progress(CA_OFFICIAL, pledge, delivered=Quantity(Decimal(150), "personnel"))
    app.correct(
        CA_OFFICIAL,
        Pledge,
        pledge,
        target_version=1,
        changes={"title": "Deploy up to 600 Canadian soldiers to UN forces"},
        reason="wording of the announcement",
    )
    app.hold_consultation(FR_OFFICIAL, paris, summary="Held in Paris, co-chaired by Canada.")
    decision = app.record_decision(
        FR_OFFICIAL,
        paris,
        text="Train francophone peacekeepers.",
        priorities=["operations-support"],
    )
    app.endorse_decision(CA_OFFICIAL, decision.id)
    app.retract(
        CA_OFFICIAL,
        Consultation,
        ids["bilateral-consultation"],
        target_version=1,
        reason="never scheduled",
    )


def _log(app: RoadmapLedger) -> list[tuple[int, UUID, int, str, bytes]]:
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in app.notifications()
    ]


def _exported(app: RoadmapLedger) -> str:
    out = io.StringIO()
    export_events(app, out)
    return out.getvalue()


def _answers(app: RoadmapLedger, as_of: Any) -> list[dict[str, Any] | None]:
    return [
        app.get_state(ROADMAP_ID),
        app.get_state(ROADMAP_ID, as_of=as_of),
        app.get_state(ROADMAP_ID, effective_on=date(2016, 9, 1)),
        app.get_state(ROADMAP_ID, as_of=as_of, effective_on=date(2016, 10, 26)),
    ]


@pytest.mark.parametrize("direction", ["sqlite-to-postgres", "postgres-to-sqlite"])
def test_export_then_import_reproduces_every_event(
    direction: str, sqlite_url: str, postgres_url: str, tmp_path: Path
) -> None:
    urls = {"sqlite": sqlite_url, "postgres": postgres_url}
    source_url, target_url = (urls[name] for name in direction.split("-to-"))
    archive = tmp_path / "events.jsonl"
    with closing(RoadmapLedger(source_url)) as source, closing(RoadmapLedger(target_url)) as target:
        _record_history(source)
        with archive.open("w", encoding="utf-8") as out:
            exported = export_events(source, out)
        with archive.open(encoding="utf-8") as lines:
            imported = import_events(target, lines)

        assert exported == imported == source.position() == 15
        assert _log(target) == _log(source)  # positions, ids, versions, topics, state bytes
        decoded = [vars(source.mapper.to_domain_event(n)) for n in source.notifications()]
        assert [vars(target.mapper.to_domain_event(n)) for n in target.notifications()] == decoded
        midway = decoded[8]["timestamp"]
        assert _answers(target, midway) == _answers(source, midway)
        assert _exported(target) == archive.read_text(encoding="utf-8")


def test_an_export_line_is_readable_json(app: RoadmapLedger) -> None:
    load_demo(app)

    first = json.loads(_exported(app).splitlines()[0])

    assert list(first) == ["position", "stream_id", "stream_version", "topic", "state"]
    assert first["position"] == 1
    assert first["stream_id"] == str(ROADMAP_ID)
    assert first["stream_version"] == 1
    assert first["topic"] == "domain.model.roadmap:Roadmap.Adopted"
    assert first["state"]["title"] == "France-Canada Peacekeeping Roadmap"


def test_import_into_a_store_with_events_is_refused(app: RoadmapLedger, tmp_path: Path) -> None:
    with closing(RoadmapLedger(f"sqlite:///{tmp_path}/source.db")) as source:
        load_demo(source)
        archive = _exported(source)
    load_demo(app)
    before = _log(app)

    with pytest.raises(StoreNotEmptyError, match="import into an empty store"):
        import_events(app, io.StringIO(archive))

    assert _log(app) == before


@pytest.fixture(scope="module")
def demo_lines(tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    folder = tmp_path_factory.mktemp("demo")
    with closing(RoadmapLedger(f"sqlite:///{folder}/source.db")) as source:
        load_demo(source)
        return [json.loads(line) for line in _exported(source).splitlines()]


def _drop(key: str) -> Callable[[Line], Line]:
    return lambda line: {k: v for k, v in line.items() if k != key}


def _set(key: str, value: Any) -> Callable[[Line], Line]:
    return lambda line: {**line, key: value}


def _state_without(key: str) -> Callable[[Line], Line]:
    return lambda line: {**line, "state": {k: v for k, v in line["state"].items() if k != key}}


# (line number, damage, what the error says); the demo's line 4 is version 2 of a stream.
DAMAGES: dict[str, tuple[int, Callable[[Line], Line | str], str]] = {
    "bad-json": (3, lambda line: json.dumps(line)[:40], "line 3: not JSON"),
    "not-an-object": (2, lambda line: "[1, 2]", "line 2: not a JSON object"),
    "missing-key": (5, _drop("topic"), "line 5: missing topic"),
    "unknown-topic": (
        7,
        _set("topic", "domain.model.pledge:Pledge.Exploded"),
        "line 7: unknown topic 'domain.model.pledge:Pledge.Exploded'",
    ),
    "not-an-event": (
        1,
        _set("topic", "domain.model.values:Quantity"),
        "line 1: topic 'domain.model.values:Quantity' is not a domain event",
    ),
    "version-gap": (4, _set("stream_version", 3), "has version 3 where 2 was expected"),
    "stream-restarts": (4, _set("stream_version", 1), "has version 1 where 2 was expected"),
    "position-order": (6, _set("position", 5), "line 6: position 5 does not follow position 5"),
    "bad-stream-id": (2, _set("stream_id", "pledge-1"), "line 2: stream_id 'pledge-1' is not"),
    "state-missing-field": (2, _state_without("timestamp"), "line 2: state does not match"),
    "state-bad-tag": (
        3,
        lambda line: {
            **line,
            "state": {**line["state"], "starts_on": {"_type_": "x", "_data_": 1}},
        },
        "line 3: state is not a Consultation.Scheduled event",
    ),
    "blank-line": (7, lambda line: "", "line 7: empty line"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_file_is_refused_naming_the_line(
    damage: str, demo_lines: list[Line], app: RoadmapLedger
) -> None:
    number, change, message = DAMAGES[damage]
    lines: list[str] = []
    for i, line in enumerate(demo_lines, start=1):
        damaged = change(line) if i == number else line
        lines.append(damaged if isinstance(damaged, str) else json.dumps(damaged))

    with pytest.raises(InvalidArchiveLineError, match=message) as refused:
        import_events(app, io.StringIO("\n".join(lines) + "\n"))

    assert refused.value.line == number
    assert str(refused.value).startswith(f"line {number}: ")
    assert app.position() == 0


class _Pipe(io.StringIO):
    """Reads like stdin from a pipe: no seeking back."""

    def seekable(self) -> bool:
        return False


def test_a_large_file_from_a_pipe_is_imported_in_batches(
    demo_lines: list[Line], app: RoadmapLedger
) -> None:
    made = next(line for line in demo_lines if line["topic"].endswith("Pledge.Made"))
    copies = [
        {**made, "position": i, "stream_id": str(uuid5(NAMESPACE_URL, f"pledge-{i}"))}
        for i in range(1, 2346)
    ]
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in copies)

    assert import_events(app, _Pipe(text)) == 2345

    assert app.position() == 2345
    assert _exported(app) == text


def test_an_empty_file_imports_nothing(app: RoadmapLedger) -> None:
    assert import_events(app, io.StringIO("")) == 0
    assert app.position() == 0


def test_export_refuses_a_state_it_cannot_reproduce(
    demo_lines: list[Line], app: RoadmapLedger
) -> None:
    topic = demo_lines[1]["topic"]
    app.recorder.insert_events([StoredEvent(uuid4(), 1, topic, b"\x1f\x8b not JSON")])

    with pytest.raises(InexactStateError, match="position 1"):
        export_events(app, io.StringIO())
