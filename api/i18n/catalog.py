"""Translating English messages by their shape: an English template, matched whole, and the
template of the same message in another language, filled with the values the English carried.

A template names each value it carries: `{id:uuid}`, `{status:status_f}`, or plainly `{field}`.
The part after the colon is a `Slot` kind: the pattern the value has in the English text and
the words it gives the translation (`{noun}` of kind `noun` gives `{noun_le}`, `{noun_aucun}` …).
A value of no kind is any text, carried over as it is.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: What stands for "some value" in a message template read from source code (tests).
HOLE = "\ue000"


def verbatim(name: str, value: str) -> dict[str, str]:
    return {name: value}


@dataclass(frozen=True)
class Slot:
    """A kind of value: its English pattern and the forms it gives the translation."""

    pattern: str = r".*?"
    sample: str = "x"
    forms: Callable[[str, str], Mapping[str, str]] = verbatim


TEXT = Slot()


@dataclass(frozen=True)
class Phrase:
    """One English message shape and its translation."""

    english: str
    translated: str
    slots: Mapping[str, Slot] = field(default_factory=dict, repr=False)

    def parts(self) -> list[tuple[str, str | None, Slot]]:
        """(literal text, name of the value after it or None, its kind)."""
        out: list[tuple[str, str | None, Slot]] = []
        for literal, name, spec, _ in string.Formatter().parse(self.english):
            out.append((literal, name, self.slots.get(spec or "", TEXT)))
        return out

    def regex(self, *, holes: bool = False) -> re.Pattern[str]:
        """The English shape; with `holes`, each value may also be a HOLE (a source template)."""
        pattern = ""
        for literal, name, slot in self.parts():
            pattern += re.escape(literal)
            if name is not None:
                value = f"{slot.pattern}|{HOLE}" if holes else slot.pattern
                pattern += f"(?P<{name}>{value})"
        return re.compile(pattern, re.DOTALL)

    def sample(self) -> str:
        """An English message of this shape, each value its kind's sample."""
        return "".join(
            literal + ("" if name is None else slot.sample) for literal, name, slot in self.parts()
        )

    def render(self, match: re.Match[str]) -> str:
        words: dict[str, str] = {}
        for _, name, slot in self.parts():
            if name is not None:
                words.update(slot.forms(name, match.group(name)))
        return self.translated.format_map(words)


class Catalog:
    """Phrases tried in order; the first whose English shape matches the whole message wins."""

    def __init__(self, phrases: Iterable[tuple[str, str]], slots: Mapping[str, Slot]) -> None:
        self.phrases: Sequence[Phrase] = tuple(Phrase(e, t, slots) for e, t in phrases)
        self._compiled = [(phrase, phrase.regex()) for phrase in self.phrases]

    def translate(self, message: str) -> str | None:
        for phrase, regex in self._compiled:
            match = regex.fullmatch(message)
            if match is not None:
                return phrase.render(match)
        return None

    def covering(self, template: str) -> Phrase | None:
        """The phrase that translates every message of a source template (values as HOLE)."""
        for phrase in self.phrases:
            if phrase.regex(holes=True).fullmatch(template):
                return phrase
        return None
