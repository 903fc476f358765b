"""Issue 15, item 1(a): texts refuse control, bidirectional and invisible characters (422 naming
the field) on every text field, priority titles and corrections included; long texts may hold
tabs and line feeds."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from tests.e2e.support import (
    CA,
    FR,
    Api,
    adopt,
    assert_problem,
    assessment_body,
    consultation_body,
    exchange_body,
    held,
    make_pledge,
    pledge_body,
    propose_reform,
    reform_body,
    roadmap_body,
    schedule,
)

#: One of each kind the issue names: NUL, other C0 and C1 controls, DEL, bidirectional
#: overrides and isolates, invisible characters, and a lone surrogate.
HOSTILE = [
    "a\x00b",
    "bell\x07",
    "escape \x1b[31m",
    "carriage\rreturn",
    "delete\x7f",
    "c1 \x85 next line",
    "c1 \x9b csi",
    "\u202aembedding",
    "\u202egnp.exe",
    "\u2066isolate\u2069",
    "zero\u200bwidth",
    "\ufeffbom",
    "word\u2060joiner",
    "mark\u200f",
    "lone \ud800",
]
CHARACTERS = itertools.cycle(HOSTILE)


def _priorities(title: str) -> list[dict[str, str]]:
    return [
        {**p, "title": title} if n == 2 else p for n, p in enumerate(roadmap_body()["priorities"])
    ]


#: (target, who, body with the text, field named) for every text a command takes.
CASES: list[tuple[str, str, Any, str]] = [
    ("roadmaps", "FR", lambda t: roadmap_body(title=t), "title"),
    ("roadmaps", "FR", lambda t: roadmap_body(summary=t), "summary"),
    ("roadmaps", "FR", lambda t: roadmap_body(priorities=_priorities(t)), "priorities.2.title"),
    ("roadmaps", "FR", lambda t: roadmap_body(note=t), "note"),
    ("roadmaps", "FR", lambda t: roadmap_body(authority=t), "authority"),
    ("pledges", "CA", lambda t: pledge_body(title=t), "title"),
    ("pledges", "CA", lambda t: pledge_body(beneficiary=t), "beneficiary"),
    ("revision", "CA", lambda t: {"title": t, "reason": "new title"}, "title"),
    ("revision", "CA", lambda t: {"title": "new", "reason": t}, "reason"),
    ("withdrawal", "CA", lambda t: {"reason": t}, "reason"),
    ("consultations", "FR", lambda t: consultation_body(title=t), "title"),
    ("consultations", "FR", lambda t: consultation_body(location=t), "location"),
    ("held", "FR", lambda t: {"summary": t}, "summary"),
    ("cancellation", "FR", lambda t: {"reason": t}, "reason"),
    ("decisions", "FR", lambda t: {"text": t, "priorities": []}, "text"),
    ("exchanges", "FR", lambda t: exchange_body(title=t), "title"),
    ("reform-proposals", "FR", lambda t: reform_body(title=t), "title"),
    ("reform-proposals", "FR", lambda t: reform_body(forum=t), "forum"),
    ("reform-proposals", "FR", lambda t: reform_body(summary=t), "summary"),
    ("assessments", "FR", lambda t: assessment_body(title=t), "title"),
    ("assessments", "FR", lambda t: assessment_body(subject=t), "subject"),
    ("assessments", "FR", lambda t: assessment_body(summary=t), "summary"),
    (
        "corrections",
        "CA",
        lambda t: {"target_version": 1, "changes": {"title": t}, "reason": "x"},
        "changes.title",
    ),
    (
        "corrections",
        "CA",
        lambda t: {"target_version": 1, "changes": {"title": "x"}, "reason": t},
        "reason",
    ),
    ("retractions", "CA", lambda t: {"target_version": 1, "reason": t}, "reason"),
]


@pytest.fixture(scope="module")
def targets(api: Api) -> dict[str, str]:
    roadmap_id = adopt(api)
    pledge = f"/pledges/{make_pledge(api, roadmap_id)}"
    consultation = f"/consultations/{schedule(api, roadmap_id)}"
    return {
        "roadmaps": "/roadmaps",
        **{
            kind: f"/roadmaps/{roadmap_id}/{kind}"
            for kind in ("pledges", "consultations", "exchanges", "reform-proposals", "assessments")
        },
        "revision": f"{pledge}/revisions",
        "withdrawal": f"{pledge}/withdrawal",
        "corrections": f"{pledge}/corrections",
        "retractions": f"{pledge}/retractions",
        "held": f"/consultations/{held(api, roadmap_id)}/held",
        "cancellation": f"{consultation}/cancellation",
        "decisions": f"/consultations/{held(api, roadmap_id)}/decisions",
        "reform": f"/reform-proposals/{propose_reform(api, roadmap_id)}",
    }


def _post(api: Api, path: str, who: str, body: Any) -> Any:
    return api.client.post(
        path,
        content=json.dumps(body),  # json.dumps writes a lone surrogate as its \ud800 escape
        headers=api.headers(FR if who == "FR" else CA, {"Content-Type": "application/json"}),
    )


@pytest.mark.parametrize(
    ("target", "who", "build", "field", "text"),
    [(*case, f"{next(CHARACTERS)}") for case in CASES],
    ids=[f"{c[0]}-{c[3]}" for c in CASES],
)
def test_every_text_field_refuses_hostile_characters(
    api: Api,
    targets: dict[str, str],
    *,
    target: str,
    who: str,
    build: Any,
    field: str,
    text: str,
) -> None:
    position = api.position()
    problem = assert_problem(_post(api, targets[target], who, build(text)), 422)
    assert problem["field"] == field, problem
    # (pydantic's JSON parser itself refuses a lone surrogate, as not a Unicode string)
    assert "U+" in problem["detail"] or "unicode" in problem["detail"], problem
    assert api.position() == position  # nothing recorded


@pytest.mark.parametrize("text", HOSTILE)
def test_each_hostile_character_is_named(api: Api, targets: dict[str, str], text: str) -> None:
    problem = assert_problem(_post(api, targets["pledges"], "CA", pledge_body(title=text)), 422)
    assert problem["field"] == "title"
    code = next(c for c in text if not c.isalnum() and c not in " [.")
    expected = f"U+{ord(code):04X}"
    assert expected in problem["detail"], problem


def test_long_texts_may_span_lines_short_ones_may_not(api: Api, targets: dict[str, str]) -> None:
    lines = "First line.\n\tIndented second line."
    answer = api.post(targets["reform-proposals"], FR, reform_body(summary=lines, note=lines))
    assert answer.status_code == 201, answer.text
    proposal = api.read(f"/reform-proposals/{answer.json()['id']}")
    assert proposal["summary"] == lines
    problem = assert_problem(_post(api, targets["pledges"], "CA", pledge_body(title=lines)), 422)
    assert problem["field"] == "title"
    assert "only long texts may span lines" in problem["detail"]


def test_ordinary_texts_in_any_script_pass(api: Api, targets: dict[str, str]) -> None:
    title = "Déploiement « Casques bleus » — 600 soldats, 国連 🇨🇦 (Ünïcödé)"
    answer = api.post(targets["pledges"], CA, pledge_body(title=title))
    assert answer.status_code == 201, answer.text
    assert api.read(f"/pledges/{answer.json()['id']}")["title"] == title
