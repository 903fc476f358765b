"""Bitemporal history: the segments an item's state holds, and time-travel queries."""
