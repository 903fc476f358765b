"""The roadmap's domain: aggregates, their events and rules, and the application facade."""
