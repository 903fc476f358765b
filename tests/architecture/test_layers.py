"""The house: layers hold, the model is pure, every kind is declared once and fully wired."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from api.kinds import public_model, router_module
from domain.model.history import Entry
from domain.model.item import Item, UnhandledEventError, evolves, handler_of, own_events
from domain.model.kinds import COLLECTIONS, KINDS, Kind
from domain.model.pledge import Pledge
from domain.storage.topics import MOVED_MODULES, topics_of
from projections.catalog import LIVE_TABLES
from projections.partnership.tables import ITEM_TABLES
from tests.factories import RECORDED_AT

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "domain" / "model").glob("*.py")), ids=str)
def test_the_model_imports_the_standard_library_and_eventsourcing_domain_only(
    path: Path,
) -> None:
    foreign = {
        name
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "eventsourcing.domain"
        and not name.startswith("domain.model")
    }
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


def test_the_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports is not None, "import-linter is a dev dependency (pyproject.toml)"
    result = subprocess.run(  # noqa: S603 - our own tool, no input
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_event_class_of_every_aggregate_has_a_handler(kind: Kind) -> None:
    aggregate = kind.aggregate
    events = own_events(aggregate)
    assert events, f"{aggregate.__name__} declares no events"
    for event_class in events:
        assert handler_of(aggregate, event_class) is not None, event_class.__qualname__


def test_an_aggregate_with_an_event_and_no_handler_is_refused_when_defined() -> None:
    with pytest.raises(UnhandledEventError, match=r"Note\.Amended"):

        class Note(Item):
            class Written(Item.Created):
                text: str

            class Amended(Item.Event):
                text: str

            @evolves(Written)
            def _written(state: None, entry: Entry) -> str:
                return str(entry.payload["text"])


def test_an_entry_of_an_unknown_event_type_is_not_skipped() -> None:
    entry = Entry(
        version=2,
        event_type="Renamed",
        recorded_at=RECORDED_AT,
        effective_on=RECORDED_AT.date(),
        actor="a",
        actor_party=None,
        authority=None,
        note=None,
        payload={},
    )
    aggregate = KINDS[1].aggregate
    with pytest.raises(UnhandledEventError, match="no handler for Renamed"):
        aggregate.evolve(object(), entry)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_kind_is_wired_through_every_layer(kind: Kind) -> None:
    assert COLLECTIONS[kind.collection] is kind.aggregate
    paths = [route.path for route in router_module(kind).router.routes]
    assert any(p.startswith(f"/{kind.collection}/{{") for p in paths), paths
    if kind.section is not None:
        assert public_model(kind).model_fields
    assert ITEM_TABLES[kind.name] in LIVE_TABLES


def test_topics_of_moved_modules_still_resolve() -> None:
    for kind in KINDS:
        for event_class in own_events(kind.aggregate):
            for topic in topics_of(event_class):
                assert resolve_topic(topic) is resolve_topic(get_topic(event_class))
    moved = [old for old, new in MOVED_MODULES.items() if new == KINDS[1].aggregate.__module__]
    assert moved == ["domain.pledge"]
    assert resolve_topic("domain.pledge:Pledge.Made") is resolve_topic(get_topic(Pledge.Made))
