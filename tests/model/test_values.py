"""Value objects: quantities, priorities, codes, who acts, and what every command carries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.model.errors import InvalidValueError, NotAuthorisedError, NotYourPartyError
from domain.model.texts import english
from domain.model.values import (
    Actor,
    Context,
    Priority,
    Quantity,
    Role,
    date_range,
    optional_text,
    party_code,
    priority_code,
    text,
)
from tests.factories import ADMIN, AUDITOR, CA_OFFICIAL, FR_AUDITOR, FR_OFFICIAL, RECORDED_AT


class TestQuantity:
    @pytest.mark.parametrize(
        ("raw", "amount"),
        [
            ({"amount": "600", "unit": "personnel"}, Decimal("600")),
            ({"amount": 450000000, "unit": "CAD"}, Decimal("450000000")),
            ({"amount": "0.10", "unit": "EUR"}, Decimal("0.10")),
            ({"amount": Decimal("1.5"), "unit": "t"}, Decimal("1.5")),
        ],
    )
    def test_parse_is_exact(self, raw: dict[str, Any], amount: Decimal) -> None:
        quantity = Quantity.parse(raw)
        assert type(quantity.amount) is Decimal
        assert quantity.amount == amount
        assert str(quantity.amount) == str(amount)  # scale kept: 0.10 stays 0.10
        assert quantity.unit == raw["unit"]

    def test_parse_answers_a_quantity_as_is(self) -> None:
        quantity = Quantity(Decimal(3), "personnel")
        assert Quantity.parse(quantity) is quantity

    @pytest.mark.parametrize("amount", [600.0, 0.1, True])
    def test_parse_refuses_floats_and_booleans(self, amount: object) -> None:
        with pytest.raises(InvalidValueError, match="not a float") as raised:
            Quantity.parse({"amount": amount, "unit": "personnel"})
        assert raised.value.field == "quantity.amount"

    @pytest.mark.parametrize(
        ("raw", "field"),
        [
            ({"amount": "six hundred", "unit": "personnel"}, "quantity.amount"),
            ({"amount": "NaN", "unit": "personnel"}, "quantity.amount"),
            ({"amount": "Infinity", "unit": "personnel"}, "quantity.amount"),
            ({"amount": "-1", "unit": "personnel"}, "quantity.amount"),
            ({"amount": "1", "unit": ""}, "quantity.unit"),
            ({"amount": "1", "unit": "9lives"}, "quantity.unit"),
            ({"amount": "1", "unit": "x" * 33}, "quantity.unit"),
            ({"amount": "1", "unit": 5}, "quantity.unit"),
            ({"amount": "1"}, "quantity"),
            ({"amount": "1", "unit": "CAD", "extra": 1}, "quantity"),
            ("600 personnel", "quantity"),
        ],
    )
    def test_parse_refuses_bad_amounts_and_units(self, raw: object, field: str) -> None:
        with pytest.raises(InvalidValueError) as raised:
            Quantity.parse(raw)
        assert raised.value.field == field

    def test_parse_names_the_field_it_reads(self) -> None:
        with pytest.raises(InvalidValueError) as raised:
            Quantity.parse({"amount": "1", "unit": "?"}, "delivered")
        assert raised.value.field == "delivered.unit"

    def test_constructor_refuses_a_float_amount(self) -> None:
        with pytest.raises(InvalidValueError):
            Quantity(1.5, "personnel")  # type: ignore[arg-type]

    def test_as_dict_is_exact(self) -> None:
        assert Quantity(Decimal("450000000.00"), "CAD").as_dict() == {
            "amount": "450000000.00",
            "unit": "CAD",
        }


class TestPriority:
    def test_parse(self) -> None:
        assert Priority.parse({"code": "preventive-diplomacy", "title": "PD"}) == Priority(
            "preventive-diplomacy", english("PD")
        )

    @pytest.mark.parametrize(
        "raw",
        [
            {"code": "Preventive Diplomacy", "title": "PD"},
            {"code": "x-", "title": "PD"},
            {"code": "a" * 65, "title": "PD"},
            {"code": "ok", "title": " "},
            {"code": "ok"},
            "ok",
        ],
    )
    def test_parse_refuses(self, raw: object) -> None:
        with pytest.raises(InvalidValueError):
            Priority.parse(raw)


@pytest.mark.parametrize("value", ["FR", "CA", "US"])
def test_party_code_accepts_alpha_2(value: str) -> None:
    assert party_code(value) == value


@pytest.mark.parametrize("value", ["fr", "FRA", "F", "", "F1", 33])
def test_party_code_refuses(value: Any) -> None:
    with pytest.raises(InvalidValueError) as raised:
        party_code(value, "from_party")
    assert raised.value.field == "from_party"


def test_priority_code() -> None:
    assert priority_code("civilians-and-women") == "civilians-and-women"
    with pytest.raises(InvalidValueError):
        priority_code("civilians and women")


def test_text_limits() -> None:
    assert text("x", "title") == "x"
    with pytest.raises(InvalidValueError, match="non-empty") as raised:
        text("  ", "title")
    assert raised.value.field == "title"
    with pytest.raises(InvalidValueError, match="longer than 3"):
        text("abcd", "title", limit=3)
    assert optional_text(None, "note") is None
    assert optional_text("", "note") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("a\x00b", "U+0000"),
        ("\x1b[31m", "U+001B"),
        ("\r", "U+000D"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\u202e", "U+202E"),
        ("\u2066", "U+2066"),
        ("\u200b", "U+200B"),
        ("\ufeff", "U+FEFF"),
        ("\ud800", "U+D800"),
    ],
)
def test_text_refuses_control_bidi_and_invisible_characters(value: str, code: str) -> None:
    for limit in (500, 10_000):  # short and long texts alike
        with pytest.raises(InvalidValueError, match=re.escape(code)) as raised:
            text(f"ok {value} ok", "priorities.title", limit=limit)
        assert raised.value.field == "priorities.title"
    with pytest.raises(InvalidValueError, match=re.escape(code)):
        Priority.parse({"code": "operations-support", "title": f"x{value}"})
    with pytest.raises(InvalidValueError, match=re.escape(code)):
        optional_text(value, "note")


def test_only_long_texts_hold_tabs_and_line_feeds() -> None:
    assert text("one\n\ttwo", "summary") == "one\n\ttwo"
    with pytest.raises(InvalidValueError, match="only long texts may span lines"):
        text("one\ntwo", "title", limit=500)
    assert text("Déploiement « 600 » 🇨🇦", "title", limit=500) == "Déploiement « 600 » 🇨🇦"


def test_date_range() -> None:
    date_range(date(2016, 10, 26), date(2016, 10, 26))
    with pytest.raises(InvalidValueError) as raised:
        date_range(date(2016, 10, 27), date(2016, 10, 26))
    assert raised.value.field == "ends_on"


class TestActor:
    def test_an_official_acts_only_for_their_party(self) -> None:
        FR_OFFICIAL.require_party("FR")
        with pytest.raises(NotYourPartyError, match="FR cannot act for CA"):
            FR_OFFICIAL.require_party("CA")

    def test_an_admin_acts_for_any_party(self) -> None:
        ADMIN.require_party("CA")
        ADMIN.require_one_of(("FR", "CA"))
        assert ADMIN.is_admin
        assert not FR_OFFICIAL.is_admin

    @pytest.mark.parametrize("actor", [AUDITOR, FR_AUDITOR])
    def test_readers_do_not_write(self, actor: Actor) -> None:
        with pytest.raises(NotAuthorisedError) as raised:
            actor.require_party("FR")
        assert type(raised.value) is NotAuthorisedError

    def test_an_official_token_names_a_party(self) -> None:
        partyless = Actor("x", None, frozenset({Role.OFFICIAL}))
        with pytest.raises(NotAuthorisedError, match="must name their party"):
            partyless.require_writer()

    def test_acting_party(self) -> None:
        assert CA_OFFICIAL.acting_party() == "CA"
        assert CA_OFFICIAL.acting_party("CA") == "CA"
        assert ADMIN.acting_party("FR") == "FR"
        with pytest.raises(NotYourPartyError):
            CA_OFFICIAL.acting_party("FR")
        with pytest.raises(InvalidValueError, match="the token names no party") as raised:
            ADMIN.acting_party()
        assert raised.value.field == "party"
        with pytest.raises(InvalidValueError):
            ADMIN.acting_party("fr")

    def test_require_one_of(self) -> None:
        CA_OFFICIAL.require_one_of(("FR", "CA"))
        with pytest.raises(NotYourPartyError, match="only FR may"):
            CA_OFFICIAL.require_one_of(("FR",))


class TestContext:
    def test_metadata_defaults_effective_on_to_the_recording_day(self) -> None:
        metadata = Context(FR_OFFICIAL, recorded_at=RECORDED_AT).metadata()
        assert metadata == {
            "timestamp": RECORDED_AT,
            "effective_on": date(2026, 3, 2),
            "actor": "fr-official",
            "actor_party": "FR",
            "authority": None,
            "note": None,
        }

    def test_metadata_keeps_a_past_effective_on_and_references(self) -> None:
        context = Context(
            ADMIN,
            recorded_at=RECORDED_AT,
            effective_on=date(2016, 8, 26),
            authority="Order in council 2016-0815",
            note="entered from the archive",
        )
        metadata = context.metadata()
        assert metadata["effective_on"] == date(2016, 8, 26)
        assert metadata["actor_party"] is None
        assert metadata["authority"] == "Order in council 2016-0815"
        assert metadata["note"] == english("entered from the archive")

    def test_metadata_refuses_a_future_effective_on(self) -> None:
        context = Context(FR_OFFICIAL, recorded_at=RECORDED_AT, effective_on=date(2026, 3, 3))
        with pytest.raises(InvalidValueError, match="cannot be later") as raised:
            context.metadata()
        assert raised.value.field == "effective_on"

    def test_the_recording_day_is_the_clock_day(self) -> None:
        late = datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)
        assert Context(FR_OFFICIAL, late, effective_on=date(2026, 3, 2)).metadata()[
            "effective_on"
        ] == date(2026, 3, 2)

    def test_metadata_refuses_an_overlong_authority(self) -> None:
        context = Context(FR_OFFICIAL, RECORDED_AT, authority="a" * 501)
        with pytest.raises(InvalidValueError) as raised:
            context.metadata()
        assert raised.value.field == "authority"
