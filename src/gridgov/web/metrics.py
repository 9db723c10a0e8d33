"""/metrics for Prometheus, and the queue figures /healthz shares.

Requests (latency, status, by view and method) and database queries come from django-prometheus
(its middleware and database backends). The figures that describe the whole deployment rather
than one process (queue depth, deliveries pending and failed, plate jobs by state) are read at
scrape time from the queue's storage and the database, so every web worker answers the same and
a consumer on another host needs no metrics port of its own.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory, cleared when
the server starts): each worker then writes its counters there and any worker's /metrics adds
them up (prometheus_client's multiprocess mode; docs/decisions/0014-task-queue.md).
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator

import prometheus_client
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from huey.contrib.djhuey import HUEY
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gridgov.notifications.models import Delivery
from gridgov.smartcodes.models import PlateJob


def queue_depth() -> dict[str, int]:
    """Tasks waiting in the queue's storage, and those scheduled for later (retries)."""
    return {"pending": HUEY.pending_count(), "scheduled": HUEY.scheduled_count()}


class DeploymentCollector(Collector):
    """Read at scrape time: a handful of indexed counts and two calls to the queue storage."""

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "gridgov_queue_tasks", "Tasks in the queue storage, by state.", labels=["state"]
        )
        for state, count in queue_depth().items():
            depth.add_metric([state], count)
        yield depth
        deliveries = GaugeMetricFamily(
            "gridgov_deliveries",
            "Notification deliveries pending and failed (failed: given up after the channel's "
            "attempts), by channel kind.",
            labels=["status", "channel"],
        )
        rows = (
            Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED])
            .values_list("status", "channel__kind")
            .annotate(n=Count("id"))
        )
        for status, kind, count in rows:
            deliveries.add_metric([status, kind], count)
        yield deliveries
        jobs = GaugeMetricFamily(
            "gridgov_plate_jobs", "Plate jobs queued or running.", labels=["status"]
        )
        for status in (PlateJob.Status.QUEUED, PlateJob.Status.RUNNING):
            jobs.add_metric([status], PlateJob.objects.filter(status=status).count())
        yield jobs


# Headers a proxy adds when it relays a request: a request that carries any of them came
# through a proxy, whatever address the socket shows.
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host")


def _allowed(request: HttpRequest) -> bool:
    """With GRIDGOV_METRICS_TOKEN: that bearer token. Without: a scraper on this host talking
    to the app directly — the socket's address is loopback and the request carries no
    forwarding header. Not the client address that rate limits read: that trusts the
    proxy's header, which a client that reaches the app directly can write, and behind a
    proxy on the same host every socket is loopback."""
    token = getattr(settings, "GRIDGOV_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    configured = getattr(settings, "GRIDGOV_CLIENT_IP_HEADER", "")
    if any(request.headers.get(name) for name in (*FORWARDING_HEADERS, configured) if name):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return HttpResponse(status=404)  # as if there were nothing here
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.CollectorRegistry()
        registry.register(_ProcessRegistry())
    registry.register(DeploymentCollector())
    return HttpResponse(
        prometheus_client.generate_latest(registry),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )


class _ProcessRegistry(Collector):
    """This process's own metrics (django-prometheus and the default collectors)."""

    def collect(self) -> Iterator[Metric]:
        yield from prometheus_client.REGISTRY.collect()
