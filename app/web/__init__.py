"""The HTML interface: server-rendered pages over the same domain services as the JSON API."""
