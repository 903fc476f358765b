"""Adapters above the service: settings, the demo roadmap, export and import."""
