"""Operational plumbing shared by every Croody service: request ids, JSON logs, metrics."""

from observability.instrument import instrument

__all__ = ["instrument"]
