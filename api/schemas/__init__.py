"""Request bodies and answers of the HTTP API, apart from the domain's events."""
