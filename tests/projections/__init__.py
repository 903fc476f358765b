"""The read side: projections, time travel, the verifiable audit trail (issues 4 to 6)."""
