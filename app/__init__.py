"""incidentdb: a REST API over diplomatic incidents with sourced, checkable statements."""

__version__ = "0.1.0"
