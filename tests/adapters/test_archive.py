"""Export and import: exact round trips between the backends, and refusals that record nothing."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from domain.adapters.archive import (
    InvalidArchiveLineError,
    StoreNotEmptyError,
    UnexportableEventError,
    export_events,
    import_events,
)
from domain.adapters.demo import CA_OFFICIAL, FR_OFFICIAL, ROADMAP_ID, load_demo
from domain.application.service import RoadmapLedger
from domain.model.consultation import Consultation
from domain.model.pledge import Pledge
from domain.model.values import Quantity

Line = dict[str, Any]
RELEASE_EXPORT = Path(__file__).parents[1] / "fixtures" / "release-0.1" / "export.jsonl"


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

        assert exported == imported == source.position() == 16
        assert _log(target) == _log(source)  # positions, ids, versions, topics, state bytes
        decoded = [vars(source.mapper.to_domain_event(n)) for n in source.notifications()]
        assert [vars(target.mapper.to_domain_event(n)) for n in target.notifications()] == decoded
        midway = decoded[8]["timestamp"]
        assert _answers(target, midway) == _answers(source, midway)
        assert _exported(target) == archive.read_text(encoding="utf-8")


def test_an_export_line_is_readable_json(app: RoadmapLedger) -> None:
    load_demo(app)

    first, second = (json.loads(line) for line in _exported(app).splitlines()[:2])

    assert list(first) == [
        "position",
        "stream_id",
        "stream_version",
        "event_type",
        "class_version",
        "recorded_at",
        "effective_on",
        "actor",
        "actor_party",
        "authority",
        "note",
        "data",
    ]
    assert first["position"] == 1
    assert first["stream_id"] == str(ROADMAP_ID)
    assert (first["stream_version"], first["class_version"]) == (1, 1)
    assert first["event_type"] == "Roadmap.Adopted"
    assert first["effective_on"] == "2016-10-13"
    assert first["data"]["title"] == "France-Canada Peacekeeping Roadmap"
    assert first["data"]["parties"] == ["FR", "CA"]
    assert "originator_topic" not in first["data"]
    assert second["event_type"] == "Pledge.Made"
    assert second["data"]["quantity"] == {"amount": "600", "unit": "personnel"}
    assert second["data"]["kind"] == "personnel"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", second["recorded_at"])


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


@pytest.fixture(scope="module")
def release_lines() -> list[Line]:
    """Release 0.1's export: the demo's first seven events in `topic`/`state` lines."""
    return [json.loads(line) for line in RELEASE_EXPORT.read_text(encoding="utf-8").splitlines()]


def _drop(key: str) -> Callable[[Line], Line]:
    return lambda line: {k: v for k, v in line.items() if k != key}


def _set(key: str, value: Any) -> Callable[[Line], Line]:
    return lambda line: {**line, key: value}


def _state_without(key: str) -> Callable[[Line], Line]:
    return lambda line: {**line, "state": {k: v for k, v in line["state"].items() if k != key}}


def _data(key: str, value: Any) -> Callable[[Line], Line]:
    return lambda line: {**line, "data": {**line["data"], key: value}}


def _data_without(key: str) -> Callable[[Line], Line]:
    return lambda line: {**line, "data": {k: v for k, v in line["data"].items() if k != key}}


Damage = tuple[int, Callable[[Line], Line | str], str]

# (line number, damage, what the error says); in both files line 4 is version 2 of a stream.
COMMON_DAMAGES: dict[str, Damage] = {
    "bad-json": (3, lambda line: json.dumps(line)[:40], "line 3: not JSON"),
    "not-an-object": (2, lambda line: "[1, 2]", "line 2: not a JSON object"),
    "version-gap": (4, _set("stream_version", 3), "has version 3 where 2 was expected"),
    "stream-restarts": (4, _set("stream_version", 1), "has version 1 where 2 was expected"),
    "position-order": (6, _set("position", 5), "line 6: position 5 does not follow position 5"),
    "bad-stream-id": (2, _set("stream_id", "pledge-1"), "line 2: stream_id 'pledge-1' is not"),
    "blank-line": (7, lambda line: "", "line 7: empty line"),
}

RELEASE_DAMAGES: dict[str, Damage] = {
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
    "state-missing-field": (2, _state_without("timestamp"), "line 2: state does not match"),
    "state-bad-tag": (
        3,
        lambda line: {
            **line,
            "state": {**line["state"], "starts_on": {"_type_": "x", "_data_": 1}},
        },
        "line 3: state is not a Consultation.Scheduled event",
    ),
    "mixed-formats": (
        3,
        lambda line: {**_drop("topic")(_drop("state")(line)), "event_type": "x", "data": {}},
        "line 3: a line in format 2 after lines in the release 0.1 format",
    ),
}

CURRENT_DAMAGES: dict[str, Damage] = {
    "no-format": (
        2,
        lambda line: {"position": 2},
        "line 2: missing stream_id, stream_version, event_type, class_version, recorded_at",
    ),
    "missing-key": (5, _drop("actor"), "line 5: missing actor"),
    "extra-key": (5, _set("topic", "domain.model.exchange:Exchange.Proposed"), "unexpected topic"),
    "unknown-event-type": (
        7,
        _set("event_type", "Pledge.Exploded"),
        "line 7: unknown event type 'Pledge.Exploded'",
    ),
    "module-path-as-type": (
        2,
        _set("event_type", "domain.model.pledge:Pledge.Made"),
        "line 2: unknown event type 'domain.model.pledge:Pledge.Made'",
    ),
    "newer-class-version": (
        2,
        _set("class_version", 2),
        r"line 2: Pledge.Made version 2 is newer than this release reads \(1\)",
    ),
    "data-missing-field": (
        2,
        _data_without("due_on"),
        "line 2: data of Pledge.Made is missing due_on",
    ),
    "data-extra-field": (
        2,
        _data("originator_topic", "domain.model.pledge:Pledge"),
        "line 2: data of Pledge.Made has unknown originator_topic",
    ),
    "data-not-an-object": (4, _set("data", ["CA"]), "line 4: data must be a JSON object"),
    "float-amount": (
        2,
        _data("quantity", {"amount": 600.0, "unit": "personnel"}),
        "line 2: data.quantity: .* is not a Quantity",
    ),
    "bad-enum": (2, _data("kind", "troops"), 'line 2: data.kind: "troops" is not a PledgeKind'),
    "bad-date": (
        3,
        _data("starts_on", "26/10/2016"),
        'line 3: data.starts_on: "26/10/2016" is not a date',
    ),
    "null-title": (3, _data("title", None), "line 3: data.title: null is not a string"),
    "bad-uuid": (2, _data("roadmap_id", "roadmap-1"), "line 2: data.roadmap_id: .* is not a UUID"),
    "bad-effective-on": (4, _set("effective_on", 20161013), "line 4: effective_on: 20161013"),
    "naive-time": (
        4,
        _set("recorded_at", "2026-11-02T09:28:00.000492"),
        "line 4: recorded_at: '2026-11-02T09:28:00.000492' has no offset",
    ),
    "not-a-time": (4, _set("recorded_at", "yesterday"), "line 4: recorded_at: 'yesterday' is not"),
    "mixed-formats": (
        3,
        lambda line: {**_drop("event_type")(_drop("data")(line)), "topic": "x", "state": {}},
        "line 3: a line in the release 0.1 format after lines in format 2",
    ),
}

DAMAGES = {
    **{f"current-{name}": (damage, "current") for name, damage in COMMON_DAMAGES.items()},
    **{f"release-{name}": (damage, "release") for name, damage in COMMON_DAMAGES.items()},
    **{f"current-{name}": (damage, "current") for name, damage in CURRENT_DAMAGES.items()},
    **{f"release-{name}": (damage, "release") for name, damage in RELEASE_DAMAGES.items()},
}


def _damaged(lines: list[Line], number: int, change: Callable[[Line], Line | str]) -> str:
    out: list[str] = []
    for i, line in enumerate(lines, start=1):
        damaged = change(line) if i == number else line
        out.append(damaged if isinstance(damaged, str) else json.dumps(damaged))
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_file_is_refused_naming_the_line(
    damage: str, demo_lines: list[Line], release_lines: list[Line], app: RoadmapLedger
) -> None:
    (number, change, message), kind = DAMAGES[damage]
    lines = demo_lines if kind == "current" else release_lines

    with pytest.raises(InvalidArchiveLineError, match=message) as refused:
        import_events(app, io.StringIO(_damaged(lines, number, change)))

    assert refused.value.line == number
    assert str(refused.value).startswith(f"line {number}: ")
    assert app.position() == 0


@pytest.fixture(scope="module")
def history_lines(tmp_path_factory: pytest.TempPathFactory) -> list[Line]:
    folder = tmp_path_factory.mktemp("history")
    with closing(RoadmapLedger(f"sqlite:///{folder}/source.db")) as source:
        _record_history(source)
        return [json.loads(line) for line in _exported(source).splitlines()]


CORRECTION_DAMAGES: dict[str, tuple[Callable[[Line], Line], str]] = {
    "unknown-field": (
        _data("changes", {"colour": "red"}),
        "data.changes: Pledge.Made has no colour",
    ),
    "bad-value": (
        _data("changes", {"due_on": "soon"}),
        'data.changes.due_on: "soon" is not a date or null',
    ),
    "bad-effective-on": (
        _data("changes", {"effective_on": None}),
        "data.changes.effective_on: null is not a date",
    ),
    "later-target": (_data("target_version", 9), "data.target_version: no version 9 precedes it"),
    "corrected-target": (
        _data("target_version", 3),
        "data.target_version: version 3 is a Pledge.Corrected",
    ),
    "not-an-object": (_data("changes", ["title"]), "data.changes must be a JSON object"),
}


@pytest.mark.parametrize("damage", list(CORRECTION_DAMAGES))
def test_a_correction_is_typed_by_the_event_it_corrects(
    damage: str, history_lines: list[Line], app: RoadmapLedger
) -> None:
    change, message = CORRECTION_DAMAGES[damage]
    lines = list(history_lines)
    number = next(i for i, line in enumerate(lines, 1) if line["event_type"] == "Pledge.Corrected")
    if damage == "corrected-target":  # a second correction, after the first
        second = {**lines[number - 1], "position": len(lines) + 1}
        lines.append({**second, "stream_version": second["stream_version"] + 1})
        number = len(lines)

    with pytest.raises(InvalidArchiveLineError, match=re.escape(message)) as refused:
        import_events(app, io.StringIO(_damaged(lines, number, change)))

    assert refused.value.line == number
    assert app.position() == 0


class _Pipe(io.StringIO):
    """Reads like stdin from a pipe: no seeking back."""

    def seekable(self) -> bool:
        return False


def test_a_large_file_from_a_pipe_is_imported_in_batches(
    demo_lines: list[Line], app: RoadmapLedger
) -> None:
    made = next(line for line in demo_lines if line["event_type"] == "Pledge.Made")
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


def test_export_refuses_an_event_it_cannot_read(
    release_lines: list[Line], app: RoadmapLedger
) -> None:
    topic = release_lines[1]["topic"]
    app.recorder.insert_events([StoredEvent(uuid4(), 1, topic, b"\x1f\x8b not JSON")])

    with pytest.raises(UnexportableEventError, match="position 1 cannot be read"):
        export_events(app, io.StringIO())


class Memo(Aggregate):
    class Written(Aggregate.Created):
        text: str


def test_export_refuses_an_event_the_format_cannot_name(app: RoadmapLedger) -> None:
    app.save(Memo._create(Memo.Written, id=uuid4(), text="not a ledger event"))

    with pytest.raises(
        UnexportableEventError, match=r"position 1: .*Memo\.Written is not an event"
    ):
        export_events(app, io.StringIO())
