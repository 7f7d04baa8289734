"""Machinery every domain shares, below them all: keyset pagination, signed cursors, counting,
facets, full-text search, query parameters and validators, name folding.

It imports only `app.db`, `app.settings`, `app.errors` and libraries (the import-linter contract
in pyproject.toml checks it), so any domain can stand on it and none can be pulled in by it.
"""
