"""Schemathesis against the app's own OpenAPI schema, in process (ASGI), on both backends.

Every operation of `/openapi.json` is one test per backend. Schemathesis sends, as an admin, the
schema's own examples, boundary cases of every parameter and body field (its coverage phase,
positive and negative), then `MAX_EXAMPLES` random positive and negative cases; every answer is
checked. Bounded for CI: derandomized (the same requests every run, no example database), one
store per backend for the whole module (a few thousand requests, a few hundred events).

Checks that must hold for every answer (schemathesis's defaults, minus the exclusions below):
- `not_a_server_error`: no 5xx, whatever the input;
- `status_code_conformance`: the status is one the operation declares;
- `content_type_conformance`: `application/json` for answers, `application/problem+json` for
  errors, as declared;
- `response_schema_conformance`, `response_headers_conformance`: the body and the declared
  headers match the declaration;
- `negative_data_rejection`: input outside the schema is refused with a 4xx;
- `ignored_auth`, `missing_required_header`, `unsupported_method`, `allow_header_conformance`,
  `object_level_authorization`.

Excluded, because they cannot hold by design:
- `positive_data_acceptance`: data that fits the schema is not always a valid command. The
  schema cannot say which ids exist (a random UUID answers 404), which transitions the item's
  state allows (409), that a date is not after today or that `ends_on` follows `starts_on`
  (422), that a party belongs to the roadmap (409), or that a JSON number is no float (`4.0`
  for an integer is refused on purpose: docs/http.md, "Quantities").
- `use_after_free`, `ensure_resource_availability`: stateful checks over resources deleted or
  created through links; the API declares no links and deletes nothing.

What the generated requests are given, so that they test more than 404s and are repeatable:
- half of the positive cases with an id in their path act on an item recorded before the run
  (a roadmap, pledges, consultations, a decision, exchanges, reform proposals);
- every call gets a unique `Idempotency-Key` (a generated key may repeat with another body and
  answer 422 `idempotency-key-reused`: right, but it teaches nothing).

Known gaps of the app's OpenAPI (reported, not hidden): `UNDECLARED` lists the statuses the app
answers on purpose but does not declare; those failures, and only those, are filtered out.

Why not `schemathesis.pytest.from_fixture`: with schemathesis 4.32 on pytest 9.2 its lazy
`parametrize` fails on `request.node._nodeid` (pytest renamed it). The schema is read from the
app at import (building the app opens no store), and the app schemathesis calls forwards to the
current backend's app (`CurrentApp`), whose lifespan schemathesis starts and ends with each test.
"""

from __future__ import annotations

import re
import uuid
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from jwt.warnings import InsecureKeyLengthWarning
from pydantic import SecretStr
from schemathesis import AuthContext, Case, CheckFunction, GenerationMode, HookContext, Response
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.schemas import OpenApiSchema

from api.app import create_app
from api.auth import mint_token
from api.settings import Settings
from tests.e2e.support import (
    ADMIN,
    Api,
    adopt,
    held,
    make_pledge,
    propose_exchange,
    propose_reform,
    record_decision,
    running,
    schedule,
    settings_for,
)

AnyCase = Case[Any]

MAX_EXAMPLES = 15
EXCLUDED: list[CheckFunction] = [
    openapi_checks.positive_data_acceptance,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
]
#: A key the API would take; negative cases' invalid keys are sent as generated.
_VALID_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?")
_UUID = re.compile(r"[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")


class CurrentApp:
    """The ASGI app schemathesis calls: it forwards to the app of the backend under test.

    Schemathesis keeps the app its schema was loaded with; the backends' apps only exist once
    their fixture runs. Lifespan messages are forwarded too, so schemathesis starts and ends the
    real app's lifespan as it would the app's own.
    """

    def __init__(self) -> None:
        self.target: FastAPI | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.target is not None, "no backend's app is served"
        await self.target(scope, receive, send)


def _schema_of_the_app(current: CurrentApp) -> OpenApiSchema:
    """The app's OpenAPI document (building it opens no store), served through `current`."""
    unopened = Settings(database_url="sqlite:///unused.db", secret=SecretStr("unused" * 8))
    loaded = schemathesis.openapi.from_dict(create_app(unopened).openapi())
    loaded.app = current  # what `schemathesis.openapi.from_asgi` does with the app it read
    return loaded


#: Every backend's app checks tokens with the tests' secret (`settings_for`). Minted at import:
#: schemathesis builds its example and coverage cases, token included, when it collects them.
with warnings.catch_warnings():  # the tests' secret is short on purpose (tests/e2e/conftest.py)
    warnings.simplefilter("ignore", InsecureKeyLengthWarning)
    ADMIN_TOKEN = mint_token(
        settings_for("sqlite:///unused.db"),
        subject=ADMIN.sub,
        party=None,
        roles=list(ADMIN.roles),
        ttl_seconds=24 * 3600,
    )


class AdminToken:
    """Schemathesis's auth provider: every case is sent with an admin token.

    Through the provider (not as an extra header of the call), schemathesis knows the token is
    explicit and valid: it checks that dropping or spoiling it answers 401 (`ignored_auth`), and
    does not count a negative case's dropped Authorization as still dropped.
    """

    def get(self, case: AnyCase, context: AuthContext) -> str:
        return ADMIN_TOKEN

    def set(self, case: AnyCase, data: str, context: AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


CURRENT = CurrentApp()
schema = _schema_of_the_app(CURRENT)
schema.auth(refresh_interval=None)(AdminToken)

#: Statuses the app answers on purpose but its OpenAPI does not declare (reported, to be fixed in
#: api/openapi.py): a decision is a creation, yet it honours If-Match on the consultation
#: (docs/http.md, "If-Match"), and CREATION_RESPONSES has no 412. (Reads may also answer 503
#: `projection-behind`, undeclared in READ_RESPONSES, when the projections lag more than
#: `read_wait_seconds`; not listed here: in this run they never should.)
UNDECLARED: dict[tuple[str, str], set[int]] = {}


def filter_failure(
    context: HookContext, failure: Failure, case: AnyCase, response: Response
) -> bool:
    """Keep every failure but an undeclared status listed in `UNDECLARED`."""
    known = UNDECLARED.get((case.operation.method.upper(), case.operation.path), set())
    return not (isinstance(failure, UndefinedStatusCode) and response.status_code in known)


schema.hook(filter_failure)

#: Query values at the ends of the calendar and of 64-bit integers, where SQLite and PostgreSQL
#: differ (issue 15): the random phase draws three queries in four with one of them. A moment
#: one hour before year 1 or after year 9999 in UTC, a position or size beyond what a column
#: holds.
MOMENT_EDGES = (
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
)
INTEGER_EDGES = (2**62, 2**62 + 1, 2**63 - 1, 2**63, 2**64)
EDGES: dict[str, tuple[Any, ...]] = {
    **dict.fromkeys(("as_of", "since", "until"), MOMENT_EDGES),
    "effective_on": ("0001-01-01", "9999-12-31"),
    **dict.fromkeys(
        ("tree_size", "leaf_index", "first", "second", "after", "min_position"), INTEGER_EDGES
    ),
}


def flatmap_query(context: HookContext, query: dict[str, Any] | None) -> Any:
    """The generated query, or the same with one edge-prone parameter set to an edge value
    (one at a time: an edge position would answer 422 before an edge moment is looked at)."""
    names = (
        [p.name for p in context.operation.query if p.name in EDGES] if context.operation else []
    )
    if not names:
        return st.just(query)
    edge = st.sampled_from(names).flatmap(
        lambda name: st.sampled_from(EDGES[name]).map(lambda value: {**(query or {}), name: value})
    )
    return st.one_of(st.just(query), edge, edge, edge)  # three in four


schema.hook(flatmap_query)


@dataclass(frozen=True)
class Served:
    app: FastAPI
    #: Ids recorded before the run, by the collection a path starts with.
    known: dict[str, list[str]]


def _seed(api: Api) -> dict[str, list[str]]:
    """A few items of every kind, in several states, for the generated calls to act on."""
    roadmap_id = adopt(api)
    consultation_id = held(api, roadmap_id)
    return {
        "roadmaps": [roadmap_id],
        "pledges": [make_pledge(api, roadmap_id) for _ in range(3)],
        "consultations": [consultation_id, schedule(api, roadmap_id)],
        "decisions": [record_decision(api, consultation_id)],
        "exchanges": [propose_exchange(api, roadmap_id) for _ in range(2)],
        "reform-proposals": [propose_reform(api, roadmap_id) for _ in range(2)],
    }


@pytest.fixture(scope="module")
def served(module_url: str) -> Iterator[Served]:
    """One store per backend: seeded through its own app, then served to schemathesis."""
    app_settings = settings_for(module_url, rate_limit_per_minute=1_000_000)
    with running(app_settings) as api:
        known = _seed(api)
    served = Served(create_app(app_settings), known)
    CURRENT.target = served.app
    try:
        yield served
    finally:
        CURRENT.target = None


def _on_a_known_item(case: AnyCase, known: dict[str, list[str]]) -> None:
    """Half of the positive cases with one id in their path act on a recorded item instead.

    The choice is a digest of what the case sends, so a derandomized run sends the same
    requests every time (the coverage phase reuses one id with many bodies).
    """
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    ids = known.get(case.operation.path.strip("/").split("/")[0], [])
    names = [
        name
        for name, value in (case.path_parameters or {}).items()
        if isinstance(value, str) and _UUID.fullmatch(value)
    ]
    if not ids or len(names) != 1:
        return
    sent = repr((case.path_parameters, case.query, case.body)).encode()
    draw = zlib.crc32(sent)
    if draw % 2 == 0:
        case.path_parameters = {**case.path_parameters, names[0]: ids[draw // 2 % len(ids)]}


def _unique_key(case: AnyCase) -> None:
    """A fresh Idempotency-Key for each call of an operation that takes one."""
    if "Idempotency-Key" not in {parameter.name for parameter in case.operation.headers}:
        return
    current = case.headers.get("Idempotency-Key")
    if current is None or (isinstance(current, str) and _VALID_KEY.fullmatch(current)):
        case.headers["Idempotency-Key"] = f"schemathesis-{uuid.uuid4().hex}"


def _conforms(case: AnyCase, served: Served) -> None:
    _on_a_known_item(case, served.known)
    _unique_key(case)
    case.call_and_validate(excluded_checks=EXCLUDED)


#: One test per operation and backend (`schema.parametrize()` is untyped: applied as a call).
test_every_operation_conforms = schema.parametrize()(
    settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )(_conforms)
)
