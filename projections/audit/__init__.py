"""The audit trail: entries, Merkle leaves and tree, signed heads, proofs and verification."""
