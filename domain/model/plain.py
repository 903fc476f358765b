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


def plain(value: Any) -> Any:
    convert = _BY_TYPE.get(type(value))
    if convert is None:
        convert = _converter_for(type(value))
    return convert(value)


def _converter_for(kind: type) -> Callable[[Any], Any]:
    """How to convert values of `kind`, remembered for the next one: dataclasses and enums
    are most of what the read side converts, and asking what a type is costs more than the
    conversion."""
    convert: Callable[[Any], Any]
    if issubclass(kind, Enum):
        convert = _enum_value
    elif dataclasses.is_dataclass(kind):
        names = tuple(f.name for f in dataclasses.fields(kind))

        def convert(value: Any) -> Any:
            return {name: plain(getattr(value, name)) for name in names}

    else:
        found = next(
            (
                known
                for base, known in list(_BY_TYPE.items())
                if issubclass(kind, base) and base is not type(None)
            ),
            None,
        )
        if found is None:
            msg = f"no plain form for {kind.__name__}"
            raise TypeError(msg)
        convert = found
    _BY_TYPE[kind] = convert
    return convert


def _enum_value(value: Enum) -> Any:
    return value.value
