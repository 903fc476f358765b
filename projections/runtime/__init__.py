"""What every projection runs on: the batched runner, the lease, rebuilds, the database, tables."""
