"""Helpers shared by test modules of several layers (the read side's, mostly)."""
