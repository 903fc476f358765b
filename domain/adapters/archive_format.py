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

from eventsourcing.utils import get_topic

from domain.model.coerce import coerce
from domain.model.errors import DomainError
from domain.model.history import META_FIELDS
from domain.model.item import Item
from domain.model.kinds import KINDS
from domain.model.plain import plain

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


def line_of(position: int, event: Any) -> dict[str, Any]:
    """The export line of a decoded event; FormatError if the format has no name for it."""
    cls = type(event)
    name = cls.__qualname__
    kind = event_kinds().get(name)
    if kind is None or kind.event is not cls:
        raise FormatError(f"{cls.__module__}:{name} is not an event of the ledger's aggregates")
    missing = [f for f in (*META.values(), *payload_fields(cls)) if not hasattr(event, f)]
    if missing:
        raise FormatError(f"the {name} event has no {', '.join(missing)}")
    return {
        "position": position,
        "stream_id": str(event.originator_id),
        "stream_version": event.originator_version,
        "event_type": name,
        "class_version": _class_version(cls),
        # Always six digits: the stored spelling drops them when they are zero.
        "recorded_at": event.timestamp.astimezone(UTC).isoformat(timespec="microseconds"),
        **{key: plain(getattr(event, attr)) for key, attr in META.items() if key != "recorded_at"},
        "data": {field: plain(getattr(event, field)) for field in payload_fields(cls)},
    }


# --- line → event --------------------------------------------------------------------------


def event_of(line: dict[str, Any], stream_id: UUID, earlier: list[type]) -> Any:
    """The event a checked line holds; `earlier` are the classes of its stream's prior events."""
    name = line["event_type"]
    kind = event_kinds().get(name) if isinstance(name, str) else None
    if kind is None:
        raise FormatError(f"unknown event type {name!r}")
    cls = kind.event
    data = _upcast(cls, line["class_version"], line["data"])
    hints = _hints(cls)
    fields = payload_fields(cls)
    if missing := [f for f in fields if f not in data]:
        raise FormatError(f"data of {name} is missing {', '.join(missing)}")
    if extra := sorted(set(data) - set(fields)):
        raise FormatError(f"data of {name} has unknown {', '.join(extra)}")
    corrects = issubclass(cls, Item.Corrected)  # its changes are typed by another event's fields
    values = {
        f: typed(hints[f], data[f], f"data.{f}") for f in fields if not (corrects and f == CHANGES)
    }
    if corrects:
        values[CHANGES] = _changes(data[CHANGES], values["target_version"], earlier)
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


def _upcast(cls: type[Any], version: Any, data: Any) -> dict[str, Any]:
    """The data as the current class version has it: older lines run the class's upcasters.

    The library's upcasters add or rename fields of a stored state; run on plain data, the
    values they add are coerced like every other value.
    """
    current = _class_version(cls)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(f"class_version must be a positive integer, not {version!r}")
    if version > current:
        msg = f"{cls.__qualname__} version {version} is newer than this release reads ({current})"
        raise FormatError(msg)
    if not isinstance(data, dict):
        raise FormatError("data must be a JSON object")
    state: dict[str, Any] = dict(data)
    try:
        for step in range(version, current):
            getattr(cls, f"upcast_v{step}_v{step + 1}")(state)
    except Exception as error:  # upcasters are written for stored states: any failure is the line's
        msg = f"data of {cls.__qualname__} version {version} cannot be upcast ({error!r})"
        raise FormatError(msg) from None
    return state


def _changes(changes: Any, target_version: int, earlier: list[type]) -> dict[str, Any]:
    """A correction's changes, typed as the fields of the event it corrects."""
    if not 1 <= target_version <= len(earlier):
        raise FormatError(f"data.target_version: no version {target_version} precedes it")
    target: Any = earlier[target_version - 1]
    if issubclass(target, (Item.Corrected, Item.Retracted)):
        msg = f"data.target_version: version {target_version} is a {target.__qualname__}"
        raise FormatError(msg)
    if not isinstance(changes, dict):
        raise FormatError("data.changes must be a JSON object")
    hints = {EFFECTIVE_ON: date} | {f: _hints(target)[f] for f in payload_fields(target)}
    if unknown := sorted(set(changes) - set(hints)):
        msg = f"data.changes: {target.__qualname__} has no {', '.join(unknown)}"
        raise FormatError(msg)
    return {k: typed(hints[k], v, f"data.changes.{k}") for k, v in changes.items()}


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
    return {type(None): "null", str: "a string", int: "an integer"}.get(
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
