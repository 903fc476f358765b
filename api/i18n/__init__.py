"""Problem answers in the caller's language: English as the messages are written, or French.

Messages are raised in English (the model, the application, the API); `say` gives one in the
answer's language, `title` a code's title, `validation` one of pydantic's errors. The French
lives in `api.i18n.fr`, one catalog, so the raise sites stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

from api.i18n import fr
from api.language import Language


def title(code: str, english: str, language: Language) -> str:
    """The title of a problem `code`, whose English title is `english`."""
    if language == "fr":
        return fr.TITLES.get(code, "Requête refusée")
    return english


def say(message: str, language: Language, *, code: str = "error") -> str:
    """One of our English messages in `language`."""
    if language == "fr":
        return fr.MESSAGES.translate(message) or fr.fallback(title(code, "", "fr"), message)
    return message


def validation(kind: str, context: Mapping[str, object], english: str, language: Language) -> str:
    """A pydantic error of type `kind` (with its `ctx`) in `language`; `english` as it said."""
    if language == "fr":
        return fr.validation(kind, context, english)
    return english
