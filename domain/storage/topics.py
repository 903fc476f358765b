"""Topics of stored events that name modules as they were: registered so no event is orphaned.

Every stored event names its class by module path (`domain.pledge:Pledge.Made`), and Created
events name their aggregate's class too (`originator_topic`), as enum values in payloads name
their enum. Release 0.1 kept the model at the top of `domain`; the modules moved, the stored
names did not. Registering an old module name makes every topic under it resolve to the new
module (`eventsourcing.utils.resolve_topic` looks module names up in its registry first).
When a module moves again, add its old name here; never remove a line.
"""

from __future__ import annotations

import importlib

from eventsourcing.utils import register_topic

#: Old module name → where its classes live now.
MOVED_MODULES: dict[str, str] = {
    # release 0.1 → 0.2: the pure model moved under domain.model
    "domain.values": "domain.model.values",
    "domain.item": "domain.model.item",
    "domain.roadmap": "domain.model.roadmap",
    "domain.pledge": "domain.model.pledge",
    "domain.consultation": "domain.model.consultation",
    "domain.decision": "domain.model.decision",
    "domain.exchange": "domain.model.exchange",
    "domain.reform": "domain.model.reform",
}


def register_moved_modules() -> None:
    for old, new in MOVED_MODULES.items():
        register_topic(old, importlib.import_module(new))


def topics_of(cls: type) -> tuple[str, ...]:
    """Every topic under which events of `cls` may be stored: the current one and the old ones."""
    current = f"{cls.__module__}:{cls.__qualname__}"
    old = (f"{o}:{cls.__qualname__}" for o, n in MOVED_MODULES.items() if n == cls.__module__)
    return (current, *old)
