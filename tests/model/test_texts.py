"""Texts in English and French, and translations as events of their own (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.model.errors import (
    EventAlreadyRetractedError,
    InvalidTranslationError,
    InvalidValueError,
)
from domain.model.history import view
from domain.model.pledge import Pledge
from domain.model.texts import Text, as_text, english
from domain.model.values import Context, text_of
from tests.factories import CA_OFFICIAL, FR_OFFICIAL, RECORDED_AT, ctx, new_pledge, refused


def test_a_string_is_written_in_the_commands_language() -> None:
    assert text_of("Former", "title", lang="fr") == Text(en=None, fr="Former", lang="fr")
    assert text_of({"en": "Train", "fr": "Former"}, "title", lang="fr").lang == "fr"
    assert text_of({"en": "Train"}, "title", lang="fr") == english("Train")


def test_a_text_answers_in_a_language_or_as_written() -> None:
    written_in_french = Text(en=None, fr="Former", lang="fr")
    assert written_in_french.best("en") == "Former"
    assert written_in_french.translated("en", "Train").best("en") == "Train"
    assert str(written_in_french) == "Former"


def test_a_plain_string_of_an_older_record_reads_as_english() -> None:
    assert as_text("Deploy") == english("Deploy")


@pytest.mark.parametrize(
    ("value", "field"),
    [({}, "title"), ({"de": "x"}, "title.de"), ({"en": ""}, "title.en"), (7, "title")],
)
def test_a_text_without_a_form_of_ours_is_refused_naming_the_field(
    value: object, field: str
) -> None:
    with pytest.raises(InvalidValueError) as refusal:
        text_of(value, "title", lang="en")  # type: ignore[arg-type]
    assert refusal.value.field == field


def _pledge() -> Pledge:
    pledge = new_pledge(CA_OFFICIAL)
    pledge.collect_events()
    return pledge


def test_a_translation_adds_the_other_language_and_keeps_the_original() -> None:
    pledge = _pledge()
    pledge.translate(1, "title", "fr", "Déployer 600 militaires", ctx(FR_OFFICIAL))
    assert pledge.state.title.fr == "Déployer 600 militaires"
    assert pledge.state.title.lang == "en"
    assert pledge.entries[0].payload["title"].fr is None  # the record is not rewritten
    assert pledge.entries[-1].event_type == "Translated"


def test_a_later_correction_replaces_the_text_translation_and_all() -> None:
    pledge = _pledge()
    translated_at = RECORDED_AT + timedelta(minutes=1)
    pledge.translate(1, "title", "fr", "Déployer", ctx(FR_OFFICIAL, at=translated_at))
    later = RECORDED_AT + timedelta(minutes=2)
    pledge.correct(1, {"title": "Deploy 650"}, "count", ctx(CA_OFFICIAL, at=later))
    assert pledge.state.title == english("Deploy 650")
    # As the record stood before the correction, the translation was in force.
    before = view(pledge.entries, as_of=translated_at).entries[0]
    assert before.payload["title"].fr == "Déployer"


@pytest.mark.parametrize(
    ("version", "field", "lang", "error", "named"),
    [
        (9, "title", "fr", InvalidTranslationError, "target_version"),
        (1, "kind", "fr", InvalidTranslationError, "field"),
        (1, "title", "en", InvalidTranslationError, "lang"),
        (1, "title", "de", InvalidTranslationError, "lang"),
    ],
)
def test_a_translation_that_says_nothing_new_is_refused(
    version: int, field: str, lang: str, error: type[Exception], named: str
) -> None:
    pledge = _pledge()
    with refused(pledge, error, named):  # type: ignore[arg-type]
        pledge.translate(version, field, lang, "x", ctx(FR_OFFICIAL))


def test_a_retracted_event_is_not_translated() -> None:
    pledge = _pledge()
    pledge.retract(1, "entered twice", ctx(CA_OFFICIAL))
    pledge.collect_events()
    with refused(pledge, EventAlreadyRetractedError):
        pledge.translate(1, "title", "fr", "x", ctx(FR_OFFICIAL))


def test_context_texts_follow_the_commands_language() -> None:
    context = Context(FR_OFFICIAL, ctx(FR_OFFICIAL).recorded_at, lang="fr", note="vu")
    assert context.metadata()["note"] == Text(en=None, fr="vu", lang="fr")
