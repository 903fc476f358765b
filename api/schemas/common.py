"""Field types every body shares: exact quantities, ISO dates, bounded texts, command meta."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from domain.model.errors import InvalidValueError
from domain.model.values import Quantity, check_characters

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(
    r"(?P<day>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2}| \d{2}:\d{2})"
)
AMOUNT_INT_MAX = 2**53 - 1  # exact in every JSON parser
_AMOUNT = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,10})?")
UNIT_PATTERN = r"^[A-Za-z][A-Za-z0-9 _/.-]{0,31}$"
PARTY_PATTERN = r"^[A-Z]{2}$"
PRIORITY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _day(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DAY.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a date of the calendar") from None


def _instant(value: object) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    match = _INSTANT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        msg = "must be an RFC 3339 time with a timezone, e.g. 2017-01-01T00:00:00Z"
        if isinstance(value, str) and " " in value:
            msg += " (in a query string, write the + of an offset as %2B)"
        raise ValueError(msg)
    fraction = f".{match['fraction'][:6].ljust(6, '0')}" if match["fraction"] else ""
    # A space before the offset is the + of an unescaped query string, decoded: `+01:00`.
    zone = "+00:00" if match["zone"] in "Zz" else match["zone"].replace(" ", "+")
    try:
        moment = datetime.fromisoformat(f"{match['day']}T{match['time']}{fraction}{zone}")
    except ValueError:
        raise ValueError(f"{value} is not a moment of the calendar") from None
    try:
        moment.astimezone(UTC)  # the stores keep UTC: years 1 to 9999 there too
    except OverflowError:
        msg = f"{value} is outside the years 0001 to 9999 once in UTC"
        raise ValueError(msg) from None
    return moment


def _amount(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        msg = 'must be a decimal string such as "600" or "1.5", or an integer; floats are '
        msg += "refused because they are not exact"
        raise ValueError(msg)  # noqa: TRY004 - pydantic wants ValueError
    if isinstance(value, int) and value > AMOUNT_INT_MAX:
        raise ValueError(f"an integer amount is at most {AMOUNT_INT_MAX}; send larger ones as text")
    text = str(value) if isinstance(value, str) else format(value, "d")
    if text.startswith("-"):
        raise ValueError("must not be negative")
    if not _AMOUNT.fullmatch(text):
        raise ValueError('must be digits with an optional \'.\' fraction, e.g. "600" or "1.5"')
    return text


def _characters(multiline: bool) -> Callable[[str], str]:
    """The domain's check of a text's characters, as a pydantic validator (422 naming the field)."""

    def check(value: str) -> str:
        try:
            return check_characters(value, "the text", multiline=multiline)
        except InvalidValueError as error:
            raise ValueError(error.message.removeprefix("the text ")) from None

    return check


_one_line = AfterValidator(_characters(multiline=False))
_lines = AfterValidator(_characters(multiline=True))


#: A calendar date, `YYYY-MM-DD` only (no timestamps, no numbers).
Day = Annotated[
    date,
    PlainValidator(_day),
    PlainSerializer(date.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2016-10-13"]}),
]
#: A moment, RFC 3339 with a timezone (`Z` or `+hh:mm`; in a query string `+` is `%2B`, and an
#: unescaped `+`, which arrives as a space, is taken for the `+` it was).
Instant = Annotated[
    datetime,
    PlainValidator(_instant),
    PlainSerializer(datetime.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2017-01-01T00:00:00Z"]}),
]
#: An exact amount: a decimal string or an integer, never a float.
Amount = Annotated[
    str,
    PlainValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^[0-9]{1,30}(\.[0-9]{1,10})?$"},
                {"type": "integer", "minimum": 0, "maximum": AMOUNT_INT_MAX},
            ],
            "examples": ["600", 450000000],
        }
    ),
]
Party = Annotated[str, Field(pattern=PARTY_PATTERN, examples=["FR"])]
PriorityCode = Annotated[str, Field(pattern=PRIORITY_PATTERN, max_length=64)]
Priorities = Annotated[list[PriorityCode], Field(max_length=50)]
# Texts: no control characters (long texts may hold tabs and line feeds), no lone surrogates,
# no bidirectional controls or invisible characters (domain.model.values.check_characters).
ShortText = Annotated[str, Field(min_length=1, max_length=200), _one_line]
Authority = Annotated[str, Field(max_length=500), _one_line]


class _Texts:
    """A free text of a request: a string in its `Content-Language`, or `{"en": …, "fr": …}`
    with at least one of them. One validator, so an error names the field, not a union arm."""

    def __init__(self, min_length: int, max_length: int, *, multiline: bool) -> None:
        self.min_length, self.max_length = min_length, max_length
        self.characters = _characters(multiline=multiline)

    def _one(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{where}must be a string, or an object of en and fr strings")  # noqa: TRY004 - pydantic reports ValueError only
        if not self.min_length <= len(value) <= self.max_length:
            if len(value) < self.min_length:
                raise ValueError(f"{where}must not be empty")
            raise ValueError(f"{where}must be at most {self.max_length} characters")
        return self.characters(value)

    def __call__(self, value: Any) -> str | dict[str, str]:
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"en", "fr"})
            if unknown:
                raise ValueError(f"has {', '.join(map(str, unknown))}: only en and fr are kept")
            if not value:
                raise ValueError("needs a text in en or fr")
            return {k: self._one(v, f"{k} ") for k, v in value.items()}
        return self._one(value, "")

    def schema(self, example: dict[str, str]) -> dict[str, Any]:
        one = {"type": "string", "minLength": self.min_length, "maxLength": self.max_length}
        forms = {
            "type": "object",
            "properties": {"en": one, "fr": one},
            "additionalProperties": False,
            "minProperties": 1,
            "description": "The text by language: en, fr or both.",
        }
        return {"anyOf": [one, forms], "examples": [example["en"], example]}


_TITLE = _Texts(1, 500, multiline=False)
_SHORT = _Texts(1, 200, multiline=False)
_REASON = _Texts(1, 2000, multiline=True)
_LONG = _Texts(1, 10_000, multiline=True)
_NOTE = _Texts(0, 10_000, multiline=True)
Title = Annotated[
    str | dict[str, str],
    PlainValidator(_TITLE),
    WithJsonSchema(_TITLE.schema({"en": "Train peacekeepers", "fr": "Former des Casques bleus"})),
]
BilingualShort = Annotated[
    str | dict[str, str],
    PlainValidator(_SHORT),
    WithJsonSchema(_SHORT.schema({"en": "Paris", "fr": "Paris"})),
]
Reason = Annotated[
    str | dict[str, str],
    PlainValidator(_REASON),
    WithJsonSchema(_REASON.schema({"en": "Budget moved", "fr": "Budget réaffecté"})),
]
LongText = Annotated[
    str | dict[str, str],
    PlainValidator(_LONG),
    WithJsonSchema(_LONG.schema({"en": "Agreed in Paris", "fr": "Convenu à Paris"})),
]
Note = Annotated[
    str | dict[str, str],
    PlainValidator(_NOTE),
    WithJsonSchema(_NOTE.schema({"en": "As agreed", "fr": "Comme convenu"})),
]


class Translations(BaseModel):
    """A text's forms: English and French, a missing one null."""

    en: str | None
    fr: str | None


class CommandBody(BaseModel):
    """What every command takes besides its payload; who acts comes from the token."""

    model_config = ConfigDict(extra="forbid")

    effective_on: Day | None = Field(
        default=None, description="When the action took effect (default: the day recorded)."
    )
    authority: Authority | None = Field(
        default=None, description="The document or mandate the action rests on."
    )
    note: Note | None = None


class StepBody(CommandBody):
    """A step that carries nothing but the optional `effective_on`, `authority` and `note`."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"effective_on": "2016-10-27", "note": "as agreed"}]}
    )


class QuantityIn(BaseModel):
    """An exact amount and its unit: `{"amount": "600", "unit": "personnel"}`."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount
    unit: Annotated[str, Field(pattern=UNIT_PATTERN, examples=["personnel", "CAD"])]

    def to_domain(self, field: str) -> Quantity:
        return Quantity.parse({"amount": self.amount, "unit": self.unit}, field)


class CommandAnswer(BaseModel):
    """Every command's answer: the item, its new version, and the log position of the event."""

    id: UUID
    version: int
    position: int


# --- answers of reads: values pass through exactly as the domain renders them ----------------

UuidText = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
DayText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
InstantText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class QuantityPublic(BaseModel):
    amount: str
    unit: str


class ItemPublic(BaseModel):
    """Fields every item read answers besides its own."""

    id: UuidText
    version: int = Field(description="The item's latest version (also its ETag).")
    void: bool = Field(description="True once the item's creation was retracted.")
    recorded_at: InstantText
    updated_at: InstantText
    effective_on: DayText
