"""The HTTP side of each kind of item, found by naming convention from the registry.

A kind's router lives in `api/routers/<collection>.py` and its answer model is
`<Aggregate>Public` in `api/schemas/<collection>.py` (`reform-proposals` → `reform_proposals`),
so adding a kind adds modules, not lines to lists here.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from domain.model.kinds import Kind


def module_name(kind: Kind) -> str:
    return kind.collection.replace("-", "_")


def router_module(kind: Kind) -> ModuleType:
    return importlib.import_module(f"api.routers.{module_name(kind)}")


def public_model(kind: Kind) -> Any:
    """The kind's answer model (a pydantic model class)."""
    schemas = importlib.import_module(f"api.schemas.{module_name(kind)}")
    return getattr(schemas, f"{kind.name}Public")
