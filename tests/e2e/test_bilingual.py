"""A bilingual record through HTTP (issue 11), on SQLite and PostgreSQL: texts in either or both
languages, answers in the caller's language with every form beside, translations as their own
events, reports and summaries in French."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.language import negotiate
from tests.e2e.support import (
    AUDITOR,
    CA,
    FR,
    REPORTER,
    Api,
    adopt,
    assert_problem,
    make_pledge,
    pledge_body,
    propose_exchange,
)

FRENCH = {"Accept-Language": "fr-CA, en;q=0.5"}
TITLE = {"en": "Deploy up to 600 soldiers", "fr": "Déployer jusqu'à 600 militaires"}


def test_a_text_in_both_languages_answers_in_the_callers(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id, title=TITLE)

    english = api.get(f"/pledges/{pledge_id}", REPORTER)
    french = api.get(f"/pledges/{pledge_id}", REPORTER, headers=FRENCH)

    assert english.headers["Content-Language"] == "en"
    assert french.headers["Content-Language"] == "fr"
    assert english.json()["title"] == TITLE["en"]
    assert french.json()["title"] == TITLE["fr"]
    assert english.json()["title_translated"] == french.json()["title_translated"] == TITLE


def test_a_string_is_in_the_requests_content_language(api: Api) -> None:
    roadmap_id = adopt(api)
    body = pledge_body(title="Former des Casques bleus")
    answer = api.post(
        f"/roadmaps/{roadmap_id}/pledges", CA, body, headers={"Content-Language": "fr-CA"}
    )
    assert answer.status_code == 201, answer.text
    read = api.read(f"/pledges/{answer.json()['id']}")
    # Asked in English, it falls back to the language it was written in.
    assert read["title"] == "Former des Casques bleus"
    assert read["title_translated"] == {"en": None, "fr": "Former des Casques bleus"}


def test_a_content_language_other_than_ours_is_refused_naming_the_header(api: Api) -> None:
    roadmap_id = adopt(api)
    before = api.position()
    answer = api.post(
        f"/roadmaps/{roadmap_id}/pledges", CA, pledge_body(), headers={"Content-Language": "de"}
    )
    assert_problem(answer, 422, "invalid-value")
    assert answer.json()["field"] == "Content-Language"
    assert api.position() == before


def test_a_text_naming_another_language_is_refused(api: Api) -> None:
    roadmap_id = adopt(api)
    answer = api.post(
        f"/roadmaps/{roadmap_id}/pledges", CA, pledge_body(title={"en": "x", "de": "y"})
    )
    assert_problem(answer, 422, "invalid-value")
    assert answer.json()["field"] == "title"


def test_a_translation_is_its_own_event_and_not_a_change_of_substance(api: Api) -> None:
    roadmap_id = adopt(api)
    pledge_id = make_pledge(api, roadmap_id, title="Deploy up to 600 soldiers")
    body = {"target_version": 1, "field": "title", "lang": "fr", "text": TITLE["fr"]}

    translated = api.ok(f"/pledges/{pledge_id}/translations", FR, body)  # any writer

    read = api.get(f"/pledges/{pledge_id}", REPORTER, headers=FRENCH).json()
    assert (read["title"], read["version"]) == (TITLE["fr"], translated["version"])
    assert read["title_translated"] == TITLE
    history = api.get(f"/pledges/{pledge_id}/history", AUDITOR, headers=FRENCH).json()
    last = history["versions"][-1]
    assert last["event_type"] == "Translated"
    assert last["summary"].startswith("FR (fr-official) : engagement — traduction")
    assert "(title, en fr)" in last["summary"]
    assert last["summary_translated"]["en"].startswith("FR (fr-official): pledge translated")
    # Into the language it was written in is a correction, not a translation.
    again = api.post(f"/pledges/{pledge_id}/translations", CA, {**body, "lang": "en"})
    assert_problem(again, 422, "invalid-translation")
    assert again.json()["field"] == "lang"
    no_text = api.post(f"/pledges/{pledge_id}/translations", CA, {**body, "field": "kind"})
    assert_problem(no_text, 422, "invalid-translation")


def test_the_state_and_time_travel_answer_in_french(api: Api) -> None:
    roadmap_id = adopt(api)
    make_pledge(api, roadmap_id, title=TITLE)
    state = api.get(f"/roadmaps/{roadmap_id}/state", AUDITOR, headers=FRENCH)
    assert state.headers["Content-Language"] == "fr"
    (pledge,) = state.json()["pledges"]
    assert pledge["title"] == TITLE["fr"]
    past = api.get(
        f"/roadmaps/{roadmap_id}/state",
        AUDITOR,
        params={"effective_on": "2016-09-01"},
        headers=FRENCH,
    ).json()
    assert [p["title"] for p in past["pledges"]] == [TITLE["fr"]]


def test_reports_in_french_csv_headers_included(api: Api) -> None:
    roadmap_id = adopt(api)
    propose_exchange(
        api, roadmap_id, title={"en": "Staff officers", "fr": "Officiers d'état-major"}
    )
    answer = api.get("/reports/open-items", REPORTER, headers={**FRENCH, "Accept": "text/csv"})
    assert answer.headers["Content-Language"] == "fr"
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][:4] == ["feuille_de_route", "type_d_élément", "id", "titre"]
    mine = [r for r in rows[1:] if r[0] == roadmap_id]
    assert [(r[1], r[3], r[4]) for r in mine] == [
        ("échange", "Officiers d'état-major", "en attente d'accord")
    ]
    as_json = api.get("/reports/open-items", REPORTER, headers=FRENCH).json()
    (row,) = [r for r in as_json["rows"] if r["roadmap_id"] == roadmap_id]
    assert row["title_translated"] == {"en": "Staff officers", "fr": "Officiers d'état-major"}


_SAFE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    en=st.none() | _SAFE,
    fr=st.none() | _SAFE,
    written=st.sampled_from(["en", "fr"]),
)
def test_any_pair_of_texts_round_trips(
    api: Api, en: str | None, fr: str | None, written: str
) -> None:
    forms = {k: v for k, v in (("en", en), ("fr", fr)) if v is not None}
    if not forms:
        return
    roadmap_id = adopt(api)
    answer = api.post(
        f"/roadmaps/{roadmap_id}/pledges",
        CA,
        pledge_body(title=forms),
        headers={"Content-Language": written},
    )
    assert answer.status_code == 201, answer.text
    pledge_id = answer.json()["id"]
    for lang in ("en", "fr"):
        read = api.get(f"/pledges/{pledge_id}", REPORTER, headers={"Accept-Language": lang})
        body: dict[str, Any] = read.json()
        assert body["title_translated"] == {"en": en, "fr": fr}
        fallback = written if written in forms else next(iter(forms))
        assert body["title"] == forms.get(lang, forms[fallback])


@given(st.text(max_size=60))
def test_any_accept_language_negotiates_en_or_fr(header: str) -> None:
    assert negotiate(header) in ("en", "fr")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["en", "fr", "fr-CA", "en-GB", "de", "*", "es-MX"]),
            st.sampled_from(["", ";q=0", ";q=0.1", ";q=0.5", ";q=1", ";q=bad"]),
        ),
        max_size=5,
    )
)
def test_negotiation_picks_the_most_wanted_of_ours(ranges: list[tuple[str, str]]) -> None:
    header = ", ".join(tag + q for tag, q in ranges)
    wanted = []
    for order, (tag, q) in enumerate(ranges):
        if q == ";q=bad":
            continue
        weight = float(q.removeprefix(";q=")) if q else 1.0
        ours = {"*": "en"}.get(tag, tag.split("-")[0])
        if weight > 0 and ours in ("en", "fr"):
            wanted.append((-weight, order, ours))
    expected = min(wanted)[2] if wanted else "en"
    assert negotiate(header) == expected
