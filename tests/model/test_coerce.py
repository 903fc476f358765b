"""`coerce`: a correction's JSON values become the exact types of the corrected fields."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.model.coerce import coerce
from domain.model.errors import InvalidCorrectionError
from domain.model.texts import english
from domain.model.values import PledgeKind, Priority, Quantity, ReformResult

ID = UUID("6f1c2d1e-0b5a-4c55-9a43-3f2a8d1e7b10")


@pytest.mark.parametrize(
    ("hint", "value", "expected"),
    [
        (Decimal, "450000000.00", Decimal("450000000.00")),
        (Decimal, 12, Decimal(12)),
        (date, "2016-08-26", date(2016, 8, 26)),
        (date, date(2016, 8, 26), date(2016, 8, 26)),
        (int, 4, 4),
        (str, "Paris", "Paris"),
        (UUID, str(ID), ID),
        (UUID, ID.hex, ID),
        (PledgeKind, "police", PledgeKind.POLICE),
        (ReformResult, "adopted", ReformResult.ADOPTED),
        (Quantity, {"amount": "600", "unit": "personnel"}, Quantity(Decimal(600), "personnel")),
        (Priority, {"code": "a-b", "title": "AB"}, Priority("a-b", english("AB"))),
        (tuple[str, ...], ["a", "b"], ("a", "b")),
        (tuple[str, ...], ("a",), ("a",)),
        (tuple[str, ...], [], ()),
        (tuple[Priority, ...], [{"code": "x", "title": "X"}], (Priority("x", english("X")),)),
        (str | None, None, None),
        (str | None, "C-34", "C-34"),
        (Quantity | None, {"amount": 3, "unit": "t"}, Quantity(Decimal(3), "t")),
        (date | None, "2017-01-01", date(2017, 1, 1)),
    ],
)
def test_coerces_to_the_exact_type(hint: Any, value: Any, expected: Any) -> None:
    coerced = coerce(hint, value, "field")
    assert coerced == expected
    assert type(coerced) is type(expected)
    if isinstance(expected, tuple):
        assert [type(x) for x in coerced] == [type(x) for x in expected]


@pytest.mark.parametrize(
    ("hint", "value"),
    [
        (Decimal, 1.5),
        (Decimal, True),
        (Decimal, "one"),
        (date, "26/08/2016"),
        (date, 20160826),
        (date, datetime(2016, 8, 26, 12, tzinfo=UTC)),  # a moment is not a day
        (int, "4"),
        (int, True),
        (int, 4.0),
        (str, 5),
        (str, None),
        (UUID, "not-a-uuid"),
        (PledgeKind, "gift"),
        (ReformResult, "postponed"),
        (Quantity, {"amount": 1.5, "unit": "t"}),
        (Quantity, {"amount": "1", "unit": "?"}),
        (Quantity, "600 personnel"),
        (tuple[str, ...], "ab"),
        (tuple[str, ...], [1]),
        (tuple[str, ...], None),
        (set, {"a"}),
    ],
)
def test_refuses_and_names_the_field(hint: Any, value: Any) -> None:
    with pytest.raises(InvalidCorrectionError) as raised:
        coerce(hint, value, "title")
    assert raised.value.field is not None
    assert raised.value.field.startswith("changes.title")


def test_a_quantity_error_names_the_corrected_field() -> None:
    with pytest.raises(InvalidCorrectionError, match="not a float") as raised:
        coerce(Quantity, {"amount": 1.5, "unit": "t"}, "delivered")
    assert raised.value.field == "changes.delivered"
