"""The pure model: aggregates, their events, values, rules and errors (stdlib + eventsourcing.domain)."""
