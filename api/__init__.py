"""The HTTP API, authentication and the `roadmap` command line: adapters around the domain."""
