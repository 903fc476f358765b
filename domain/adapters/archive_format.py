"""Format 2 of an export line: an event by its stable name, with plain JSON values, and back.

A line names its event `<Aggregate>.<Event>`, not by module path, so moving a module never
orphans an export; its values are the plain JSON the Merkle leaf commits to (domain.model.plain).
Reading a line rebuilds the typed values from the event class's annotations, so the event it
gives is the one that was exported: the same fields, types, exponents of decimals and instants.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic

from domain.application.records import plain_state
from domain.model.coerce import coerce
from domain.model.errors import DomainError
from domain.model.history import META_FIELDS
from domain.model.item import Item
from domain.model.kinds import KINDS
from domain.model.texts import Text
from domain.model.values import Priority, priority_code

#: A line's metadata keys, and the event attribute each one holds.
META = {
    "recorded_at": "timestamp",
    "effective_on": "effective_on",
    "actor": "actor",
    "actor_party": "actor_party",
    "authority": "authority",
    "note": "note",
}
KEYS = ("position", "stream_id", "stream_version", "event_type", "class_version", *META, "data")
CHANGES = "changes"
EFFECTIVE_ON = "effective_on"


class FormatError(Exception):
    """An event that has no line, or a line that is no event; says which field and why."""


class Kind(NamedTuple):
    aggregate: type[Item]
    event: type[Item.Event]


@cache
def event_kinds() -> dict[str, Kind]:
    """Every event the format can name, by stable name (`Pledge.Made`), from the registry."""
    kinds: dict[str, Kind] = {}
    for kind in KINDS:
        for name, value in vars(kind.aggregate).items():
            is_event = isinstance(value, type) and issubclass(value, Item.Event)
            # Event and Created are the library's per-class bases: never recorded themselves.
            if is_event and name not in ("Event", "Created"):
                kinds[value.__qualname__] = Kind(kind.aggregate, value)
    return kinds


@cache
def payload_fields(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in META_FIELDS)


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _class_version(cls: type[Any]) -> int:
    version: int = getattr(cls, "class_version", 1)
    return version


# --- event → line --------------------------------------------------------------------------


def line_of(position: int, stored: Any) -> dict[str, Any]:
    """The export line of a stored event, as it was recorded: its class version as stored and
    its values in plain JSON; FormatError if the format has no name for it."""
    cls = resolve_topic(stored.topic)
    name = cls.__qualname__
    kind = event_kinds().get(name)
    if kind is None or kind.event is not cls:
        raise FormatError(f"{cls.__module__}:{name} is not an event of the ledger's aggregates")
    try:
        state = plain_state(stored.state)
    except (ValueError, TypeError) as error:
        raise FormatError(f"the stored {name} event cannot be read ({error})") from None
    missing = [a for a in META.values() if a not in state]
    if missing:
        raise FormatError(f"the {name} event has no {', '.join(missing)}")
    version = state.pop("class_version", 1)
    moment = datetime.fromisoformat(state["timestamp"]).astimezone(UTC)
    return {
        "position": position,
        "stream_id": str(stored.originator_id),
        "stream_version": stored.originator_version,
        "event_type": name,
        "class_version": version,
        # Always six digits: the stored spelling drops them when they are zero.
        "recorded_at": moment.isoformat(timespec="microseconds"),
        **{key: state[attr] for key, attr in META.items() if key != "recorded_at"},
        "data": {k: v for k, v in state.items() if k not in META_FIELDS},
    }


# --- line → event --------------------------------------------------------------------------


def event_of(line: dict[str, Any], stream_id: UUID, earlier: list[type]) -> Any:
    """The event a checked line of the current class version holds; `earlier` are the classes
    of its stream's prior events."""
    cls, kind = _event_class(line)
    data = _data(line)
    hints = _hints(cls)
    fields = payload_fields(cls)
    if missing := [f for f in fields if f not in data]:
        raise FormatError(f"data of {cls.__qualname__} is missing {', '.join(missing)}")
    if extra := sorted(set(data) - set(fields)):
        raise FormatError(f"data of {cls.__qualname__} has unknown {', '.join(extra)}")
    values = _values(cls, data, earlier)
    meta = {a: typed(hints[a], line[k], k) for k, a in META.items() if k != "recorded_at"}
    if "originator_topic" in {f.name for f in dataclasses.fields(cls)}:
        meta["originator_topic"] = get_topic(kind.aggregate)
    return cls(
        originator_id=stream_id,
        originator_version=line["stream_version"],
        timestamp=_moment(line["recorded_at"]),
        **meta,
        **values,
    )


def older_state(line: dict[str, Any], earlier: list[type]) -> tuple[Any, dict[str, Any]]:
    """The stored state of a line recorded at an older class version, as it was recorded.

    A record is never rewritten, a restored one neither: the state keeps its version and its
    fields, and the release reading it upcasts it as it reads any older record. Fields that the
    current version still has are typed by it; fields it has dropped stay as they were.
    """
    cls, kind = _event_class(line)
    data = _data(line)
    hints = _hints(cls)
    known = {f: v for f, v in data.items() if f in hints}
    state: dict[str, Any] = {**data, **_values(cls, known, earlier, partial=True)}
    state.update(
        {a: _recorded_typed(hints[a], line[k], k) for k, a in META.items() if k != "recorded_at"}
    )
    state["timestamp"] = _moment(line["recorded_at"])
    if "originator_topic" in {f.name for f in dataclasses.fields(cls)}:
        state["originator_topic"] = get_topic(kind.aggregate)
    if line["class_version"] > 1:
        state["class_version"] = line["class_version"]
    return cls, state


def is_older(line: dict[str, Any]) -> bool:
    """Whether the line was recorded at an older version of its class than this release's."""
    cls, _ = _event_class(line)
    version = line["class_version"]
    current = _class_version(cls)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(f"class_version must be a positive integer, not {version!r}")
    if version > current:
        msg = f"{cls.__qualname__} version {version} is newer than this release reads ({current})"
        raise FormatError(msg)
    return version < current


def _event_class(line: dict[str, Any]) -> tuple[Any, Kind]:
    name = line["event_type"]
    kind = event_kinds().get(name) if isinstance(name, str) else None
    if kind is None:
        raise FormatError(f"unknown event type {name!r}")
    return kind.event, kind


def _data(line: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(line["data"], dict):
        raise FormatError("data must be a JSON object")
    return dict(line["data"])


def _values(
    cls: Any, data: dict[str, Any], earlier: list[type], *, partial: bool = False
) -> dict[str, Any]:
    """The data typed by the class's fields; a correction's changes by its target's fields."""
    hints = _hints(cls)
    corrects = issubclass(cls, Item.Corrected)
    convert = _recorded_typed if partial else typed
    values = {
        f: convert(hints[f], v, f"data.{f}")
        for f, v in data.items()
        if not (corrects and f == CHANGES)
    }
    if corrects and (CHANGES in data or not partial):
        values[CHANGES] = _changes(data[CHANGES], values["target_version"], earlier, convert)
    return values


def _changes(
    changes: Any, target_version: int, earlier: list[type], convert: Any
) -> dict[str, Any]:
    """A correction's changes, typed as the fields of the event it corrects."""
    if not 1 <= target_version <= len(earlier):
        raise FormatError(f"data.target_version: no version {target_version} precedes it")
    target: Any = earlier[target_version - 1]
    if issubclass(target, (Item.Corrected, Item.Retracted, Item.Translated)):
        msg = f"data.target_version: version {target_version} is a {target.__qualname__}"
        raise FormatError(msg)
    if not isinstance(changes, dict):
        raise FormatError("data.changes must be a JSON object")
    hints = {EFFECTIVE_ON: date} | {f: _hints(target)[f] for f in payload_fields(target)}
    if unknown := sorted(set(changes) - set(hints)):
        msg = f"data.changes: {target.__qualname__} has no {', '.join(unknown)}"
        raise FormatError(msg)
    return {k: convert(hints[k], v, f"data.changes.{k}") for k, v in changes.items()}


def _recorded_typed(hint: Any, value: Any, where: str) -> Any:
    """A value of an older record, typed as it was recorded: texts were plain strings before
    they were bilingual (priority titles too), and stay so in the restored record."""
    if isinstance(value, str) and Text in _types(hint):
        return value
    priorities = typing.get_origin(hint) is tuple and typing.get_args(hint)[0] is Priority
    if (
        priorities
        and isinstance(value, list)
        and all(isinstance(v, dict) and isinstance(v.get("title"), str) for v in value)
    ):
        return tuple(Priority(priority_code(v["code"]), v["title"]) for v in value)
    return typed(hint, value, where)


def _types(hint: Any) -> tuple[Any, ...]:
    return typing.get_args(hint) or (hint,)


def typed(hint: Any, value: Any, where: str) -> Any:
    """The plain `value` as an instance of `hint`, or FormatError naming the field."""
    try:
        return coerce(hint, value, where)
    except DomainError:
        shown = json.dumps(value, ensure_ascii=False)
        raise FormatError(f"{where}: {shown} is not {_described(hint)}") from None


def _described(hint: Any) -> str:
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        return " or ".join(_described(a) for a in typing.get_args(hint))
    if typing.get_origin(hint) is tuple:
        return f"a list of {_described(typing.get_args(hint)[0])}"
    return {type(None): "null", str: "a string", int: "an integer", Text: "a text"}.get(
        hint, f"a {getattr(hint, '__name__', hint)}"
    )


def _moment(value: Any) -> datetime:
    """An RFC 3339 time with its offset, kept as written: its spelling is what gets stored."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise FormatError(f"recorded_at: {value!r} is not an RFC 3339 time") from None
    if moment.utcoffset() is None:
        raise FormatError(f"recorded_at: {value!r} has no offset (UTC is +00:00)")
    return moment
