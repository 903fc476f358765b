"""One router per resource: adapters that parse, call one facade method, and answer."""
