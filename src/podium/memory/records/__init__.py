"""Long-term memory records: writes with history, search, reads and batch operations.

:class:`RecordStore` writes in the caller's transaction (the extraction worker's and the batch
APIs'); the other classes hold public operations that :class:`~podium.memory.MemoryService`
inherits.
"""

from __future__ import annotations

from ._batch import RecordBatch
from ._reads import RecordReads
from ._search import RecordSearch
from ._writes import NewRecord, RecordStore, delete_actor_records, record_scopes

__all__ = [
    "NewRecord",
    "RecordBatch",
    "RecordReads",
    "RecordSearch",
    "RecordStore",
    "delete_actor_records",
    "record_scopes",
]
