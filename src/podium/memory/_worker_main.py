"""``podium memory worker``: an extraction worker process over the configured database."""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podium.config import Settings

    from .extraction import Extractor

__all__ = ["main"]

logger = logging.getLogger(__name__)


def main(settings: Settings, *, extractor: Extractor | None = None) -> int:
    """Run a worker until SIGTERM/SIGINT, then finish the current job and exit 0."""
    from podium.storage import Database
    from podium.telemetry import configure_tracing, flush_tracing

    from ._service import MemoryService
    from .extraction import ExtractionWorker

    configure_tracing(settings, "extraction-worker")
    db = Database.from_settings(settings)
    db.ensure_schema(auto_migrate=settings.migrates_at_start)
    service = MemoryService(db, settings)
    worker = ExtractionWorker(service, extractor)
    stop = threading.Event()

    def _handle(signum: int, _frame: object) -> None:
        logger.info("signal=<%d> | stopping extraction worker", signum)
        stop.set()

    previous = {s: signal.signal(s, _handle) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.serve(stop)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        db.dispose()
        flush_tracing()
    return 0
