"""Domain values as plain JSON values: dates ISO, decimals as strings (exact), enums by value."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID


def _same(value: Any) -> Any:
    return value


def _items(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [plain(v) for v in value]


def _mapping(value: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in value.items()}


def _unordered(value: set[Any] | frozenset[Any]) -> list[Any]:
    return sorted(plain(v) for v in value)


#: Exact types first: plain() runs for every row the read side writes.
_BY_TYPE: dict[type, Callable[[Any], Any]] = {
    str: _same,
    int: _same,
    bool: _same,
    type(None): _same,
    Decimal: str,
    datetime: datetime.isoformat,
    date: date.isoformat,
    UUID: str,
    list: _items,
    tuple: _items,
    dict: _mapping,
    set: _unordered,
    frozenset: _unordered,
}
_FIELDS: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    convert = _BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.get(type(value))
        if names is None:
            names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
        return {name: plain(getattr(value, name)) for name in names}
    for kind, known in list(_BY_TYPE.items()):
        if isinstance(value, kind) and kind is not type(None):
            return known(value)
    msg = f"no plain form for {type(value).__name__}"
    raise TypeError(msg)
