"""Observability: request ids, JSON logs and Prometheus metrics, shared by every app process."""
