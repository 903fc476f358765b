"""The read side inside the API process: read models, and in embedded mode their runner.

`roadmap serve` runs the projections in a thread (embedded mode, the default); with
`ROADMAP_PROJECTIONS_IN_PROCESS=false` a separate `roadmap worker` does. Either way a lease
lets only one runner apply batches, so both may run at once without harm.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from api.settings import Settings
from domain.application.service import RoadmapLedger
from projections.audit.checkpoints import establish_origin
from projections.audit.signing import Signer
from projections.audit.witness import Witness, load_witnesses
from projections.catalog import live_runner
from projections.partnership.queries import ReadModels
from projections.runtime.db import ReadStore
from projections.runtime.lease import Lease, lease_for
from projections.runtime.runner import Runner

logger = logging.getLogger("api")


@dataclass
class ReadSide:
    ledger: RoadmapLedger
    store: ReadStore
    models: ReadModels
    signer: Signer
    runner: Runner | None = None
    lease: Lease | None = None
    thread: threading.Thread | None = None
    #: The witnesses whose cosignatures are accepted and served (ROADMAP_WITNESS_KEYS_FILE).
    witnesses: tuple[Witness, ...] = ()

    def close(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        if self.thread is not None:
            self.thread.join(timeout=10)
        if self.lease is not None:
            self.lease.close()
        self.store.close()


def projection_runner(
    ledger: RoadmapLedger, store: ReadStore, settings: Settings
) -> tuple[Runner, Signer]:
    """The runner of every projection, signing tree heads with the configured key.

    The log's origin is settled before the first batch: kept from an earlier run, or taken
    from ROADMAP_LOG_ORIGIN (OriginConflictError if the setting would change it).
    """
    signer = Signer.from_file(settings.signing_key_file)
    runner = live_runner(ledger, store, signer=signer)
    runner.setup()
    establish_origin(store, settings.log_origin)
    return runner, signer


def open_read_side(ledger: RoadmapLedger, settings: Settings) -> ReadSide:
    store = ReadStore(settings.database_url)
    try:
        witnesses = load_witnesses(settings.witness_keys_file)
        runner, signer = projection_runner(ledger, store, settings)
    except BaseException:
        store.close()
        raise
    if not settings.projections_in_process:
        return ReadSide(ledger, store, ReadModels(store), signer, witnesses=witnesses)
    lease = lease_for(settings.database_url)
    thread = threading.Thread(
        target=_run, args=(runner, lease), name="roadmap-projections", daemon=True
    )
    side = ReadSide(
        ledger, store, ReadModels(store, runner), signer, runner, lease, thread, witnesses
    )
    thread.start()
    return side


def _run(runner: Runner, lease: Lease) -> None:
    try:
        runner.run_forever(lease)
    except Exception:
        logger.exception("the projection runner stopped; reads will lag until restart")
