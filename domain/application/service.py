"""The application facade: one method per command of the contract, and `get_*` queries."""

from __future__ import annotations

from domain.application.consultation_commands import ConsultationCommands
from domain.application.core import COLLECTIONS, LedgerCore, utc_now
from domain.application.correction_commands import CorrectionCommands
from domain.application.exchange_commands import ExchangeCommands
from domain.application.pledge_commands import PledgeCommands
from domain.application.reform_commands import ReformCommands

__all__ = ["COLLECTIONS", "LedgerCore", "RoadmapLedger", "utc_now"]


class RoadmapLedger(
    PledgeCommands, ConsultationCommands, ExchangeCommands, ReformCommands, CorrectionCommands
):
    """The record of a roadmap: commands by kind of item, queries and storage in LedgerCore."""

    name = "RoadmapLedger"
