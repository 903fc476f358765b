"""Read models built from the event log alone: partnership state, audit trail, reports."""
