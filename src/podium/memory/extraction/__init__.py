"""Long-term extraction: the job queue, the durable worker, the extractors and consolidation.

Events queue jobs (:mod:`._queue`, in the event's transaction); a worker claims them, hands a
job's messages to an :class:`Extractor` (offline rules or an LLM) and applies the resulting
ADD / UPDATE / SKIP / DELETE decisions to the records in the job's completing transaction.
"""

from __future__ import annotations

from ._extract_llm import LLMExtractor
from ._extract_offline import OfflineExtractor, extract_preferences
from ._extractor import (
    Add,
    Decision,
    Delete,
    ExistingRecord,
    ExistingRecords,
    Extractor,
    Message,
    Skip,
    Update,
)
from ._host import WorkerHost
from ._jobs import ExtractionJobs
from ._queue import QueueStats, queue_stats
from ._understand import (
    Statement,
    content_phrase,
    split_clauses,
    spot_topics,
    understand_sentence,
)
from ._worker import ExtractionWorker

__all__ = [
    "Add",
    "Decision",
    "Delete",
    "ExistingRecord",
    "ExistingRecords",
    "ExtractionJobs",
    "ExtractionWorker",
    "Extractor",
    "LLMExtractor",
    "Message",
    "OfflineExtractor",
    "QueueStats",
    "Skip",
    "Statement",
    "Update",
    "WorkerHost",
    "content_phrase",
    "extract_preferences",
    "queue_stats",
    "split_clauses",
    "spot_topics",
    "understand_sentence",
]
