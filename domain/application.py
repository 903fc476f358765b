"""The application facade: one method per command of the contract, and `get_*` queries."""

from __future__ import annotations

from domain.consultation_commands import ConsultationCommands
from domain.correction_commands import CorrectionCommands
from domain.exchange_commands import ExchangeCommands
from domain.ledger_core import COLLECTIONS, LedgerCore, utc_now
from domain.pledge_commands import PledgeCommands
from domain.reform_commands import ReformCommands

__all__ = ["COLLECTIONS", "LedgerCore", "RoadmapLedger", "utc_now"]


class RoadmapLedger(
    PledgeCommands, ConsultationCommands, ExchangeCommands, ReformCommands, CorrectionCommands
):
    """The record of a roadmap: commands by kind of item, queries and storage in LedgerCore."""

    name = "RoadmapLedger"
