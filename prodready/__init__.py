"""prodready: a production-readiness auditor for Python services."""

__version__ = "0.1.0"
