"""Value objects shared by the aggregates: who acts, quantities, priorities, vocabularies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.model.errors import InvalidValueError, NotAuthorisedError, NotYourPartyError
from domain.model.texts import (
    DEFAULT_LANG,
    Lang,
    Text,
    TextInput,
    bilingual,
)

_PARTY = re.compile(r"^[A-Z]{2}$")
_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UNIT = re.compile(r"^[A-Za-z][A-Za-z0-9 _/.-]{0,31}$")
TEXT_MAX = 10_000
CODE_MAX = 64


class Role(StrEnum):
    OFFICIAL = "official"
    AUDITOR = "auditor"
    REPORTER = "reporter"
    ADMIN = "admin"


class PledgeKind(StrEnum):
    PERSONNEL = "personnel"
    POLICE = "police"
    FUNDING = "funding"
    TRAINING = "training"
    EQUIPMENT = "equipment"
    HOSTING = "hosting"
    OTHER = "other"


class ConsultationKind(StrEnum):
    BILATERAL = "bilateral"
    MINISTERIAL_CONFERENCE = "ministerial-conference"
    WORKING_GROUP = "working-group"
    LEADERS_MEETING = "leaders-meeting"


class ExchangeCategory(StrEnum):
    DIPLOMAT = "diplomat"
    CIVILIAN_EXPERT = "civilian-expert"
    MILITARY_EXPERT = "military-expert"
    #: The roadmap's support to operations names their "policing aspects".
    POLICE_EXPERT = "police-expert"


class ReformResult(StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"


class Marking(StrEnum):
    """How an assessment may be handled. The ledger is an unclassified bilateral record, so it
    holds no classified marking (confidential and above stay in the parties' own systems);
    `restricted` is the highest handling caveat an unclassified record may carry."""

    UNCLASSIFIED = "unclassified"
    RESTRICTED = "restricted"


def read_columns(**columns: str) -> dict[str, Any]:
    """Field metadata: the columns a read model flattens this state field into.

    Each column names an attribute path within the field's value (`"amount"` of a Quantity), or
    `""` for the whole value (kept as JSON when it is a collection). Scalar fields need none:
    they become a column of their own name; other collections stay in the item's public JSON.
    """
    return {"read_columns": columns}


def party_code(value: str, field_name: str = "party") -> str:
    """An ISO 3166 alpha-2 code, upper case."""
    if not isinstance(value, str) or not _PARTY.match(value):
        msg = f"{field_name} must be an ISO 3166 alpha-2 code such as 'FR' or 'CA'"
        raise InvalidValueError(msg, field=field_name)
    return value


def priority_code(value: str, field_name: str = "priorities") -> str:
    if not isinstance(value, str) or not _CODE.match(value) or len(value) > CODE_MAX:
        msg = f"{field_name}: {value!r} is not a priority code (lower-case words joined by '-')"
        raise InvalidValueError(msg, field=field_name)
    return value


#: Texts longer than this may hold tabs and line breaks; shorter ones (titles, names) may not.
SHORT_TEXT_MAX = 500
#: Characters no text may hold besides the C0/C1 controls: bidirectional overrides, embeddings,
#: isolates and marks, which can make a record read differently from what it holds; invisible
#: characters that hide a difference between two equal-looking texts; and non-characters.
_INVISIBLE = {
    0x061C: "an Arabic letter mark",
    0x200B: "a zero width space",
    0x200E: "a left-to-right mark",
    0x200F: "a right-to-left mark",
    **dict.fromkeys(range(8234, 8239), "a bidirectional embedding or override"),
    **dict.fromkeys(range(8288, 8293), "an invisible operator or word joiner"),
    **dict.fromkeys(range(8294, 8298), "a bidirectional isolate"),
    0xFEFF: "a zero width no-break space (byte order mark)",
    0xFFFE: "a non-character",
    0xFFFF: "a non-character",
}
_REFUSED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    + "".join(re.escape(chr(c)) for c in _INVISIBLE)
    + "]"
)
_LINE_BREAKS = re.compile("[\t\n]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def check_characters(value: str, field_name: str, *, multiline: bool = False) -> str:
    """`value` if it holds only characters a text of the record may hold, else a named error.

    Refused: the C0 and C1 control characters (a long text, `multiline`, may hold tabs and line
    feeds), lone surrogates, bidirectional controls, invisible characters and non-characters.
    Checks one string: a text given in several languages is checked once per language.
    """
    found = _REFUSED.search(value)
    if found is None and not multiline:
        found = _LINE_BREAKS.search(value)
    if found is None:
        return value
    code = ord(found.group())
    what = _INVISIBLE.get(code) or (
        "a lone surrogate" if _SURROGATES.match(found.group()) else "a control character"
    )
    where = f"at character {found.start() + 1}"
    hint = "" if multiline or code not in (0x09, 0x0A) else " (only long texts may span lines)"
    msg = f"{field_name} holds U+{code:04X}, {what}, {where}{hint}"
    raise InvalidValueError(msg, field=field_name)


def text(value: str, field_name: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidValueError(f"{field_name} must be a non-empty text", field=field_name)
    if len(value) > limit:
        raise InvalidValueError(f"{field_name} is longer than {limit} characters", field=field_name)
    return check_characters(value, field_name, multiline=limit > SHORT_TEXT_MAX)


def optional_text(value: str | None, field_name: str, limit: int = TEXT_MAX) -> str | None:
    return None if value is None else text(value, field_name, required=False, limit=limit)


def date_range(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidValueError("ends_on is before starts_on", field="ends_on")


@dataclass(frozen=True)
class Quantity:
    """An exact amount and its unit: `600 personnel`, `450000000 CAD`."""

    amount: Decimal
    unit: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise InvalidValueError("amount must be a finite decimal", field="amount")
        if self.amount < 0:
            raise InvalidValueError("amount must not be negative", field="amount")
        if not isinstance(self.unit, str) or not _UNIT.match(self.unit):
            raise InvalidValueError("unit must be a short word such as 'personnel'", field="unit")

    @classmethod
    def parse(cls, value: Any, field_name: str = "quantity") -> Quantity:
        """From `{"amount": "600", "unit": "personnel"}`; floats are refused as inexact."""
        if isinstance(value, Quantity):
            return value
        if not isinstance(value, dict) or set(value) != {"amount", "unit"}:
            msg = f"{field_name} must be an object with 'amount' and 'unit'"
            raise InvalidValueError(msg, field=field_name)
        amount = value["amount"]
        if isinstance(amount, bool | float):
            msg = f"{field_name}.amount must be a decimal string or an integer, not a float"
            raise InvalidValueError(msg, field=f"{field_name}.amount")
        try:
            decimal = Decimal(str(amount))
        except InvalidOperation:
            msg = f"{field_name}.amount is not a decimal number"
            raise InvalidValueError(msg, field=f"{field_name}.amount") from None
        try:
            return cls(decimal, value["unit"])
        except InvalidValueError as error:
            raise InvalidValueError(error.message, field=f"{field_name}.{error.field}") from None

    def as_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "unit": self.unit}


def text_of(value: TextInput, field_name: str, *, lang: Lang, limit: int = TEXT_MAX) -> Text:
    """A required free text of a command, in English, French or both (see domain.model.texts)."""

    def check(single: Any, name: str) -> str:
        return text(single, name, limit=limit)

    return bilingual(value, field_name, lang=lang, check=check)


def optional_text_of(
    value: TextInput | None, field_name: str, *, lang: Lang, limit: int = TEXT_MAX
) -> Text | None:
    return None if value is None else text_of(value, field_name, lang=lang, limit=limit)


@dataclass(frozen=True)
class Priority:
    code: str
    title: Text

    @classmethod
    def parse(cls, value: Any, lang: Lang = DEFAULT_LANG) -> Priority:
        if isinstance(value, Priority):
            return value
        if not isinstance(value, dict) or set(value) != {"code", "title"}:
            raise InvalidValueError(
                "a priority is an object with 'code' and 'title'", field="priorities"
            )
        title = text_of(value["title"], "priorities.title", lang=lang, limit=500)
        return cls(priority_code(value["code"]), title)


@dataclass(frozen=True)
class Actor:
    """Who sends a command, from the bearer token: never from the request body."""

    subject: str
    party: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def require_writer(self) -> None:
        if not self.roles & {Role.OFFICIAL, Role.ADMIN}:
            raise NotAuthorisedError("only officials and admins record actions")
        if not self.is_admin and self.party is None:
            raise NotAuthorisedError("an official's token must name their party")

    def require_party(self, party: str) -> None:
        """An official acts only for their own party; an admin for any."""
        self.require_writer()
        if not self.is_admin and self.party != party:
            msg = f"an official of {self.party} cannot act for {party}"
            raise NotYourPartyError(msg)

    def acting_party(self, named: str | None = None, field_name: str = "party") -> str:
        """The party an action is taken for: the one named, else the token's own."""
        party = named if named is not None else self.party
        if party is None:
            msg = f"{field_name} is required: the token names no party"
            raise InvalidValueError(msg, field=field_name)
        party = party_code(party, field_name)
        self.require_party(party)
        return party

    def require_one_of(self, parties: tuple[str, ...] | frozenset[str]) -> None:
        self.require_writer()
        if not self.is_admin and self.party not in parties:
            msg = f"only {', '.join(sorted(parties))} may take this step"
            raise NotYourPartyError(msg)


@dataclass(frozen=True)
class Context:
    """What every command carries besides its payload; `recorded_at` is the server's clock."""

    actor: Actor
    recorded_at: datetime
    effective_on: date | None = None
    authority: str | None = None
    note: TextInput | None = None
    #: The language the command's texts are written in (`Content-Language`).
    lang: Lang = DEFAULT_LANG

    def after(self, moment: datetime) -> Context:
        """This context, its clock moved just past `moment`: an item's recorded times increase."""
        if self.recorded_at > moment:
            return self
        return replace(self, recorded_at=moment + timedelta(microseconds=1))

    def metadata(self) -> dict[str, Any]:
        effective_on = self.effective_on or self.recorded_at.date()
        if effective_on > self.recorded_at.date():
            msg = "effective_on cannot be later than the day the action is recorded"
            raise InvalidValueError(msg, field="effective_on")
        return {
            "timestamp": self.recorded_at,
            "effective_on": effective_on,
            "actor": self.actor.subject,
            "actor_party": self.actor.party,
            "authority": optional_text(self.authority, "authority", 500),
            "note": optional_text_of(self.note, "note", lang=self.lang),
        }

    def text(self, value: TextInput, field_name: str, *, limit: int = TEXT_MAX) -> Text:
        """A free text of this command, in its language unless it names both."""
        return text_of(value, field_name, lang=self.lang, limit=limit)

    def optional_text(
        self, value: TextInput | None, field_name: str, *, limit: int = TEXT_MAX
    ) -> Text | None:
        return optional_text_of(value, field_name, lang=self.lang, limit=limit)
