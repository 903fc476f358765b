"""The base of every aggregate: event metadata, entries, corrections and retractions."""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import Aggregate

from domain.model.coerce import coerce
from domain.model.errors import (
    EventAlreadyRetractedError,
    InvalidCorrectionError,
    InvalidTranslationError,
    ItemRetractedError,
    NotYourPartyError,
)
from domain.model.history import AMENDMENTS, CREATION_VERSION, RETRACTED, Entry, View, view
from domain.model.texts import (
    LANGS,
    Text,
    TextInput,
    as_text,
    english,
    read_as_english,
    upcast_texts,
)
from domain.model.values import Context, text

S = typing.TypeVar("S")

#: How an item's state changes on one kind of event: (state before, entry) → state after.
Handler = Callable[[Any, Entry], Any]


class UnhandledEventError(TypeError):
    """An aggregate declares an event class that no handler folds into its state."""


def evolves(*events: type) -> Callable[[Callable[..., S]], staticmethod[..., S]]:
    """Declares a static function as the fold of these event classes into the state.

    Dispatch is by class, and every aggregate must cover each event class it declares (checked
    when the class is defined), so an event added or renamed without a handler cannot be
    skipped silently on replay.
    """

    def mark(handler: Callable[..., S]) -> staticmethod[..., S]:
        handler.evolves = events  # type: ignore[attr-defined]
        return staticmethod(handler)

    return mark


def own_events(cls: type[Item]) -> list[type[Item.Event]]:
    """The event classes an aggregate declares whose folding is its own business.

    Corrections, retractions and translations are folded by `Item` itself (the entries are
    re-viewed); the
    library gives every aggregate its own `Event` and `Created` bases, which nothing triggers.
    """
    return [
        value
        for name, value in vars(cls).items()
        if isinstance(value, type)
        and issubclass(value, Item.Event)
        and not issubclass(value, Item.Corrected | Item.Retracted | Item.Translated)
        and name not in ("Event", "Created")
    ]


def handler_of(cls: type[Item], event_class: type) -> Handler | None:
    """The handler of an event class or of the class it redefines.

    The library redefines each nested event class as a subclass of the aggregate's own base
    event, so the class a handler names is an ancestor of the class a stored event resolves to.
    """
    return next((cls.handlers[c] for c in event_class.__mro__ if c in cls.handlers), None)


#: Payload fields that hold free texts, wherever they appear (corrections name them too).
TEXT_FIELDS = frozenset({"title", "summary", "text", "reason", "location", "subject"})


def _types_of(hint: Any) -> tuple[Any, ...]:
    """The types a field's hint allows: `Text | None` → (Text, NoneType)."""
    args = typing.get_args(hint)
    return args if args else (hint,)


def require_state(state: S | None, entry: Entry) -> S:
    """The state an entry applies to; an entry before the creation is a corrupt stream."""
    if state is None:
        msg = f"{entry.event_type} (version {entry.version}) precedes the item's creation"
        raise ValueError(msg)
    return state


class Item(Aggregate):
    """An aggregate whose state is a fold of its entries, so a correction can be replayed."""

    #: Payload fields a correction may not change: they say who and where, not what.
    FIXED_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "roadmap_id",
            "consultation_id",
            "party",
            "parties",
            "host_party",
            "from_party",
            "to_party",
            "recorded_by",
        }
    )

    #: The fold of each event class, collected from the `@evolves` functions of the class.
    handlers: ClassVar[dict[type, Handler]] = {}

    if TYPE_CHECKING:  # annotations in the class body would become __init__ arguments
        entries: list[Entry]
        state: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[type, Handler] = {}
        for base in reversed(cls.__mro__):
            for value in vars(base).values():
                function: Handler | None = getattr(value, "__func__", None)
                for event_class in getattr(function, "evolves", ()):
                    handlers[event_class] = value.__func__
        cls.handlers = handlers
        missing = [e.__qualname__ for e in own_events(cls) if handler_of(cls, e) is None]
        if missing:
            msg = f"{cls.__qualname__} has no @evolves handler for {', '.join(missing)}"
            raise UnhandledEventError(msg)

    class Event(Aggregate.Event):
        effective_on: date
        actor: str
        actor_party: str | None
        authority: str | None
        note: Text | None

        def apply(self, aggregate: Item) -> None:
            aggregate.absorb(self)

    class Created(Event, Aggregate.Created):
        def apply(self, aggregate: Item) -> None:
            aggregate.entries = []
            aggregate.state = None
            aggregate.absorb(self)

    class Corrected(Event):
        """A data-entry error fixed: names the earlier event and its corrected fields."""

        class_version = 2
        target_version: int
        changes: dict[str, Any]
        reason: Text

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Texts were plain English strings before: the reason, the note, corrected texts."""
            read_as_english(state, *TEXT_FIELDS)
            changes = state["changes"]
            for name in TEXT_FIELDS & changes.keys():
                if isinstance(changes[name], str):
                    changes[name] = english(changes[name])

    class Retracted(Event):
        """An earlier event voided; retracting the creation voids the whole item."""

        class_version = 2
        target_version: int
        reason: Text

        upcast_v1_v2 = upcast_texts("reason")

    class Translated(Event):
        """A text of an earlier event given in the other language: not a change of substance."""

        class_version = 1
        target_version: int
        field: str
        lang: str
        text: str

    # --- folding -------------------------------------------------------------------------

    @classmethod
    def evolve(cls, state: Any, entry: Entry) -> Any:
        """The state after one entry, by the handler of its event class."""
        event_class = getattr(cls, entry.event_type, None)
        handler = handler_of(cls, event_class) if isinstance(event_class, type) else None
        if event_class is None or handler is None:
            msg = f"{cls.__qualname__} has no handler for {entry.event_type} events"
            raise UnhandledEventError(msg)
        if not issubclass(event_class, Item.Created):
            state = require_state(state, entry)
        return handler(state, entry)

    @classmethod
    def fold(cls, entries: list[Entry]) -> Any:
        state = None
        for entry in entries:
            state = cls.evolve(state, entry)
        return state

    def absorb(self, event: Item.Event) -> None:
        entry = Entry.of(event)
        self.entries.append(entry)
        if entry.event_type in AMENDMENTS:
            self.state = self.fold(view(self.entries).entries)
        else:
            self.state = self.evolve(self.state, entry)

    @property
    def void(self) -> bool:
        return view(self.entries).void

    def view(self, **points: Any) -> View:
        return view(self.entries, **points)

    def require_live(self) -> None:
        if self.void:
            raise ItemRetractedError(f"{type(self).__name__.lower()} {self.id} was retracted")

    # --- corrections ---------------------------------------------------------------------

    def _target(self, version: int, ctx: Context) -> Entry:
        entry = next((e for e in self.entries if e.version == version), None)
        if entry is None or entry.event_type in AMENDMENTS:
            msg = f"version {version} is not a correctable event of this item"
            raise InvalidCorrectionError(msg, field="target_version")
        if any(
            e.event_type == RETRACTED and e.payload["target_version"] in (version, CREATION_VERSION)
            for e in self.entries
        ):
            raise EventAlreadyRetractedError(f"version {version} was retracted already")
        if not ctx.actor.is_admin and ctx.actor.party != entry.actor_party:
            msg = "only the party that recorded an event (or an admin) may correct or retract it"
            raise NotYourPartyError(msg)
        ctx.actor.require_writer()
        return entry

    def _event_class(self, event_type: str) -> type[Any]:
        found: type[Any] = getattr(type(self), event_type)
        return found

    def correct(
        self, target_version: int, changes: dict[str, Any], reason: TextInput, ctx: Context
    ) -> None:
        target = self._target(target_version, ctx)
        if not isinstance(changes, dict) or not changes:
            raise InvalidCorrectionError("changes must name at least one field", field="changes")
        hints = typing.get_type_hints(self._event_class(target.event_type))
        coerced: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "effective_on":
                coerced[name] = coerce(date, value, name)
                if coerced[name] > ctx.recorded_at.date():
                    msg = "changes.effective_on cannot be in the future"
                    raise InvalidCorrectionError(msg, field="changes.effective_on")
                continue
            if name not in target.payload:
                msg = f"{target.event_type} events have no field {name!r}"
                raise InvalidCorrectionError(msg, field=f"changes.{name}")
            if name in self.FIXED_FIELDS:
                msg = f"{name!r} says who or where and cannot be corrected; retract instead"
                raise InvalidCorrectionError(msg, field=f"changes.{name}")
            coerced[name] = coerce(hints[name], value, name, ctx.lang)
        self.validate_correction(target, coerced)
        self.trigger_event(
            self.Corrected,
            target_version=target_version,
            changes=coerced,
            reason=ctx.text(reason, "reason", limit=2000),
            **ctx.metadata(),
        )

    def validate_correction(self, target: Entry, changes: dict[str, Any]) -> None:
        """Aggregate-specific checks on corrected values (priorities, units, dates)."""

    def corrected_payload(self, target: Entry, changes: dict[str, Any]) -> dict[str, Any]:
        """The target's payload as corrected so far, with `changes` on top."""
        current = next((e for e in self.view().entries if e.version == target.version), target)
        return {**current.payload, **changes}

    def require_date_range(self, target: Entry, changes: dict[str, Any]) -> None:
        """A correction of `starts_on`/`ends_on` keeps the range the item was checked against."""
        if not {"starts_on", "ends_on"} & changes.keys():
            return
        fields = self.corrected_payload(target, changes)
        if fields["ends_on"] < fields["starts_on"]:
            name = "ends_on" if "ends_on" in changes else "starts_on"
            msg = "ends_on would be before starts_on"
            raise InvalidCorrectionError(msg, field=f"changes.{name}")

    def retract(self, target_version: int, reason: TextInput, ctx: Context) -> None:
        self._target(target_version, ctx)
        self.trigger_event(
            self.Retracted,
            target_version=target_version,
            reason=ctx.text(reason, "reason", limit=2000),
            **ctx.metadata(),
        )

    # --- translations --------------------------------------------------------------------

    def translate(
        self, target_version: int, field: str, lang: str, translation: str, ctx: Context
    ) -> None:
        """Any writer may translate: a translation says the same thing in the other language,
        so it is not the recording party's to withhold. The original stays as written."""
        ctx.actor.require_writer()
        target = self._translatable(target_version)
        hints = typing.get_type_hints(self._event_class(target.event_type))
        current = self.corrected_payload(target, {}).get(field)
        if field not in target.payload or Text not in _types_of(hints.get(field)):
            msg = f"{target.event_type} events have no text {field!r} to translate"
            raise InvalidTranslationError(msg, field="field")
        if current is None:
            msg = f"{field!r} of version {target_version} is empty: there is nothing to translate"
            raise InvalidTranslationError(msg, field="field")
        if lang not in LANGS:
            msg = f"lang must be one of {', '.join(LANGS)}, not {lang!r}"
            raise InvalidTranslationError(msg, field="lang")
        if as_text(current).lang == lang:
            msg = f"{field!r} was written in {lang}: correct it instead of translating it"
            raise InvalidTranslationError(msg, field="lang")
        self.trigger_event(
            self.Translated,
            target_version=target_version,
            field=field,
            lang=lang,
            text=text(translation, "text", limit=10_000),
            **ctx.metadata(),
        )

    def _translatable(self, version: int) -> Entry:
        entry = next((e for e in self.entries if e.version == version), None)
        if entry is None or entry.event_type in AMENDMENTS:
            msg = f"version {version} is not a translatable event of this item"
            raise InvalidTranslationError(msg, field="target_version")
        if any(
            e.event_type == RETRACTED and e.payload["target_version"] in (version, CREATION_VERSION)
            for e in self.entries
        ):
            raise EventAlreadyRetractedError(f"version {version} was retracted")
        return entry
