"""The partnership read model: every item's current state, its SQL views and reports."""
