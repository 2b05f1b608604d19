"""Prometheus metrics of the gateway, in the text exposition format.

Written by hand (no extra dependency). Single event loop, so plain ints and floats need no locks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podium.memory.extraction import QueueStats

__all__ = ["LATENCY_BUCKETS_S", "Metrics"]

LATENCY_BUCKETS_S: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
)  # fmt: skip


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(kw_only=True)
class Metrics:
    """Counters, gauges and the latency histogram; :meth:`render` gives ``/metrics``."""

    sessions_live: int = 0
    workers_live: int = 0
    in_flight: int = 0
    invocations: Counter[str] = field(default_factory=Counter)
    auth_failures: int = 0
    worker_starts: int = 0
    worker_crashes: int = 0
    sessions_ended: Counter[str] = field(default_factory=Counter)
    latency_buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS_S))
    latency_sum_s: float = 0.0
    latency_count: int = 0
    #: The extraction queue of the shared database, read when ``/metrics`` is scraped (None:
    #: unreadable, and then left out).
    extraction: QueueStats | None = None

    def observe_invocation(self, status: int | str, seconds: float) -> None:
        """Count one finished invocation and its latency.

        ``status`` is the HTTP status, or ``stream_error`` / ``client_gone`` when a started
        stream did not complete.
        """
        self.invocations[str(status)] += 1
        self.latency_sum_s += seconds
        self.latency_count += 1
        for i, bound in enumerate(LATENCY_BUCKETS_S):
            if seconds <= bound:
                self.latency_buckets[i] += 1

    def render(self) -> str:
        """The Prometheus text format (version 0.0.4)."""
        out: list[str] = []

        def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, value in samples:
                shown = repr(float(value)) if isinstance(value, float) else str(value)
                out.append(f"{name}{labels} {shown}")

        metric("podium_runtime_sessions_live", "gauge", "Runtime sessions currently open.",
               [("", self.sessions_live)])  # fmt: skip
        metric("podium_runtime_workers_live", "gauge", "Session workers currently running.",
               [("", self.workers_live)])  # fmt: skip
        metric("podium_runtime_invocations_in_flight", "gauge", "Invocations being served now.",
               [("", self.in_flight)])  # fmt: skip
        metric(
            "podium_runtime_invocations_total",
            "counter",
            "Invocations by HTTP status.",
            [(f'{{status="{_label(s)}"}}', n) for s, n in sorted(self.invocations.items())],
        )
        metric("podium_runtime_auth_failures_total", "counter", "Requests refused with 401.",
               [("", self.auth_failures)])  # fmt: skip
        metric("podium_runtime_worker_starts_total", "counter", "Session workers started.",
               [("", self.worker_starts)])  # fmt: skip
        metric("podium_runtime_worker_crashes_total", "counter",
               "Session workers that died without being stopped.",
               [("", self.worker_crashes)])  # fmt: skip
        metric(
            "podium_runtime_sessions_ended_total",
            "counter",
            "Sessions ended, by reason (idle, lifetime, stopped, evicted, shutdown, moved).",
            [(f'{{reason="{_label(r)}"}}', n) for r, n in sorted(self.sessions_ended.items())],
        )
        if self.extraction is not None:
            queue = self.extraction
            metric("podium_extraction_jobs_pending", "gauge",
                   "Extraction jobs waiting for a worker (queue depth), all memories.",
                   [("", queue.pending)])  # fmt: skip
            metric("podium_extraction_jobs_running", "gauge",
                   "Extraction jobs a worker holds now, all memories.",
                   [("", queue.running)])  # fmt: skip
            metric("podium_extraction_lag_seconds", "gauge",
                   "Age of the oldest pending extraction job (0 when none is pending).",
                   [("", round(queue.oldest_pending_age_s, 3))])  # fmt: skip
        name = "podium_runtime_invocation_duration_seconds"
        out.append(f"# HELP {name} Invocation latency, request to last byte.")
        out.append(f"# TYPE {name} histogram")
        for bound, count in zip(LATENCY_BUCKETS_S, self.latency_buckets, strict=True):
            out.append(f'{name}_bucket{{le="{bound}"}} {count}')
        out.append(f'{name}_bucket{{le="+Inf"}} {self.latency_count}')
        out.append(f"{name}_sum {self.latency_sum_s!r}")
        out.append(f"{name}_count {self.latency_count}")
        return "\n".join(out) + "\n"
