"""The read side over HTTP: audit trail, history, reports, tree heads and proofs, time travel,
read-your-writes and metrics, on both backends."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from projections.audit import merkle
from projections.audit.signing import load_public_key, signature_valid
from projections.partnership.reports import REPORTS
from tests.e2e.support import (
    ADMIN,
    AUDITOR,
    CA,
    FR,
    REPORTER,
    Api,
    Who,
    adopt,
    assert_problem,
    held,
    make_pledge,
    propose_exchange,
    propose_reform,
    record_decision,
    running,
    settings_for,
)
from tests.support.stores import opened, runner_for

ENTRY_FIELDS = {
    "position",
    "leaf_index",
    "recorded_at",
    "effective_on",
    "actor",
    "actor_party",
    "stream_id",
    "stream_version",
    "event_type",
    "item_kind",
    "roadmap_id",
    "summary",
    "summary_translated",
    "data",
    "hash",
}


def _record(api: Api) -> dict[str, str]:
    """A roadmap with one item of each kind, some of them changed: fourteen events."""
    roadmap = adopt(api)
    pledge = make_pledge(api, roadmap)
    api.ok(f"/pledges/{pledge}/progress", CA, {"delivered": {"amount": "150", "unit": "personnel"}})
    api.ok(
        f"/pledges/{pledge}/revisions",
        CA,
        {"quantity": {"amount": "750", "unit": "personnel"}, "reason": "Cabinet decision"},
    )
    api.ok(
        f"/pledges/{pledge}/corrections",
        CA,
        {"target_version": 1, "changes": {"title": "Deploy 600 soldiers"}, "reason": "typo"},
    )
    consultation = held(api, roadmap)
    decision = record_decision(api, consultation)
    api.ok(f"/decisions/{decision}/endorsements", CA)
    exchange = propose_exchange(api, roadmap)
    api.ok(f"/exchanges/{exchange}/agreement", CA)
    reform = propose_reform(api, roadmap)
    api.ok(f"/reform-proposals/{reform}/cosponsorships", CA)
    return {
        "roadmaps": roadmap,
        "pledges": pledge,
        "consultations": consultation,
        "decisions": decision,
        "exchanges": exchange,
        "reform-proposals": reform,
    }


@pytest.fixture
def items(api: Api) -> dict[str, str]:
    return _record(api)


def _pages(api: Api, path: str, params: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Every entry, page by page: each page continues after the previous one's cursor."""
    entries: list[dict[str, Any]] = []
    after = 0
    while True:
        page = api.get(path, AUDITOR, {**params, "after": str(after), "limit": str(limit)})
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["entries"]) <= limit
        entries += body["entries"]
        if body["next_cursor"] is None:
            return entries
        assert body["next_cursor"] == body["entries"][-1]["position"]
        after = body["next_cursor"]


def _audit(api: Api, roadmap: str, **params: str) -> list[dict[str, Any]]:
    answer = api.get(f"/roadmaps/{roadmap}/audit", AUDITOR, {"limit": "1000", **params})
    assert answer.status_code == 200, answer.text
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


# --- who may read the audit trail --------------------------------------------------------------


@pytest.mark.parametrize("who", [FR, CA, REPORTER], ids=["fr-official", "ca-official", "reporter"])
def test_the_audit_trail_and_its_proofs_are_for_auditors(
    api: Api, items: dict[str, str], who: Who
) -> None:
    roadmap = items["roadmaps"]
    for path in (
        f"/roadmaps/{roadmap}/audit",
        "/audit/entries",
        "/audit/tree-head",
        "/audit/public-key",
        "/audit/proofs/inclusion?leaf_index=0&tree_size=1",
        "/audit/proofs/consistency?first=1&second=1",
        "/audit/checkpoint",
        "/audit/verifier-key",
        "/audit/proofs/bundle?leaf_index=0",
        f"/pledges/{items['pledges']}/history",
        f"/roadmaps/{roadmap}?as_of=2030-01-01T00:00:00Z",
        f"/pledges/{items['pledges']}?effective_on=2016-09-01",
        f"/roadmaps/{roadmap}/state?effective_on=2016-09-01",
    ):
        assert_problem(api.get(path, who), 403)
    for auditor in (AUDITOR, ADMIN):
        assert api.get(f"/roadmaps/{roadmap}/audit", auditor).status_code == 200


# --- the audit trail ---------------------------------------------------------------------------


def test_roadmap_audit_pages_walk_every_entry_once(api: Api, items: dict[str, str]) -> None:
    roadmap = items["roadmaps"]
    everything = _audit(api, roadmap)
    assert len(everything) == 14
    assert all(set(e) == ENTRY_FIELDS for e in everything)
    assert {e["roadmap_id"] for e in everything} == {roadmap}
    positions = [e["position"] for e in everything]
    assert positions == sorted(set(positions))
    assert {e["stream_id"] for e in everything} == set(items.values())

    for limit in (1, 3, 7):
        assert _pages(api, f"/roadmaps/{roadmap}/audit", {}, limit) == everything


def test_roadmap_audit_filters(api: Api, items: dict[str, str]) -> None:
    roadmap = items["roadmaps"]
    everything = _audit(api, roadmap)

    def kept(**params: str) -> list[dict[str, Any]]:
        found = _audit(api, roadmap, **params)
        assert found, params
        return found

    assert kept(party="CA") == [e for e in everything if e["actor_party"] == "CA"]
    assert kept(event_type="Made") == [e for e in everything if e["event_type"] == "Made"]
    pledge = kept(stream_id=items["pledges"])
    assert pledge == [e for e in everything if e["stream_id"] == items["pledges"]]
    assert [e["stream_version"] for e in pledge] == [1, 2, 3, 4]

    middle = everything[len(everything) // 2]["recorded_at"]
    moment = datetime.fromisoformat(middle)
    since = kept(since=middle)
    until = kept(until=middle)
    assert since == [e for e in everything if datetime.fromisoformat(e["recorded_at"]) >= moment]
    assert until == [e for e in everything if datetime.fromisoformat(e["recorded_at"]) <= moment]
    assert kept(since=middle, until=middle) == [e for e in since if e in until]
    both = kept(party="CA", event_type="ProgressReported", stream_id=items["pledges"])
    assert [e["stream_version"] for e in both] == [2]
    assert _pages(api, f"/roadmaps/{roadmap}/audit", {"party": "CA"}, 2) == kept(party="CA")

    nothing = api.get(f"/roadmaps/{roadmap}/audit", AUDITOR, {"party": "US"})
    assert nothing.status_code == 200
    assert nothing.json()["entries"] == []
    assert nothing.json()["next_cursor"] is None
    for name, value in (("party", "france"), ("since", "yesterday"), ("limit", "0")):
        body = assert_problem(api.get(f"/roadmaps/{roadmap}/audit", AUDITOR, {name: value}), 422)
        assert body["field"] == name


def test_the_whole_audit_trail_is_every_event_in_log_order(api: Api, items: dict[str, str]) -> None:
    entries = _pages(api, "/audit/entries", {}, 250)
    assert [e["leaf_index"] for e in entries] == list(range(len(entries)))
    positions = [e["position"] for e in entries]
    assert positions == sorted(set(positions))
    assert positions[-1] == api.last_position
    mine = [e for e in entries if e["roadmap_id"] == items["roadmaps"]]
    assert mine == _audit(api, items["roadmaps"])
    adopted = _pages(api, "/audit/entries", {"event_type": "Adopted"}, 250)
    assert adopted == [e for e in entries if e["event_type"] == "Adopted"]


@pytest.mark.parametrize(
    ("collection", "events"),
    [
        ("roadmaps", ["Adopted"]),
        ("pledges", ["Made", "ProgressReported", "Revised", "Corrected"]),
        ("consultations", ["Scheduled", "Held", "DecisionRecorded"]),
        ("decisions", ["Recorded", "Endorsed"]),
        ("exchanges", ["Proposed", "Agreed"]),
        ("reform-proposals", ["Proposed", "CoSponsored"]),
    ],
)
def test_history_of_an_item_of_every_collection(
    api: Api, items: dict[str, str], collection: str, events: list[str]
) -> None:
    item = items[collection]
    answer = api.get(f"/{collection}/{item}/history")
    assert answer.status_code == 200, answer.text
    history = answer.json()
    assert history["id"] == item
    assert [v["event_type"] for v in history["versions"]] == events
    assert [v["version"] for v in history["versions"]] == list(range(1, len(events) + 1))
    trail = {e["position"]: e for e in _audit(api, items["roadmaps"], stream_id=item)}
    for version in history["versions"]:
        entry = trail[version["position"]]
        assert entry["stream_version"] == version["version"]
        for name in ("recorded_at", "effective_on", "actor", "actor_party", "summary", "hash"):
            assert version[name] == entry[name]
    assert history["position"] >= api.last_position

    assert_problem(api.get(f"/{collection}/{uuid4()}/history"), 404)
    other = "pledges" if collection != "pledges" else "exchanges"
    assert_problem(api.get(f"/{collection}/{items[other]}/history"), 404)  # another kind


# --- reports -----------------------------------------------------------------------------------


def test_reports_as_json_and_as_csv(api: Api, items: dict[str, str]) -> None:
    listed = api.get("/reports", REPORTER)
    assert listed.status_code == 200
    assert [r["name"] for r in listed.json()["reports"]] == list(REPORTS)
    for report in listed.json()["reports"]:
        as_json = api.get(report["href"], REPORTER)
        as_csv = api.get(report["href"], REPORTER, headers={"Accept": "text/csv"})
        assert as_json.status_code == as_csv.status_code == 200
        assert as_csv.headers["content-type"].startswith("text/csv")
        body = as_json.json()
        assert body["columns"] == report["columns"]
        assert body["position"] >= api.last_position
        assert int(as_json.headers["X-Roadmap-Position"]) == body["position"]
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert all(list(row) == report["columns"] for row in rows)
        expected = [
            {c: "" if row[c] is None else str(row[c]) for c in report["columns"]}
            for row in body["rows"]
        ]
        assert rows == expected, report["name"]

    fulfilment = api.get("/reports/pledge-fulfilment", REPORTER).json()["rows"]
    mine = [r for r in fulfilment if r["roadmap_id"] == items["roadmaps"]]
    assert {(r["party"], r["priority"], r["pledged"], r["delivered"]) for r in mine} == {
        ("CA", "operations-support", "750", "150")
    }
    assert_problem(api.get("/reports/no-such-report", REPORTER), 404)


# --- tree heads and proofs ---------------------------------------------------------------------


def _head(api: Api, **params: str) -> dict[str, Any]:
    api.get("/audit/entries", AUDITOR, {"limit": "1"})  # waits for the audit trail
    answer = api.get("/audit/tree-head", AUDITOR, params)
    assert answer.status_code == 200, answer.text
    head: dict[str, Any] = answer.json()
    return head


def _public_key(api: Api) -> Any:
    answer = api.get("/audit/public-key", AUDITOR)
    assert answer.status_code == 200
    assert "BEGIN PUBLIC KEY" in answer.text
    return load_public_key(answer.content)


def _hex(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def test_the_signed_tree_head(api: Api, items: dict[str, str]) -> None:
    del items
    head = _head(api)
    # The contract of release 0.1, and the same head as a C2SP checkpoint (issue 10).
    assert set(head) == {"tree_size", "root_hash", "signed_at", "key_id", "signature", "checkpoint"}
    assert head["tree_size"] >= 14
    assert signature_valid(_public_key(api), head)
    assert _head(api, tree_size=str(head["tree_size"])) == head
    assert_problem(api.get("/audit/tree-head", AUDITOR, {"tree_size": str(2**40)}), 404)
    assert (
        assert_problem(api.get("/audit/tree-head", AUDITOR, {"tree_size": "0"}), 422)["field"]
        == "tree_size"
    )


def test_proofs_verify_against_signed_heads(api: Api) -> None:
    _record(api)
    older = _head(api)
    items = _record(api)
    head = _head(api)
    key = _public_key(api)
    assert signature_valid(key, older)
    assert signature_valid(key, head)
    assert head["tree_size"] > older["tree_size"]
    size, root = head["tree_size"], bytes.fromhex(head["root_hash"])

    entries = {e["leaf_index"]: e for e in _audit(api, items["roadmaps"])}
    for index in sorted({0, older["tree_size"] - 1, *entries, size - 1}):
        answer = api.get(
            "/audit/proofs/inclusion", AUDITOR, {"leaf_index": str(index), "tree_size": str(size)}
        )
        assert answer.status_code == 200, answer.text
        proof = answer.json()
        assert (proof["leaf_index"], proof["tree_size"]) == (index, size)
        assert proof["root_hash"] == head["root_hash"]
        if index in entries:
            assert proof["leaf_hash"] == entries[index]["hash"]
        leaf = bytes.fromhex(proof["leaf_hash"])
        assert merkle.verify_inclusion(leaf, index, size, _hex(proof["path"]), root)
        assert not merkle.verify_inclusion(
            leaf, index, size, _hex(proof["path"]), bytes.fromhex(older["root_hash"])
        )

    for first in (1, older["tree_size"], size):
        answer = api.get(
            "/audit/proofs/consistency", AUDITOR, {"first": str(first), "second": str(size)}
        )
        assert answer.status_code == 200, answer.text
        proof = answer.json()
        assert proof["second_root_hash"] == head["root_hash"]
        first_root = bytes.fromhex(proof["first_root_hash"])
        assert merkle.verify_consistency(first, size, first_root, root, _hex(proof["path"]))
    old_root = bytes.fromhex(older["root_hash"])
    proof = api.get(
        "/audit/proofs/consistency",
        AUDITOR,
        {"first": str(older["tree_size"]), "second": str(size)},
    ).json()
    assert proof["first_root_hash"] == older["root_hash"]
    assert merkle.verify_consistency(older["tree_size"], size, old_root, root, _hex(proof["path"]))


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("inclusion", {"leaf_index": "{size}", "tree_size": "{size}"}, "leaf_index"),
        ("inclusion", {"leaf_index": "0", "tree_size": "{beyond}"}, "tree_size"),
        ("inclusion", {"leaf_index": "0", "tree_size": "0"}, "tree_size"),
        ("inclusion", {"leaf_index": "-1", "tree_size": "{size}"}, "leaf_index"),
        ("inclusion", {"tree_size": "{size}"}, "leaf_index"),
        ("consistency", {"first": "{size}", "second": "1"}, "first"),
        ("consistency", {"first": "1", "second": "{beyond}"}, "second"),
        ("consistency", {"first": "0", "second": "{size}"}, "first"),
        ("consistency", {"first": "1", "second": "x"}, "second"),
    ],
)
def test_proofs_out_of_range_are_422_naming_the_field(
    api: Api, path: str, params: dict[str, str], field: str
) -> None:
    adopt(api)
    size = _head(api)["tree_size"]
    query = {k: v.format(size=size, beyond=size + 1000) for k, v in params.items()}
    body = assert_problem(api.get(f"/audit/proofs/{path}", AUDITOR, query), 422)
    assert body["field"] == field, body


# --- time travel -------------------------------------------------------------------------------


def test_item_reads_in_the_past_and_in_effect_on_a_date(api: Api) -> None:
    before_anything = "2016-01-01T00:00:00Z"
    roadmap = adopt(api)
    pledge = make_pledge(api, roadmap, effective_on="2016-08-26")
    believed = _head(api)["signed_at"]  # a moment after the pledge was recorded
    time.sleep(0.01)
    api.ok(
        f"/pledges/{pledge}/corrections",
        CA,
        {
            "target_version": 1,
            "changes": {"quantity": {"amount": "750", "unit": "personnel"}},
            "reason": "the cabinet decision said 750",
        },
    )

    in_september = api.read(f"/pledges/{pledge}?effective_on=2016-09-01")
    assert in_september["effective_on"] == "2016-08-26"
    assert in_september["quantity"]["amount"] == "750"
    assert_problem(api.get(f"/pledges/{pledge}?effective_on=2016-08-25"), 404)
    then = api.get(f"/pledges/{pledge}", AUDITOR, {"as_of": believed})
    assert then.status_code == 200, then.text
    assert then.json()["quantity"]["amount"] == "600"
    assert then.json()["version"] == 1
    assert api.read(f"/pledges/{pledge}")["quantity"]["amount"] == "750"

    state = api.read(f"/roadmaps/{roadmap}/state?effective_on=2016-09-01")
    assert state["roadmap"]["adopted_on"] == "2016-10-13"
    assert [p["id"] for p in state["pledges"]] == [pledge]
    assert state["effective_on"] == "2016-09-01"

    for path in (f"/roadmaps/{roadmap}/state", f"/roadmaps/{roadmap}", f"/pledges/{pledge}"):
        assert_problem(api.get(path, AUDITOR, {"as_of": before_anything}), 404)
    for who in (ADMIN, AUDITOR):
        assert api.get(f"/pledges/{pledge}", who, {"effective_on": "2016-09-01"}).is_success


# --- read-your-writes and metrics --------------------------------------------------------------


READS = (
    "/roadmaps",
    "/roadmaps/{roadmap}",
    "/roadmaps/{roadmap}/state",
    "/pledges/{pledge}",
    "/pledges/{pledge}?effective_on=2016-09-01",
    "/roadmaps/{roadmap}/audit",
    "/audit/entries",
    "/pledges/{pledge}/history",
    "/reports/pledge-fulfilment",
)


def test_a_position_beyond_the_log_is_422_naming_min_position(api: Api) -> None:
    roadmap = adopt(api)
    pledge = make_pledge(api, roadmap)
    beyond = {"min_position": str(api.last_position + 10**6)}
    for path in READS:
        started = time.monotonic()
        answer = api.get(path.format(roadmap=roadmap, pledge=pledge), AUDITOR, beyond)
        body = assert_problem(answer, 422, "position-not-recorded")
        assert body["field"] == "min_position"
        assert time.monotonic() - started < 1, "a position never recorded is not waited for"


def test_a_read_waits_for_the_projections_then_answers_503_with_retry_after(
    database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        database_url,
        read_wait_seconds=0.2,
        projections_in_process=False,  # and no worker: the read models stay behind
        signing_key_file=tmp_path / "signing-key.pem",
    )
    with running(settings) as api:
        roadmap = adopt(api)
        pledge = make_pledge(api, roadmap)
        for path in READS:
            started = time.monotonic()
            answer = api.get(path.format(roadmap=roadmap, pledge=pledge), AUDITOR)
            waited = time.monotonic() - started
            body = assert_problem(answer, 503, "projection-behind")
            assert answer.headers["Retry-After"] == "1"
            assert f"position {api.last_position}" in body["detail"]
            assert 0.2 <= waited < 3, (path, waited)

        with opened(database_url) as (app, store):
            runner_for(app, store).catch_up()
        for path in READS:
            answer = api.get(path.format(roadmap=roadmap, pledge=pledge), AUDITOR)
            assert answer.status_code == 200, (path, answer.text)


def test_metrics_tell_the_log_and_projection_positions(api: Api) -> None:
    adopt(api)
    api.get("/audit/entries", AUDITOR, {"limit": "1"})
    answer = api.get("/metrics", REPORTER)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    values: dict[str, int] = {}
    for line in answer.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = int(value)
    head = values["roadmap_log_position"]
    assert head >= api.last_position
    for name in ("partnership", "audit", "temporal"):
        position = values[f'roadmap_projection_position{{name="{name}"}}']
        assert position >= api.last_position
        assert values[f'roadmap_projection_lag{{name="{name}"}}'] == head - position
