"""The partnership read model's tables: one per kind of item, derived from its state's fields.

A kind's table holds what every item has (id, version, times, public JSON, folded state) and a
column per scalar field of its state; a text has three (as written, `_en`, `_fr`); a field
flattened otherwise says so in its metadata (`read_columns`). Lists live in the child tables
below and in the public JSON.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from types import NoneType, UnionType
from typing import Any
from uuid import UUID

from domain.model.kinds import KINDS, Kind
from domain.model.texts import LANGS, Text
from projections.runtime.tables import Table

#: The path of a text's column that holds it in the language it was written in.
WRITTEN = "*"

ITEM_COLUMNS = (
    ("id", "text"),
    ("roadmap_id", "text"),
    ("version", "int"),
    ("void", "bool"),
    ("recorded_at", "ts"),
    ("updated_at", "ts"),
    ("effective_on", "date"),
    ("public", "json"),
    ("state", "blob"),
)
_SCALARS: tuple[tuple[type, str], ...] = (
    (bool, "bool"),
    (int, "int"),
    (Decimal, "num"),
    (date, "date"),
    (UUID, "text"),
    (Enum, "text"),
    (str, "text"),
)


def _scalar(hint: Any) -> tuple[str, bool] | None:
    """(column type, holds an id) of a scalar type hint, `X | None` included; None otherwise."""
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not NoneType]
        return _scalar(args[0]) if len(args) == 1 else None
    if not isinstance(hint, type):
        return None
    found = next((kind for cls, kind in _SCALARS if issubclass(hint, cls)), None)
    return None if found is None else (found, hint is UUID)


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    kind: str
    #: Where the value is in the item's public JSON: a field, then an attribute path.
    field: str
    path: str = ""

    def value(self, public: dict[str, Any]) -> Any:
        value = public.get(self.field)
        for part in filter(None, self.path.split(".")):
            if value is None:
                return None
            if isinstance(value, str):
                # A plain string where a text belongs (an event written below the API, at a
                # version that expects texts): what was written, read as English.
                return None if part == "fr" else value
            # A text's own column holds it as written; `_en`/`_fr` each language.
            value = value[value["lang"]] if part == WRITTEN else value[part]
        return value


@cache
def columns_of(kind: Kind) -> tuple[Column, ...]:
    hints = typing.get_type_hints(kind.state)
    found: list[Column] = []
    for item in dataclasses.fields(kind.state):
        if item.name == "roadmap_id":
            continue  # an item column already
        flattened: dict[str, str] | None = item.metadata.get("read_columns")
        if flattened is not None:
            for name, path in flattened.items():
                inner = _inner_hint(hints[item.name], path)
                scalar = _scalar(inner)
                found.append(Column(name, scalar[0] if scalar else "json", item.name, path))
            continue
        if Text in (typing.get_args(hints[item.name]) or (hints[item.name],)):
            found.append(Column(item.name, "text", item.name, WRITTEN))
            found.extend(Column(f"{item.name}_{lang}", "text", item.name, lang) for lang in LANGS)
            continue
        scalar = _scalar(hints[item.name])
        if scalar is not None:
            found.append(Column(item.name, scalar[0], item.name))
    return tuple(found)


def _inner_hint(hint: Any, path: str) -> Any:
    for part in filter(None, path.split(".")):
        hint = typing.get_type_hints(hint)[part]
    return hint


def _id_columns(kind: Kind) -> list[str]:
    hints = typing.get_type_hints(kind.state)
    return [
        f.name
        for f in dataclasses.fields(kind.state)
        if f.name != "roadmap_id" and (_scalar(hints[f.name]) or ("", False))[1]
    ]


def table_of(kind: Kind) -> Table:
    names = {f.name for f in dataclasses.fields(kind.state)}
    indexes = [("roadmap_id",)] if "roadmap_id" in names else []
    indexes += [(name,) for name in _id_columns(kind)]
    columns = (*ITEM_COLUMNS, *((c.name, c.kind) for c in columns_of(kind)))
    # The projection reads an item by its id alone: every other index serves readers.
    return Table(kind.table, columns, ("id",), tuple(indexes), for_readers=tuple(indexes))


#: Every kind's table, by kind name (`Pledge`).
ITEM_TABLES: dict[str, Table] = {kind.name: table_of(kind) for kind in KINDS}

PRIORITIES = Table(
    "rm_priorities",
    (
        ("roadmap_id", "text"),
        ("code", "text"),
        ("title", "text"),
        ("title_en", "text"),
        ("title_fr", "text"),
        ("ord", "int"),
    ),
    ("roadmap_id", "code"),
)
ITEM_PRIORITIES = Table(
    "rm_item_priorities",
    (("item_id", "text"), ("code", "text"), ("item_kind", "text")),
    ("item_id", "code"),
    (("code",),),
    for_readers=(("code",),),
)
MEMBERS = Table(
    "rm_item_parties",
    (("item_id", "text"), ("role", "text"), ("party", "text")),
    ("item_id", "role", "party"),
)

TABLES = (*ITEM_TABLES.values(), PRIORITIES, ITEM_PRIORITIES, MEMBERS)


def text_columns(name: str, value: Any) -> dict[str, Any]:
    """A text of the record (`{"en", "fr", "lang"}`) as its three columns."""
    return {
        c.name: c.value({name: value})
        for c in (
            Column(name, "text", name, WRITTEN),
            *(Column(f"{name}_{lang}", "text", name, lang) for lang in LANGS),
        )
    }
