"""Turns JSON values of a correction into the exact types of the corrected event's fields."""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any
from uuid import UUID

from domain.model.errors import InvalidCorrectionError, InvalidValueError
from domain.model.texts import DEFAULT_LANG, Lang, Text
from domain.model.values import Priority, Quantity, check_characters, text_of

#: Corrected fields that are long texts, which may hold tabs and line breaks.
_LONG_TEXTS = frozenset({"summary", "text", "reason", "note"})


def coerce(hint: Any, value: Any, field: str, lang: Lang = DEFAULT_LANG) -> Any:
    """`value` as an instance of `hint`, or InvalidCorrectionError naming the field; texts are
    read in `lang` unless they name their languages."""
    try:
        return _coerce(hint, value, field, lang)
    except InvalidValueError as error:
        raise InvalidCorrectionError(error.message, field=f"changes.{field}") from None
    except (TypeError, ValueError, InvalidOperation):
        msg = f"changes.{field}: {value!r} is not a valid {_name(hint)}"
        raise InvalidCorrectionError(msg, field=f"changes.{field}") from None


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", str(hint))


def _coerce(hint: Any, value: Any, field: str, lang: Lang) -> Any:  # noqa: PLR0911, PLR0912 - one case a type
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(options[0], value, field, lang)
    if value is None:
        raise InvalidValueError(f"changes.{field} cannot be null", field=field)
    if origin is tuple:
        (item_hint, *_) = typing.get_args(hint)
        if not isinstance(value, list | tuple):
            raise TypeError(field)
        return tuple(_coerce(item_hint, item, field, lang) for item in value)
    if hint is Quantity:
        return Quantity.parse(value, field)
    if hint is Priority:
        return Priority.parse(value, lang)
    if hint is Text:
        return text_of(value, field, lang=lang)
    if hint is Decimal:
        if isinstance(value, float | bool):
            raise TypeError(field)
        return Decimal(str(value))
    if hint is date:
        if isinstance(value, datetime):  # a moment is not a day (and compares with none)
            raise TypeError(field)
        if isinstance(value, date):
            return value
        return date.fromisoformat(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(field)
        return value
    if hint is str:
        if not isinstance(value, str):
            raise TypeError(field)
        return check_characters(value, f"changes.{field}", multiline=field in _LONG_TEXTS)
    if hint is UUID:
        return UUID(str(value))
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    raise TypeError(field)
