"""The application service: commands (load, call the aggregate, save), idempotency, queries."""
