"""Free texts in English and French: what was written, in which language, and its translation.

France and Canada keep their records in both languages. A text knows the language it was written
in (the fallback of every answer) and may gain the other language later, by a translation event
that never counts as a change of substance. Events recorded before texts were bilingual hold
plain strings: they read as English (`as_text`), and are never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from domain.model.errors import InvalidValueError

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")
DEFAULT_LANG: Lang = "en"


@dataclass(frozen=True)
class Text:
    en: str | None
    fr: str | None
    #: The language it was written in: always present, and the answer when the other is not.
    lang: Lang = DEFAULT_LANG

    def __post_init__(self) -> None:
        if self.lang not in LANGS or self.get(self.lang) is None:
            msg = f"a text written in {self.lang!r} needs its {self.lang!r} form"
            raise ValueError(msg)

    def get(self, lang: str) -> str | None:
        return self.fr if lang == "fr" else self.en if lang == "en" else None

    def best(self, lang: str) -> str:
        """The text in `lang`, or as it was written when it has no `lang` form yet."""
        found = self.get(lang)
        return found if found is not None else str(self.get(self.lang))

    def translated(self, lang: Lang, text: str) -> Text:
        if lang == "en":
            return replace(self, en=text)
        return replace(self, fr=text)

    def __str__(self) -> str:
        return self.best(self.lang)


def english(value: str) -> Text:
    return Text(en=value, fr=None, lang="en")


def as_text(value: Text | str) -> Text:
    """A text of the record; a plain string is one recorded before texts were bilingual."""
    return value if isinstance(value, Text) else english(value)


def as_optional_text(value: Text | str | None) -> Text | None:
    return None if value is None else as_text(value)


def read_as_english(state: dict[str, Any], *names: str) -> None:
    """Reads the plain strings of `note` (on every event) and of `names` as English texts.

    Stored events stay as they were written: this runs when a release reads one (an upcaster),
    and the audit trail's leaves are computed from the record.
    """
    for name in ("note", *names):
        value = state.get(name)
        if isinstance(value, str):
            state[name] = english(value)


def upcast_texts(*names: str) -> Any:
    """An upcaster (`upcast_v1_v2`) reading the plain strings of `names` as English texts."""

    def upcast(state: dict[str, Any]) -> None:
        read_as_english(state, *names)

    return staticmethod(upcast)


TextInput = Text | str | Mapping[Any, Any]


def bilingual(
    value: TextInput,
    field_name: str,
    *,
    lang: Lang,
    check: Any,
) -> Text:
    """A text from a command: a string in the request's language, or `{"en": …, "fr": …}` with
    at least one of them. `check(text, field)` validates each language's string."""
    if isinstance(value, Text):
        forms = {"en": value.en, "fr": value.fr}
        written: str = value.lang
    elif isinstance(value, str):
        forms, written = {lang: value}, lang
    elif isinstance(value, Mapping):
        unknown = sorted(set(value) - {*LANGS, "lang"})
        if unknown:
            msg = f"{field_name} has texts in {', '.join(unknown)}: only en and fr are kept"
            raise InvalidValueError(msg, field=f"{field_name}.{unknown[0]}")
        forms = {k: v for k, v in value.items() if k in LANGS and v is not None}
        if not forms:
            msg = f"{field_name} needs a text in en or fr"
            raise InvalidValueError(msg, field=field_name)
        # "lang" names the language it was written in (a text as the record shows it).
        named = value.get("lang")
        if named is not None and named not in forms:
            msg = f"{field_name}.lang must name one of its texts ({', '.join(forms)})"
            raise InvalidValueError(msg, field=f"{field_name}.lang")
        written = named or (lang if lang in forms else next(k for k in LANGS if k in forms))
    else:
        raise InvalidValueError(f"{field_name} must be a text", field=field_name)
    checked = {
        k: check(v, f"{field_name}.{k}" if not isinstance(value, str) else field_name)
        for k, v in forms.items()
        if v is not None
    }
    return Text(en=checked.get("en"), fr=checked.get("fr"), lang=written)  # type: ignore[arg-type]
