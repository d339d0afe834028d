"""Prometheus metrics (prometheus-client), on a registry of their own.

Labels are route templates (``/v1/rulebooks/{rulebook_id}``), never raw paths,
so a client cannot create label values (or leak data into them).
"""

from __future__ import annotations

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, disable_created_metrics,
                               generate_latest)

disable_created_metrics()  # the *_created gauges only add noise to scrapes

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("eligibility_http_requests_total", "HTTP requests by route template, method and status.",
                   ["route", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("eligibility_http_request_duration_seconds", "HTTP request latency by route template.",
                    ["route", "method"], registry=REGISTRY,
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
DECISIONS = Counter("eligibility_decisions_total", "Programme statuses decided, by programme and status.",
                    ["programme", "status"], registry=REGISTRY)
CASE_ERRORS = Counter("eligibility_case_errors_total", "Cases rejected, by problem type.", ["type"],
                      registry=REGISTRY)
CONNECTIONS_CLOSED = Counter("eligibility_http_connections_closed_total",
                             "Connections the server closed: header_timeout (no complete request head in time), "
                             "body_timeout (the body stalled), limit (over the connection limit).",
                             ["reason"], registry=REGISTRY)
RELOADS = Counter("eligibility_rulebook_reloads_total", "Rulebook reloads by outcome (success, failure).",
                  ["outcome"], registry=REGISTRY)

PDF_RENDER_SECONDS = Histogram("eligibility_pdf_render_seconds", "Seconds to render one assessment PDF (WeasyPrint).",
                               registry=REGISTRY, buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0))
PDF_RENDERS = Counter("eligibility_pdf_renders_total",
                      "Assessment PDFs by outcome: rendered, refused (every render slot taken: 503), failed.",
                      ["outcome"], registry=REGISTRY)


def count_decision(programmes: dict[str, str]) -> None:
    """Count one decision's programme statuses."""
    for programme, status in programmes.items():
        DECISIONS.labels(programme, status).inc()


def exposition() -> tuple[bytes, str]:
    """The metrics in the Prometheus text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
