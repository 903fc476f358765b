"""The pure model: aggregates, events, values, rules, errors (stdlib + eventsourcing.domain)."""
