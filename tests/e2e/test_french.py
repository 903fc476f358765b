"""Errors in French for `Accept-Language: fr` (and `fr-CA`): every problem's title and detail,
domain rules and validation alike; `code`, `field` and the other members as in English, which
stays exactly as it was. The catalog is checked against every message the source raises."""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core._pydantic_core import list_all_errors

from api.i18n import fr, say
from api.i18n.catalog import HOLE, Catalog
from api.language import negotiate
from api.problems import STATUS_CODES
from domain.application.service import RoadmapLedger
from domain.model import errors
from domain.model.kinds import KINDS
from projections.partnership.queries import ReadModels
from tests.e2e.support import (
    ADMIN,
    AUDITOR,
    CA,
    FR,
    PROBLEM,
    REPORTER,
    TEST_SECRET,
    Api,
    adopt,
    assert_problem,
    held,
    make_pledge,
    pledge_body,
    propose_exchange,
    propose_reform,
    record_decision,
    roadmap_body,
    running,
    schedule,
    settings_for,
    share_assessment,
)

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ["fr", "fr-CA", "fr-FR;q=0.9, en;q=0.5", "de, fr-CA;q=0.8"]
#: Headers that mean English: absent, English, unsupported, unreadable.
ENGLISH: list[str | None] = [None, "en", "en-GB", "de", "*", "fr;q=2", "fr_CA", "x" * 1001, ",;"]
UNKNOWN = "00000000-0000-4000-8000-000000000000"

# --- every message the source raises, read from the source ------------------------------------


def _error_classes() -> set[str]:
    return {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.DomainError)
    }


def _carriers(path: Path) -> dict[str, tuple[int, str]]:
    """Calls that raise an HTTP-visible message, and which argument (or keyword) carries it."""
    carriers = dict.fromkeys(_error_classes(), (0, "message"))
    carriers |= {
        "AuthenticationError": (0, "detail"),
        "ProofRangeError": (0, "message"),
        "ProblemError": (2, "detail"),
        "say": (0, "message"),
        "send_problem": (4, "detail"),
        "_refuse": (4, "detail"),
    }
    if "api/schemas" in path.as_posix():  # pydantic turns a validator's ValueError into a 422
        carriers["ValueError"] = (0, "message")
    return carriers


#: Messages passed on from elsewhere, by module (their text is read where it is made): a
#: re-raise under another field, the handlers and middleware that answer every problem.
FORWARDED = {
    ("domain/model/coerce.py", "error.message"),
    ("domain/model/values.py", "error.message"),
    ("api/middleware.py", "detail"),
    ("api/middleware.py", "str(error.detail)"),
    ("api/problems.py", "error.message"),
    ("api/problems.py", "error.detail"),
    ("api/problems.py", "detail"),
    ("api/routers/audit.py", "str(error)"),
    ("api/auth.py", "str(error)"),
    ("api/routers/health.py", "detail"),
    ("api/schemas/common.py", "error.message.removeprefix('the text ')"),
}


def _alternatives(  # noqa: PLR0911 - one case a kind of expression
    node: ast.expr | None, env: dict[str, list[str]]
) -> list[str] | None:
    """Every text an expression may be, a value not known here written as HOLE."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return env.get(node.id)
    if isinstance(node, ast.IfExp):
        body, orelse = _alternatives(node.body, env), _alternatives(node.orelse, env)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _alternatives(node.left, env), _alternatives(node.right, env)
        if left is None or right is None:
            return None
        return [a + b for a, b in itertools.product(left, right)]
    if isinstance(node, ast.JoinedStr):
        pieces: list[list[str]] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                pieces.append([str(value.value)])
            elif isinstance(value, ast.FormattedValue):
                known = _alternatives(value.value, env) if value.conversion == -1 else None
                pieces.append(known if known is not None else [HOLE])
        return ["".join(p) for p in itertools.product(*pieces)]
    return None


def _message_node(call: ast.Call, where: tuple[int, str]) -> ast.expr | None:
    index, keyword = where
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else ast.unparse(func)


class _Sites(ast.NodeVisitor):
    """Raise sites of one module, with the local texts their messages are made of."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.carriers = _carriers(path)
        self.found: list[tuple[str, list[str] | None, str]] = []
        self.classes: list[ast.ClassDef] = []
        self.env: dict[str, list[str]] = {}

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node)
        self.generic_visit(node)
        self.classes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.env = self.env, {}
        for statement in node.body:
            self.visit(statement)
        if self.path.name == "problems.py" and node.name in {"unexpected", "_default_detail"}:
            for returned in (n for n in ast.walk(node) if isinstance(n, ast.Return)):
                value = returned.value
                if isinstance(value, ast.Tuple):
                    value = value.elts[-1]
                texts = _alternatives(value, self.env)
                if value is not None and texts is not None:  # the phrases of HTTPStatus: below
                    self.found.append((self.where(returned), texts, ast.unparse(value)))
        self.env = outer

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 - the visitor's naming

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            texts = _alternatives(node.value, self.env)
            if texts is None:
                self.env.pop(node.targets[0].id, None)
            else:
                self.env[node.targets[0].id] = texts

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
            before = self.env.get(node.target.id)
            added = _alternatives(node.value, self.env)
            if before is None or added is None:
                self.env.pop(node.target.id, None)
            else:
                self.env[node.target.id] = [a + b for a, b in itertools.product(before, added)]

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        name = _name(node.func)
        where = self.carriers.get(name)
        # An HTTPException subclass gives its detail to HTTPException(status, detail).
        if (
            where is None
            and ast.unparse(node.func) == "super().__init__"
            and self.classes
            and any(ast.unparse(base) == "HTTPException" for base in self.classes[-1].bases)
        ):
            where = (1, "detail")
        if where is None:
            return
        message = _message_node(node, where)
        if message is None:
            return
        texts = _alternatives(message, self.env)
        self.found.append((self.where(node), texts, ast.unparse(message)))


def raised_messages() -> list[tuple[str, list[str] | None, str]]:
    """(where, every text the message may be or None if made elsewhere, its source)."""
    found = []
    for package in ("domain", "api", "projections"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "i18n" in path.parts:
                continue
            sites = _Sites(path)
            sites.visit(ast.parse(path.read_text(encoding="utf-8")))
            found += sites.found
    return found


def test_the_source_is_read() -> None:
    """The scan finds the raise sites it must (a guard against a scan that finds nothing)."""
    found = raised_messages()
    texts = {text for _, alternatives, _ in found for text in alternatives or []}
    assert len(found) > 120
    assert f"pledge {HOLE} was withdrawn" in texts
    assert f"no signed tree head at tree size {HOLE}" in texts  # a local, both branches
    assert "the server could not answer this request (error id " + HOLE + ")" in texts
    assert "must be a date written YYYY-MM-DD" in texts  # a pydantic validator's ValueError
    assert f"the request body is larger than {HOLE} bytes" in texts


def test_every_message_raised_has_its_french() -> None:
    missing = [
        f"{where}: {text.replace(HOLE, '{…}')!r}"
        for where, alternatives, _ in raised_messages()
        for text in alternatives or []
        if fr.MESSAGES.covering(text) is None
    ]
    assert not missing, "messages without French in api/i18n/fr.py:\n" + "\n".join(missing)


def test_messages_made_elsewhere_are_only_passed_on() -> None:
    """A message the scan cannot read must be one read where it was made, passed on."""
    unread = [
        f"{where}: {source}"
        for where, alternatives, source in raised_messages()
        if alternatives is None and (where.split(":")[0], source) not in FORWARDED
    ]
    assert not unread, "\n".join(unread)


@pytest.mark.parametrize(
    "catalog", [fr.MESSAGES, fr.JSON_ERRORS, fr.PARSE_ERRORS], ids=["messages", "json", "parse"]
)
def test_every_phrase_is_reachable_and_fills_its_french(catalog: Catalog) -> None:
    for phrase in catalog.phrases:
        sample = phrase.sample()
        match = phrase.regex().fullmatch(sample)
        assert match is not None, phrase
        first = next(p for p in catalog.phrases if p.regex().fullmatch(sample))
        assert first is phrase, f"{phrase.english!r} is shadowed by {first.english!r}"
        french = catalog.translate(sample)
        assert french is not None
        assert french != sample
        assert not re.search(r"\{\w*\}", french), french


def test_values_are_carried_into_the_french() -> None:
    pledge = str(uuid.uuid4())
    assert fr.MESSAGES.translate(f"no pledge {pledge}") == f"aucun engagement {pledge}"
    assert fr.MESSAGES.translate(f"no consultation {pledge}") == f"aucune consultation {pledge}"
    said = fr.MESSAGES.translate(f"reform proposal {pledge} is submitted: it cannot be submitted")
    assert said == f"la proposition de réforme {pledge} est soumise : impossible de la soumettre"
    said = fr.MESSAGES.translate(f"exchange {pledge} is in-progress: it cannot be agreed")
    assert said == f"l'échange {pledge} est en cours : impossible de l'accepter"
    said = fr.MESSAGES.translate(f"reform proposal {pledge} is archived: it cannot be revived")
    assert said == (
        f"la proposition de réforme {pledge} est « archived » : impossible de passer à l'étape "
        "« revived »"
    )
    said = fr.MESSAGES.translate(f"reformproposal {pledge} was retracted")
    assert said == f"la proposition de réforme {pledge} a été rétractée"
    said = fr.MESSAGES.translate(
        f"no pledge {pledge} at that time (log position 12)"
    )  # not "no {noun} {id}" with the rest taken for the id
    assert said == f"aucun engagement {pledge} à ce moment-là (position du journal 12)"


def test_a_message_without_french_falls_back_to_the_titled_english() -> None:
    assert say("a message nobody wrote", "fr", code="unit-mismatch") == (
        "Unité différente (message d'origine : a message nobody wrote)"
    )
    assert say("a message nobody wrote", "en", code="unit-mismatch") == "a message nobody wrote"


def _codes_in_source() -> set[str]:
    codes = set()
    for package in ("api", "projections"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func)
                literal: ast.expr | None = None
                if name == "ProblemError" and len(node.args) > 1:
                    literal = node.args[1]
                elif name in {"send_problem", "_refuse"} and len(node.args) > 3:
                    literal = node.args[3]
                elif name == "AuthenticationError":
                    literal = next((k.value for k in node.keywords if k.arg == "code"), None)
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                    codes.add(literal.value)
    return codes


def _domain_codes() -> set[str]:
    found, stack = set(), [errors.DomainError]
    while stack:
        cls = stack.pop()
        found.add(cls.code)
        stack += cls.__subclasses__()
    return found


def test_every_code_has_a_french_title() -> None:
    codes = set(STATUS_CODES.values()) | _domain_codes() | _codes_in_source()
    assert {"missing-token", "expired-token", "proof-out-of-range", "rate-limited"} <= codes
    assert codes | {"malformed-json", "invalid-token", "error"} <= set(fr.TITLES)


def _statuses_and_steps() -> tuple[set[str], set[str]]:
    statuses, steps = set(), set()
    for kind in KINDS:
        tree = ast.parse(inspect.getsource(inspect.getmodule(kind.aggregate)))  # type: ignore[arg-type]
        for statement in tree.body:  # module constants: SCHEDULED, HELD = "scheduled", "held"
            if isinstance(statement, ast.Assign):
                for value in ast.walk(statement.value):
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        statuses.add(value.value)
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "step":
                assert isinstance(node.value, ast.Constant)
                steps.add(str(node.value.value))
    return {s for s in statuses if re.fullmatch(r"[a-z][a-z-]*", s)}, steps


def test_every_noun_status_and_step_has_its_french() -> None:
    for kind in KINDS:
        assert kind.noun in fr.NOUNS
        assert kind.aggregate.__name__.lower() in fr.NOUNS
    statuses, steps = _statuses_and_steps()
    assert {"scheduled", "in-progress", "superseded"} <= statuses
    assert statuses <= set(fr.STATUSES)
    assert {"co-sponsored", "given an outcome"} <= steps
    assert steps <= set(fr.STEPS)


def test_every_pydantic_error_type_has_its_french() -> None:
    for info in list_all_errors():
        kind = info["type"]
        assert kind in fr.VALIDATION, kind
        context = dict(info.get("example_context") or {})
        french = fr.validation(kind, context, info["example_message_python"])
        assert not french.startswith("valeur refusée"), (kind, french)
        english_names = set(re.findall(r"\{(\w+)\}", info["message_template_python"]))
        french_names = {n.removesuffix("_s") for n in re.findall(r"\{(\w+)\}", fr.VALIDATION[kind])}
        assert french_names <= english_names, kind


def test_validation_values_are_translated() -> None:
    expected = {"expected": "'official', 'auditor' or 'admin'"}
    assert fr.validation("literal_error", expected, "") == (
        "la valeur doit être 'official', 'auditor' ou 'admin'"
    )
    assert fr.validation("string_too_long", {"max_length": 1}, "") == (
        "la chaîne doit avoir au plus 1 caractère"
    )
    assert fr.validation("string_too_long", {"max_length": 500}, "") == (
        "la chaîne doit avoir au plus 500 caractères"
    )
    context: dict[str, object] = {"error": "month value is outside expected range of 1-12"}
    assert fr.validation("date_from_datetime_parsing", context, "") == (
        "la valeur doit être une date, ou une date et heure, valide ; valeur hors de l'intervalle "
        "attendu 1-12 pour le mois"
    )
    context = {"error": ValueError("must not be negative")}
    assert fr.validation("value_error", context, "") == "ne doit pas être négatif"
    assert fr.validation("some_new_type", {}, "Something new") == (
        "valeur refusée (some_new_type) : Something new"
    )


# --- the answers ---------------------------------------------------------------------------


def _expired(api: Api) -> str:
    claims = {"sub": "x", "roles": ["official"], "party": "FR", "exp": int(time.time()) - 3600}
    return jwt.encode(claims, TEST_SECRET, algorithm="HS256")


@pytest.fixture(scope="module")
def record(api: Api) -> dict[str, str]:
    """Items in every state a refusal below needs; refusals record nothing, so they repeat."""
    roadmap = adopt(api)
    withdrawn, fulfilled, retracted = (make_pledge(api, roadmap) for _ in range(3))
    api.ok(f"/pledges/{withdrawn}/withdrawal", CA, {"reason": "Budget cut"})
    api.ok(f"/pledges/{fulfilled}/fulfilment", CA, {"reason": "the mission closed"})
    api.ok(f"/pledges/{retracted}/retractions", CA, {"target_version": 1, "reason": "Error"})
    pledge = make_pledge(api, roadmap)
    progress = {"delivered": {"amount": 10, "unit": "personnel"}}
    api.ok(f"/pledges/{pledge}/progress", CA, progress, {"Idempotency-Key": "french-key"})
    invited = schedule(api, roadmap)
    api.ok(f"/consultations/{invited}/co-chair-invitations", FR, {"party": "CA"})
    decision = record_decision(api, held(api, roadmap))  # endorsed by FR, who recorded it
    return {
        "roadmap": roadmap,
        "pledge": pledge,
        "withdrawn": withdrawn,
        "fulfilled": fulfilled,
        "retracted": retracted,
        "invited": invited,
        "uninvited": schedule(api, roadmap),
        "decision": decision,
        "exchange": propose_exchange(api, roadmap),
        "assessment": share_assessment(api, roadmap),
        "reform": propose_reform(api, roadmap),
    }


Ask = Callable[[Api, dict[str, str], dict[str, str]], httpx.Response]


def _post(path: str, who: Any, body: Any = None, headers: dict[str, str] | None = None) -> Ask:
    def ask(api: Api, record: dict[str, str], language: dict[str, str]) -> httpx.Response:
        if isinstance(body, dict):  # "{assessment}" in a body names an item of the record
            sent = {k: v.format(**record) if isinstance(v, str) else v for k, v in body.items()}
        else:
            sent = body
        return api.post(path.format(**record), who, sent, {**(headers or {}), **language})

    return ask


def _get(path: str, who: Any = AUDITOR, params: dict[str, str] | None = None) -> Ask:
    def ask(api: Api, record: dict[str, str], language: dict[str, str]) -> httpx.Response:
        return api.get(path.format(**record), who, params, language)

    return ask


def _raw(method: str, path: str, content: bytes, headers: dict[str, str]) -> Ask:
    def ask(api: Api, record: dict[str, str], language: dict[str, str]) -> httpx.Response:
        signed = api.headers(CA, {**headers, **language})
        answer: httpx.Response = api.client.request(
            method, path.format(**record), content=content, headers=signed
        )
        return answer

    return ask


def _token(make: Callable[[Api], str]) -> Ask:
    def ask(api: Api, record: dict[str, str], language: dict[str, str]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {make(api)}", **language}
        answer: httpx.Response = api.client.get("/roadmaps", headers=headers)
        return answer

    return ask


def _unsigned(api: Api, record: dict[str, str], language: dict[str, str]) -> httpx.Response:
    answer: httpx.Response = api.client.get("/roadmaps", headers=language)
    return answer


WITHDRAW = {"reason": "Again"}
CORRECTION = {"target_version": 1, "changes": {"party": "FR"}, "reason": "x"}
JSON = {"Content-Type": "application/json"}
FLOAT = pledge_body(quantity={"amount": 1.5, "unit": "x"})
PROOF = {"leaf_index": "0", "tree_size": str(2**40)}
#: (name, the request, status, code, field): one of every class of error the API answers.
REFUSALS: list[tuple[str, Ask, int, str, str | None]] = [
    ("no token", _unsigned, 401, "missing-token", None),
    ("not a JWT", _token(lambda api: "not-a-jwt"), 401, "invalid-token", None),
    ("expired", _token(_expired), 401, "expired-token", None),
    ("reporter", _post("/roadmaps", REPORTER, roadmap_body()), 403, "not-authorised", None),
    ("time travel", _get("/roadmaps/{roadmap}/state", FR, {"as_of": "2017-01-01T00:00:00Z"}),
     403, "not-authorised", None),
    ("other party", _post("/pledges/{pledge}/withdrawal", FR, WITHDRAW),
     403, "not-your-party", None),
    ("agreement", _post("/exchanges/{exchange}/agreement", FR),
     403, "only-receiving-party-agrees", None),
    ("acknowledgement", _post("/assessments/{assessment}/acknowledgement", FR),
     403, "only-receiving-party-acknowledges", None),
    ("no path", _get("/nowhere"), 404, "not-found", None),
    ("no pledge", _get(f"/pledges/{UNKNOWN}"), 404, "not-found", None),
    ("no report", _get("/reports/nothing"), 404, "not-found", None),
    ("method", _raw("DELETE", "/pledges/{pledge}", b"", {}), 405, "method-not-allowed", None),
    ("withdrawn", _post("/pledges/{withdrawn}/withdrawal", CA, WITHDRAW),
     409, "pledge-already-withdrawn", None),
    ("fulfilled", _post("/pledges/{fulfilled}/withdrawal", CA, WITHDRAW),
     409, "pledge-already-fulfilled", None),
    ("priority", _post("/roadmaps/{roadmap}/pledges", CA, pledge_body(priorities=["nothing"])),
     409, "unknown-priority", "priorities"),
    ("party", _post("/roadmaps/{roadmap}/pledges", ADMIN, pledge_body(party="US")),
     409, "unknown-party", "party"),
    ("transition", _post("/exchanges/{exchange}/start", FR), 409, "illegal-transition", None),
    ("unit", _post("/pledges/{pledge}/progress", CA, {"delivered": {"amount": 1, "unit": "CAD"}}),
     409, "unit-mismatch", "delivered.unit"),
    ("decreased", _post("/pledges/{pledge}/progress", CA,
                        {"delivered": {"amount": 5, "unit": "personnel"}}),
     409, "delivered-decreased", "delivered.amount"),
    ("endorsed", _post("/decisions/{decision}/endorsements", FR), 409, "already-endorsed", None),
    ("co-chair", _post("/consultations/{invited}/co-chair-invitations", FR, {"party": "CA"}),
     409, "already-co-chair", "party"),
    ("not invited", _post("/consultations/{uninvited}/co-chair-acceptances", CA),
     409, "not-invited", None),
    ("sponsor", _post("/reform-proposals/{reform}/cosponsorships", FR),
     409, "already-sponsor", None),
    ("itself", _post("/assessments/{assessment}/supersession", FR, {"by": "{assessment}"}),
     409, "invalid-supersession", "by"),
    ("unknown assessment", _post("/assessments/{assessment}/supersession", FR, {"by": UNKNOWN}),
     409, "unknown-assessment", "by"),
    ("retracted", _post("/pledges/{retracted}/withdrawal", CA, WITHDRAW),
     409, "item-retracted", None),
    ("stale", _post("/pledges/{pledge}/fulfilment", CA, None, {"If-Match": '"9"'}),
     412, "stale-version", None),
    ("bad length", _raw("POST", "/pledges/{pledge}/fulfilment", b"{}", {"Content-Length": "x"}),
     400, "bad-request", None),
    ("too large", _raw("POST", "/pledges/{pledge}/withdrawal", b" " * (2**20 + 1), {}),
     413, "body-too-large", None),
    ("not JSON", _raw("POST", "/pledges/{pledge}/withdrawal", b"a=b", {"Content-Type": "a/b"}),
     415, "unsupported-media-type", None),
    ("schema", _post("/roadmaps/{roadmap}/pledges", CA, pledge_body(kind="money", colour="blue")),
     422, "invalid-value", "kind"),
    ("float", _post("/roadmaps/{roadmap}/pledges", CA, FLOAT),
     422, "invalid-value", "quantity.amount"),
    ("rule", _post("/pledges/{pledge}/revisions", CA, {"reason": "nothing"}),
     422, "invalid-value", "quantity"),
    ("path id", _get("/pledges/not-a-uuid"), 422, "invalid-value", "pledge_id"),
    ("query", _get("/audit/entries", AUDITOR, {"limit": "0"}), 422, "invalid-value", "limit"),
    ("if-match", _post("/pledges/{pledge}/fulfilment", CA, None, {"If-Match": "abc"}),
     422, "invalid-value", "If-Match"),
    ("idempotency key", _post("/pledges/{pledge}/fulfilment", CA, None,
                              {"Idempotency-Key": "k" * 201}),
     422, "invalid-value", "Idempotency-Key"),
    ("bad JSON", _raw("POST", "/pledges/{pledge}/withdrawal", b"{bad", JSON),
     422, "malformed-json", "body"),
    ("bad UTF-8", _raw("POST", "/pledges/{pledge}/withdrawal", b"\xff\xfe", JSON),
     422, "malformed-json", "body"),
    ("key reused", _post("/pledges/{pledge}/progress", CA,
                         {"delivered": {"amount": 20, "unit": "personnel"}},
                         {"Idempotency-Key": "french-key"}),
     422, "idempotency-key-reused", "Idempotency-Key"),
    ("correction", _post("/pledges/{pledge}/corrections", CA, CORRECTION),
     422, "invalid-correction", "changes.party"),
    ("retracted again", _post("/pledges/{retracted}/retractions", CA,
                              {"target_version": 1, "reason": "x"}),
     422, "event-already-retracted", None),
    ("min position", _get("/pledges/{pledge}", AUDITOR, {"min_position": str(2**40)}),
     422, "position-not-recorded", "min_position"),
    ("proof", _get("/audit/proofs/inclusion", AUDITOR, PROOF),
     422, "proof-out-of-range", "tree_size"),
]  # fmt: skip
IDS = [name for name, *_ in REFUSALS]


def _is_french(problem: dict[str, Any]) -> None:
    assert problem["title"] == fr.TITLES[problem["code"]]
    for text in [problem["detail"], *(e["message"] for e in problem.get("errors", []))]:
        assert "message d'origine" not in text, text  # a phrase, not the fallback
        assert "valeur refusée" not in text, text


def _without_words(problem: dict[str, Any]) -> dict[str, Any]:
    """The members that are the same in every language."""
    same = {k: v for k, v in problem.items() if k not in {"title", "detail", "errors"}}
    same["errors"] = [e["field"] for e in problem.get("errors", [])]
    return same


@pytest.mark.parametrize("refusal", REFUSALS, ids=IDS)
def test_every_refusal_in_french_and_english(
    api: Api, record: dict[str, str], refusal: tuple[str, Ask, int, str, str | None]
) -> None:
    name, ask, status, code, field = refusal
    position = api.position()
    english = [ask(api, record, {} if h is None else {"Accept-Language": h}) for h in ENGLISH]
    french = [ask(api, record, {"Accept-Language": h}) for h in FRENCH]
    for answer in english + french:
        problem = assert_problem(answer, status, code)
        assert problem.get("field") == field
    # English is what it always was, whatever the header; French the same in any French.
    assert len({a.content for a in english}) == 1, name
    assert len({a.content for a in french}) == 1, name
    assert {a.headers["Content-Language"] for a in english} == {"en"}
    assert {a.headers["Content-Language"] for a in french} == {"fr"}
    assert all("Accept-Language" in a.headers["Vary"] for a in english + french)
    in_english, in_french = english[0].json(), french[0].json()
    assert _without_words(in_french) == _without_words(in_english)
    assert in_french["detail"] != in_english["detail"]
    assert in_french["title"] != in_english["title"]
    _is_french(in_french)
    assert api.position() == position  # refused: nothing recorded


def test_the_english_is_today_s(api: Api, record: dict[str, str]) -> None:
    """A few English answers, byte for byte as before French existed."""
    pledge = record["withdrawn"]
    answer = api.post(f"/pledges/{pledge}/withdrawal", CA, WITHDRAW, {"Accept-Language": "en"})
    assert (
        answer.content
        == json.dumps(
            {
                "type": "urn:roadmap-ledger:problem:pledge-already-withdrawn",
                "title": "Pledge already withdrawn",
                "status": 409,
                "detail": f"pledge {pledge} was withdrawn",
                "instance": f"/pledges/{pledge}/withdrawal",
                "code": "pledge-already-withdrawn",
            },
            separators=(",", ":"),
        ).encode()
    )
    answer = api.client.post(
        f"/pledges/{pledge}/fulfilment", headers={"Content-Length": "abc", "Accept-Language": "de"}
    )
    assert answer.content == (
        b'{"type": "urn:roadmap-ledger:problem:bad-request", "title": "Bad request", '
        b'"status": 400, "detail": "bad Content-Length", "instance": '
        b'"/pledges/' + pledge.encode() + b'/fulfilment", "code": "bad-request"}'
    )


def test_a_sample_in_french(api: Api, record: dict[str, str]) -> None:
    pledge = record["withdrawn"]
    answer = api.post(f"/pledges/{pledge}/withdrawal", CA, WITHDRAW, {"Accept-Language": "fr-CA"})
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["Content-Language"] == "fr"
    assert answer.json() == {
        "type": "urn:roadmap-ledger:problem:pledge-already-withdrawn",
        "title": "Engagement déjà retiré",
        "status": 409,
        "detail": f"l'engagement {pledge} a été retiré",
        "instance": f"/pledges/{pledge}/withdrawal",
        "code": "pledge-already-withdrawn",
    }
    answer = api.post(
        f"/roadmaps/{record['roadmap']}/pledges",
        CA,
        pledge_body(title="", kind="money"),
        {"Accept-Language": "fr"},
    )
    problem = answer.json()
    assert problem["detail"] == "title : ne doit pas être vide"
    assert problem["errors"] == [
        {"field": "title", "message": "ne doit pas être vide"},
        {
            "field": "kind",
            "message": "la valeur doit être 'personnel', 'police', 'funding', 'training', "
            "'equipment', 'hosting' ou 'other'",
        },
    ]


def test_500_and_503_in_french(
    api: Api, record: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("internal")

    monkeypatch.setattr(RoadmapLedger, "make_pledge", explode)
    path = f"/roadmaps/{record['roadmap']}/pledges"
    answer = api.post(path, CA, pledge_body(), {"Accept-Language": "fr"})
    problem = assert_problem(answer, 500, "internal-error")
    assert answer.headers["Content-Language"] == "fr"
    assert re.fullmatch(
        r"le serveur n'a pas pu répondre à cette requête \(identifiant de l'erreur : [0-9a-f]+\)",
        problem["detail"],
    )
    _is_french(problem)
    answer = api.post(path, CA, pledge_body(), {"Accept-Language": "en"})
    assert answer.json()["detail"].startswith("the server could not answer this request")

    def unreachable(self: RoadmapLedger) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(RoadmapLedger, "position", unreachable)
    answer = api.client.get("/ready", headers={"Accept-Language": "fr"})
    problem = assert_problem(answer, 503, "not-ready")
    assert problem["detail"] == "la base de données est injoignable"
    _is_french(problem)
    monkeypatch.undo()

    def behind(*args: Any, **kwargs: Any) -> bool:
        return False

    monkeypatch.setattr(ReadModels, "wait_for", behind)
    answer = api.get(f"/pledges/{record['pledge']}", headers={"Accept-Language": "fr"})
    problem = assert_problem(answer, 503, "projection-behind")
    assert problem["detail"].startswith("les modèles de lecture n'ont pas encore atteint")
    _is_french(problem)


def test_429_in_french(database_url: str) -> None:
    with running(settings_for(database_url, rate_limit_per_minute=2)) as api:
        for _ in range(2):
            assert api.get("/roadmaps", FR).status_code == 200
        limited = api.get("/roadmaps", FR, headers={"Accept-Language": "fr-CA"})
        problem = assert_problem(limited, 429, "rate-limited")
        assert re.fullmatch(r"trop de requêtes : réessayez dans \d+ s", problem["detail"])
        assert limited.headers["Content-Language"] == "fr"
        _is_french(problem)
        limited = api.get("/roadmaps", FR)
        assert re.fullmatch(r"too many requests: try again in \d+ s", limited.json()["detail"])
        assert limited.headers["Content-Language"] == "en"


#: Any header text a client may send (a header line ends at CR or LF).
_CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters="\r\n\x00")
HEADERS = st.text(_CHARACTERS, max_size=60) | st.sampled_from(
    ["fr", "FR-ca", "en;q=0.1, fr;q=0.2", "fr;q=0", "*;q=0.5, fr;q=0.4", "fr-", "-fr", ";q=1"]
)


@given(header=HEADERS)
def test_any_accept_language_answers_en_or_fr_never_500(
    api: Api, record: dict[str, str], header: str
) -> None:
    raw = {b"Accept-Language": header.encode("utf-8")}
    pledge = record["withdrawn"]
    answers = [
        api.client.get("/nowhere", headers=raw),  # a handler
        api.client.post(
            f"/pledges/{pledge}/withdrawal",
            json=WITHDRAW,
            headers={**raw, b"Authorization": f"Bearer {api.token(CA)}".encode()},
        ),  # a rule of the domain
        api.client.post(  # the middleware, before the app
            f"/pledges/{pledge}/withdrawal", headers={**raw, b"Content-Length": b"-1"}
        ),
    ]
    for answer in answers:
        assert answer.status_code in {400, 404, 409}, answer.text
        assert answer.headers["Content-Language"] == negotiate(
            header.encode("utf-8").decode("latin-1")
        )
        problem = answer.json()
        if answer.headers["Content-Language"] == "fr":
            _is_french(problem)
        else:
            assert problem["title"] in {"Not found", "Pledge already withdrawn", "Bad request"}
