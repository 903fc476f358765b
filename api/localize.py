"""Answers in the caller's language: each text as a string, with all its forms beside it.

A text of the record reads `{"en": …, "fr": …, "lang": …}`. An answer gives it as one string in
the negotiated language (falling back to the language it was written in) and adds
`<field>_translated: {"en", "fr"}` — the convention of Canada's open-government data portal
(CKAN `fluent`), a missing translation `null`. Texts recorded before the record was bilingual
are plain strings: English.
"""

from __future__ import annotations

from typing import Any

from api.language import LANGUAGES, Language
from domain.model.item import TEXT_FIELDS

_TEXT_KEYS = frozenset({"en", "fr", "lang"})
#: Texts of the record besides those of events: priority titles, notes.
_NAMED_TEXTS = TEXT_FIELDS | {"note"}


def _is_text(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() == _TEXT_KEYS


def _best(text: dict[str, Any], lang: str) -> str:
    found = text.get(lang)
    return str(found if found is not None else text[text["lang"]])


def localize(value: Any, lang: str) -> Any:
    """The value with every text of it in `lang`, and its forms under `<field>_translated`."""
    if isinstance(value, list):
        return [localize(v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    answer: dict[str, Any] = {}
    for key, item in value.items():
        if _is_text(item):
            answer[key] = _best(item, lang)
            answer[f"{key}_translated"] = {"en": item["en"], "fr": item["fr"]}
        elif isinstance(item, str) and key in _NAMED_TEXTS:
            answer[key] = item
            answer[f"{key}_translated"] = {"en": item, "fr": None}
        elif item is None and key in _NAMED_TEXTS:
            answer[key] = answer[f"{key}_translated"] = None
        else:
            answer[key] = localize(item, lang)
    return answer


def summarized(entry: dict[str, Any], lang: Language) -> dict[str, Any]:
    """An audit entry with its summary in `lang`, and in both languages beside it."""
    # Imported here: the command line's quick commands localize without the read side.
    from projections.audit.summary import summarize  # noqa: PLC0415

    forms = {
        each: summarize(
            entry["item_kind"],
            entry["event_type"],
            entry["data"],
            entry["actor"],
            entry["actor_party"],
            lang=each,
        )
        for each in LANGUAGES
    }
    return {**entry, "summary": forms[lang], "summary_translated": forms}
